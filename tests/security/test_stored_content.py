"""What others upload is never served as an active page on the tool's origin: passport files,
LRS documents, and SCORM files only with a valid file token (they are HTML by nature; see the
report for what a malicious package can do on the tool's origin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from lti_tool.extensions import db
from tests.scorm.builders import single_sco_12
from tests.scorm.flows import content_get
from tests.scorm.test_content import learner_on_player
from xapi import auth

from .conftest import csrf_token, launch_as, sign_in

SCRIPT = "<!doctype html><script>fetch('/passport/my-data.json')</script>"


def _state_client(app: Any) -> tuple[str, str]:
    """Credentials shaped like the ones every cmi5 launch hands the learner's browser (state)."""
    with app.app_context():
        key, secret = auth.add_client(db.session(), "attacker", ["state", "statements/write"])
        db.session.commit()
    return key, secret


def test_lrs_document_is_not_served_as_a_page_to_a_cross_site_form(
    app: Any, live_server: Any, http: requests.Session
) -> None:
    key, secret = _state_client(app)
    agent = json.dumps({"mbox": "mailto:attacker@example.org"})
    params = {"activityId": "https://example.org/a", "agent": agent, "stateId": "x"}
    put = http.put(
        live_server.url + "/xapi/activities/state",
        params=params,
        data=SCRIPT,
        auth=(key, secret),
        headers={"X-Experience-API-Version": "1.0.3", "Content-Type": "text/html"},
    )
    assert put.status_code == 204, put.text
    # What an auto-submitting form on any site makes the victim's browser send: no custom header.
    import base64

    basic = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    response = requests.post(
        live_server.url + "/xapi/activities/state?method=GET",
        data={**params, "Authorization": basic, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200 and response.text == SCRIPT  # the hole's precondition
    policy = response.headers.get("Content-Security-Policy", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in policy and "default-src 'none'" in policy


def test_passport_certificate_downloads_are_attachments_never_html(
    app: Any, client: Any, tmp_path: Path
) -> None:
    from tests.passports.conftest import tiny_pdf

    ctx = sign_in(client, launch_as(app, platform="demo", role="learner", sub="uploader"))
    token = csrf_token(client, "/passport/propose")
    for name, data, accepted in (
        ("evil.html", SCRIPT.encode(), False),
        ("evil.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", False),
        ('cert".pdf', tiny_pdf(), True),
    ):
        response = client.post(
            "/passport/propose",
            data={
                "csrf_token": token,
                "title": "Upload " + name,
                "modality": "external",
                "hours": "1",
                "certificate": (__import__("io").BytesIO(data), name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == (303 if accepted else 400), name
    from sqlalchemy import select

    from lti_tool.passports.models import PassportEntry

    with app.app_context():
        entry_id = db.session.scalars(
            select(PassportEntry.id).where(PassportEntry.user_id == ctx.user_id)
        ).one()
    download = client.get(f"/passport/entries/{entry_id}/certificate", follow_redirects=True)
    assert download.request.host == app.config["LEARNPASS"].content_url.split("//")[1]
    assert download.status_code == 200
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.count('"') == 2


def test_sco_files_need_a_file_token_of_that_version(
    app: Any, runner: Any, live_server: Any, http: requests.Session, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    url = state["config"]["scos"][0]["url"]
    assert "lp_sid" not in url  # the session id never reaches the SCO's own URL
    good = content_get(state["config"], live_server.content_url + url)
    assert good.status_code == 200
    assert good.headers["X-Content-Type-Options"] == "nosniff"
    token = url.split("/")[3]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert requests.get(live_server.content_url + forged).status_code == 403
    assert (
        requests.get(live_server.content_url + "/content/files/x/sco/index.html").status_code == 403
    )
    escape = url.rsplit("/", 2)[0] + "/../../../../etc/passwd"
    assert requests.get(live_server.content_url + escape).status_code in (403, 404)
