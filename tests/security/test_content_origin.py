"""The content origin: package files and the run-time frame answer there only, tool pages never
do, no session lives there, and its signed URLs name one person, attempt and platform and expire.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from lti_tool.content import services
from lti_tool.settings import Settings, SettingsError
from tests.lti.flows import launch
from tests.scorm.builders import single_sco_12
from tests.scorm.flows import content_get, player_config
from tests.scorm.test_content import learner_on_player

from .conftest import launch_as, sign_in


def content_of(app: Any) -> str:
    return str(app.config["LEARNPASS"].content_url)


def test_tool_pages_do_not_answer_on_the_content_origin(app: Any, client: Any) -> None:
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="origin-admin"))
    content = content_of(app)
    for path in ("/", "/passport/", "/passport/my-data.json", "/content/admin", "/healthz"):
        assert client.get(path).status_code in (200, 302), path
        answer = client.get(path, base_url=content)
        assert answer.status_code == 404, path
        # No session there: nothing is stored or sent back as a cookie, whatever was asked.
        assert "Set-Cookie" not in answer.headers
    assert "Set-Cookie" not in client.get("/?lang=fr", base_url=content).headers


def test_content_routes_do_not_answer_on_the_tools_origin(app: Any, client: Any) -> None:
    content = content_of(app)
    path = "/content/frame/runtime/scorm12.min.js"
    assert client.get(path, base_url=content).status_code == 200
    assert client.get(path).status_code == 404
    assert client.get("/content/frame/static/runtime-frame.js").status_code == 404
    assert client.get("/content/files/x/index.html").status_code == 404


def _old_serializer(secret: str, salt: str, age: int) -> URLSafeTimedSerializer:
    """Signs as the app did ``age`` seconds ago."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    return URLSafeTimedSerializer(secret, salt=salt, signer=Earlier)


