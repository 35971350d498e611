"""The font parsed once per process (pdf_fonts) gives the same document as fpdf2's own
add_font, byte for byte but for the random /ID and the creation date, also when documents
one after the other use other letters (each has its own subset)."""

from __future__ import annotations

import re

import pytest
from fpdf import FPDF

from lti_tool.passports import pdf_fonts
from lti_tool.passports.pdf_layout import FONT_DIRS

REGULAR, BOLD = FONT_DIRS[0] / "DejaVuSans.ttf", FONT_DIRS[0] / "DejaVuSans-Bold.ttf"


def _document(parsed: bool, text: str) -> bytes:
    pdf = FPDF()
    for style, path in (("", REGULAR), ("B", BOLD)):
        if parsed:
            assert pdf_fonts.add_parsed_font(pdf, "DejaVu", style, str(path))
        else:
            pdf.add_font("DejaVu", style, str(path))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 9)
    pdf.text(10, 10, text)
    pdf.set_font("DejaVu", "B", 12)
    pdf.text(10, 20, text[::-1])
    out = bytes(pdf.output())
    out = re.sub(rb"/CreationDate \(D:[^)]*\)", b"", out)
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", out)


@pytest.mark.skipif(not REGULAR.is_file(), reason="DejaVu is not installed")
def test_the_parsed_font_gives_the_same_document():
    texts = ["Hello Ωmega Жук", "Zürich ĳ ΑΒΓ éàçñøß", "Łódź Ελλάδα Київ 0123456789", "ü"]
    for text in [*texts, *texts]:  # the second round reuses the process's parsed font
        assert _document(True, text) == _document(False, text), text
    # A document's letters do not leak into the next one's subset.
    assert len(_document(True, "a")) < len(_document(True, "Łódź Ελλάδα Київ"))
    assert _document(True, "a") == _document(False, "a")
