"""``learnpass lrs client add|list|revoke`` and ``learnpass xapi export``."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from sqlalchemy import select

from lti_tool.extensions import db
from xapi import tables

from .builders import basic, statement


def test_client_add_prints_the_secret_once_and_stores_a_hash(
    app: Any, runner: Any, client: Any
) -> None:
    result = runner.invoke(
        args=[
            "lrs",
            "client",
            "add",
            "--name",
            "Analytics",
            "--scope",
            "statements/read",
            "--scope",
            "state",
        ]
    )
    assert result.exit_code == 0, result.output
    key = re.search(r"key:\s+(\S+)", result.output).group(1)  # type: ignore[union-attr]
    secret = re.search(r"secret:\s+(\S+)", result.output).group(1)  # type: ignore[union-attr]
    with app.app_context():
        stored = db.session.execute(
            select(tables.clients.c.secret_hash, tables.clients.c.scopes).where(
                tables.clients.c.key == key
            )
        ).one()
    # A drawn secret (256 random bits) is kept as a salted HMAC of it, never as it is.
    assert secret not in stored.secret_hash and stored.secret_hash.startswith("hmac_sha256$")
    assert len(secret) >= 43  # token_urlsafe(32)
    assert stored.scopes == "state statements/read"
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200
    assert (
        client.post("/xapi/statements", json=statement(), headers=basic(key, secret)).status_code
        == 403
    )

    listing = runner.invoke(args=["lrs", "client", "list"])
    assert key in listing.output and secret not in listing.output
    assert runner.invoke(args=["lrs", "client", "revoke", "--key", key]).exit_code == 0
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401
    assert runner.invoke(args=["lrs", "client", "revoke", "--key", key]).exit_code != 0


def test_client_add_with_given_credentials_and_bad_scope(runner: Any, client: Any) -> None:
    result = runner.invoke(
        args=[
            "lrs",
            "client",
            "add",
            "--name",
            "Suite",
            "--scope",
            "all",
            "--key",
            "suite",
            "--secret",
            "s3cret",
        ]
    )
    assert result.exit_code == 0
    assert client.get("/xapi/statements", headers=basic("suite", "s3cret")).status_code == 200
    assert client.get("/xapi/statements", headers=basic("suite", "s3creT")).status_code == 401
    with client.application.app_context():
        stored = db.session.scalar(
            select(tables.clients.c.secret_hash).where(tables.clients.c.key == "suite")
        )
    # A secret a person chose may be guessable: it is stretched (PBKDF2, 200,000 rounds).
    assert stored is not None and stored.startswith("pbkdf2_sha256$200000$")
    duplicate = runner.invoke(
        args=["lrs", "client", "add", "--name", "Again", "--scope", "all", "--key", "suite"]
    )
    assert duplicate.exit_code != 0 and "exists" in duplicate.output
    bad = runner.invoke(args=["lrs", "client", "add", "--name", "X", "--scope", "everything"])
    assert bad.exit_code != 0 and "unknown scope" in bad.output


def test_export_streams_jsonl_and_csv_with_filters(
    runner: Any, client: Any, headers: dict[str, str]
) -> None:
    passed = {"id": "http://adlnet.gov/expapi/verbs/passed"}
    ids = client.post(
        "/xapi/statements",
        json=[
            statement(),
            statement(verb=passed),
            statement(verb=passed, result={"success": True}),
        ],
        headers=headers,
    ).get_json()
    everything = runner.invoke(args=["xapi", "export"])
    assert everything.exit_code == 0
    lines = [json.loads(line) for line in everything.output.splitlines()]
    assert [s["id"] for s in lines] == ids

    only_passed = runner.invoke(args=["xapi", "export", "--verb", "passed", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(only_passed.output)))
    assert [r["id"] for r in rows] == ids[1:]
    assert rows[1]["success"] == "True"

    stored_first = client.get(f"/xapi/statements?statementId={ids[0]}", headers=headers).get_json()[
        "stored"
    ]
    until_first = runner.invoke(args=["xapi", "export", "--until", stored_first])
    assert [json.loads(x)["id"] for x in until_first.output.splitlines()][:1] == ids[:1]
    bad = runner.invoke(args=["xapi", "export", "--since", "last week"])
    assert bad.exit_code != 0 and "since" in bad.output


def test_a_drawn_secret_verifies_only_itself() -> None:
    from xapi import auth

    stored = auth.digest_drawn_secret("right-secret")
    assert auth.verify_secret("right-secret", stored)
    assert not auth.verify_secret("right-secreT", stored)
    assert not auth.verify_secret("right-secret", stored.replace("hmac_sha256", "sha1"))
    # The same secret under another salt is another stored value.
    assert auth.digest_drawn_secret("right-secret") != stored
