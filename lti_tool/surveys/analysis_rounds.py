"""Before and after: two rounds of a survey compared (a repeat after training).

A round may have been answered on another version than the round it is compared with, so
nothing is added across versions: each round is read on ONE version (the latest its submitted
answers are on; answers of the round to other versions are left out, and the page says so), and
only the competences asked in both, on the same scale, are compared. A competence is the same
when its framework and competence (as the definition names them) and its scale's range are.

Per group: the mean gap of each round over ``analysis.respondents`` (so a group below the
minimum in a round shows no figure for that round), and the change (after - before: below zero,
the gap closed). Per person, in identified mode only (both rounds' versions identified): each
learner who answered both rounds, their gap per competence before and after, and the trainings
their passport shows completed between their two answers (read through
``passports.completed``; nothing is written into passports).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from ..passports.completed import completed_between
from ..passports.identities import ID_SLICE
from ..passports.models import PassportEntry
from . import analysis
from .models import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyVersion

MAX_PEOPLE = 500  # people listed one by one; the page says when there are more


@dataclass(frozen=True)
class Side:
    """One round as compared: the version read, and the other versions of the round left out."""

    round_number: int
    version: SurveyVersion | None  # None: the round has no submitted answers
    left_out: dict[int, int] = field(default_factory=dict)  # version number -> responses


@dataclass(frozen=True)
class GroupChange:
    group_key: str
    before_n: int | None  # the group's responses in the round; None: below the minimum
    after_n: int | None
    before: float | None  # mean gap; None when the group is not shown in that round
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class CompetenceChange:
    before_question_id: int
    after_question_id: int
    competence_id: int | None  # the passport's competence (from the later version)
    groups: list[GroupChange]


@dataclass(frozen=True)
class PersonRow:
    after_question_id: int
    before: int
    after: int
    trained: bool  # a training between the rounds gives this competence

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class PersonChange:
    user_id: int
    name: str
    before_on: dt.date
    after_on: dt.date
    rows: list[PersonRow]
    trainings: list[PassportEntry]


@dataclass
class Comparison:
    before: Side
    after: Side
    competences: list[CompetenceChange]
    group_keys: list[str]  # groups with a figure in at least one round
    hidden: tuple[int, int]  # groups left out (below the minimum) in each round
    unmatched: list[SurveyQuestion]  # competences asked in one of the two versions only
    people: list[PersonChange] | None  # None: anonymous (no one is followed between rounds)
    more_people: int = 0  # people beyond MAX_PEOPLE, not listed


def side(session: Session, survey_id: int, round_number: int) -> Side:
    counts = session.execute(
        select(SurveyVersion, func.count(SurveyResponse.id))
        .join(SurveyResponse, SurveyResponse.version_id == SurveyVersion.id)
        .where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.round_number == round_number,
            SurveyResponse.status == "submitted",
            SurveyResponse.kind.in_(analysis.SELF_KINDS),
        )
        .group_by(SurveyVersion.id)
        .order_by(SurveyVersion.number)
    ).all()
    if not counts:
        return Side(round_number, None)
    version = counts[-1][0]
    return Side(round_number, version, {v.number: int(n) for v, n in counts[:-1]})


def _identity(q: SurveyQuestion) -> tuple[str, str, float | None, float | None]:
    if not q.competence_ref:  # stored without its competence: the question's key stands in
        return ("", "key:" + q.key, q.scale_min, q.scale_max)
    return (q.framework_ref, q.competence_ref, q.scale_min, q.scale_max)


def match_competences(
    before: SurveyVersion, after: SurveyVersion
) -> tuple[list[tuple[SurveyQuestion, SurveyQuestion]], list[SurveyQuestion]]:
    """Pairs (before, after) of the competences asked in both versions, in the later version's
    order, and the competence items of either version that have no partner."""
    earlier = {_identity(q): q for q in before.questions if q.kind == "competence"}
    pairs, unmatched = [], []
    for q in after.questions:
        if q.kind != "competence":
            continue
        partner = earlier.pop(_identity(q), None)
        if partner is None:
            unmatched.append(q)
        else:
            pairs.append((partner, q))
    return pairs, [*earlier.values(), *unmatched]


def _scope(scope: analysis.Scope, version: SurveyVersion, round_number: int) -> analysis.Scope:
    return analysis.Scope(
        version.id,
        scope.min_group,
        scope.company_id,
        scope.group_by,
        analysis.SELF_KINDS,
        round_number,
    )


def _gaps(
    session: Session, survey_id: int, round_number: int, version_id: int, company_id: int | None
) -> dict[int, tuple[dt.date, dict[int, int]]]:
    """Identified learners' own gaps in a round: user id -> (day answered, question id -> gap)."""
    query = (
        select(
            SurveyResponse.respondent_id,
            SurveyResponse.submitted_on,
            SurveyAnswer.question_id,
            SurveyAnswer.required_level - SurveyAnswer.current_level,
        )
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.round_number == round_number,
            SurveyResponse.version_id == version_id,
            SurveyResponse.status == "submitted",
            SurveyResponse.kind == "learner",
            SurveyResponse.anonymous.is_(False),
            SurveyResponse.respondent_id.is_not(None),
            SurveyQuestion.kind == "competence",
            SurveyAnswer.current_level.is_not(None),
            SurveyAnswer.required_level.is_not(None),
        )
    )
    if company_id is not None:
        query = query.where(SurveyResponse.company_id == company_id)
    found: dict[int, tuple[dt.date, dict[int, int]]] = {}
    for user_id, day, question_id, gap in session.execute(query).all():
        found.setdefault(int(user_id), (day, {}))[1][question_id] = int(gap)
    return found


