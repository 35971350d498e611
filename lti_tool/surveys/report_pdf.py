"""A company's survey report as a PDF for its owner, in the reader's language (the passport's
fpdf2 document: ``passports.pdf_layout``): the responses and the response rate, the gap chart and
the ranked gap table, the heat map, the network benchmark and the free-text answers.

Everything comes from the ``Report`` (and the ``BenchmarkView``) the report page shows for the
same address, so a group below the minimum is left out here exactly as on the page. Text from
people (names, free text) is written as plain text: fpdf2 reads no markup unless asked to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..passports.pdf_layout import Document, Reader
from .benchmark_view import BenchmarkView
from .definition import wording
from .report import Report
from .report_chart import colour, short

Number = Callable[[float | None], str]
BLUE = (31, 95, 153)
BOX = (207, 224, 241)
OWN = (180, 83, 9)
GREY = (118, 118, 118)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _heading(doc: Document, text: str) -> None:
    pdf = doc.pdf
    if pdf.get_y() > pdf.page_break_trigger - 30:
        pdf.add_page()
    pdf.ln(3)
    doc.font(13, bold=True)
    doc.line(7, text)
    doc.font(9)


def _room(doc: Document, height: float) -> None:
    if doc.pdf.get_y() + height > doc.pdf.page_break_trigger:
        doc.pdf.add_page()


def _table(
    doc: Document, widths: tuple[float, ...], headings: list[str], rows: list[list[str]]
) -> None:
    """fpdf2's table (headings repeated on each page); the second column (a name) left, the
    figures right."""
    from fpdf.fonts import FontFace

    aligns = ("RIGHT", "LEFT") + ("RIGHT",) * (len(widths) - 2)
    doc.pdf.set_fill_color(255, 255, 255)
    doc.font(8)
    with doc.pdf.table(
        col_widths=widths,
        text_align=aligns,
        line_height=4.5,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
    ) as table:
        for values in [headings, *rows]:
            row = table.row()
            for value in values:
                row.cell(doc.text(value))
    doc.font(9)


def _gap_chart(doc: Document, report: Report, number: Number) -> None:
    pdf = doc.pdf
    label_w, bar_w, height = 62.0, 105.0, 5.5
    doc.font(8)
    for bar in report.bars.bars:
        _room(doc, height)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, height, doc.text(short(bar.label, 40)), align="R")
        width = bar_w * bar.width / max(report.bars.width - report.bars.label_w - 50, 1)
        pdf.set_fill_color(*BLUE)
        pdf.rect(pdf.l_margin + label_w, y + 0.8, max(width, 0.3), height - 1.6, style="F")
        pdf.set_xy(pdf.l_margin + label_w + width + 1.5, y)
        pdf.cell(20, height, number(bar.value))
        pdf.set_xy(pdf.l_margin, y + height)
    doc.font(9)
    pdf.ln(2)


def _heat_map(doc: Document, report: Report, number: Number, _: Callable[..., str]) -> None:
    heat = report.heat
    if heat is None:
        return
    _heading(doc, _("Heat map: mean gap per competence and group"))
    if not heat.groups:
        doc.line(5, _("No group has enough responses to be shown."))
        return
    pdf = doc.pdf
    label_w = 62.0
    cell_w = min(28.0, (pdf.epw - label_w) / len(heat.groups))
    height = 6.0
    doc.font(7, bold=True)
    y = pdf.get_y()
    for index, group in enumerate(heat.groups):
        name = report.group_names.get(group.key, group.key)
        pdf.set_xy(pdf.l_margin + label_w + index * cell_w, y)
        pdf.cell(cell_w, height, doc.text(f"{short(name, 14)} ({group.responses})"), align="C")
    pdf.set_xy(pdf.l_margin, y + height)
    doc.font(8)
    for gap in report.gaps:
        _room(doc, height)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, height, doc.text(short(report.labels[gap.question_id], 40)))
        cells = heat.cells.get(gap.question_id, {})
        for index, group in enumerate(heat.groups):
            value = cells.get(group.key)
            fill, ink = colour(value) if value is not None else ("#ffffff", "#1a1a1a")
            x = pdf.l_margin + label_w + index * cell_w
            pdf.set_fill_color(*_rgb(fill))
            pdf.set_draw_color(204, 204, 204)
            pdf.rect(x, y, cell_w - 0.6, height - 0.6, style="DF")
            pdf.set_text_color(*_rgb(ink))
            pdf.set_xy(x, y)
            pdf.cell(
                cell_w - 0.6,
                height - 0.6,
                doc.text(number(value) if value is not None else "–"),
                align="C",
            )
            pdf.set_text_color(0, 0, 0)
        pdf.set_xy(pdf.l_margin, y + height)
    pdf.set_draw_color(0, 0, 0)
    doc.font(9)


def _benchmark(doc: Document, view: BenchmarkView, number: Number, _: Callable[..., str]) -> None:
    _heading(doc, _("Your company beside the network"))
    if not view.shown:
        doc.line(
            5,
            _(
                "The comparison with other companies appears once at least %(minimum)s companies "
                "have answered this version of the survey."
            )
            % {"minimum": view.bench.minimum},
        )
        return
    doc.line(
        4.5,
        _(
            "Each line runs from the lowest to the highest score. The box spans the middle half "
            "of the companies that answered this version (from the lower to the upper quartile), "
            "the line in the box is their median, and the dot is your company. No other "
            "company's own score is shown."
        ),
    )
    if not view.bench.own_shown:
        doc.line(
            4.5,
            _(
                "Your company's own scores appear from %(minimum)s responses, so that no one "
                "can be recognised."
            )
            % {"minimum": view.bench.minimum},
        )
    pdf = doc.pdf
    pdf.ln(2)
    widths = (62.0, 17.0, 17.0, 17.0, 17.0, 15.0)
    plot_w = pdf.epw - sum(widths)
    headings = [
        _("Question or dimension"),
        _("Your company"),
        _("Lower quartile"),
        _("Median"),
        _("Upper quartile"),
        _("Companies"),
    ]
    doc.font(7, bold=True)
    _bench_row(doc, widths, headings, 9.0)
    for line in view.lines:
        net = line.row.network
        label = (
            _("%(name)s (dimension)") % {"name": line.label} if line.row.dimension else line.label
        )
        values = [
            label,
            number(line.row.own) if line.row.own is not None else "–",
            *(
                [number(net.q1), number(net.median), number(net.q3), str(net.companies)]
                if net
                else [_("Too few companies"), "", "", ""]
            ),
        ]
        doc.font(7, bold=line.row.dimension)
        y, height = _bench_row(doc, widths, values, 7.0)
        _box(doc, line, pdf.l_margin + sum(widths), y, plot_w, height)
    doc.font(9)


def _bench_row(
    doc: Document, widths: tuple[float, ...], values: list[str], least: float
) -> tuple[float, float]:
    pdf = doc.pdf
    wrapped = [
        pdf.multi_cell(w, 3.5, doc.text(v), dry_run=True, output="LINES")
        for w, v in zip(widths, values, strict=True)
    ]
    height = max(least, 3.5 * max(len(lines) for lines in wrapped) + 1.5)
    _room(doc, height)
    y = pdf.get_y()
    x = pdf.l_margin
    for index, (w, v) in enumerate(zip(widths, values, strict=True)):
        pdf.set_xy(x, y + 0.75)
        pdf.multi_cell(w, 3.5, doc.text(v), align="L" if index == 0 else "R")
        x += w
    pdf.set_draw_color(204, 204, 204)
    pdf.line(pdf.l_margin, y + height, pdf.l_margin + pdf.epw, y + height)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y + height)
    return y, height


def _box(doc: Document, line: Any, left: float, top: float, width: float, height: float) -> None:
    pdf = doc.pdf
    pad = 3.0

    def x(share: float | None) -> float:
        return left + pad + (share or 0.0) * (width - 2 * pad)

    middle = top + height / 2
    pdf.set_draw_color(*GREY)
    pdf.line(x(0), middle, x(1), middle)
    if line.row.network is not None:
        pdf.set_fill_color(*BOX)
        pdf.set_draw_color(*BLUE)
        pdf.rect(x(line.q1), middle - 2, max(x(line.q3) - x(line.q1), 0.3), 4, style="DF")
        pdf.set_draw_color(26, 26, 26)
        pdf.set_line_width(0.5)
        pdf.line(x(line.median), middle - 2.5, x(line.median), middle + 2.5)
        pdf.set_line_width(0.2)
    if line.own is not None:
        pdf.set_fill_color(*OWN)
        pdf.ellipse(x(line.own) - 1.4, middle - 1.4, 2.8, 2.8, style="F")
    pdf.set_draw_color(0, 0, 0)


def report_pdf(
    report: Report,
    bench: BenchmarkView | None,
    company: str,
    creator: str,
    reader: Reader,
    number: Number,
    today: dt.date,
) -> bytes:
    _, ngettext = reader._, reader.plural  # named so that pybabel extracts their strings
    title = _("Training needs: %(title)s") % {"title": _survey_title(report, reader.language)}
    doc = Document(title, creator)
    pdf = doc.pdf
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    doc.font(17, bold=True)
    doc.line(9, title)
    doc.font(13, bold=True)
    doc.line(7, company)
    doc.font(9)
    doc.line(
        5,
        _("Version %(number)s · report of %(day)s")
        % {"number": report.version.number, "day": reader.day(today)},
    )
    pdf.ln(2)
    doc.font(10)
    if report.groups.responses:
        doc.line(
            5.5,
            _("%(responses)s responses in this report.") % {"responses": report.groups.responses},
        )
    else:
        doc.line(
            5.5,
            _(
                "No figures to show: a report shows a group only from %(minimum)s responses, so "
                "that no one can be recognised."
            )
            % {"minimum": report.scope.min_group},
        )
    if report.groups.hidden:
        doc.line(
            5.5,
            ngettext(
                "%(num)s group with fewer than %(minimum)s responses is left out.",
                "%(num)s groups with fewer than %(minimum)s responses are left out.",
                report.groups.hidden,
                minimum=report.scope.min_group,
            ),
        )
    for use in report.invitations:
        doc.line(
            5.5,
            _("Invitation places: %(made)s · used: %(used)s · response rate: %(rate)s %%")
            % {"made": use.made, "used": use.used, "rate": number(use.rate)},
        )
    doc.font(9)
    if report.gaps:
        _heading(doc, _("Competence gaps, largest first"))
        doc.line(
            4.5,
            _(
                "Gap: the mean required level minus the mean current level. Borich score: the "
                "mean gap times the mean importance (1 to 5); the higher, the more training is "
                "needed."
            ),
        )
        pdf.ln(2)
        _gap_chart(doc, report, number)
        _table(
            doc,
            (10, 58, 18, 17, 17, 20, 14, 22),
            [
                _("Rank"),
                _("Competence"),
                _("Responses"),
                _("Current"),
                _("Required"),
                _("Importance"),
                _("Gap"),
                _("Borich score"),
            ],
            [
                [
                    str(g.rank),
                    report.labels[g.question_id],
                    str(g.responses),
                    number(g.current),
                    number(g.required),
                    number(g.importance) if g.importance is not None else "–",
                    number(g.gap),
                    number(g.borich) if g.borich is not None else "–",
                ]
                for g in report.gaps
            ],
        )
        _heat_map(doc, report, number, _)
    if bench is not None:
        _benchmark(doc, bench, number, _)
    written = [q for q in report.questions if q.texts]
    if written:
        _heading(doc, _("Free text"))
        bullet = "• " if doc.unicode_ok else "- "
        for question in written:
            doc.font(9, bold=True)
            doc.line(5, question.label)
            doc.font(9)
            for text in question.texts:
                doc.line(4.5, bullet + text)
            pdf.ln(1.5)
    return doc.output()


def _survey_title(report: Report, language: str | None) -> str:
    return wording(report.survey.title or {}, language) or "—"
