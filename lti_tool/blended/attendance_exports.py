"""Exports of the register for subsidy files: the printable PDF attendance list of a session (a
signature line per learner per day, the hours, the trainer's signature line), a learner's
certificate of attendance (hours per day), and the register as CSV and XLSX. In the language
given (``_`` translates); names in any script through the passport's embedded DejaVu font.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import format_date

from ..models import User
from ..passports.exports import _font, _spreadsheet_safe
from .attendance_models import Attendance
from .session_models import BlendedSession, BlendedSessionDay

Translate = Callable[..., str]


@dataclass(frozen=True)
class Register:
    blended: BlendedSession
    learners: list[User]
    marks: dict[tuple[int, int], Attendance]  # (day id, user id)
    trainers: list[User]
    title: str


def status_label(status: str, _: Translate) -> str:
    return {
        "present": _("Present"),
        "late": _("Late"),
        "left_early": _("Left early"),
        "excused": _("Excused"),
        "absent": _("Absent"),
    }[status]


def _name(user: User) -> str:
    return user.name or user.sub


def _number(hours: float) -> str:
    return f"{round(hours, 2):g}"


def _when(day: BlendedSessionDay) -> str:
    return f"{format_date(day.day, 'medium')} {day.start_local:%H:%M}–{day.end_local:%H:%M}"


def register_table(register: Register, _: Translate) -> Iterator[list[str]]:
    """One line per learner and day: the register as a table (CSV, XLSX)."""
    yield [_("Learner"), _("E-mail"), _("Day"), _("Status"), _("Hours"), _("Note")]
    for user in register.learners:
        for day in register.blended.days:
            mark = register.marks.get((day.id, user.id))
            yield [
                _name(user),
                user.email or "",
                day.day.isoformat(),
                status_label(mark.status, _) if mark else "",
                f"{mark.hours:g}" if mark else "",
                mark.note if mark else "",
            ]


def register_csv(register: Register, _: Translate) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in register_table(register, _):
        writer.writerow([_spreadsheet_safe(v) for v in line])
    return out.getvalue()


def register_xlsx(register: Register, _: Translate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Attendance")[:31]
    for index, line in enumerate(register_table(register, _)):
        cells: list[object] = [_spreadsheet_safe(v) for v in line]
        if index and line[4]:
            cells[4] = float(line[4])
        sheet.append(cells)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf(tool_title: str) -> tuple[Any, str, Callable[[str], str]]:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    family, unicode_ok = _font(pdf)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_creator(tool_title)
    return pdf, family, text


def attendance_list_pdf(register: Register, tool_title: str, _: Translate) -> bytes:
    """Per day: each learner with status, hours and a line to sign; the trainer signs below."""
    from fpdf.enums import XPos, YPos

    p, family, text = _pdf(tool_title)
    p.set_title(text(_("Attendance list") + ": " + register.title))
    for day in register.blended.days:
        p.add_page()
        p.set_font(family, "B", 16)
        p.multi_cell(0, 8, text(_("Attendance list")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        p.set_font(family, "", 11)
        place = register.blended.place_name or register.blended.meeting_url
        for line in (register.title, _when(day), place):
            if line:
                p.multi_cell(0, 6, text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        p.ln(4)
        widths = (70, 30, 20, 70)
        p.set_font(family, "B", 10)
        for width, heading in zip(
            widths, (_("Learner"), _("Status"), _("Hours"), _("Signature")), strict=True
        ):
            p.cell(width, 8, text(heading), border=1)
        p.ln()
        p.set_font(family, "", 10)
        for user in register.learners:
            mark = register.marks.get((day.id, user.id))
            values = (
                _name(user),
                status_label(mark.status, _) if mark else "",
                f"{mark.hours:g}" if mark else "",
                "",
            )
            for width, value in zip(widths, values, strict=True):
                p.cell(width, 12, text(value[:45]), border=1)
            p.ln()
        p.ln(8)
        names = ", ".join(_name(t) for t in register.trainers)
        p.multi_cell(
            0,
            6,
            text(_("Trainer") + (f": {names}" if names else "")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        p.ln(10)
        p.multi_cell(
            0,
            6,
            text(_("Signature of the trainer") + ": ______________________________"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(p.output())


def certificate_pdf(register: Register, user: User, tool_title: str, _: Translate) -> bytes:
    """A learner's certificate of attendance: hours per day and in total."""
    from fpdf.enums import XPos, YPos

    p, family, text = _pdf(tool_title)
    p.set_title(text(_("Certificate of attendance")))
    p.add_page()
    p.set_font(family, "B", 18)
    p.multi_cell(0, 10, text(_("Certificate of attendance")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    p.set_font(family, "", 12)
    p.multi_cell(
        0,
        7,
        text(_("%(name)s attended %(title)s:", name=_name(user), title=register.title)),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    p.ln(4)
    total = 0.0
    for day in register.blended.days:
        mark = register.marks.get((day.id, user.id))
        hours = mark.hours if mark else 0.0
        total += hours
        label = status_label(mark.status, _) if mark else _("Not recorded")
        p.multi_cell(
            0,
            7,
            text(f"{_when(day)}: {label}, " + _("%(hours)s h", hours=_number(hours))),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    p.ln(4)
    p.set_font(family, "B", 12)
    p.multi_cell(
        0,
        7,
        text(_("Total: %(hours)s hours", hours=_number(total))),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    p.set_font(family, "", 12)
    p.ln(12)
    p.multi_cell(
        0,
        6,
        text(_("Signature of the trainer") + ": ______________________________"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(p.output())
