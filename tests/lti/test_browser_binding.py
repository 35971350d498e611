"""The session lives in its cookie only, and a launch only signs in the browser that began its
login (no login CSRF); a browser without the cookie is offered the same login in a new window."""

from __future__ import annotations

import requests
from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User

from .flows import auto_form, launch, start_launch

STATE_COOKIE = "lti1p3-"  # + "state-<id>", the state's part before its signed params


def state_cookie(state: str) -> str:
    return STATE_COOKIE + state.partition(".")[0]


def _users(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(u.sub, u.name) for u in db.session.scalars(select(User).order_by(User.id))]


def _user_count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(User)) or 0)


def test_a_session_id_in_the_address_or_a_form_signs_nobody_in(live_server, http):
    page = launch(http, live_server.url)
    assert page.status_code == 200 and "Lena de Vries" in page.text
    sid = http.cookies["session"]
    other = requests.Session()  # another browser, which only learnt the id
    r = other.get(live_server.url + "/home", params={"lp_sid": sid})
    assert r.status_code == 401 and "Lena de Vries" not in r.text
    r = other.post(live_server.url + "/home", data={"lp_sid": sid})
    assert "Lena de Vries" not in r.text
    assert http.get(live_server.url + "/home").status_code == 200  # the cookie still works


def test_no_address_after_a_launch_holds_the_session_id(live_server, http):
    form = start_launch(http, live_server.url)
    r = http.post(form.action, data=form.fields, allow_redirects=False)
    assert r.status_code == 303
    sid = http.cookies["session"]
    assert r.headers["Location"] == "/home"
    assert sid not in r.headers["Location"] and "lp_sid" not in r.headers["Location"]
    page = http.get(live_server.url + r.headers["Location"])
    assert page.status_code == 200 and "Lena de Vries" in page.text
    assert sid not in page.text and "lp_sid" not in page.text  # no link or form carries it
    assert page.headers["Referrer-Policy"] == "same-origin"
    # The state cookie did its work and is gone; the session cookie is HttpOnly.
    assert not [c for c in http.cookies if c.name.startswith(STATE_COOKIE + "state-")]
    assert "HttpOnly" in r.headers["Set-Cookie"]


def test_state_cookie_holds_a_secret_that_no_address_shows(live_server, http):
    form = start_launch(http, live_server.url)
    state = form.fields["state"]
    secret = http.cookies[state_cookie(state)]
    assert secret != state and len(secret) >= 40


def test_login_csrf_attackers_launch_posted_from_the_victims_browser_is_refused(
    app, live_server, http
):
    """The attacker begins a login for their own account in their own client, then has the
    victim's browser post the signed token and state (a cross-site form): refused, nothing
    written, the victim stays who they were."""
    victim = http
    assert "Karim Benali" in launch(victim, live_server.url, user="learner2").text
    victim_sid = victim.cookies["session"]
    before = _users(app)

    attacker = requests.Session()
    form = start_launch(attacker, live_server.url, user="learner")
    r = victim.post(form.action, data=form.fields)
    assert r.status_code == 403
    assert 'data-reason="no_cookie"' in r.text and "Lena de Vries" not in r.text
    assert _users(app) == before  # no user row made or changed
    assert victim.cookies["session"] == victim_sid  # no new session
    home = victim.get(live_server.url + "/home")
    assert "Karim Benali" in home.text and "Lena de Vries" not in home.text


def test_login_csrf_from_a_browser_without_any_session(app, live_server):
    attacker, victim = requests.Session(), requests.Session()
    form = start_launch(attacker, live_server.url)
    r = victim.post(form.action, data=form.fields)
    assert r.status_code == 403 and 'data-reason="no_cookie"' in r.text
    assert "session" not in victim.cookies
    assert _user_count(app) == 0
    # The attacker's own browser can still use its launch: the refusal consumed nothing.
    assert "Lena de Vries" in attacker.post(form.action, data=form.fields).text


def test_a_state_cookie_with_the_wrong_secret_is_refused(app, live_server):
    """Even a browser given a cookie of the right name (pylti1p3 used to put the state itself in
    it) is not the one that began the login."""
    attacker, victim = requests.Session(), requests.Session()
    form = start_launch(attacker, live_server.url)
    state = form.fields["state"]
    victim.cookies.set(state_cookie(state), state)
    r = victim.post(form.action, data=form.fields)
    assert r.status_code == 400 and 'data-reason="state"' in r.text
    assert _user_count(app) == 0


