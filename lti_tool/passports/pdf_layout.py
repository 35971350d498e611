"""What the passport PDF and the certificate share: fonts, the reader's words, dates and numbers,
the issuer's letterhead and the verification QR code (fpdf2 and segno)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import pdf_fonts
from .issuer import Issuer
from .status_words import FormatDay, Translate, iso_day

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
    Helvetica, limited to Latin-1: ``text`` replaces what it cannot show)."""

    def __init__(self, title: str, creator: str) -> None:
        from fpdf import FPDF

        self.pdf: Any = FPDF(format="A4")
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


def long_day(reader: Reader, value: dt.date | None) -> str:
    return reader.day(value) if value else "—"
