"""Walking a JSON-LD document the way schema.org markup is written in practice.

No JSON-LD processor: a remote ``@context`` is never fetched (the reader must not call out), and
the documents providers write are shallow. What is understood: a single node, a list, an
``@graph``; references by ``@id`` between top-level nodes; property and type names plain or
with a schema.org prefix; texts as plain strings, language-tagged values or objects per
language; a ``@language`` in the ``@context``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import values
from .records import LANGUAGES, Texts
from .sanitise import plain_text, safe_html

PREFIXES = ("", "schema:", "https://schema.org/", "http://schema.org/")
MAX_DEPTH = 3  # lists and graphs inside each other; deeper is not a feed anyone writes


def type_names(node: dict[str, Any]) -> set[str]:
    types = node.get("@type", [])
    names = set()
    for name in types if isinstance(types, list) else [types]:
        if isinstance(name, str):
            for prefix in PREFIXES[1:]:
                name = name.removeprefix(prefix)
            names.add(name)
    return names


def first_string(value: Any) -> str:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            return str(item)
        if isinstance(item, dict):
            for key in ("@value", "value", "@id"):
                if isinstance(item.get(key), str | int | float):
                    return str(item[key])
    return ""


def get(node: dict[str, Any], name: str) -> Any:
    for prefix in PREFIXES:
        if prefix + name in node:
            return node[prefix + name]
    return None


class Graph:
    """The nodes of one document, with their ``@id`` index and the document's text language."""

    def __init__(self, data: Any, default_language: str) -> None:
        self.default_language = default_language
        self.nodes = list(self._walk(data, default_language, depth=0))
        self.by_id: dict[str, dict[str, Any]] = {}
        for node, _language in self.nodes:
            if isinstance(node.get("@id"), str):
                self.by_id.setdefault(node["@id"], node)

    def of_type(self, name: str) -> Iterator[tuple[dict[str, Any], str]]:
        """The top-level nodes of a type, each with the language of its plain-string texts."""
        for node, language in self.nodes:
            if name in type_names(node):
                yield node, language

    def _walk(self, data: Any, language: str, depth: int) -> Iterator[tuple[dict[str, Any], str]]:
        if depth > MAX_DEPTH:
            return
        if isinstance(data, list):
            for item in data:
                yield from self._walk(item, language, depth + 1)
        elif isinstance(data, dict):
            context = data.get("@context")
            for part in context if isinstance(context, list) else [context]:
                if isinstance(part, dict) and isinstance(part.get("@language"), str):
                    language = values.catalogue_language(part["@language"])
            if "@graph" in data:
                yield from self._walk(data["@graph"], language, depth + 1)
            else:
                yield data, language

    def deref(self, value: Any) -> Any:
        """A reference ``{"@id": ...}`` replaced by the node it names, when the document has it."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
            return self.by_id.get(str(value.get("@id")), value)
        return value

    def values_of(self, node: dict[str, Any], name: str) -> list[Any]:
        """A property's values as a list (one value or many), references followed."""
        value = get(node, name)
        if value is None:
            return []
        return [self.deref(v) for v in (value if isinstance(value, list) else [value])]

    def texts(
        self, items: list[Any], language: str, *, html: bool = False, lines: bool = False
    ) -> Texts:
        """Texts per catalogue language from plain strings (in ``language``), tagged values and
        objects per language; sanitised HTML (``html``) or plain text, on one line unless
        ``lines``. The first text of a language wins."""
        texts: Texts = {}

        def put(lang: str, raw: Any) -> None:
            if not isinstance(raw, str) or lang not in LANGUAGES or lang in texts:
                return
            raw = values.bounded(raw, "a text", values.MAX_LONG_TEXT)
            text = safe_html(raw) if html else plain_text(raw, single_line=not lines)
            if text:
                texts[lang] = text

        for item in items:
            if isinstance(item, str):
                put(language, item)
            elif isinstance(item, dict) and "@value" in item:
                tag = item.get("@language")
                put(
                    values.catalogue_language(tag) if isinstance(tag, str) else language,
                    item["@value"],
                )
            elif isinstance(item, dict) and item and all(not k.startswith("@") for k in item):
                for key, text in item.items():
                    put(values.catalogue_language(key), text)
        return texts

    def named(self, items: list[Any], language: str, *names: str, lines: bool = False) -> Texts:
        """Texts given directly, or as the ``name`` (or another property) of an object."""
        texts = self.texts(items, language, lines=lines)
        for item in items:
            if isinstance(item, dict) and "@type" in item:
                for name in names:
                    found = self.texts(self.values_of(item, name), language, lines=lines)
                    for lang, text in found.items():
                        texts.setdefault(lang, text)
        return texts
