"""A save that takes longer than STORED_LAG from its stored moment to its insert is refused with
503 and nothing of it stays: kept, its statements could fall outside the seq bounds a since /
until window is read within (xapi/queries.py, ``_window``). The client sends it again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from tests.xapi.builders import make_client, statement
from xapi import store, tables
from xapi.queries import STORED_LAG
from xapi.stored_order import QUICK_LAG


@pytest.fixture
def headers(app: Any) -> dict[str, str]:
    return make_client(app, ["all"])


def count(app: Any) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(tables.statements)).scalar())


def test_a_save_slower_than_the_lag_is_refused_whole(
    app: Any, client: Any, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = count(app)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    moments, late = iter([start]), start + STORED_LAG * 2
    # The stored moment, then the check after the insert: the save "took" twice the lag.
    monkeypatch.setattr(store, "utcnow", lambda: next(moments, late))
    batch = [statement(), statement()]
    response = client.post("/xapi/statements", json=batch, headers=headers)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "1"
    assert "send it again" in response.json["message"]
    assert count(app) == before
    monkeypatch.undo()
    again = client.post("/xapi/statements", json=batch, headers=headers)
    assert again.status_code == 200
    assert count(app) == before + 2


def slow_saves(app: Any) -> list[Any]:
    with app.app_context():
        slow = tables.slow_saves.c
        return [
            _utc(m) for m in db.session.execute(select(slow.stored).order_by(slow.stored)).scalars()
        ]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("took", [QUICK_LAG / 2, QUICK_LAG * 3, STORED_LAG])
def test_a_save_slower_than_the_quick_lag_is_recorded_with_its_moment(
    app: Any,
    client: Any,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    took: Any,
) -> None:
    """Readers scan QUICK_LAG of the (stored, seq) index at a window's ends except near a
    recorded slow save (xapi/stored_order.py): a save over QUICK_LAG (up to STORED_LAG itself,
    still accepted) is recorded in its own transaction, a quicker one is not."""
    before = count(app)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    moments, late = iter([start]), start + took
    monkeypatch.setattr(store, "utcnow", lambda: next(moments, late))
    response = client.post("/xapi/statements", json=[statement(), statement()], headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert count(app) == before + 2
    assert slow_saves(app) == ([start] if took > QUICK_LAG else [])
