"""The cmi5 course structure at run time: activity ids, the AUs, moveOn, and which blocks and
whether the course are satisfied given what each AU has recorded (sections 8.1.5, 9.4, 13.1.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Row

from .attempts import duration_seconds
from .cmi5_vocab import MOVE_ON_VALUES

# ---------------------------------------------------------------- activity ids (8.1.5, 9.4)


def course_activity_id(base_url: str, package_id: int) -> str:
    """The package's activity, as SCORM statements use it; never the publisher's course id."""
    return f"{base_url.rstrip('/')}/content/packages/{package_id}"


def au_activity_id(base_url: str, package_id: int, au_identifier: str) -> str:
    """Stable for the AU across registrations and versions, and never the publisher's AU id."""
    return f"{course_activity_id(base_url, package_id)}/aus/{quote(au_identifier, safe='')}"


def block_activity_id(base_url: str, package_id: int, block_identifier: str) -> str:
    return f"{course_activity_id(base_url, package_id)}/blocks/{quote(block_identifier, safe='')}"


# ---------------------------------------------------------------- the course structure


def organization(structure: dict[str, Any]) -> dict[str, Any]:
    orgs = structure["organizations"]
    return next(
        (o for o in orgs if o["identifier"] == structure.get("default_organization")), orgs[0]
    )


def find_au(structure: dict[str, Any], identifier: str) -> dict[str, Any] | None:
    def walk(items: list[dict[str, Any]]) -> dict[str, Any] | None:
        for item in items:
            if item["identifier"] == identifier and item.get("scorm_type") == "au":
                return item
            found = walk(item.get("children", []))
            if found is not None:
                return found
        return None

    return walk(organization(structure)["items"])


def aus_by_identifier(structure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every AU of the course structure, by the publisher's id (one walk for large courses)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("scorm_type") == "au":
                found[item["identifier"]] = item
            walk(item.get("children", []))

    walk(organization(structure)["items"])
    return found


def move_on_of(au: dict[str, Any]) -> str:
    value = str((au.get("cmi5") or {}).get("moveOn") or "NotApplicable")
    return value if value in MOVE_ON_VALUES else "NotApplicable"


def move_on_met(move_on: str, completed: bool, passed: bool) -> bool:
    """Section 13.1.4, moveOn: when the LMS considers the AU satisfied."""
    return {
        "Passed": passed,
        "Completed": completed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }.get(move_on, True)


@dataclass
class Satisfaction:
    """Which blocks and whether the course are satisfied, given the satisfied AUs."""

    blocks: list[dict[str, Any]]  # the block items (identifier, title)
    course: bool


def satisfaction(structure: dict[str, Any], satisfied_aus: set[str]) -> Satisfaction:
    """A block is satisfied when every AU in it (nested blocks included) is; the course when every
    AU is (13.1.4, moveOn usage)."""
    blocks: list[dict[str, Any]] = []

    def all_satisfied(item: dict[str, Any]) -> bool:
        if item.get("scorm_type") == "au":
            return item["identifier"] in satisfied_aus
        results = [all_satisfied(child) for child in item.get("children", [])]
        done = bool(results) and all(results)
        if done:
            blocks.append(item)
        return done

    items = organization(structure)["items"]
    results = [all_satisfied(item) for item in items]
    return Satisfaction(blocks=blocks, course=bool(results) and all(results))


@dataclass
class AuProgress:
    """What the registration has recorded for one AU (kept in ``scorm_sco_state``)."""

    completed: bool = False
    passed: bool = False
    failed: bool = False
    score_scaled: float | None = None
    seconds: float = 0.0
    waived: bool = False  # an LMS "waived" statement counts as moveOn met (9.3.9)
    started: bool = False  # a session of the AU was initialized in this registration
    percent: int | None = None  # the last progress the AU reported (9.5.5.1), 0-100

    def note_progress(self, value: Any) -> None:
        """Keep a progress value (9.5.5.1: a whole number from 0 to 100); others are ignored."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
            self.percent = value

    def satisfied(self, move_on: str) -> bool:
        return self.waived or move_on_met(move_on, self.completed, self.passed)

    @property
    def recorded(self) -> bool:
        """Whether anything satisfaction-related is on record (what Review looks back at)."""
        return self.waived or self.completed or self.passed or self.failed

    @classmethod
    def from_row(cls, row: Row[Any] | None) -> AuProgress:
        if row is None:
            return cls()
        return cls(
            completed=row.completion_status == "completed",
            passed=row.success_status == "passed",
            failed=row.success_status == "failed",
            score_scaled=row.score_scaled,
            seconds=duration_seconds(row.total_time),
            started=True,
            percent=(row.cmi or {}).get("progress") if isinstance(row.cmi, dict) else None,
        )
