"""Imported text is never trusted: descriptions keep a small set of HTML, every other text is plain.

Both go through ``nh3`` (the Python binding of the Rust sanitiser ammonia), which parses HTML as a
browser does; a hand-written regular expression would miss the tricks (unclosed tags, entities,
``javascript:`` written with tabs) that a parser does not.
"""

from __future__ import annotations

import html
import re

import nh3

# The HTML a description may keep.
ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "em", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\r\n\u00a0]+")


def safe_html(text: str) -> str:
    """``text`` with only the allowed tags kept (scripts and styles dropped with their content),
    links limited to http, https and mailto and given ``rel="noopener nofollow"``."""
    text = _CONTROL.sub("", text or "")
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.strip()


def plain_text(text: str, *, single_line: bool = True) -> str:
    """``text`` without any markup: tags removed (script and style with their content), entities
    turned back into characters, control characters dropped; on one line unless told otherwise.
    The result is text to be escaped when shown, never HTML."""
    if not text:
        return ""
    text = _CONTROL.sub("", text)
    if "<" in text or "&" in text:
        text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    if single_line:
        return _SPACES.sub(" ", text).strip()
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


def html_to_plain(text: str) -> str:
    """A sanitised description as plain text (for a page's one-language JSON-LD or a CSV view):
    paragraph and line breaks become spaces."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>", " ", text or "")
    return plain_text(text)