def test_platform_storage_confirmation_posted_by_an_attacker_is_refused(app, live_server):
    attacker, victim = requests.Session(), requests.Session()
    r = attacker.get(
        live_server.url + "/demo/start",
        params={"user": "learner", "storage": "1"},
        allow_redirects=False,
    )
    page = attacker.get(r.headers["Location"])
    auth_url = html.fromstring(page.text).get_element_by_id("continue").get("href")
    form = auto_form(attacker.get(auth_url))
    r = victim.post(form.action, data={**form.fields, "lti_storage_checked": "1"})
    assert r.status_code == 403 and "Lena de Vries" not in r.text
    assert _user_count(app) == 0


def _refusal_form(response: requests.Response):
    doc = html.fromstring(response.text)
    (form,) = doc.xpath('//form[@target="_blank"]')
    return form


def test_a_browser_without_the_cookie_is_offered_the_same_login_in_a_new_window(
    app, live_server, http
):
    r = http.get(
        live_server.url + "/demo/start",
        params={"user": "learner", "locale": "nl"},
        allow_redirects=False,
    )
    form = auto_form(http.get(r.headers["Location"]))
    http.cookies.clear()  # inside the LMS iframe the browser refused our cookie
    refused = http.post(form.action, data=form.fields)
    assert refused.status_code == 403 and 'data-reason="no_cookie"' in refused.text
    assert "Open learnpass in a new window" in refused.text
    new_window = _refusal_form(refused)
    assert new_window.get("method") == "post" and new_window.get("action") == "/lti/new-window"
    fields = {i.name: i.value for i in new_window.inputs if i.name}
    assert fields == {"state": form.fields["state"]}

    # The new window is top-level: the browser keeps the cookie there. The same login begins
    # again (the platform's hint kept the course language) and signs the user in.
    page = http.post(live_server.url + "/lti/new-window", data=fields)
    launch_form = auto_form(page)
    done = http.post(launch_form.action, data=launch_form.fields)
    assert done.status_code == 200 and "Hallo, Lena de Vries" in done.text
    assert done.url == live_server.url + "/home"

    # One new window per refused launch; the refused token stays refused.
    again = requests.post(live_server.url + "/lti/new-window", data=fields)
    assert again.status_code == 400 and 'data-reason="state"' in again.text
    # The new window used the refused launch's state and nonce up: posted again, it is a replay.
    replayed = http.post(form.action, data=form.fields)
    assert replayed.status_code == 409 and 'data-reason="replayed"' in replayed.text


def test_new_window_without_a_known_state_is_refused(live_server):
    for data in ({}, {"state": "state-never-issued"}, {"state": "x" * 500}):
        r = requests.post(live_server.url + "/lti/new-window", data=data)
        assert r.status_code == 400 and 'data-reason="state"' in r.text


def test_refusal_page_for_a_missing_cookie_speaks_dutch_french_german(live_server):
    texts = {
        "nl": "Open learnpass in een nieuw venster",
        "fr": "Ouvrir learnpass dans une nouvelle fenêtre",
        "de": "learnpass in einem neuen Fenster öffnen",
    }
    for lang, text in texts.items():
        attacker, victim = requests.Session(), requests.Session()
        form = start_launch(attacker, live_server.url)
        r = victim.post(form.action, data=form.fields, headers={"Accept-Language": lang})
        assert r.status_code == 403 and text in r.text, lang


def test_a_window_of_its_own_without_the_cookie_is_told_to_allow_cookies(app, live_server):
    """Top-level already (``Sec-Fetch-Dest: document``): a new window would not help, so the page
    says to allow cookies instead, and offers no button."""
    attacker, victim = requests.Session(), requests.Session()
    form = start_launch(attacker, live_server.url)
    r = victim.post(form.action, data=form.fields, headers={"Sec-Fetch-Dest": "document"})
    assert r.status_code == 403 and 'data-reason="cookies_blocked"' in r.text
    assert "Allow cookies for this site" in r.text
    assert not html.fromstring(r.text).xpath('//form[@target="_blank"]')
    assert form.fields["state"] not in r.text
    assert _user_count(app) == 0
    r = victim.post(form.action, data=form.fields, headers={"Sec-Fetch-Dest": "iframe"})
    assert r.status_code == 403 and 'data-reason="no_cookie"' in r.text
