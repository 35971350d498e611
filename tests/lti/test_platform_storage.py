"""LTI platform storage over HTTP (the postMessage half runs in the browser tests)."""

from __future__ import annotations

import json

from lxml import html

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


def test_cookieless_launch_is_confirmed_through_platform_storage(live_server, http):
    cfg = _storage_login(http, live_server.url)
    form = auto_form(http.get(cfg["auth_url"]))
    http.cookies.clear()  # the browser refused the tool's cookies in the iframe
    check = http.post(form.action, data=form.fields)
    assert check.status_code == 200
    confirm = auto_form(check)
    assert confirm.fields["lti_storage_checked"] == "1" and confirm.fields["state"] == cfg["state"]
    assert "lti-storage.js" in check.text  # the page asks the platform with lti.get_data
    done = http.post(confirm.action, data=confirm.fields)
    assert done.status_code == 200 and "Lena de Vries" in done.text


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
