"""Kinds of path step, registered by the parts of the feature that know how a step gets done.

A learning path (``paths``) holds ordered steps of several kinds: a package of the tool, an LMS
activity, a classroom session, a document, an assignment. The path only knows each step's kind
and a reference string (``ref``, e.g. a package id or a session id); the module that owns the
kind registers a ``StepKind`` here, so paths never import sessions or the player (and the
reverse never happens either).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepStatus:
    done: bool
    # hours the learner earned on this step so far, and where (for the online / classroom split)
    hours: float = 0.0
    classroom: bool = False
    score: float | None = None  # 0..1 when the step has one
    detail: str = ""  # plain words shown to the learner ("Booked for 3 March")
    # for a step with seats (a session): the learner's, "booked" or "waiting" ("" for none)
    booking: str = ""


@dataclass(frozen=True)
class ChoiceTexts:
    """What the builder says about a kind's choices, when they are not the course's sessions."""

    refused: Callable[[], str]  # a reference that is none of the choices was sent
    none: Callable[[], str]  # there is nothing to choose
    unresolved: Callable[[], str]  # a saved step's reference is no longer among the choices


@dataclass(frozen=True)
class StepKind:
    name: str  # "package", "lms_activity", "session", "document", "assignment"
    label: Callable[[], str]  # translated name of the kind, for the builder
    # status of one learner (user id) on one step reference, None when nothing is known yet
    status: Callable[[int, str], StepStatus | None]
    # optional: the status of many learners on one reference in one query (the trainer's
    # progress view asks for a whole course at once); without it, ``status`` runs per learner
    statuses: Callable[[Sequence[int], str], dict[int, StepStatus]] | None = None
    # optional: what a learner must do, in plain words, for a step of this kind
    needs: Callable[[], str] | None = None
    # optional: the references a trainer may pick in a course (course id -> (ref, label)): the
    # builder shows them as a list, refuses any other, and flags a step whose reference is not
    # among them (a path copied or imported from another course)
    choices: Callable[[int], list[tuple[str, str]]] | None = None
    # optional: where a learner opens a step of this kind (reference -> address, None for none),
    # for kinds owned outside paths (the knowledge base's ``material``)
    opens: Callable[[str], str | None] | None = None
    # optional: the builder's words about the choices (the sessions' words without them)
    choice_texts: ChoiceTexts | None = None


_kinds: dict[str, StepKind] = {}

# Above this many learners, statuses and marks are read for the whole step and kept for the
# learners asked about: no query binds one value per learner, however large the course (binding
# a thousand ids cost more than reading the step's rows whole).
BIND_LEARNERS_UP_TO = 200


def register_step_kind(kind: StepKind) -> None:
    _kinds[kind.name] = kind


def step_kind(name: str) -> StepKind | None:
    return _kinds.get(name)


def step_kinds() -> list[StepKind]:
    return list(_kinds.values())


def unresolved(kind: StepKind | None, ref: str, course_id: int) -> bool:
    """True when ``kind`` offers choices in the course and ``ref`` is none of them."""
    if kind is None or kind.choices is None:
        return False
    return ref not in {value for value, _label in kind.choices(course_id)}


def unresolved_steps(steps: Iterable[Any], course_id: int) -> set[int]:
    """Ids of ``steps`` (with ``id``, ``kind``, ``ref``) whose reference is none of their kind's
    choices in the course; each kind's choices are read once, not once per step."""
    choices: dict[str, set[str]] = {}
    found = set()
    for step in steps:
        kind = _kinds.get(step.kind)
        if kind is None or kind.choices is None:
            continue
        if step.kind not in choices:
            choices[step.kind] = {value for value, _label in kind.choices(course_id)}
        if step.ref not in choices[step.kind]:
            found.add(step.id)
    return found


def statuses_of(kind: StepKind, user_ids: Sequence[int], ref: str) -> dict[int, StepStatus]:
    """The known statuses of ``user_ids`` on ``ref`` (learners with none are left out)."""
    if kind.statuses is not None:
        return kind.statuses(user_ids, ref)
    found = {}
    for user_id in user_ids:
        status = kind.status(user_id, ref)
        if status is not None:
            found[user_id] = status
    return found
