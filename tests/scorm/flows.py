"""Helpers for driving the SCORM pages over real HTTP after a real LTI launch."""

from __future__ import annotations

import json
from typing import Any

import jwt
import requests
from lxml import html

from tests.lti.flows import auto_form, launch


def upload(http: requests.Session, base: str, zip_path: Any, title: str = "") -> requests.Response:
    """As the admin: open the import page and post the zip with the page's CSRF token."""
    page = http.get(base + "/content/admin")
    assert page.status_code == 200, page.text[:300]
    form = html.fromstring(page.text).forms[0]
    token = form.fields["csrf_token"]
    with open(zip_path, "rb") as stream:
        return http.post(
            base + "/content/admin",
            data={"csrf_token": token, "title": title},
            files={"package": (str(zip_path).rsplit("/", 1)[-1], stream, "application/zip")},
        )


def place_package(http: requests.Session, base: str, package_id: int) -> dict[str, Any]:
    """As the instructor: Deep Linking, pick the package, let the demo platform add the link."""
    page = launch(http, base, user="instructor", dl=True)
    assert f'value="scorm:{package_id}"' in page.text
    form = auto_form(page)
    chosen = http.post(form.action, data={**form.fields, "target": f"scorm:{package_id}"})
    back = auto_form(chosen)
    claims = jwt.decode(back.fields["JWT"], options={"verify_signature": False})
    item = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    done = http.post(back.action, data=back.fields)
    assert done.status_code == 200
    return item


def player_config(page: requests.Response) -> dict[str, Any]:
    """The player page's configuration and, for SCORM, its run-time frame's (fetched from the
    content origin with no cookie, as the browser's frame does)."""
    doc = html.fromstring(page.text)
    (script,) = doc.xpath('//script[@id="scorm-player-config"]')
    config: dict[str, Any] = json.loads(script.text)
    if "frameUrl" in config:
        frame = requests.get(config["frameUrl"], timeout=30)
        assert frame.status_code == 200, frame.text[:300]
        (runtime,) = html.fromstring(frame.text).xpath('//script[@id="scorm-runtime-config"]')
        config.update(json.loads(runtime.text))
    return config


def commit(
    http: requests.Session,
    base: str,
    config: dict[str, Any],
    sco_id: int,
    cmi: dict[str, Any],
    *,
    seq: int,
    session: str = "page-1",
    trigger: str = "commit",
    token: str | None = None,
) -> requests.Response:
    return http.post(
        base + config["commitUrl"].replace("{sco}", str(sco_id)),
        json={"cmi": cmi, "session": session, "seq": seq, "trigger": trigger},
        headers={"X-Attempt-Token": token or config["attemptToken"]},
    )
