"""The trainer's progress view as a table to download: CSV and XLSX carry the same rows (what the
page shows, with its filters); numbers stay numbers in the spreadsheet, and no text cell can run
as a formula (a name starting with ``=`` is kept as text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask_babel import gettext as _

from .progress import CourseProgress

Cell = str | float | int
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def progress_table(
    table: CourseProgress, labels: dict[str, str], text: Callable[[object], str]
) -> list[list[Cell]]:
    """Header, then one row per learner shown: step states, hours, completion %, at risk, why."""
    rows: list[list[Cell]] = [
        [_("Learner")]
        + [safe_text(text(s.title)) for s in table.path.steps]
        + [_("Online hours"), _("Classroom hours"), _("Completion %"), _("At risk"), _("Why")]
    ]
    for row in table.rows:
        p = row.progress
        rows.append(
            [safe_text(row.learner.name or row.learner.sub)]
            + [labels[v.state] for v in p.steps]
            + [p.online_hours, p.classroom_hours, p.percent]
            + [_("yes") if p.at_risk else _("no"), safe_text("; ".join(p.risk_reasons))]
        )
    return rows


def _csv_number(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def progress_csv(rows: list[list[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in rows:
        writer.writerow([_csv_number(v) for v in line])
    return out.getvalue()


def progress_xlsx(rows: list[list[Cell]], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "".join(c for c in sheet_title if c not in "[]:*?/\\")[:31] or "Progress"
    for line in rows:  # text that could be a formula already starts with "'" (safe_text)
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
