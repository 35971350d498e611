"""What a trainer can place in a course with Deep Linking, and where each placement opens.

Features register a provider (what can be placed, for this launch) and a resolver (which page a
target opens), so the LTI package never needs to know the features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from .context import LaunchContext


@dataclass(frozen=True)
class Placement:
    target: str  # e.g. "home", "passport", "scorm:12"
    title: str
    description: str = ""
    graded: bool = False
    score_maximum: float = 100.0
    custom: dict[str, str] = field(default_factory=dict)


Provider = Callable[[LaunchContext], list[Placement]]
Resolver = Callable[[str], str | None]

_providers: list[Provider] = []
_resolvers: dict[str, Callable[[str], str]] = {}


def register_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_target(prefix: str, to_url: Callable[[str], str]) -> None:
    """``prefix`` is the part of a target before ``:`` (or the whole target)."""
    _resolvers[prefix] = to_url


@dataclass(frozen=True)
class Picker:
    """A feature's own page, in the Deep Linking launch, for a collection too large to list here
    (it searches, then answers the platform itself); the choice page links to it."""

    endpoint: str
    label: Callable[[], str]


_pickers: list[Picker] = []


def register_picker(picker: Picker) -> None:
    if picker not in _pickers:
        _pickers.append(picker)


def available_pickers() -> list[Picker]:
    return list(_pickers)


def available_placements(ctx: LaunchContext) -> list[Placement]:
    items: list[Placement] = []
    for provider in _providers:
        items.extend(provider(ctx))
    return items


def resolve_target(target: str) -> str:
    prefix, _, rest = target.partition(":")
    resolver = _resolvers.get(prefix)
    if resolver is None:
        return url_for("main.home")
    return resolver(rest)


def _home_placements(ctx: LaunchContext) -> list[Placement]:
    from flask_babel import gettext as _

    return [Placement("home", _("learnpass home"), _("The learner's start page in this course"))]


register_provider(_home_placements)
register_target("home", lambda _rest: url_for("main.home"))


def content_item_for(placement: Placement, launch_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": placement.title,
        "url": launch_url,
        "custom": {"target": placement.target, **placement.custom},
    }
    if placement.description:
        item["text"] = placement.description
    if placement.graded:
        item["lineItem"] = {
            "scoreMaximum": placement.score_maximum,
            "label": placement.title,
            "resourceId": placement.target,
        }
    return item