def test_file_urls_are_for_one_person_attempt_and_platform_and_expire(
    app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config = state["config"]
    url = config["scos"][0]["url"]
    token = url.split("/")[3]
    content = live_server.content_url
    good = content_get(config, content + url)
    assert good.status_code == 200
    # The author's page runs as written (no policy); the origin keeps it apart, not a CSP.
    assert "Content-Security-Policy" not in good.headers
    assert good.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        grant = services.read_file_token(token)
        assert grant is not None
        version, attempt, user, issuer = (
            grant.version_id,
            grant.attempt_id,
            grant.user_id,
            grant.issuer,
        )
        other = launch_as(app, platform="other", role="admin", sub="other-admin")
        forged = {
            # The same attempt named for another person (the other platform's admin).
            "another person": services.file_token(version, attempt, other.user_id, other.issuer),
            # The learner's attempt, said to be of another platform.
            "another platform": services.file_token(version, attempt, user, other.issuer),
            # Another attempt number than the learner's.
            "another attempt": services.file_token(version, attempt + 1, user, issuer),
        }
        expired = _old_serializer(app.config["SECRET_KEY"], "scorm-files", 7 * 3600).dumps(
            [version, attempt, user, issuer]
        )
    for reason, bad in [*forged.items(), ("expired", expired)]:
        answer = content_get(config, content + url.replace(token, bad))
        assert answer.status_code == 403, reason


def test_file_urls_open_only_in_the_browser_the_player_bound(
    app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    """A SCO file URL copied from a learner's player is no bearer link: it needs the content
    cookie the player's single-use entry set in that learner's browser."""
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config = state["config"]
    url = live_server.content_url + config["scos"][0]["url"]
    # The rightful browser.
    assert content_get(config, url).status_code == 200
    # A fresh browser (forwarded link): no content cookie.
    fresh = requests.get(url, timeout=30)
    assert fresh.status_code == 403
    assert "only in the browser it was opened in" in fresh.text
    assert fresh.headers["Content-Type"].startswith("text/plain")
    # A made-up cookie.
    assert content_get({"contentCookie": "x" * 43}, url).status_code == 403
    # Another learner of the same course, with her own player and content cookie.
    http.cookies.clear()
    other = player_config(launch(http, live_server.url, user="learner2", link=state["link"]["id"]))
    assert other["contentCookie"] != config["contentCookie"]
    assert content_get(other, live_server.content_url + other["scos"][0]["url"]).status_code == 200
    refused = content_get(other, url)
    assert refused.status_code == 403
    assert "opened for someone else" in refused.text
    # Her cookie does not open the learner's run-time frame either, nor his hers.
    assert content_get(other, config["frameLocation"]).status_code == 403
    assert content_get(config, other["frameLocation"]).status_code == 403
    # The player's entry is used up: opened again (forwarded), it sets no cookie.
    again = requests.get(config["frameUrl"], allow_redirects=False, timeout=30)
    assert again.status_code == 403 and "Set-Cookie" not in again.headers
    # Reopening the player binds a fresh browser anew.
    http.cookies.clear()
    page = launch(http, live_server.url, user="learner", link=state["link"]["id"])
    assert content_get(player_config(page), url).status_code == 200


def test_the_run_time_frame_and_its_calls_to_the_tool(
    app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config = state["config"]
    frame = content_get(config, config["frameLocation"])
    policy = frame.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and f"connect-src {live_server.url}" in policy
    assert frame.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in frame.headers
    # Forged or another person's frame token: refused.
    token = config["frameLocation"].split("/content/frame/")[1].split("?")[0]
    forged = config["frameLocation"].replace(token, token[:-3] + "xyz")
    assert content_get(config, forged).status_code == 403
    # The entry ticket was used up by the first browser; the frame wants that browser's cookie.
    assert requests.get(config["frameUrl"], timeout=30).status_code == 403
    assert requests.get(config["frameLocation"], timeout=30).status_code == 403
    # CORS: the content origin may read the run-time's answers, never with credentials.
    commit_url = live_server.url + config["commitUrl"].replace("{sco}", str(config["current"]))
    preflight = requests.options(
        commit_url,
        headers={
            "Origin": live_server.content_url,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-attempt-token",
        },
        timeout=30,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == live_server.content_url
    assert "x-attempt-token" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    elsewhere = requests.options(
        commit_url,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in elsewhere.headers


def test_content_url_is_required_and_must_be_another_host(tmp_path: Path) -> None:
    base = {"LEARNPASS_SECRET_KEY": "s", "LEARNPASS_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="LEARNPASS_CONTENT_URL is required"):
        Settings.from_env(base)
    for bad in (
        "https://127.0.0.1:5001",  # the tool's host name: cookies are shared between ports
        "ftp://content.example.org",
        "https://content.example.org/files",
    ):
        with pytest.raises(SettingsError, match="LEARNPASS_CONTENT_URL"):
            Settings.from_env({**base, "LEARNPASS_CONTENT_URL": bad})
    good = Settings.from_env({**base, "LEARNPASS_CONTENT_URL": "https://content.example.org/"})
    assert good.content_url == "https://content.example.org"
    demo = Settings.from_env({**base, "LEARNPASS_DEMO": "1"})
    assert demo.content_url == "http://localhost:5001"


def test_evidence_files_are_downloads_from_the_content_origin_for_one_person(
    app: Any, client: Any
) -> None:
    from lti_tool.extensions import db
    from lti_tool.models import User
    from lti_tool.passports.files import file_url
    from lti_tool.passports.models import CertificateFile

    owner = launch_as(app, platform="demo", role="learner", sub="evidence-owner")
    content = content_of(app)
    with app.test_request_context():
        upload = CertificateFile(
            owner_id=owner.user_id,
            filename="proof.html",
            media_type="text/html",
            size=30,
            sha256="0" * 64,
            content=b"<script>alert(document.cookie)</script>",
        )
        db.session.add(upload)
        db.session.commit()
        viewer = db.session.get(User, owner.user_id)
        assert viewer is not None
        url = file_url(upload, viewer)
        copied = file_url(upload, viewer)
        token = url.rsplit("/", 1)[1]
        # The old signed form (a bearer link): no longer a way in.
        signed = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="evidence-file").dumps(
            [upload.id, owner.user_id, owner.issuer]
        )
    assert url.startswith(content + "/files/evidence/")
    download = client.get(url)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="proof.html"'
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in download.headers
    # Used once: the same URL opened again (forwarded, or by another platform's admin) is refused.
    again = client.get(url)
    assert again.status_code == 403
    assert "only once" in again.get_data(as_text=True)
    assert "proof.html" not in again.headers.get("Content-Disposition", "")
    # Not on the tool's origin; not a guessed, altered or signed token.
    assert client.get(copied.replace(content, "")).status_code == 404
    for bad in (signed, token[:-3] + "xyz", "x" * 43):
        assert client.get(url.replace(token, bad)).status_code == 403
    assert client.get(copied).status_code == 200


def test_evidence_url_expires_in_minutes(app: Any, client: Any) -> None:
    from lti_tool.extensions import db
    from lti_tool.models import KeyValue, User
    from lti_tool.passports.files import TICKET_PREFIX, file_url
    from lti_tool.passports.models import CertificateFile

    owner = launch_as(app, platform="demo", role="learner", sub="evidence-late")
    with app.test_request_context():
        upload = CertificateFile(
            owner_id=owner.user_id,
            filename="late.pdf",
            media_type="application/pdf",
            size=3,
            sha256="0" * 64,
            content=b"pdf",
        )
        db.session.add(upload)
        db.session.commit()
        viewer = db.session.get(User, owner.user_id)
        assert viewer is not None
        url = file_url(upload, viewer)
        row = db.session.get(KeyValue, TICKET_PREFIX + url.rsplit("/", 1)[1])
        assert row is not None and row.expires_at is not None
        row.expires_at = row.expires_at - dt.timedelta(minutes=3)
        db.session.commit()
    assert client.get(url).status_code == 403


def test_content_urls_never_carry_the_tools_session_id(app: Any, client: Any) -> None:
    """Inside an LMS iframe without cookies the session id rides in the tool's own links; the
    player's frame URL on the content origin must not take it along."""
    from flask import g

    from lti_tool.content_origin import content_url_for

    with app.test_request_context("/content/play/1?lp_sid=secret-session-id"):
        g.sid_via_url = True
        g.current_sid = "secret-session-id"
        url = content_url_for("content_files.runtime_frame", token="t")
    assert "secret-session-id" not in url and url.startswith(content_of(app))
