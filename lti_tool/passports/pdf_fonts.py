"""A TrueType font parsed once per process for every PDF (fpdf2 parses it per document: about
25 ms of CPU for each of DejaVu's two styles, and as much again when it subsets the font).

fpdf2 keeps a document's glyph subset in its parsed font and subsets the fontTools font in place
when it writes the file, so a parsed font cannot be shared as it is. What is read-only is shared:
the widths, glyph ids and descriptor fpdf2 computed; each document gets its own subset map and
its own fontTools font, opened from the file's bytes kept in memory, from which the layout
tables (GSUB, GDEF, ...) fpdf2 drops from every embedded subset are removed unread (fontTools
decompiled them before dropping them: most of the subsetting's time). The document is the same, byte for byte but for its random
/ID (tests/passports/test_documents.py).

When fpdf2's font object no longer looks as this module expects, ``add_parsed_font`` says so and
the caller adds the font the usual way.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
from typing import Any

log = logging.getLogger(__name__)

# Tables fpdf2's output drops from an embedded subset (fpdf/output.py, _add_fonts) that a
# text font carries. Not GPOS: the subsetter reads it to keep accented letters' parts, and the
# subset came out different without it.
DROPPED_TABLES = ("FFTM", "GDEF", "GSUB", "MATH", "hdmx", "meta")
PER_DOCUMENT = ("i", "ttfont", "subset", "missing_glyphs", "biggest_size_pt", "_hbfont")


@functools.cache
def _parsed(path: str, style: str) -> tuple[Any, bytes] | None:
    """fpdf2's parsed font as a template, and the font file's bytes."""
    try:
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        pdf = FPDF()
        pdf.add_font("template", style, path)
        template = pdf.fonts["template" + style]
        if not isinstance(template, TTFFont) or not all(
            name in TTFFont.__slots__ for name in PER_DOCUMENT
        ):
            raise TypeError("fpdf2's TTFFont changed")
        with open(path, "rb") as file:
            return template, file.read()
    except Exception:  # noqa: BLE001 (any surprise: the usual, slower way)
        log.warning("font %s is parsed per PDF", path, exc_info=True)
        return None


def add_parsed_font(pdf: Any, family: str, style: str, path: str) -> bool:
    """Add the font to ``pdf`` from the process's parsed copy; False when that is not possible
    (then nothing was added)."""
    parsed = _parsed(path, style)
    if parsed is None:
        return False
    from fontTools import ttLib
    from fpdf.fonts import SubsetMap

    template, data = parsed
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.fontkey = family.lower() + style
    font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    for tag in DROPPED_TABLES:  # unread: fpdf2 drops them when it subsets
        if tag in font.ttfont:
            del font.ttfont[tag]
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    pdf.fonts[font.fontkey] = font
    return True
