"""A company's matrix as files that open right in a European spreadsheet.

CSV: UTF-8 with a byte-order mark (Excel reads UTF-8 only with it), fields separated the way the
reader's locale expects (";" where the decimal mark is a comma, as in nl / fr / de; "," in en),
or as the reader chose. XLSX: real dates (shown in the reader's own date format), a fill colour
per status, a frozen header row and an auto-filter. One row per person and training, so a
spreadsheet filter answers "who is expired on what".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator

from babel.numbers import get_decimal_symbol

from .companies import CompanyMatrix

Translate = Callable[[str], str]

SEPARATORS = {"semicolon": ";", "comma": ",", "tab": "\t"}
# Excel's built-in format 14 is "the short date of the reader's system": 02-10-2026 in nl,
# 02/10/2026 in fr, 02.10.2026 in de.
EXCEL_SHORT_DATE = "mm-dd-yy"
STATE_FILLS = {"valid": "D9F2D9", "expiring": "FFF2CC", "expired": "F8D7DA", "missing": "EEEEEE"}


def separator_for(locale: str, chosen: str | None = None) -> str:
    """The field separator: the reader's choice, else ";" where the locale writes 7,5."""
    if chosen in SEPARATORS:
        return SEPARATORS[chosen]
    try:
        comma_decimals = get_decimal_symbol(locale or "en") == ","
    except (ValueError, LookupError):
        comma_decimals = False
    return ";" if comma_decimals else ","


def state_labels(_: Translate) -> dict[str, str]:
    return {
        "valid": _("valid"),
        "expiring": _("expiring"),
        "expired": _("expired"),
        "missing": _("missing"),
    }


def headings(_: Translate) -> list[str]:
    return [_("Name"), _("E-mail"), _("Training"), _("Status"), _("Completed on"), _("Valid until")]


def company_rows(
    matrix: CompanyMatrix,
) -> Iterator[tuple[str, str, str, str, dt.date | None, dt.date | None]]:
    for row in matrix.rows:
        for training, cell in zip(matrix.trainings, row.cells, strict=True):
            yield (
                row.learner.name or row.learner.sub,
                row.learner.email,
                training.name,
                cell.state,
                cell.completed_on,
                cell.valid_until,
            )


def _spreadsheet_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def company_csv(
    matrix: CompanyMatrix, _: Translate, *, separator: str, format_day: Callable[[dt.date], str]
) -> bytes:
    """The CSV as bytes: a BOM, then rows; dates as the reader writes them (``format_day``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headings(_))
    labels = state_labels(_)
    for name, email, training, state, done, until in company_rows(matrix):
        writer.writerow(
            [
                _spreadsheet_safe(name),
                _spreadsheet_safe(email),
                _spreadsheet_safe(training),
                labels[state],
                format_day(done) if done else "",
                format_day(until) if until else "",
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def company_xlsx(matrix: CompanyMatrix, _: Translate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Trainings")[:31]
    sheet.append(headings(_))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    labels = state_labels(_)
    fills = {state: PatternFill("solid", fgColor=colour) for state, colour in STATE_FILLS.items()}
    for name, email, training, state, done, until in company_rows(matrix):
        sheet.append(
            [
                _spreadsheet_safe(name),
                _spreadsheet_safe(email),
                _spreadsheet_safe(training),
                labels[state],
                done,
                until,
            ]
        )
        line = sheet.max_row
        sheet.cell(row=line, column=4).fill = fills[state]
        for column in (5, 6):
            sheet.cell(row=line, column=column).number_format = EXCEL_SHORT_DATE
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEF", (30, 30, 30, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
