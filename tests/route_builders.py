"""Werkzeug's URL builders, compiled once per test process instead of once per app.

Every ``create_app`` adds about 240 rules to a new URL map, and Werkzeug compiles two Python
functions for each (``Rule._compile_builder``: an AST, ``ast.walk``, ``compile``): four fifths of
the time an app takes to build (measured: 0.25 s of CPU an app, 0.05 s with this cache). A
builder depends only on the rule's parsed parts and defaults, never on the app, so the tests
(which build an app per test) keep each builder the first app compiled and give it to the same
rule of the next apps. The functions are the same code either way (tests/test_fixtures.py
compares them); the app code is not changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Map, rules

_ORIGINAL = rules.Rule._compile_builder
_BUILDERS: dict[Any, Callable[..., tuple[str, str]]] = {}


def builder_key(rule: Any, append_unknown: bool) -> Any:
    """What Werkzeug's builder is made of: the parsed parts (static text and variable names, the
    host or subdomain part first), the defaults (their names become arguments; a default for a
    variable of the rule becomes text through the rule's converter) and whether unknown values
    go to the query string. The rule text names the function."""
    defaults = rule.defaults or {}
    return (
        rule.rule,
        append_unknown,
        tuple(rule._trace),
        tuple((name, repr(value)) for name, value in defaults.items()),
        tuple(
            (name, rule._converters[name].to_url(value))
            for name, value in defaults.items()
            if name in rule._converters
        ),
    )


def _compile_builder(self: Any, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    try:
        key = builder_key(self, append_unknown)
        hash(key)
    except Exception:  # a default that cannot be a key: compile as Werkzeug does
        return _ORIGINAL(self, append_unknown)
    found = _BUILDERS.get(key)
    if found is None:
        found = _BUILDERS[key] = _ORIGINAL(self, append_unknown)
    return found


def install() -> None:
    """Keep builders per process (a Werkzeug without these internals keeps its own way)."""
    if not hasattr(rules.Rule, "_compile_builder"):
        return
    if not all(hasattr(rule, "_trace") for rule in Map([rules.Rule("/<int:x>")]).iter_rules()):
        return
    rules.Rule._compile_builder = _compile_builder  # type: ignore[method-assign]


def original_builder(rule: Any, append_unknown: bool) -> Callable[..., tuple[str, str]]:
    """The builder as Werkzeug compiles it, without the cache (for the test of the cache)."""
    return _ORIGINAL(rule, append_unknown)
