"""Behind an https proxy both cookies of a launch (the login's state cookie and the session) are
`HttpOnly; Secure; SameSite=None; Partitioned`: what current browsers keep inside the LMS iframe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import seeded_app

from .flows import auto_form

HTTPS = {"X-Forwarded-Proto": "https"}  # what the reverse proxy adds (ProxyFix trusts one hop)


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    yield from seeded_app(database_url, tmp_path, secure_cookies=True)


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def test_state_and_session_cookies_over_https(live_server):
    http = requests.Session()
    r = http.get(live_server.url + "/demo/start", params={"user": "learner"}, allow_redirects=False)
    login = http.get(r.headers["Location"], headers=HTTPS, allow_redirects=False)
    state_cookie = login.headers["Set-Cookie"]
    assert state_cookie.startswith("lti1p3-state-")
    assert {"httponly", "secure", "partitioned", "samesite=none"} <= _attributes(state_cookie)
    name, _, rest = state_cookie.partition("=")
    secret = rest.split(";")[0]
    form = auto_form(http.get(login.headers["Location"]))
    done = http.post(
        form.action,
        data=form.fields,
        headers={**HTTPS, "Cookie": f"{name}={secret}"},
        allow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["Location"] == "/home"
    session_cookie = next(
        c for c in done.raw.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert {"httponly", "secure", "partitioned", "samesite=none"} <= _attributes(session_cookie)
