"""Texts per language (``{"nl": ..., "fr": ..., "de": ..., "en": ...}``) and the words of a text
as the search sees them: Snowball stems in the page's language, the same algorithms PostgreSQL's
text-search configurations of that name use (``dutch``, ``french``, ``german``, ``english``)."""

from __future__ import annotations

import functools
import re
from typing import Any

import snowballstemmer

from .models import LANGUAGES

CONFIGURATIONS = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}
_WORD = re.compile(r"\w+", re.UNICODE)


def in_language(values: dict[str, Any] | None, language: str) -> str:
    """The text in ``language``, else English, else the first language filled in."""
    values = values or {}
    for code in (language, "en", *LANGUAGES):
        text = str(values.get(code) or "").strip()
        if text:
            return text
    return ""


def per_language(form: Any, field: str, limit: int) -> dict[str, str]:
    """``{language: text}`` from form fields ``<field>_<language>``; blank ones left out."""
    found = {}
    for language in LANGUAGES:
        value = (form.get(f"{field}_{language}") or "").strip()[:limit]
        if value:
            found[language] = value
    return found


@functools.cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(CONFIGURATIONS.get(language, "english"))


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "") if not w.isdigit() or len(w) > 1]


@functools.lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    # A catalogue's words repeat a lot: a cache makes indexing many offers several times faster.
    return str(_stemmer(language).stemWord(word))


def stems(text: str, language: str) -> list[str]:
    """The words' stems: "Schweißen" -> "schweiss", "lassen" -> "las"."""
    return [_stem(word, language) for word in words(text)]