def _people(
    session: Session,
    survey_id: int,
    before: Side,
    after: Side,
    pairs: list[tuple[SurveyQuestion, SurveyQuestion]],
    company_id: int | None,
) -> tuple[list[PersonChange], int]:
    assert before.version is not None and after.version is not None
    first = _gaps(session, survey_id, before.round_number, before.version.id, company_id)
    second = _gaps(session, survey_id, after.round_number, after.version.id, company_id)
    both = sorted(set(first) & set(second))
    names: dict[int, str] = {}
    for start in range(0, len(both), ID_SLICE):  # within the bound values a statement takes
        part = both[start : start + ID_SLICE]
        names |= dict(session.execute(select(User.id, User.name).where(User.id.in_(part))).all())
    ordered = sorted(both, key=lambda uid: (names.get(uid, "").lower(), uid))
    listed, more = ordered[:MAX_PEOPLE], max(0, len(ordered) - MAX_PEOPLE)
    # One read of the passports over the whole span; each person keeps their own period.
    spans = [(first[uid][0], second[uid][0]) for uid in listed]
    done = (
        completed_between(session, listed, min(a for a, _ in spans), max(b for _, b in spans))
        if listed
        else {}
    )
    people = []
    for uid in listed:
        before_on, before_gaps = first[uid]
        after_on, after_gaps = second[uid]
        trainings = [
            e
            for e in done[uid]
            if before_on <= (e.completed_on or e.started_on or before_on) <= after_on
        ]
        given = {c.id for entry in trainings for c in entry.competences}
        rows = [
            PersonRow(
                a.id,
                before_gaps[b.id],
                after_gaps[a.id],
                a.competence_id is not None and a.competence_id in given,
            )
            for b, a in pairs
            if b.id in before_gaps and a.id in after_gaps
        ]
        people.append(PersonChange(uid, names.get(uid, ""), before_on, after_on, rows, trainings))
    return people, more


def compare_rounds(
    session: Session, survey_id: int, scope: analysis.Scope, before_round: int, after_round: int
) -> Comparison:
    """Round ``before_round`` against ``after_round`` within ``scope``'s company, grouping and
    minimum (``scope.version_id`` and ``scope.round_number`` are not used: each round is read on
    its own version)."""
    before = side(session, survey_id, before_round)
    after = side(session, survey_id, after_round)
    if before.version is None or after.version is None:
        return Comparison(before, after, [], [], (0, 0), [], None)
    pairs, unmatched = match_competences(before.version, after.version)
    first = analysis.heat_map(session, _scope(scope, before.version, before_round))
    second = analysis.heat_map(session, _scope(scope, after.version, after_round))
    first_n = {g.key: g.responses for g in first.groups}
    second_n = {g.key: g.responses for g in second.groups}
    keys = sorted(set(first_n) | set(second_n))
    competences = [
        CompetenceChange(
            b.id,
            a.id,
            a.competence_id,
            [
                GroupChange(
                    key,
                    first_n.get(key),
                    second_n.get(key),
                    first.cells.get(b.id, {}).get(key) if key in first_n else None,
                    second.cells.get(a.id, {}).get(key) if key in second_n else None,
                )
                for key in keys
            ],
        )
        for b, a in pairs
    ]
    hidden = (
        analysis.groups(session, _scope(scope, before.version, before_round)).hidden,
        analysis.groups(session, _scope(scope, after.version, after_round)).hidden,
    )
    identified = not (
        before.version.definition.get("anonymous") or after.version.definition.get("anonymous")
    )
    people: list[PersonChange] | None = None
    more = 0
    if identified:
        people, more = _people(session, survey_id, before, after, pairs, scope.company_id)
    return Comparison(before, after, competences, keys, hidden, unmatched, people, more)
