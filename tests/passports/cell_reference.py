"""The matrix's cells computed from the entries, as the test reference for the stored cells
(``passports/matrix_cells``) and the counts the database reads from them: the rule written
once more, plainly, from the entries (like tests/surveys/scan_reference.py for the survey
totals). The app reads the stored cells (``course_matrix.stored_cells``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from lti_tool.models import User
from lti_tool.passports.course_matrix import MatrixCell
from lti_tool.passports.identities import identity_groups
from lti_tool.passports.models import PassportEntry, TrainingType, entry_competence
from lti_tool.passports.validity import expiry_state, valid_until_for


def learner_cells(
    session: Session,
    learners: list[User],
    learner_ids: Select[Any],
    trainings: list[TrainingType],
    today: dt.date,
    warn_days: int,
) -> dict[int, list[MatrixCell]]:
    """Each learner's cells computed from their entries (the rule ``matrix_cells`` stores; the
    tests compare the two): the entry (theirs or a linked identity's) that stays valid longest
    counts. ``learner_ids`` selects the learners' ids as a subquery (a list of
    ids would pass one bound value per learner, see identities.ID_SLICE)."""
    groups = identity_groups(session, [u.id for u in learners])
    linked_ids = {uid for ids in groups.values() for uid in ids} - {u.id for u in learners}
    best: dict[tuple[int, int], tuple[dt.date | None, dt.date | None]] = {}
    if trainings and learners:
        rows = session.execute(
            select(
                PassportEntry.user_id,
                PassportEntry.training_type_id,
                PassportEntry.valid_until,
                PassportEntry.completed_on,
            ).where(
                PassportEntry.status == "approved",
                or_(
                    PassportEntry.user_id.in_(learner_ids),
                    PassportEntry.user_id.in_(sorted(linked_ids)),
                ),
                PassportEntry.training_type_id.in_([t.id for t in trainings]),
            )
        )
        for uid, type_id, until, done in rows:
            if type_id is not None:
                _keep_best(best, (uid, type_id), until, done)
        # A training that asks for a competence counts an entry carrying it too, valid for the
        # training's own period from the day it was completed.
        by_competence: dict[int, list[TrainingType]] = {}
        for training in trainings:
            if training.competence_id is not None:
                by_competence.setdefault(training.competence_id, []).append(training)
        if by_competence:
            carried = session.execute(
                select(
                    PassportEntry.user_id,
                    entry_competence.c.competence_id,
                    PassportEntry.completed_on,
                )
                .join(entry_competence, entry_competence.c.entry_id == PassportEntry.id)
                .where(
                    PassportEntry.status == "approved",
                    or_(
                        PassportEntry.user_id.in_(learner_ids),
                        PassportEntry.user_id.in_(sorted(linked_ids)),
                    ),
                    entry_competence.c.competence_id.in_(sorted(by_competence)),
                )
            )
            for uid, competence_id, done in carried:
                for training in by_competence[competence_id]:
                    if done is None and training.validity_months:
                        continue  # no date to count the period from
                    _keep_best(best, (uid, training.id), valid_until_for(done, training), done)
    # Plain ids and a cache of states: this loop runs learners x trainings times.
    type_ids = [t.id for t in trainings]
    states: dict[dt.date | None, str] = {}
    result: dict[int, list[MatrixCell]] = {}
    for learner in learners:
        uids = groups[learner.id]
        cells = []
        for type_id in type_ids:
            if len(uids) == 1:
                chosen = best.get((uids[0], type_id))
            else:
                found = [best[(uid, type_id)] for uid in uids if (uid, type_id) in best]
                chosen = max(found, key=lambda f: f[0] or dt.date.max) if found else None
            if chosen is None:
                cells.append(MatrixCell("missing"))
                continue
            until, done = chosen
            if until not in states:
                states[until] = expiry_state(until, today, warn_days)
            cells.append(MatrixCell(states[until], until, done))
        result[learner.id] = cells
    return result


def _keep_best(
    best: dict[tuple[int, int], tuple[dt.date | None, dt.date | None]],
    key: tuple[int, int],
    until: dt.date | None,
    done: dt.date | None,
) -> None:
    """The entry that stays valid longest counts; one that never expires beats all."""
    known = best.get(key)
    if known is None or (known[0] is not None and (until is None or until > known[0])):
        best[key] = (until, done)
