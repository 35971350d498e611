"""Exports: the passport as JSON (the PDF is ``passport_pdf``), a person's whole data, the trainer matrix as CSV / XLSX,
and the organisation's bulk CSV (one row per learner x training)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lti_tool.models import Course, Enrolment, User

from . import names
from .audit import subject_ref
from .course_matrix import Matrix
from .entry_loading import EntryRecord
from .models import (
    CertificateFile,
    Credential,
    EntryRevision,
    IdentityLink,
    PassportAudit,
    PassportEntry,
)
from .overview import PassportSummary
from .pdf_layout import embed_font as _font  # noqa: F401  (the blended attendance PDFs use it)
from .recording import statements_of
from .status_words import iso_day, status_text

Translate = Callable[[str], str]


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def entry_json(entry: PassportEntry | EntryRecord, state: str | None = None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "provider": entry.provider,
        "modality": entry.modality,
        "started_on": _day(entry.started_on),
        "completed_on": _day(entry.completed_on),
        "hours": float(entry.hours),
        "result": entry.result,
        "training_type": entry.training_type.code if entry.training_type else None,
        "valid_until": _day(entry.valid_until),
        "state": state,
        "status": entry.status,
        "source": entry.source,
        "competences": [
            {"idnumber": c.idnumber, "name": c.shortname, "uri": c.uri, "area": c.area}
            for c in entry.competences
        ],
        "certificate": entry.certificate.filename if entry.certificate else None,
    }


def passport_json(summary: PassportSummary) -> dict[str, Any]:
    return {
        "person": {
            "name": summary.user.name,
            "issuer": summary.user.issuer,
            "sub": summary.user.sub,
        },
        "generated_on": summary.today.isoformat(),
        "hours_total": float(summary.hours_total),
        "hours_by_year": {str(year): float(hours) for year, hours in summary.hours_by_year},
        "hours_by_area": {area: float(hours) for area, hours in summary.hours_by_area},
        "entries": [entry_json(v.entry, v.state) for v in summary.entries],
        "proposals": [entry_json(e) for e in summary.pending + summary.rejected],
    }


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    values = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        values[column.key] = value
    return values


def personal_data(session: Session, user_id: int) -> dict[str, Any]:
    """Everything the passport and the tool's core tables hold about one person (their own copy)."""
    user = session.get(User, user_id)
    assert user is not None
    entries = list(
        session.scalars(
            select(PassportEntry)
            .where(PassportEntry.user_id == user_id)
            .options(selectinload(PassportEntry.competences))
        )
    )
    entry_ids = [e.id for e in entries]
    return {
        "format": "learnpass personal data 1",
        "person": _row(user),
        "enrolments": [
            {**_row(enrolment), "course": session.get(Course, enrolment.course_id).title}  # type: ignore[union-attr]
            for enrolment in session.scalars(select(Enrolment).where(Enrolment.user_id == user_id))
        ],
        "passport_entries": [
            {**_row(e), "competences": [c.idnumber for c in e.competences]} for e in entries
        ],
        "entry_revisions": [
            _row(r)
            for r in session.scalars(
                select(EntryRevision).where(EntryRevision.entry_id.in_(entry_ids))
            )
        ]
        if entry_ids
        else [],
        "files": [
            _row(f)
            for f in session.scalars(
                select(CertificateFile).where(CertificateFile.owner_id == user_id)
            )
        ],
        "credentials": [
            _row(c)
            for c in session.scalars(select(Credential).where(Credential.user_id == user_id))
        ],
        "identity_links": [
            _row(link)
            for link in session.scalars(
                select(IdentityLink).where(
                    (IdentityLink.primary_user_id == user_id)
                    | (IdentityLink.linked_user_id == user_id)
                )
            )
        ],
        "xapi_statements": statements_of(session, user),
        "audit": [
            _row(a)
            for a in session.scalars(
                select(PassportAudit).where(PassportAudit.subject_ref == subject_ref(user))
            )
        ],
    }


# ---------------------------------------------------------------- the matrix


def matrix_table(matrix: Matrix, _: Translate) -> Iterator[list[str]]:
    yield [_("Learner"), *[names.local_name(t) for t in matrix.trainings]]
    # Each state and day is worded once: Flask-Babel's gettext per cell was most of the time.
    words: dict[tuple[str, dt.date | None], str] = {}
    for row in matrix.rows:
        cells = []
        for cell in row.cells:
            key = (cell.state, cell.valid_until)
            if key not in words:
                words[key] = status_text(cell.state, cell.valid_until, iso_day, _)
            cells.append(words[key])
        yield [row.learner.name or row.learner.sub, *cells]


def _spreadsheet_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def matrix_csv(matrix: Matrix, _: Translate) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in matrix_table(matrix, _):
        writer.writerow([_spreadsheet_safe(v) for v in line])
    return out.getvalue()


def matrix_xlsx(matrix: Matrix, _: Translate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Trainings")[:31]
    fills = {
        "valid": PatternFill("solid", fgColor="D9F2D9"),
        "expiring": PatternFill("solid", fgColor="FFF2CC"),
        "expired": PatternFill("solid", fgColor="F8D7DA"),
        "missing": PatternFill("solid", fgColor="EEEEEE"),
    }
    for index, line in enumerate(matrix_table(matrix, _)):
        sheet.append([_spreadsheet_safe(v) for v in line])
        if index == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            continue
        for column, state_cell in enumerate(matrix.rows[index - 1].cells, start=2):
            sheet.cell(row=index + 1, column=column).fill = fills[state_cell.state]
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def organisation_csv(session: Session, platform_id: int | None = None) -> str:
    """Every approved entry of every person (of one platform, when given): one row per
    learner x training."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "issuer",
            "sub",
            "name",
            "training",
            "training_type",
            "provider",
            "modality",
            "completed_on",
            "hours",
            "result",
            "valid_until",
            "status",
        ]
    )
    query = (
        select(PassportEntry, User)
        .join(User, User.id == PassportEntry.user_id)
        .where(
            PassportEntry.status == "approved",
            *([User.platform_id == platform_id] if platform_id is not None else []),
        )
        .options(selectinload(PassportEntry.training_type))
        .order_by(User.id, PassportEntry.completed_on)
        .execution_options(yield_per=500)
    )
    today = dt.date.today()
    for entry, user in session.execute(query):
        state = "valid" if entry.valid_until is None or entry.valid_until >= today else "expired"
        writer.writerow(
            [
                _spreadsheet_safe(v)
                for v in (
                    user.issuer,
                    user.sub,
                    user.name,
                    entry.title,
                    entry.training_type.code if entry.training_type else "",
                    entry.provider,
                    entry.modality,
                    _day(entry.completed_on) or "",
                    str(entry.hours),
                    entry.result,
                    _day(entry.valid_until) or "",
                    state,
                )
            ]
        )
    return out.getvalue()
