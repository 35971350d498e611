"""bin/test's two passes: which tests each runs (tests/passes.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import passes


def _item(path: Path, fixtures: tuple[str, ...] = (), viewport: str | None = None) -> Any:
    callspec = SimpleNamespace(params={"viewport": viewport}) if viewport else None
    return SimpleNamespace(fixturenames=fixtures, fspath=path, callspec=callspec)


@pytest.fixture
def plain_module(tmp_path: Path) -> Path:
    path = tmp_path / "test_plain.py"
    path.write_text("def test_sum():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    return path


@pytest.fixture
def pg_module(tmp_path: Path) -> Path:
    path = tmp_path / "test_pg.py"
    path.write_text("from tests.conftest import PG_URL\n", encoding="utf-8")
    return path


def test_a_test_that_never_reaches_a_database_runs_on_sqlite_only(plain_module: Path) -> None:
    item = _item(plain_module, ("tmp_path",))
    assert passes.runs_in(item, "sqlite")
    assert not passes.runs_in(item, "postgres")
    assert passes.runs_in(item, "")  # by hand: everything


def test_a_database_fixture_or_a_module_naming_postgresql_runs_in_both(
    plain_module: Path, pg_module: Path
) -> None:
    for item in (_item(plain_module, ("app", "database_url")), _item(pg_module, ("tmp_path",))):
        assert passes.runs_in(item, "sqlite")
        assert passes.runs_in(item, "postgres")


def test_each_screen_size_of_a_browser_test_runs_on_one_database(plain_module: Path) -> None:
    desktop = _item(plain_module, ("page", "database_url"), viewport="desktop")
    phone = _item(plain_module, ("page", "database_url"), viewport="phone")
    assert [passes.runs_in(desktop, name) for name in ("sqlite", "postgres")] == [True, False]
    assert [passes.runs_in(phone, name) for name in ("sqlite", "postgres")] == [False, True]


def test_a_test_marked_one_database_runs_in_the_pass_it_names(pg_module: Path) -> None:
    marked = _item(pg_module, ("database_url",))
    marked.get_closest_marker = lambda name: (
        SimpleNamespace(args=()) if name == "one_database" else None
    )
    unmarked = _item(pg_module, ("database_url",))
    unmarked.get_closest_marker = lambda name: None
    assert [passes.runs_in(marked, name) for name in ("sqlite", "postgres", "")] == [
        False,
        True,
        True,  # by hand: everything, on the database the run names
    ]
    assert [passes.runs_in(unmarked, name) for name in ("sqlite", "postgres")] == [True, True]
    on_sqlite = _item(pg_module, ("tmp_path",))
    on_sqlite.get_closest_marker = lambda name: (
        SimpleNamespace(args=("sqlite",)) if name == "one_database" else None
    )
    assert [passes.runs_in(on_sqlite, name) for name in ("sqlite", "postgres", "")] == [
        True,
        False,
        True,
    ]


def test_the_pass_comes_from_bin_test_and_every_pair_runs_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEARNPASS_TEST_EVERY_PAIR", raising=False)
    monkeypatch.setenv("LEARNPASS_TEST_PASS", "postgres")
    assert passes.current() == "postgres"
    monkeypatch.setenv("LEARNPASS_TEST_PASS", "mysql")
    assert passes.current() == ""
    monkeypatch.setenv("LEARNPASS_TEST_PASS", "sqlite")
    monkeypatch.setenv("LEARNPASS_TEST_EVERY_PAIR", "1")
    assert passes.current() == ""
    assert passes.summary() is None
