"""Werkzeug's URL builders, compiled once per test process instead of once per app, and its
rules' parsed parts likewise.

Every ``create_app`` adds about 240 rules to a new URL map, and Werkzeug compiles two Python
functions for each (``Rule._compile_builder``: an AST, ``ast.walk``, ``compile``): four fifths of
the time an app takes to build (measured: 0.25 s of CPU an app, 0.05 s with this cache). A
builder depends only on the rule's parsed parts and defaults, never on the app, so the tests
(which build an app per test) keep each builder the first app compiled and give it to the same
rule of the next apps. The functions are the same code either way (tests/test_fixtures.py
compares them); the app code is not changed.

With the builders cached, half of what was left of an app's build (some 15 of 29 ms) was
``Rule._parse_rule``, which reads each rule's text with a regular expression, part by part. Its
result depends only on the text and on the converters the rule names (each converter's regex,
weight and whether it matches slashes come from its class and the rule's own arguments): the
parts are kept per text and converter classes, and a later rule gets them with converters of its
own map made again (``get_converter``), as Werkzeug makes them. tests/test_fixtures.py compares
every rule's parts, trace, converters and arguments with Werkzeug's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Map, rules

_ORIGINAL = rules.Rule._compile_builder
_ORIGINAL_PARSE = rules.Rule._parse_rule
_BUILDERS: dict[Any, Callable[..., tuple[str, str]]] = {}
# rule text and converter classes -> (parts, trace, converters as (variable, name, args, kwargs))
_PARSED: dict[Any, tuple[list[Any], list[tuple[bool, str]], list[tuple[str, str, Any, Any]]]] = {}


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


class _Recorder:
    """Stands in for the rule while Werkzeug parses it, to note the converters it asks for."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.asked: list[tuple[str, str, Any, Any]] = []

    def __call__(self, variable: str, name: str, args: Any, kwargs: Any) -> Any:
        self.asked.append((variable, name, args, kwargs))
        return _ORIGINAL_GET_CONVERTER(self.rule, variable, name, args, kwargs)


_ORIGINAL_GET_CONVERTER = rules.Rule.get_converter


def _parse_rule(self: Any, rule: str) -> Any:
    converters = self.map.converters
    key = (rule, tuple(sorted((name, id(cls)) for name, cls in converters.items())))
    found = _PARSED.get(key)
    if found is None:
        trace_before, converters_before = len(self._trace), dict(self._converters)
        recorder = _Recorder(self)
        self.get_converter = recorder  # an instance attribute: this rule only, this parse only
        try:
            parts = list(_ORIGINAL_PARSE(self, rule))
        finally:
            del self.get_converter
        if self._converters.keys() - converters_before.keys() != {v for v, *_ in recorder.asked}:
            return iter(parts)  # not as expected: keep Werkzeug's result, cache nothing
        found = _PARSED[key] = (parts, self._trace[trace_before:], recorder.asked)
        return iter(parts)
    parts, trace, asked = found
    self._trace.extend(trace)
    for variable, name, args, kwargs in asked:
        self._converters[variable] = self.get_converter(variable, name, args, kwargs)
        self.arguments.add(variable)
    return iter(parts)


def install() -> None:
    """Keep builders per process (a Werkzeug without these internals keeps its own way)."""
    if not hasattr(rules.Rule, "_compile_builder"):
        return
    if not all(hasattr(rule, "_trace") for rule in Map([rules.Rule("/<int:x>")]).iter_rules()):
        return
    rules.Rule._compile_builder = _compile_builder  # type: ignore[method-assign]
    rules.Rule._parse_rule = _parse_rule  # type: ignore[method-assign]


def original_parse(rule: Any) -> tuple[list[Any], list[tuple[bool, str]], dict[str, Any]]:
    """The rule parsed again as Werkzeug parses it, without the cache (for the test of the
    cache): its parts, trace and converters."""
    fresh = rules.Rule(rule.rule, endpoint=rule.endpoint)
    fresh.map = rule.map
    fresh._trace, fresh._converters, fresh.arguments = [], {}, set()
    parts = list(_ORIGINAL_PARSE(fresh, fresh.rule))
    return parts, fresh._trace, fresh._converters


def original_builder(rule: Any, append_unknown: bool) -> Callable[..., tuple[str, str]]:
    """The builder as Werkzeug compiles it, without the cache (for the test of the cache)."""
    return _ORIGINAL(rule, append_unknown)
