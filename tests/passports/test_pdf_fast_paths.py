"""The passport PDF's fast paths draw what the slower ones drew: PDF's own Helvetica (cp1252)
when every character fits, the embedded DejaVu when one does not (a Polish or Greek name); a
table row's strings in one text object land where fpdf2's text() put each; the days worded
with the locale's pattern looked up once read as Flask-Babel's format_date words them."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from flask_babel import force_locale
from fpdf import FPDF
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.document_routes import long_date, long_dates
from lti_tool.passports.pdf_layout import FONT_DIRS, embed_font, text_runs

from .conftest import sign_in
from .test_documents import flat, pdf_pages

RUNS = [(12.0, 20.5, "Fire warden"), (60.3, 20.5, "BHV — Nederland"), (91.7, 25.5, "7,5")]


def _chars(body: bytes) -> list[tuple[str, tuple[int, int]]]:
    """Each character of the first page and where it starts (in hundredths of a point)."""
    document = pdfium.PdfDocument(body)
    try:
        page = document[0].get_textpage()
        text = page.get_text_range()
        return [
            (char, (round(page.get_charbox(i)[0] * 100), round(page.get_charbox(i)[1] * 100)))
            for i, char in enumerate(text)
            if not char.isspace()
        ]
    finally:
        document.close()


@pytest.mark.parametrize("embedded", [False, True])
def test_text_runs_land_where_text_put_each_string(embedded):
    if embedded and not (FONT_DIRS[0] / "DejaVuSans.ttf").is_file():
        pytest.skip("DejaVu is not installed")

    def draw(one_object: bool) -> bytes:
        pdf = FPDF()
        pdf.set_compression(False)
        if embedded:
            family, _ = embed_font(pdf)
        else:
            pdf.core_fonts_encoding = "cp1252"
            family = "Helvetica"
        pdf.add_page()
        pdf.set_font(family, "", 9)
        if one_object:
            text_runs(pdf, RUNS)
        else:
            for x, y, value in RUNS:
                pdf.text(x, y, value)
        return bytes(pdf.output())

    runs, texts = draw(True), draw(False)
    # One text object instead of one per string (the font is chosen in one of its own).
    assert runs.count(b"BT ") == texts.count(b"BT ") - len(RUNS) + 1
    assert _chars(runs) == _chars(texts)
    assert "".join(c for c, _ in _chars(runs)) == "FirewardenBHV—Nederland7,5"


def _rename(app, name: str) -> None:
    with app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        lena.name = name
        db.session.commit()


def test_pdf_in_the_core_font_and_in_dejavu_when_a_letter_does_not_fit(passport_app):
    learner = passport_app.test_client()
    sign_in(passport_app, learner, "learner")
    for name in ("Lena de Vries", "Zoë Müller-Çelik"):  # cp1252: no font in the file
        _rename(passport_app, name)
        body = learner.get("/passport/export.pdf").data
        assert b"/FontFile2" not in body and b"/BaseFont /Helvetica" in body
        text = flat(pdf_pages(body)[0])
        assert name in text and "Valid, expires on" in text, text
    if not (FONT_DIRS[0] / "DejaVuSans.ttf").is_file():
        pytest.skip("DejaVu is not installed")
    for name in ("Łucja Wójcik", "Ελένη Παπαδοπούλου"):  # not in cp1252: DejaVu embedded
        _rename(passport_app, name)
        body = learner.get("/passport/export.pdf").data
        assert b"/FontFile2" in body
        text = flat(pdf_pages(body)[0])
        assert name in text and "Valid, expires on" in text, text


def test_long_dates_word_days_as_format_date_does(passport_app):
    days = [dt.date(2026, 1, 31), dt.date(2026, 10, 2), dt.date(1999, 12, 1), dt.date(9999, 12, 31)]
    with passport_app.test_request_context("/"):
        for language in ("en", "nl", "fr", "de"):
            with force_locale(language):
                day = long_dates()
                assert [day(d) for d in days] == [long_date(d) for d in days], language
