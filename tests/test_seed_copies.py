"""A test's copy of the worker's demo seed (tests/seed_copies.py) holds what seeding its database
would have given: the same rows in every table, the demo platform at the test's own address,
and the sequences where seeding leaves them (the next row gets the id it would have got)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select

from lti_tool import models
from lti_tool.extensions import db
from tests import conftest
from tests.conftest import PG_URL, seeded_app
from tests.security.conftest import other_platform


def _fresh_database(schema_template: str, folder: Any) -> str:
    """What the ``database_url`` fixture gives: a copy of the empty schema nothing used yet."""
    if PG_URL:
        url = conftest._pg_databases().empty(schema_template)
    else:
        path = folder / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(schema_template, path)
        url = "sqlite:///" + str(path)
    conftest._FRESH.add(url)
    return url


def _normal(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, dt.datetime | dt.date):
        return "<moment>"  # seeded when the seed was made
    if isinstance(value, str):
        value = re.sub(r"link-[0-9a-f]{8}", "link-?", value)  # the demo link's random id
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", value)
    return value


def _everything(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read from the database, in a comparable form."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with app.app_context():
        assert db.engine is not None
        with db.engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                table = Table(name, MetaData(), autoload_with=conn)
                rows = [tuple(_normal(list(row))) for row in conn.execute(select(table))]
                found[name] = sorted(rows, key=repr)
    return found


def _seeded(url: str, tmp_path: Any, copies: str, monkeypatch: Any, **settings: Any) -> Any:
    monkeypatch.setenv("LEARNPASS_TEST_SEED_COPIES", copies)
    made = seeded_app(url, tmp_path, **settings)
    return made, next(made)


def _done(made: Any) -> None:
    with pytest.raises(StopIteration):
        next(made)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_a_copied_seed_holds_what_seeding_gives(
    schema_template: str, tmp_path: Any, monkeypatch: Any
) -> None:
    # Settings of this test alone: the seed kept for them is this test's.
    settings = {"TEST_SEED_MARK": uuid.uuid4().hex}
    seeded, app = _seeded(
        _fresh_database(schema_template, tmp_path), tmp_path, "0", monkeypatch, **settings
    )
    expected = _everything(app)
    expected_next_id = other_platform(app)
    _done(seeded)
    assert expected["platform"] and expected["tool_key"] and expected["kv_store"]

    # Settings seeded once are not kept (a test's own, such as a server's address); the second
    # seed is kept, and the third database is a copy of it.
    key = conftest.seed_copies.settings_key(settings)
    databases = conftest._pg_databases() if PG_URL else None
    for time in (1, 2):
        if databases is not None:
            # This worker's database keeps one seed: the one of the settings most seeded.
            databases.seeds.pop(databases.current or "", None)
        made, _ = _seeded(
            _fresh_database(schema_template, tmp_path), tmp_path, "1", monkeypatch, **settings
        )
        _done(made)
        if databases is not None:
            found = databases.seeds.get(databases.current or "")
            assert (found is not None and found[0] == key) == (time == 2)
        else:
            assert (key in conftest._SQLITE_SEEDS.kept) == (time == 2)
    copy_made, copy = _seeded(
        _fresh_database(schema_template, tmp_path), tmp_path, "1", monkeypatch, **settings
    )
    assert _everything(copy) == expected
    with copy.app_context():
        platform = db.session.scalars(select(models.Platform)).one()
        base = copy.config["LEARNPASS"].base_url
        assert platform.issuer == base + "/demo"
        assert platform.auth_login_url == base + "/demo/authorize"
        assert platform.key_set_url == base + "/demo/jwks.json"
    assert other_platform(copy) == expected_next_id
    _done(copy_made)
