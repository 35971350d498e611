"""Helpers for driving the SCORM pages over real HTTP after a real LTI launch."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import jwt
import requests
from lxml import html

from lti_tool.demo import platform as demo
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


class Placed(NamedTuple):
    package_id: int
    link_id: str  # what a browser opens as a learner: /demo/start?link=<link_id>


def import_and_place(
    app: Any, runner: Any, http: requests.Session, base: str, zip_path: Any
) -> Placed:
    """Import the package with the command line, then place it in the demo course as the
    instructor (``place_package``)."""
    result = runner.invoke(args=["scorm", "import", str(zip_path)])
    assert result.exit_code == 0, result.output
    package_id = int(result.output.split("package ", 1)[1].split(" ", 1)[0])
    with app.app_context():
        place_package(http, base, package_id)
        return Placed(package_id, str(demo.links()[-1]["id"]))


def enter_content(url: str) -> tuple[str, str]:
    """Open a single-use entry URL of the content origin as a browser does: the URL it sends on
    to, and the content cookie it sets (sent by hand: requests never sends a ``Secure`` cookie
    over plain http, which Chromium does for a loopback host)."""
    entry = requests.get(url, allow_redirects=False, timeout=30)
    assert entry.status_code == 303, entry.text[:300]
    cookie = entry.headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("lp_content="), cookie
    return entry.headers["Location"], cookie.split("=", 1)[1]


def content_get(config: dict[str, Any], url: str, **kwargs: Any) -> requests.Response:
    """A GET on the content origin from the browser that opened this player (its cookie)."""
    headers = {**kwargs.pop("headers", {}), "Cookie": f"lp_content={config['contentCookie']}"}
    return requests.get(url, headers=headers, timeout=30, **kwargs)


def player_config(page: requests.Response) -> dict[str, Any]:
    """The player page's configuration and, for SCORM, its run-time frame's (fetched from the
    content origin through the page's single-use entry, as the browser's frame does):
    ``frameLocation`` is where the entry led, ``contentCookie`` the cookie it set."""
    doc = html.fromstring(page.text)
    (script,) = doc.xpath('//script[@id="scorm-player-config"]')
    config: dict[str, Any] = json.loads(script.text)
    if "frameUrl" in config:
        location, cookie = enter_content(config["frameUrl"])
        config["frameLocation"], config["contentCookie"] = location, cookie
        frame = content_get(config, location)
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
