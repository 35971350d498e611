"""Running totals of the competence answers, so the gap table and the heat map read a few
thousand rows (``survey_gap_total``, ``survey_group_count``) instead of every answer.

Per version, round, kind of response (learner, invitee, manager), company and group (the whole, or one
value of one attribute), the totals hold how many submitted responses there are and, per
competence item, the count and the sums of the current, required and importance levels. A mean
is a sum over a count, so the groups of a report add up (``analysis.py``).

The totals change in the same transaction as what they count, and nowhere else:

- a submission adds its response (``responding.submit``);
- an erase takes its responses back out before deleting them (``erasure.py``);
- a deleted company's responses count for no company (its ``company_id`` becomes NULL), so its
  totals move to ``NO_COMPANY_ID`` (the ``before_delete`` hook below);
- a version or a question deleted takes its totals with it (foreign keys, ON DELETE CASCADE).

Each change is one INSERT ... SELECT ... ON CONFLICT DO UPDATE SET col = col + excluded.col per
table, computed from the response's own rows: two submissions at once both count (PostgreSQL
locks the row and adds to what the other committed), and rows are written in key order so two
transactions never wait on each other in a circle. ``rebuild`` makes them again from the rows
(bench seeding, tests, repair). The totals are aggregates: no response id, person or time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    event,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session

from ..passports.models import Company
from .models import (
    NO_COMPANY_ID,
    SurveyAnswer,
    SurveyGapTotal,
    SurveyGroupCount,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
)

Total = type[SurveyGroupCount] | type[SurveyGapTotal]

COUNT_KEYS = ("version_id", "round_number", "dimension", "kind", "company_id", "group_key")
GAP_KEYS = (*COUNT_KEYS, "question_id")
COUNT_SUMS = ("responses",)
GAP_SUMS = ("answers", "current_sum", "required_sum", "importance_sum", "importance_answers")


def _company() -> ColumnElement[int]:
    # Inline, not a parameter: PostgreSQL matches the GROUP BY expression to the SELECT's by text.
    return func.coalesce(SurveyResponse.company_id, literal_column(str(NO_COMPANY_ID)))


def _signed(value: ColumnElement[Any], sign: int) -> ColumnElement[Any]:
    return value if sign > 0 else -value


def _count_selects(where: ColumnElement[bool], sign: int) -> list[Select[Any]]:
    """Responses per (version, round, kind, company) in all, and per attribute value."""
    company = _company()
    whole = (
        select(
            SurveyResponse.version_id,
            SurveyResponse.round_number,
            literal("").label("dimension"),
            SurveyResponse.kind,
            company.label("company_id"),
            literal("").label("group_key"),
            _signed(func.count(), sign),
        )
        .where(SurveyResponse.status == "submitted", where)
        .group_by(
            SurveyResponse.version_id, SurveyResponse.round_number, SurveyResponse.kind, company
        )
    )
    per_value = (
        select(
            SurveyResponse.version_id,
            SurveyResponse.round_number,
            SurveyResponseAttribute.name,
            SurveyResponse.kind,
            company.label("company_id"),
            SurveyResponseAttribute.value,
            _signed(func.count(), sign),
        )
        .join(SurveyResponseAttribute, SurveyResponseAttribute.response_id == SurveyResponse.id)
        .where(SurveyResponse.status == "submitted", where)
        .group_by(
            SurveyResponse.version_id,
            SurveyResponse.round_number,
            SurveyResponseAttribute.name,
            SurveyResponse.kind,
            company,
            SurveyResponseAttribute.value,
        )
    )
    return [whole, per_value]


def _gap_sums(sign: int) -> list[ColumnElement[Any]]:
    return [
        _signed(func.count(), sign),
        _signed(func.sum(SurveyAnswer.current_level), sign),
        _signed(func.sum(SurveyAnswer.required_level), sign),
        _signed(func.coalesce(func.sum(SurveyAnswer.importance), 0), sign),
        _signed(func.count(SurveyAnswer.importance), sign),
    ]


def _gap_answers(query: Select[Any], where: ColumnElement[bool]) -> Select[Any]:
    """The competence answers with both levels (what the gap table averages) of ``where``."""
    return (
        query.join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyResponse.status == "submitted",
            SurveyQuestion.kind == "competence",
            SurveyAnswer.current_level.is_not(None),
            SurveyAnswer.required_level.is_not(None),
            where,
        )
    )


def _gap_selects(where: ColumnElement[bool], sign: int) -> list[Select[Any]]:
    company = _company()
    whole = _gap_answers(
        select(
            SurveyResponse.version_id,
            SurveyResponse.round_number,
            literal("").label("dimension"),
            SurveyResponse.kind,
            company.label("company_id"),
            literal("").label("group_key"),
            SurveyAnswer.question_id,
            *_gap_sums(sign),
        ).select_from(SurveyResponse),
        where,
    ).group_by(
        SurveyResponse.version_id,
        SurveyResponse.round_number,
        SurveyResponse.kind,
        company,
        SurveyAnswer.question_id,
    )
    per_value = (
        _gap_answers(
            select(
                SurveyResponse.version_id,
                SurveyResponse.round_number,
                SurveyResponseAttribute.name,
                SurveyResponse.kind,
                company.label("company_id"),
                SurveyResponseAttribute.value,
                SurveyAnswer.question_id,
                *_gap_sums(sign),
            )
            .select_from(SurveyResponse)
            .join(
                SurveyResponseAttribute, SurveyResponseAttribute.response_id == SurveyResponse.id
            ),
            where,
        )
    ).group_by(
        SurveyResponse.version_id,
        SurveyResponse.round_number,
        SurveyResponseAttribute.name,
        SurveyResponse.kind,
        company,
        SurveyResponseAttribute.value,
        SurveyAnswer.question_id,
    )
    return [whole, per_value]


def _upsert(
    conn: Connection | Session,
    model: Total,
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    query: Select[Any],
) -> None:
    """Add ``query``'s rows (in key order) to the totals: a new row, or its sums added."""
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = [*keys, *sums]
    ordered = query.order_by(*(literal_column(str(n)) for n in range(1, len(keys) + 1)))
    statement = insert(model).from_select(columns, ordered)
    table = model.__table__
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={s: table.c[s] + statement.excluded[s] for s in sums},
    )
    conn.execute(statement)


