"""The fixtures' short cuts keep what they save honest: the cache of Werkzeug's URL builders
(tests/route_builders.py) gives every rule the function Werkzeug would compile for it, a template
compiled by one app is used by the next only while its source is the same
(tests/template_cache.py), and ``seeded_app`` empties a database that was used before seeding
it (only a fresh copy of the empty schema is seeded as it is)."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from lti_tool import models
from lti_tool.extensions import db
from tests import route_builders, sql_cache, template_cache
from tests.conftest import make_app, seeded_app


def _same_code(cached: Any, fresh: Any) -> bool:
    a, b = cached.__code__, fresh.__code__
    return (
        a.co_code == b.co_code
        and a.co_consts == b.co_consts
        and a.co_names == b.co_names
        and a.co_varnames == b.co_varnames
        and a.co_name == b.co_name
        and cached.__defaults__ == fresh.__defaults__
    )


def _rules_of_a_second_app(database_url: str, tmp_path: Any) -> list[Any]:
    """The rules of an app made after another (the caches filled by the first)."""
    make_app(database_url, tmp_path)
    rules = list(make_app(database_url, tmp_path).url_map.iter_rules())
    assert len(rules) > 100
    return rules


def test_every_rule_of_a_second_app_gets_werkzeugs_own_builder(
    database_url: str, tmp_path: Any
) -> None:
    for rule in _rules_of_a_second_app(database_url, tmp_path):
        for append_unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            fresh = route_builders.original_builder(rule, append_unknown)
            assert _same_code(built.__func__, fresh), rule.rule


def test_every_rule_of_a_second_app_has_werkzeugs_own_parts_and_converters(
    database_url: str, tmp_path: Any
) -> None:
    rules = _rules_of_a_second_app(database_url, tmp_path)
    app_map = rules[0].map
    for rule in rules:
        parts, trace, converters = route_builders.original_parse(rule)
        assert rule._parts[1:] == parts, rule.rule  # [0]: the empty host part
        assert rule._trace[1:] == trace, rule.rule  # [0]: the host's end, "|"
        assert {k: (type(c), c.regex) for k, c in rule._converters.items()} == {
            k: (type(c), c.regex) for k, c in converters.items()
        }, rule.rule
        assert all(c.map is app_map for c in rule._converters.values()), rule.rule
        assert set(converters) <= rule.arguments, rule.rule


def test_a_cached_rule_matches_and_builds_with_its_own_converters() -> None:
    one = Map([Rule("/item/<int(min=3):n>/<path:rest>", endpoint="a")])
    two = Map([Rule("/item/<int(min=3):n>/<path:rest>", endpoint="b")])
    adapter = two.bind("example.org")
    assert adapter.match("/item/4/x/y") == ("b", {"n": 4, "rest": "x/y"})
    assert adapter.build("b", {"n": 7, "rest": "p/q"}) == "/item/7/p/q"
    with pytest.raises(NotFound):
        adapter.match("/item/2/x")  # min=3 comes from the rule's own converter
    (rule,) = two.iter_rules()
    assert rule._converters["n"].map is two
    assert one.bind("example.org").match("/item/5/z") == ("a", {"n": 5, "rest": "z"})


def test_rules_that_differ_only_in_defaults_or_query_get_their_own_builders() -> None:
    one = Rule("/page/<int:n>", endpoint="a")
    two = Rule("/page/<int:n>", endpoint="b", defaults={"n": 1})
    three = Rule("/page/<int:n>", endpoint="c", defaults={"n": 2})
    Map([one, two, three])
    assert one._build.__func__ is not two._build.__func__
    assert two._build.__func__ is not three._build.__func__
    assert one._build.__func__ is not one._build_unknown.__func__
    assert two.build({}, append_unknown=False) == ("", "/page/1")
    assert three.build({}, append_unknown=False) == ("", "/page/2")
    assert one.build({"n": 5, "q": "x"}) == ("", "/page/5?q=x")
    # A second map reuses the first map's functions for the same rules.
    again = Rule("/page/<int:n>", endpoint="a")
    Map([again])
    assert again._build.__func__ is one._build.__func__


def test_two_apps_share_compiled_statements_and_keep_their_own_databases(
    tmp_path: Any, database_url: str
) -> None:
    """tests/sql_cache.py: the app's engines share a dialect and compiled cache per kind of
    database; each still reaches its own database through its own pool."""
    if os.environ.get("LEARNPASS_TEST_SQL_CACHE") == "0":
        pytest.skip("the shared cache is off (LEARNPASS_TEST_SQL_CACHE=0)")
    apps = [seeded_app(database_url, tmp_path / "one")]
    first = next(apps[0])
    with first.app_context():
        engine_one = db.engine
        assert engine_one is not None and sql_cache.is_shared(engine_one)
        statement = select(func.count()).select_from(models.Platform)
        assert db.session.scalar(statement) == 1
        size = len(engine_one._compiled_cache)
    with pytest.raises(StopIteration):
        next(apps[0])
    # A second app on another database: the same dialect and cache, its own pool and rows.
    other = tmp_path / "two.db"
    if database_url.startswith("sqlite"):
        shutil.copyfile(database_url.removeprefix("sqlite:///"), other)
        second_url = "sqlite:///" + str(other)
    else:
        second_url = database_url  # one database per worker on PostgreSQL: emptied again
    second = make_app(second_url, tmp_path / "three")
    with second.app_context():
        engine_two = db.engine
        assert engine_two is not None and engine_two is not engine_one
        assert engine_two.dialect is engine_one.dialect
        assert engine_two._compiled_cache is engine_one._compiled_cache
        assert engine_two.pool is not engine_one.pool
        assert engine_two.pool._dialect is engine_one.dialect
        if database_url.startswith("sqlite"):
            assert db.session.scalar(statement) == 1  # the copy holds the seeded platform
        assert len(engine_two._compiled_cache) == size  # compiled once, found again
        db.session.remove()
    engine_two.dispose()
    # An engine made outside the app (as tests/pg_databases.py makes its own) is untouched.
    plain = create_engine("sqlite://")
    assert not sql_cache.is_shared(plain)
    plain.dispose()


def _platforms(app: Any) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(models.Platform.issuer)))


def test_seeded_app_on_a_fresh_database_has_the_demo_data_once(
    database_url: str, tmp_path: Any
) -> None:
    for app in seeded_app(database_url, tmp_path):
        assert _platforms(app) == [app.config["LEARNPASS"].demo_platform_url + "/demo"]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(models.ToolKey)) == 1


def test_seeded_app_empties_a_database_used_before(database_url: str, tmp_path: Any) -> None:
    for first in seeded_app(database_url, tmp_path / "first"):
        with first.app_context():
            db.session.add(
                models.Platform(
                    issuer="https://left.example",
                    client_id="left",
                    auth_login_url="https://left.example/a",
                    auth_token_url="https://left.example/t",
                    key_set_url="https://left.example/k",
                    name="left over",
                )
            )
            db.session.commit()
    for app in seeded_app(database_url, tmp_path / "second"):
        assert _platforms(app) == [app.config["LEARNPASS"].demo_platform_url + "/demo"]


def _template_cache_on() -> None:
    if os.environ.get("LEARNPASS_TEST_TEMPLATE_CACHE") == "0":
        pytest.skip("the shared template cache is off (LEARNPASS_TEST_TEMPLATE_CACHE=0)")


def test_a_second_app_renders_the_templates_the_first_compiled_without_compiling(
    tmp_path: Any, database_url: str
) -> None:
    _template_cache_on()
    first = make_app(database_url, tmp_path / "one")
    second = make_app(database_url, tmp_path / "two")
    assert first.jinja_env is not second.jinja_env
    assert first.jinja_env.bytecode_cache is template_cache.SHARED
    one = first.jinja_env.get_template("base.html")
    compiled = template_cache.SHARED.compiled
    two = second.jinja_env.get_template("base.html")
    assert template_cache.SHARED.compiled == compiled  # found, not compiled again
    assert two is not one and two.environment is second.jinja_env
    assert two.root_render_func.__code__ is one.root_render_func.__code__


def test_a_changed_template_is_compiled_again(tmp_path: Any) -> None:
    _template_cache_on()
    (tmp_path / "page.html").write_text("one {{ n }}", encoding="utf-8")
    with Flask("first", template_folder=str(tmp_path)).app_context() as context:
        assert context.app.jinja_env.get_template("page.html").render(n=1) == "one 1"
    compiled = template_cache.SHARED.compiled
    (tmp_path / "page.html").write_text("two {{ n }}", encoding="utf-8")
    with Flask("second", template_folder=str(tmp_path)).app_context() as context:
        assert context.app.jinja_env.get_template("page.html").render(n=2) == "two 2"
    assert template_cache.SHARED.compiled == compiled + 1
