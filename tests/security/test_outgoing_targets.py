"""The platform key set and xAPI forwarding go through the same guard as Dynamic Registration:
with the production setting (internal addresses refused), a platform or an LRS on loopback is
never called, and the reason is in the server log, not on the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from lti_tool.extensions import db
from xapi import tables
from xapi.actor import account_actor
from xapi.emitter import Emitter

from ..conftest import LiveServer, make_app, reset_database
from ..lti.flows import launch
from .conftest import ConfigPeer


def _guarded(database_url: str, tmp_path: Any, **overrides: Any) -> Any:
    app = make_app(database_url, tmp_path, outgoing_allow_private=False, **overrides)
    reset_database(app)
    with app.app_context():
        from lti_tool.demo.seed import seed_demo

        seed_demo()
    return app


@pytest.fixture
def lrs() -> Iterator[ConfigPeer]:
    peer = ConfigPeer()
    yield peer
    peer.stop()


def test_a_platform_key_set_on_an_internal_address_is_not_fetched(
    database_url: str, tmp_path: Any, caplog: Any
) -> None:
    # The demo platform runs on loopback, so its key set is an internal address.
    app = _guarded(database_url, tmp_path)
    server = LiveServer(app).start()
    try:
        with requests.Session() as http:
            r = launch(http, server.url)
    finally:
        server.stop()
    assert r.status_code in (401, 403), r.text
    assert "jwks" not in r.text.lower() and "refused" not in r.text
    assert "a loopback address: refused" in caplog.text


def test_statements_are_not_forwarded_to_an_internal_address(
    database_url: str, tmp_path: Any, lrs: ConfigPeer
) -> None:
    from lti_tool.lrs import forwarding

    app = _guarded(database_url, tmp_path, xapi_forward_url=lrs.url + "/xapi")
    with app.app_context():
        Emitter(db.session(), app.config["LEARNPASS"].base_url).emit(
            actor=account_actor("https://lms.example", "u1"), verb="completed", object_id="/a/1"
        )
        db.session.commit()
        assert forwarding.forward_due() == 0
        errors = db.session.execute(select(tables.outbox.c.last_error)).scalars().all()
    assert len(errors) == 1 and "refused" in str(errors[0])
    assert lrs.hits == []
