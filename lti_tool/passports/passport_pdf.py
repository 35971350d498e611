"""The passport as a PDF an employer can trust: who issued it, each training's status in words
(valid / expires on / expired on), its result, the competences the trainings give, and a QR code
to the signed snapshot on /verify."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import names
from .display import result_words
from .entry_loading import EntryRecord
from .issuer import Issuer
from .overview import PassportSummary
from .pdf_layout import Document, Reader, long_day, render_in_core_font, text_runs
from .status_words import status_text

PDF_COLUMNS = (48, 28, 31, 14, 22, 47)
LINE_HEIGHT = 5.0
QR_SIZE = 32


def passport_pdf(
    summary: PassportSummary, verify_url: str, issuer: Issuer, reader: Reader
) -> bytes:
    """In PDF's own Helvetica when every character fits cp1252 (Dutch, French, German and
    English names and words do), else in the embedded DejaVu."""
    reader = remembering(reader)
    return render_in_core_font(
        lambda core: _passport_pdf(summary, verify_url, issuer, reader, core=core)
    )


def _passport_pdf(
    summary: PassportSummary, verify_url: str, issuer: Issuer, reader: Reader, *, core: bool
) -> bytes:
    _, ngettext = reader._, reader.plural  # named so that pybabel extracts their strings
    doc = Document(
        _("Training passport of %(name)s") % {"name": summary.user.name}, issuer.name, core=core
    )
    pdf = doc.pdf
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    doc.qr(verify_url, x=pdf.w - pdf.r_margin - QR_SIZE, y=pdf.t_margin, size=QR_SIZE)
    doc.letterhead(issuer, right_margin=QR_SIZE + 4)
    doc.font(18, bold=True)
    doc.line(10, _("Training passport"))
    doc.font(12)
    doc.line(7, summary.user.name)
    doc.line(
        7,
        _("Issued on %(day)s by %(issuer)s · %(hours)s hours of training in total")
        % {
            "day": reader.day(summary.today),
            "issuer": issuer.name,
            "hours": reader.hours(summary.hours_total),
        },
    )
    counts = {state: 0 for state in ("valid", "expiring", "expired")}
    for view in summary.entries:
        counts[view.state] += 1
    doc.font(10, bold=bool(counts["expired"] or counts["expiring"]))
    doc.line(
        6,
        _("Valid: %(valid)s · expire soon: %(expiring)s · expired: %(expired)s")
        % {k: str(v) for k, v in counts.items()},
    )
    doc.font(9)
    doc.line(5, _("Check this document at:"))
    pdf.set_text_color(0, 0, 160)
    doc.line(5, verify_url, link=verify_url)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    headings = [
        doc.text(h)
        for h in (
            _("Training"),
            _("Provider"),
            _("Completed"),
            _("Hours"),
            _("Result"),
            _("Status"),
        )
    ]
    rows = [
        [
            doc.text(_title_cell(view.entry, reader.language)),
            doc.text(view.entry.provider),
            doc.text(long_day(reader, view.entry.completed_on)),
            reader.hours(view.entry.hours),
            doc.text(result_words(view.entry.result, _, reader.hours) or "—"),
            doc.text(status_text(view.state, view.entry.valid_until, reader.day, _)),
        ]
        for view in summary.entries
    ]
    if rows:
        _table(doc, headings, rows)
    else:
        doc.line(8, _("No trainings recorded yet."))
    if summary.competences:
        pdf.ln(4)
        doc.font(11, bold=True)
        doc.line(7, _("Competences"))
        doc.font(9)
        for competence_line in summary.competences:
            competence = competence_line.competence
            words = ngettext(
                "%(num)s training, %(hours)s hours",
                "%(num)s trainings, %(hours)s hours",
                competence_line.entries,
                hours=reader.hours(competence_line.hours),
            )
            if not competence_line.current:
                words += " · " + _("expired")
            area = names.area_name(competence, reader.language)
            area = f"{area} · " if competence.area else ""
            doc.line(5, f"{names.local_name(competence, reader.language)} ({area}{words})")
    if summary.hours_by_year:
        pdf.ln(4)
        doc.font(11, bold=True)
        doc.line(7, _("Hours per year"))
        doc.font(9)
        for year, year_hours in summary.hours_by_year:
            doc.line(5, f"{year}: {reader.hours(year_hours)}")
    return doc.output()


def remembering(reader: Reader) -> Reader:
    """The reader's words, days and hours, each worked out once per document: the table says
    "Valid, expires on ..." and the same days and verdicts a thousand times (Flask-Babel's
    gettext and format_date took a third of the PDF's time)."""
    return replace(
        reader,
        _=functools.cache(reader._),
        day=functools.cache(reader.day),
        hours=functools.cache(reader.hours),
    )


def _title_cell(entry: EntryRecord, language: str | None) -> str:
    """The training in the reader's language, and its type when the title does not say it."""
    title = names.entry_title(entry, language)
    kind = names.entry_type_name(entry, language)
    return f"{title} ({kind})" if kind else title


def _table(doc: Document, headings: list[str], rows: list[list[str]]) -> None:
    """A plain table, each row one text object of a run per line of a cell: fpdf2's table, and its
    cell() per value, take tens of microseconds a call (seconds for 1,000 rows). Widths are
    summed from the font's width of each character, measured once per table; a value wider than
    its column is wrapped at spaces (a word too long for the column, at any character)."""
    pdf: Any = doc.pdf
    padding = pdf.c_margin
    widths: dict[tuple[bool, str], float] = {}

    def measure(value: str, bold: bool) -> float:
        total = 0.0
        for char in value:
            width = widths.get((bold, char))
            if width is None:
                width = widths[(bold, char)] = pdf.get_string_width(char)
            total += width
        return total

    def draw(values: list[str], bold: bool) -> None:
        doc.font(9, bold=bold)
        wrapped = [
            _wrap(value, width - 2 * padding, lambda text: measure(text, bold))
            for value, width in zip(values, PDF_COLUMNS, strict=True)
        ]
        height = LINE_HEIGHT * max(len(lines) for lines in wrapped)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not bold:
                draw(headings, True)
                doc.font(9)
        y = pdf.get_y()
        x = pdf.l_margin
        # Where fpdf2's cell() puts the baseline of a line of this height.
        baseline = 0.5 * LINE_HEIGHT + 0.3 * pdf.font_size
        runs = []
        for lines, width, align in zip(wrapped, PDF_COLUMNS, "LLLRLL", strict=True):
            for index, line in enumerate(lines):
                left = x + width - padding - measure(line, bold) if align == "R" else x + padding
                runs.append((left, y + index * LINE_HEIGHT + baseline, line))
            x += width
        text_runs(pdf, runs)
        pdf.set_xy(pdf.l_margin, y + height)
        pdf.line(pdf.l_margin, y + height, pdf.l_margin + sum(PDF_COLUMNS), y + height)
        pdf.set_xy(pdf.l_margin, y + height + 0.5)

    draw(headings, True)
    for row in rows:
        draw(row, False)
    pdf.set_x(pdf.l_margin)


def _wrap(value: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """``value`` in lines no wider than ``room``: broken at spaces, a longer word anywhere."""
    if measure(value) <= room:
        return [value]
    lines: list[str] = []
    line = ""
    for word in value.split():
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and measure(line + char) > room:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]
