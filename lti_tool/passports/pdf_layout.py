"""What the passport PDF and the certificate share: fonts, the reader's words, dates and numbers,
the issuer's letterhead and the verification QR code (fpdf2 and segno)."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import pdf_fonts
from .issuer import Issuer
from .status_words import FormatDay, Translate, iso_day


@functools.cache
def _fill_mode() -> Any:
    """fpdf2's plain text mode; imported when a PDF is drawn, not when the app starts (fpdf2
    and fontTools were a fifth of a process's import time)."""
    try:
        from fpdf.enums import TextMode
    except ImportError:  # pragma: no cover (an fpdf2 without it: text() for each string)
        return object()
    return TextMode.FILL


FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def embed_font(pdf: Any) -> tuple[str, bool]:
    """DejaVu where the system has it (any script); else Helvetica, limited to Latin-1."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            for style, path in (("", regular), ("B", bold)):
                if not pdf_fonts.add_parsed_font(pdf, "DejaVu", style, str(path)):
                    pdf.add_font("DejaVu", style, str(path))
            return "DejaVu", True
    return "Helvetica", False


def plain_hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}".rstrip("0")


@dataclass(frozen=True)
class Reader:
    """The reader's language: ``_`` translates, ``day`` and ``hours`` format by their locale,
    ``language`` picks the catalogue's names (``names``; None: as given)."""

    _: Translate
    day: FormatDay = iso_day
    hours: Callable[[Decimal], str] = plain_hours
    plural: Callable[..., str] = lambda singular, plural, num, **values: (
        (singular if num == 1 else plural) % {"num": num, **values}
    )
    language: str | None = None


class Document:
    """An A4 fpdf2 document with a font for any script where the system has DejaVu (else
    Helvetica, limited to Latin-1: ``text`` replaces what it cannot show).

    ``core=True``: PDF's own Helvetica in the Windows Western encoding (cp1252: the letters of
    Dutch, French, German and English, with € – — “ ” ‘ ’ • …), no font written into the file
    (subsetting DejaVu was a fifth of a 1,000-entry passport's time). Any other character
    raises fpdf2's ``FPDFUnicodeEncodingException``; ``render_in_core_font`` then draws the
    document again with the embedded font."""

    def __init__(self, title: str, creator: str, *, core: bool = False) -> None:
        from fpdf import FPDF

        self.pdf: Any = FPDF(format="A4")
        self.core = core
        if core:
            self.pdf.core_fonts_encoding = "cp1252"
            self.family, self.unicode_ok = "Helvetica", True
        else:
            self.family, self.unicode_ok = self._font()
        self.pdf.set_title(self.text(title))
        self.pdf.set_creator(self.text(creator))
        self.pdf.set_author(self.text(creator))

    def _font(self) -> tuple[str, bool]:
        return embed_font(self.pdf)

    def text(self, value: str) -> str:
        return value if self.unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def line(self, height: float, value: str, *, align: str = "L", link: str = "") -> None:
        from fpdf.enums import XPos, YPos

        self.pdf.multi_cell(
            0,
            height,
            self.text(value),
            align=align,
            link=link,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def letterhead(self, issuer: Issuer, *, right_margin: float = 0) -> None:
        """The issuer's logo, name and address at the top left of the page."""
        pdf = self.pdf
        top = pdf.get_y()
        if issuer.logo_png:
            image = pdf.image(io.BytesIO(issuer.logo_png), x=pdf.l_margin, y=top, h=16)
            pdf.set_y(top + float(image.rendered_height) + 2)
        width = pdf.epw - right_margin
        self.font(12, bold=True)
        pdf.multi_cell(width, 6, self.text(issuer.name), new_x="LMARGIN", new_y="NEXT")
        self.font(9)
        for address_line in issuer.address_lines:
            pdf.multi_cell(width, 4.5, self.text(address_line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def qr(self, url: str, *, x: float, y: float, size: float) -> None:
        import segno

        image = io.BytesIO()
        segno.make(url, error="m").save(image, kind="png", scale=4, border=2)
        image.seek(0)
        self.pdf.image(image, x=x, y=y, w=size, h=size, link=url)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def text_runs(pdf: Any, runs: list[tuple[float, float, str]]) -> None:
    """Strings at their baselines (x, y in the page's units), all in one text object, as
    fpdf2's text() would draw each (a table row's cells: text() per string cost more than
    the rest of the row). Plain text only: with an underline, a text mode or colour of its
    own, or when fpdf2 no longer looks as expected, each string goes through text()."""
    font = getattr(pdf, "current_font", None)
    plain = (
        font is not None
        and hasattr(font, "encode_text")
        and not (pdf.underline or pdf.strikethrough or pdf._record_text_quad_points)
        and pdf.text_mode == _fill_mode()
        and pdf.fill_color == pdf.text_color
    )
    if not plain:
        for x, y, value in runs:
            pdf.text(x, y, value)
        return
    if not pdf.current_font_is_set_on_page:
        pdf._out(pdf._set_font_for_page(font, pdf.font_size_pt))
    k, height = pdf.k, pdf.h
    parts = ["BT"]
    for x, y, value in runs:
        # Tm places each string from the page's origin, as text()'s Td from a new BT does.
        parts.append(f"1 0 0 1 {x * k:.2f} {(height - y) * k:.2f} Tm")
        parts.append(font.encode_text(pdf.normalize_text(value)))
    parts.append("ET")
    pdf._out(" ".join(parts))


def render_in_core_font(draw: Callable[[bool], bytes]) -> bytes:
    """``draw(True)``, a document in the core font, when every character it writes fits
    cp1252; else ``draw(False)``, with the embedded font."""
    from fpdf.errors import FPDFUnicodeEncodingException

    try:
        return draw(True)
    except FPDFUnicodeEncodingException:
        return draw(False)


def long_day(reader: Reader, value: dt.date | None) -> str:
    return reader.day(value) if value else "—"
