"""A survey report as files: each table of the report page (gaps, heat map, answers, free text)
as a CSV of its own, and all of them as the sheets of one XLSX.

The rows are what the page shows, so a group the report leaves out (below the minimum) is in no
file either. Numbers stay numbers; a text cell starting with = + - @ (or a tab or carriage
return) gets a leading ' so no spreadsheet runs it as a formula: competence names, group names and
free text come from people. CSV: UTF-8 with a byte-order mark, separated the way the reader's
locale expects (";" where the decimal mark is a comma), decimals written as the locale writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from babel.numbers import format_decimal

Cell = str | float | int | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    key: str  # the file's name: gaps, heatmap, answers, texts
    title: str  # the sheet's name, in the reader's language
    rows: list[list[Cell]]  # a header, then the figures


def neutral(value: str) -> str:
    """Text that no spreadsheet takes for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_row(values: Sequence[Cell]) -> list[Cell]:
    return [neutral(v) if isinstance(v, str) else v for v in values]


def _csv_cell(value: Cell, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_decimal(value, format="0.##", locale=locale)
    return str(value)


def table_csv(table: Table, *, separator: str, locale: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    for row in table.rows:
        writer.writerow([_csv_cell(v, locale) for v in safe_row(row)])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    while name in taken:
        name = name[:28] + f" {len(taken)}"
    taken.add(name)
    return name


def report_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        for row in table.rows:
            sheet.append(safe_row(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