def _apply(session: Session, where: ColumnElement[bool], sign: int) -> None:
    for query in _count_selects(where, sign):
        _upsert(session, SurveyGroupCount, COUNT_KEYS, COUNT_SUMS, query)
    for query in _gap_selects(where, sign):
        _upsert(session, SurveyGapTotal, GAP_KEYS, GAP_SUMS, query)


def add_response(session: Session, response_id: int) -> None:
    """Count a response just submitted (its answer and attribute rows written): call in the
    submission's transaction."""
    session.flush()
    _apply(session, SurveyResponse.id == response_id, +1)


def remove_responses(session: Session, response_ids: Iterable[int]) -> None:
    """Take submitted responses out of the totals: call before their rows are deleted, in the
    same transaction. Rows that come to zero go."""
    ids = list(response_ids)
    if not ids:
        return
    session.flush()
    versions = list(
        session.scalars(
            select(SurveyResponse.version_id)
            .where(SurveyResponse.id.in_(ids), SurveyResponse.status == "submitted")
            .distinct()
        )
    )
    if not versions:
        return
    _apply(session, SurveyResponse.id.in_(ids), -1)
    _drop_empty(session, versions)


def _drop_empty(session: Session, versions: list[int]) -> None:
    session.execute(
        delete(SurveyGroupCount).where(
            SurveyGroupCount.version_id.in_(versions), SurveyGroupCount.responses <= 0
        )
    )
    session.execute(
        delete(SurveyGapTotal).where(
            SurveyGapTotal.version_id.in_(versions), SurveyGapTotal.answers <= 0
        )
    )


def rebuild(session: Session, version_id: int | None = None) -> None:
    """The totals of one version (or of all) made again from the submitted rows."""
    for model in (SurveyGroupCount, SurveyGapTotal):
        query = delete(model)
        if version_id is not None:
            query = query.where(model.version_id == version_id)
        session.execute(query)
    _apply(session, true() if version_id is None else SurveyResponse.version_id == version_id, +1)


def _move_to_no_company(conn: Connection, company_id: int) -> None:
    """A company's totals added to those of no company, then dropped."""
    for model, keys, sums in (
        (SurveyGroupCount, COUNT_KEYS, COUNT_SUMS),
        (SurveyGapTotal, GAP_KEYS, GAP_SUMS),
    ):
        table = model.__table__
        columns = [
            literal(NO_COMPANY_ID).label(k) if k == "company_id" else table.c[k] for k in keys
        ]
        query = select(*columns, *(table.c[s] for s in sums)).where(
            table.c.company_id == company_id
        )
        _upsert(conn, model, keys, sums, query)
        conn.execute(delete(model).where(model.company_id == company_id))


@event.listens_for(Company, "before_delete")
def _company_deleted(_mapper: Mapper[Any], connection: Connection, target: Company) -> None:
    _move_to_no_company(connection, target.id)
