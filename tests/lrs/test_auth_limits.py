"""Wrong LRS credentials cannot burn CPU (issue 10, point 9): failures are counted per client key
and per address in the database, past the limit the LRS answers 429 with Retry-After without
running PBKDF2, a recently verified secret keeps working, and revoking a client takes effect at
once even though its secret is cached."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from lti_tool.extensions import db
from tests.conftest import make_app
from tests.lrs.platforms import Credentials, add_client
from tests.xapi.builders import VERSION
from xapi import auth, tables
from xapi.auth_failures import FailureCounter, FailureLimits, address_subject
from xapi.store import utcnow


def basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", **VERSION}


def get(client: Any, headers: dict[str, str], address: str = "192.0.2.1") -> Any:
    return client.get("/xapi/statements", headers=headers, environ_base={"REMOTE_ADDR": address})


def test_wrong_secrets_for_one_key_get_429_without_hashing(app: Any, client: Any, runner: Any):
    who = add_client(runner)
    per_client = app.config["LEARNPASS"].lrs_auth_failures_per_client
    before = auth.secret_checks
    # From many addresses, so only the key's own counter can stop them.
    for n in range(per_client):
        response = get(client, basic(who.key, f"wrong-{n}"), address=f"198.51.100.{n}")
        assert response.status_code == 401
    assert auth.secret_checks - before == per_client
    for n in range(5):
        response = get(client, basic(who.key, f"again-{n}"), address=f"203.0.113.{n}")
        assert response.status_code == 429, response.get_data(as_text=True)
        assert response.get_json()["field"] == "Authorization"
        assert 0 < int(response.headers["Retry-After"]) <= 300
    assert auth.secret_checks - before == per_client  # refused without PBKDF2
    # The right secret, not verified recently, waits for the window too ...
    assert get(client, who.headers).status_code == 429
    # ... which, once over, lets it in again.
    with app.app_context():
        db.session.execute(
            update(tables.auth_failures).values(window_ends=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert get(client, who.headers).status_code == 200


def test_unknown_keys_from_one_address_get_429(app: Any, client: Any) -> None:
    per_address = app.config["LEARNPASS"].lrs_auth_failures_per_address
    for n in range(per_address):
        assert get(client, basic(f"guess-{n}", "x"), address="192.0.2.77").status_code == 401
    response = get(client, basic("guess-last", "x"), address="192.0.2.77")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    # Another address is not affected, and unknown keys got no counter of their own.
    assert get(client, basic("guess-other", "x"), address="192.0.2.78").status_code == 401
    with app.app_context():
        subjects = set(db.session.scalars(select(tables.auth_failures.c.subject)))
    assert subjects == {"address:192.0.2.77", "address:192.0.2.78"}


def test_the_counters_are_shared_by_every_instance(
    app: Any, client: Any, runner: Any, database_url: str, tmp_path: Any
) -> None:
    who = add_client(runner)
    other = make_app(database_url, tmp_path / "other")  # a second instance, same database
    per_client = app.config["LEARNPASS"].lrs_auth_failures_per_client
    for n in range(per_client):
        instance = app if n % 2 else other
        response = get(instance.test_client(), basic(who.key, "wrong"), address=f"10.0.0.{n}")
        assert response.status_code == 401
    assert get(client, basic(who.key, "wrong"), address="10.9.9.9").status_code == 429
    assert get(other.test_client(), basic(who.key, "wrong"), address="10.9.9.8").status_code == 429
    assert other.extensions["learnpass_db"].engine is not None
    other.extensions["learnpass_db"].engine.dispose()


def test_a_cached_client_keeps_working_until_it_is_revoked(
    app: Any, client: Any, runner: Any
) -> None:
    who: Credentials = add_client(runner)
    assert get(client, who.headers).status_code == 200  # verified once: now cached
    before = auth.secret_checks
    for n in range(app.config["LEARNPASS"].lrs_auth_failures_per_client + 3):
        get(client, basic(who.key, "wrong"), address=f"198.18.0.{n}")
    assert get(client, basic(who.key, "wrong"), address="198.18.1.1").status_code == 429
    # The client itself, with its cached secret, is not locked out by the attack on its key.
    assert get(client, who.headers).status_code == 200
    assert get(client, who.headers).status_code == 200
    assert auth.secret_checks - before == app.config["LEARNPASS"].lrs_auth_failures_per_client
    result = runner.invoke(args=["lrs", "client", "revoke", "--key", who.key])
    assert result.exit_code == 0, result.output
    assert get(client, who.headers).status_code == 401  # at once, cache or not


def test_counting_a_failure_never_commits_the_requests_own_work(app: Any) -> None:
    """The counter has a transaction of its own: rolling the request back still undoes its work,
    and the failure stays counted."""
    if app.config["LEARNPASS"].database_url.startswith("sqlite"):
        pytest.skip(
            "SQLite has one writer at a time; the LRS counts failures before it writes anything"
        )
    with app.app_context():
        session = db.session()
        auth.add_client(session, "pending", ["all"], key="pending-work")  # not committed
        counter = FailureCounter(db.engine, FailureLimits())
        counter.record([address_subject("192.0.2.200")])
        session.rollback()
        c = tables.clients.c
        assert session.execute(select(c.id).where(c.key == "pending-work")).first() is None
        failures = session.execute(
            select(tables.auth_failures.c.failures).where(
                tables.auth_failures.c.subject == "address:192.0.2.200"
            )
        ).scalar_one()
    assert failures == 1
