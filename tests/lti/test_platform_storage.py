"""LTI platform storage over HTTP (the postMessage half runs in the browser tests)."""

from __future__ import annotations

import json

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User

from .flows import auto_form


def _storage_login(http, base):
    r = http.get(
        base + "/demo/start", params={"user": "learner", "storage": "1"}, allow_redirects=False
    )
    login_url = r.headers["Location"]
    assert "lti_storage_target=_parent" in login_url
    page = http.get(login_url)
    assert page.status_code == 200
    cfg = json.loads(html.fromstring(page.text).get_element_by_id("lti-storage").text)
    return cfg


def test_login_with_storage_target_puts_state_in_the_platform(live_server, http):
    cfg = _storage_login(http, live_server.url)
    assert cfg["state"].startswith("state-") and cfg["target"] == "_parent"
    assert cfg["origin"] == live_server.url  # the platform's origin, from its auth URL
    assert (
        cfg["auth_url"].startswith(live_server.url + "/demo/authorize?")
        and cfg["state"] in cfg["auth_url"]
    )


def test_platform_storage_alone_never_lets_a_launch_in(app, live_server, http):
    """A script's "the platform confirmed it" cannot be proven to the server: without the state
    cookie the launch is refused, even when the form says the storage check was done."""
    cfg = _storage_login(http, live_server.url)
    form = auto_form(http.get(cfg["auth_url"]))
    http.cookies.clear()  # the browser refused the tool's cookies in the iframe
    for extra in ({}, {"lti_storage_checked": "1"}):
        r = http.post(form.action, data={**form.fields, **extra})
        assert r.status_code == 403 and 'data-reason="no_cookie"' in r.text
        assert "Lena de Vries" not in r.text and not http.cookies
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_launch_with_its_cookie_needs_no_storage_check(live_server, http):
    cfg = _storage_login(http, live_server.url)
    form = auto_form(http.get(cfg["auth_url"]))
    done = http.post(form.action, data=form.fields)  # the state cookie came back: straight in
    assert done.status_code == 200 and "Lena de Vries" in done.text


def test_course_frame_page_embeds_the_tool(live_server, http):
    r = http.get(live_server.url + "/demo/course", params={"user": "learner"})
    assert r.status_code == 200
    frame = html.fromstring(r.text).get_element_by_id("tool-frame")
    assert "storage=1" in frame.get("src")
