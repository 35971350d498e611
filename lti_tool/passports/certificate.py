"""A printable one-page certificate of one training: who issued it, to whom, what and when, the
result, the competences, the status in words, and a QR code to the training's signed credential
on /verify (the same credential the Open Badges download carries)."""

from __future__ import annotations

import datetime as dt

from . import names
from .display import result_words
from .issuer import Issuer
from .models import PassportEntry
from .pdf_layout import Document, Reader, long_day
from .status_words import status_text
from .validity import expiry_state

QR_SIZE = 38
# Enough to name a training's competences; more would push the certificate onto a second page.
MAX_COMPETENCES = 12
MAX_TEXT = 300


def _short(value: str, limit: int = MAX_TEXT) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def certificate_pdf(
    entry: PassportEntry,
    verify_url: str,
    issuer: Issuer,
    reader: Reader,
    *,
    today: dt.date,
    warn_days: int,
) -> bytes:
    _ = reader._
    holder = entry.user.name or entry.user.sub
    title = names.entry_title(entry, reader.language)
    doc = Document(
        _("Certificate: %(training)s, %(name)s") % {"training": title, "name": holder},
        issuer.name,
    )
    pdf = doc.pdf
    # One page, always: long texts are cut rather than flowing onto a second page.
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    doc.letterhead(issuer)
    pdf.ln(6)
    doc.font(26, bold=True)
    doc.line(14, _("Certificate"), align="C")
    pdf.ln(4)
    doc.font(12)
    doc.line(7, _("This certifies that"), align="C")
    doc.font(18, bold=True)
    doc.line(10, _short(holder, 120), align="C")
    doc.font(12)
    doc.line(7, _("completed the training"), align="C")
    doc.font(16, bold=True)
    doc.line(9, _short(title, 200), align="C")
    pdf.ln(8)

    state = expiry_state(entry.valid_until, today, warn_days)
    if entry.started_on and entry.started_on != entry.completed_on:
        when = f"{long_day(reader, entry.started_on)} – {long_day(reader, entry.completed_on)}"
    else:
        when = long_day(reader, entry.completed_on)
    competences = [names.local_name(c, reader.language) for c in entry.competences]
    if len(competences) > MAX_COMPETENCES:
        more = len(competences) - MAX_COMPETENCES
        competences = competences[:MAX_COMPETENCES] + [_("and %(n)s more") % {"n": more}]
    facts = [
        (_("Provider"), entry.provider or "—"),
        (_("Date"), when),
        (_("Hours"), reader.hours(entry.hours)),
        (_("Result"), result_words(entry.result, _, reader.hours) or "—"),
        (_("Type of training"), names.local_name(entry.training_type, reader.language) or "—"),
        (_("Competences"), ", ".join(competences) or "—"),
        (_("Status"), status_text(state, entry.valid_until, reader.day, _)),
    ]
    label_width = 45
    for label, value in facts:
        doc.font(10, bold=True)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin + 10, y)
        pdf.multi_cell(label_width, 6, doc.text(label))
        doc.font(10, bold=label == _("Status") and state != "valid")
        pdf.set_xy(pdf.l_margin + 10 + label_width, y)
        pdf.multi_cell(pdf.epw - 20 - label_width, 6, doc.text(_short(value)))
        pdf.set_y(max(pdf.get_y(), y + 6) + 1)

    bottom = pdf.h - pdf.b_margin - QR_SIZE - 8
    doc.qr(verify_url, x=pdf.l_margin, y=bottom, size=QR_SIZE)
    text_x = pdf.l_margin + QR_SIZE + 6
    pdf.set_xy(text_x, bottom + 4)
    doc.font(10)
    pdf.multi_cell(
        pdf.epw - QR_SIZE - 6,
        5,
        doc.text(_("Issued by %(issuer)s. Check this certificate at:") % {"issuer": issuer.name}),
    )
    pdf.set_x(text_x)
    pdf.set_text_color(0, 0, 160)
    doc.font(9)
    pdf.multi_cell(pdf.epw - QR_SIZE - 6, 5, verify_url, link=verify_url)
    pdf.set_text_color(0, 0, 0)
    pdf.set_x(text_x)
    pdf.multi_cell(
        pdf.epw - QR_SIZE - 6,
        5,
        doc.text(_("Printed on %(day)s.") % {"day": reader.day(today)}),
    )
    return doc.output()
