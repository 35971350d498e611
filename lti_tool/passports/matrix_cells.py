"""The matrix's stored cells (``StoredCell``): for each person and training type, the best
approved entry of the person's identity group, kept in step with what can change it.

The rule is the one tests/passports/cell_reference.py computes from the entries (a test holds
them equal after each kind of change): of the approved entries of the person and of every
identity linked to them, the one valid longest counts, one that never expires beating all; an
entry counts for a training type when it names it, or when it carries the competence the type
asks for (then valid for the type's own period from the day it was completed, not at all when
that day is unknown and the type has a period). Rows are kept for every training type, not only
the ones a course requires, so changing a course's required trainings changes nothing here; the
state (valid, expiring, expired) is computed from the stored date when read, so the day passing
changes nothing either.

Kept in step at commit (``before_commit``): the people whose entries were added, changed or
deleted through the ORM (an entry's competences are its relationship), both sides of an identity
link made or deleted, and, for a training type added, changed or deleted, everyone with an entry
naming it or carrying its competence. Writers that change entries or links with bulk SQL call
``mark`` (the erase does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, event, insert, or_, select, text
from sqlalchemy.orm import Session, attributes

from . import matrix_learners
from .identities import ID_SLICE, identity_groups
from .matrix_states import NEVER
from .models import IdentityLink, PassportEntry, StoredCell, TrainingType, entry_competence
from .validity import valid_until_for

_USERS = "passport_matrix_users"
# The cells' PostgreSQL advisory locks: "lpmc" in ASCII as the first key (no other lock of
# learnpass uses the two-key form), the person's id modulo _BUCKETS as the second.
_LOCK_SPACE = 0x6C706D63
_BUCKETS = 64
_TYPES = "passport_matrix_types"

Best = dict[tuple[int, int], tuple[dt.date, dt.date | None]]


def mark(session: Session, user_ids: Iterable[int | None]) -> None:
    """Refresh these people's cells (and their identity groups') at the next commit."""
    session.info.setdefault(_USERS, set()).update(u for u in user_ids if u is not None)


def keep_best(best: Best, key: tuple[int, int], until: dt.date, done: dt.date | None) -> None:
    """The entry valid longest counts (``NEVER`` beats all); on a tie, the later completion."""
    known = best.get(key)
    if known is None or (until, done or dt.date.min) > (known[0], known[1] or dt.date.min):
        best[key] = (until, done)


def refresh(session: Session, user_ids: Iterable[int]) -> None:
    """Compute again the cells of these people and of everyone linked to them."""
    ids = sorted(set(user_ids))
    take_turns(session, ids)
    for start in range(0, len(ids), ID_SLICE):
        _refresh(session, ids[start : start + ID_SLICE])


def take_turns(session: Session, ids: list[int]) -> None:
    """On PostgreSQL, wait for any other transaction refreshing the same people's cells (or
    their linked identities'), until it ends. Without it, two instances changing one person's
    entries at once would each delete the cells they saw and insert their own: the second
    insert fails on the first's rows (a 500), or the last commit wins with the other's entry
    missing. After the wait, each statement of the refresh sees what the first committed (READ
    COMMITTED). The locks are per bucket of people, taken in order, so a refresh of thousands
    holds at most ``_BUCKETS`` of them and two refreshes cannot wait for each other in a ring."""
    if not ids or session.get_bind().dialect.name != "postgresql":
        return
    members = set(ids)
    for start in range(0, len(ids), ID_SLICE):
        for group in identity_groups(session, ids[start : start + ID_SLICE]).values():
            members.update(group)
    for bucket in sorted({member % _BUCKETS for member in members}):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :bucket)"),
            {"space": _LOCK_SPACE, "bucket": bucket},
        )


def _refresh(session: Session, ids: list[int]) -> None:
    groups = identity_groups(session, ids)
    group_of = {member: tuple(group) for group in groups.values() for member in group}
    members = sorted(group_of)
    best: Best = {}
    for uid, type_id, until, done in session.execute(
        select(
            PassportEntry.user_id,
            PassportEntry.training_type_id,
            PassportEntry.valid_until,
            PassportEntry.completed_on,
        ).where(
            PassportEntry.user_id.in_(members),
            PassportEntry.status == "approved",
            PassportEntry.training_type_id.is_not(None),
        )
    ):
        keep_best(best, (uid, type_id), until or NEVER, done)
    carried = session.execute(
        select(PassportEntry.user_id, entry_competence.c.competence_id, PassportEntry.completed_on)
        .join(entry_competence, entry_competence.c.entry_id == PassportEntry.id)
        .where(PassportEntry.user_id.in_(members), PassportEntry.status == "approved")
    ).all()
    if carried:
        by_competence: dict[int, list[TrainingType]] = {}
        for training in session.scalars(
            select(TrainingType).where(TrainingType.competence_id.in_({c for _, c, _ in carried}))
        ):
            by_competence.setdefault(training.competence_id or 0, []).append(training)
        for uid, competence_id, done in carried:
            for training in by_competence.get(competence_id, []):
                if done is None and training.validity_months:
                    continue  # no date to count the period from
                until = valid_until_for(done, training) or NEVER
                keep_best(best, (uid, training.id), until, done)
    by_group: dict[tuple[int, ...], Best] = {}
    for (uid, type_id), found in best.items():
        keep_best(by_group.setdefault(group_of[uid], {}), (0, type_id), *found)
    rows = [
        {"user_id": member, "training_type_id": type_id, "valid_until": until,
         "completed_on": done}
        for member in members
        for (_, type_id), (until, done) in by_group.get(group_of[member], {}).items()
    ]  # fmt: skip
    session.execute(delete(StoredCell).where(StoredCell.user_id.in_(members)))
    if rows:
        session.execute(insert(StoredCell), rows)
    matrix_learners.mark(session, members)  # their rows of the matrix, after the cells


def _changed(obj: Any, key: str) -> list[Any]:
    history = attributes.get_history(obj, key)
    return [*history.added, *history.deleted, *history.unchanged]


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    users: set[int] = set()
    types: set[tuple[int | None, int | None]] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PassportEntry):
            users.update(_changed(obj, "user_id"))
            owner = obj.__dict__.get("user")  # set through the relationship, not yet its id
            if owner is not None:
                users.add(owner.id)
        elif isinstance(obj, IdentityLink):
            users.update([*_changed(obj, "primary_user_id"), *_changed(obj, "linked_user_id")])
        elif isinstance(obj, TrainingType) and (
            obj in session.new
            or obj in session.deleted
            or any(
                attributes.get_history(obj, key).has_changes()
                for key in ("competence_id", "validity_months")
            )
        ):
            types.update((obj.id, c) for c in _changed(obj, "competence_id") or [None])
    if users:
        mark(session, users)
    if types:
        session.info.setdefault(_TYPES, set()).update(types)


@event.listens_for(Session, "before_commit")
def _keep_in_step(session: Session) -> None:
    session.flush()  # what the commit would flush next, so its changes are collected
    # The locks of everyone whose cells or learner rows this commit writes, in one ordered pass
    # before anything is written. So an enrolment added while another transaction changes the
    # same person's entries waits for it, and its row counts the cells that one commits (else
    # the other, which wrote its rows before the enrolment existed, and the enrolment's row,
    # counted from the cells before, both commit: a stale row until the daily repair). Taken
    # piecemeal (cells first, then an enrolled person's), two commits could each hold a lock
    # the other waits for.
    people = set(session.info.get(_USERS, ())) | matrix_learners.marked_people(session)
    take_turns(session, sorted(u for u in people if u is not None))
    if session.info.get(_USERS) or session.info.get(_TYPES):
        _refresh_marked(session)
    matrix_learners.keep_in_step(session)


def _refresh_marked(session: Session) -> None:
    users = session.info.pop(_USERS, set())
    types = session.info.pop(_TYPES, set())
    if types:
        type_ids = {t for t, _ in types if t is not None}
        competences = {c for _, c in types if c is not None}
        users |= set(
            session.scalars(
                select(PassportEntry.user_id)
                .outerjoin(entry_competence, entry_competence.c.entry_id == PassportEntry.id)
                .where(
                    or_(
                        PassportEntry.training_type_id.in_(type_ids),
                        entry_competence.c.competence_id.in_(competences),
                    )
                )
                .distinct()
            )
        )
        # A deleted type's rows go with it (the foreign key); entries that named it lose it.
        session.execute(delete(StoredCell).where(StoredCell.training_type_id.in_(type_ids)))
    refresh(session, {u for u in users if u is not None})


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_USERS, None)
    session.info.pop(_TYPES, None)
