"""Partitioning the statements table by month (xapi/partitioning.py, docs/scaling.md; issue 16,
point 9): on PostgreSQL, an LRS with statements is partitioned in place and keeps answering as
before (reads, paging, a re-sent statement, a conflicting one, voiding), new statements land in
their month's partition, ids stay unique across partitions. SQLite stores are left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.extensions import db
from tests.xapi.builders import agent, make_client, new_id, statement
from xapi import partitioning

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture
def headers(app: Any) -> dict[str, str]:
    return make_client(app, ["all"])


def scalar(app: Any, sql: str) -> Any:
    with app.app_context():
        value = db.session.execute(text(sql)).scalar()
        db.session.remove()
    return value


def test_sqlite_stores_are_left_alone(app: Any) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    with pytest.raises(partitioning.PartitioningError, match="PostgreSQL"):
        partitioning.partition_statements(db.engine)


def test_a_store_is_partitioned_in_place_and_keeps_answering(
    app: Any, client: Any, headers: dict[str, str]
) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip("partitioning is PostgreSQL's")
    old = [new_id() for _ in range(5)]
    for sid in old:
        assert (
            client.post("/xapi/statements", json=statement(id=sid), headers=headers).status_code
            == 200
        )

    report = partitioning.partition_statements(db.engine, now=datetime.now(UTC))
    assert report.history_rows == 5
    assert (
        scalar(app, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'xapi_statement'::regclass")
        == 5
    )
    with pytest.raises(partitioning.PartitioningError, match="already"):
        partitioning.partition_statements(db.engine)

    # New statements: stored in the history partition until the month ends, then in their
    # month's; here (stored now) the history one, and the sequence goes on after the old seqs.
    fresh = new_id()
    assert (
        client.post("/xapi/statements", json=statement(id=fresh), headers=headers).status_code
        == 200
    )
    seqs = scalar(app, f"SELECT seq FROM xapi_statement WHERE statement_id = '{fresh}'")
    assert seqs > scalar(
        app, f"SELECT max(seq) FROM xapi_statement WHERE statement_id <> '{fresh}'"
    )
    assert scalar(app, "SELECT count(*) FROM xapi_statement_key") == 6

    # A statement stored next month goes to that month's partition.
    with app.app_context():
        next_month = partitioning.month_start(datetime.now(UTC), 1)
        db.session.execute(
            text(
                "INSERT INTO xapi_statement (statement_id, stored, timestamp, verb_id, "
                "object_type, voided, payload) VALUES (:id, :at, :at, 'http://x/v', 'Activity', "
                "false, '{}')"
            ),
            {"id": new_id(), "at": next_month},
        )
        db.session.commit()
        db.session.remove()
    month = f"xapi_statement_{next_month:%Y_%m}"
    assert scalar(app, f"SELECT count(*) FROM {month}") == 1

    # Re-sent: 200; same id, other content: 409; both across the partitions.
    again = client.post("/xapi/statements", json=statement(id=old[0]), headers=headers)
    assert again.status_code == 200
    other = client.put(
        "/xapi/statements",
        query_string={"statementId": old[1]},
        json=statement(actor=agent("bob")),
        headers=headers,
    )
    assert other.status_code == 409
    # The id is claimed in xapi_statement_key by a trigger: an INSERT of a taken id into any
    # partition is skipped as ON CONFLICT DO NOTHING skips it (what a racing request sees).
    with app.app_context():
        skipped = db.session.execute(
            text(
                "INSERT INTO xapi_statement (statement_id, stored, timestamp, verb_id, "
                "object_type, voided, payload) VALUES (:id, :at, :at, 'http://x/v', 'Activity', "
                "false, '{}') ON CONFLICT DO NOTHING RETURNING seq"
            ),
            {"id": old[3], "at": next_month},
        ).first()
        db.session.rollback()
        db.session.remove()
    assert skipped is None
    assert scalar(app, "SELECT count(*) FROM xapi_statement") == 7

    # Reads, paging, filters and voiding work as before.
    page = client.get("/xapi/statements", query_string={"limit": "4"}, headers=headers)
    assert page.status_code == 200 and len(page.json["statements"]) == 4
    rest = client.get(page.json["more"], headers=headers)
    assert rest.status_code == 200 and len(rest.json["statements"]) == 3  # 7 rows in all
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": old[2]})
    assert client.post("/xapi/statements", json=voiding, headers=headers).status_code == 200
    gone = client.get("/xapi/statements", query_string={"statementId": old[2]}, headers=headers)
    assert gone.status_code == 404
    by_agent = client.get(
        "/xapi/statements",
        query_string={"agent": '{"mbox": "mailto:ann@example.org"}', "limit": "100"},
        headers=headers,
    )
    assert {s["id"] for s in by_agent.json["statements"]} >= {fresh, old[0], old[1], old[3]}

    # Deleting a statement deletes its id and its index rows with it.
    with app.app_context():
        db.session.execute(
            text("DELETE FROM xapi_statement WHERE statement_id = :id"), {"id": fresh}
        )
        db.session.commit()
        db.session.remove()
    assert (
        scalar(app, f"SELECT count(*) FROM xapi_statement_key WHERE statement_id = '{fresh}'") == 0
    )


def test_the_commands_ask_first_then_partition(app: Any, runner: Any) -> None:
    assert db.engine is not None
    dry = runner.invoke(args=["xapi", "partition-statements"])
    assert dry.exit_code == 0 and "--yes" in dry.output
    assert scalar(app, "SELECT count(*) FROM xapi_statement") == 0  # untouched, still a table
    if db.engine.dialect.name != "postgresql":
        refused = runner.invoke(args=["xapi", "partition-statements", "--yes"])
        assert refused.exit_code != 0 and "PostgreSQL" in refused.output
        return
    done = runner.invoke(args=["xapi", "partition-statements", "--yes", "--months-ahead", "2"])
    assert done.exit_code == 0, done.output
    assert "xapi_statement_history" in done.output and "xapi_statement_default" in done.output
    more = runner.invoke(args=["xapi", "add-partitions", "--months", "4"])
    assert more.exit_code == 0 and "created: " in more.output, more.output
