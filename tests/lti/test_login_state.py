"""The login's state is signed, not stored; the launch makes it and its nonce single-use for
every instance sharing the database (see lti/login_state.py and docs/security.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import KeyValue, User
from tests.conftest import LiveServer, make_app

from .flows import start_launch


def _users(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(User)) or 0)


@contextmanager
def other_instance(app: Any, tmp_path: Any, **overrides: Any) -> Iterator[str]:
    """A second learnpass instance on the same database (the same secret key unless given),
    served on loopback; yields its address."""
    settings = app.config["LEARNPASS"]
    overrides.setdefault("secret_key", settings.secret_key)
    other = make_app(settings.database_url, tmp_path / "other", **overrides)
    server = LiveServer(other).start()
    try:
        yield server.url
    finally:
        server.stop()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _state_cookie(http: requests.Session, state: str) -> str | None:
    return http.cookies.get("lti1p3-" + state.partition(".")[0])


def test_the_login_writes_nothing(app, live_server, http):
    start_launch(http, live_server.url)
    with app.app_context():
        assert (
            list(db.session.scalars(select(KeyValue.key).where(KeyValue.key.like("%lti1p3-%"))))
            == []
        )


def test_a_launch_is_used_once_across_two_instances(app, live_server, http, tmp_path):
    """Begun on one instance, launched on another, then replayed to both (with the browser's
    cookie put back, as a thief of the cookie and the post would): refused on both."""
    with other_instance(app, tmp_path) as other:
        form = start_launch(http, live_server.url)
        secret = _state_cookie(http, form.fields["state"])
        assert secret
        done = http.post(other + "/lti/launch", data=form.fields)
        assert done.status_code == 200 and "Lena de Vries" in done.text
        assert _state_cookie(http, form.fields["state"]) is None  # the launch deleted it
        for base in (live_server.url, other):
            thief = requests.Session()
            thief.cookies.set("lti1p3-" + form.fields["state"].partition(".")[0], secret)
            r = thief.post(base + "/lti/launch", data=form.fields)
            assert r.status_code == 409 and 'data-reason="replayed"' in r.text, base
        # The used token with a fresh state of the first instance, posted to either: a replay.
        fresh = start_launch(http, live_server.url)
        for base in (other, live_server.url):
            r = http.post(
                base + "/lti/launch",
                data={"id_token": form.fields["id_token"], "state": fresh.fields["state"]},
            )
            assert r.status_code == 409 and 'data-reason="replayed"' in r.text, base
    assert _users(app) == 1


def test_a_state_signed_with_another_secret_key_is_refused(app, live_server, http, tmp_path):
    with other_instance(app, tmp_path, secret_key="another-key-" + "x" * 32) as other:
        form = start_launch(http, live_server.url)
        r = http.post(other + "/lti/launch", data=form.fields)
        assert r.status_code == 400 and 'data-reason="state"' in r.text
    assert _users(app) == 0
    # Nothing was used up: the instance that signed it still launches.
    assert "Lena de Vries" in http.post(form.action, data=form.fields).text


def test_an_altered_state_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    state = form.fields["state"]
    state_id, _, signed = state.partition(".")
    payload, stamp, signature = signed.rsplit(".", 2)
    altered = [
        # Another byte of the signed params (the nonce, the browser's hash, the login).
        f"{state_id}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{stamp}.{signature}",
        # Another state id before the same signed params (and a cookie of that name).
        f"state-{'0' * 32}.{signed}",
        # The params without their signature.
        f"{state_id}.{payload}",
    ]
    secret = _state_cookie(http, state) or ""
    for text in altered:
        if text.partition(".")[0] != state_id:
            http.cookies.set("lti1p3-" + text.partition(".")[0], secret)
        r = http.post(form.action, data={**form.fields, "state": text})
        assert r.status_code == 400 and 'data-reason="state"' in r.text, text
    assert _users(app) == 0
    assert "Lena de Vries" in http.post(form.action, data=form.fields).text


def test_a_state_past_its_lifetime_is_refused(app, live_server, http, tmp_path):
    """The signed state carries when it was issued; an instance keeping states one second
    refuses it two seconds later (the marks outlive the lifetime, see SharedStore.use_once)."""
    with other_instance(app, tmp_path, launch_data_lifetime=1) as other:
        form = start_launch(http, live_server.url)
        time.sleep(2.1)
        r = http.post(other + "/lti/launch", data=form.fields)
        assert r.status_code == 400 and 'data-reason="state"' in r.text
    assert _users(app) == 0
