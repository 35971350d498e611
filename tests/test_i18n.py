"""Translations: every string in the code is in the Dutch, French and German catalogues, translated,
and pages come out in the chosen language with the right ``<html lang>``.

The catalogue check extracts the strings from the source itself (with babel.cfg), so a feature that
adds a string without translating it fails here, not silently in front of a user. The fix is in
docs/translating.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = PROJECT_ROOT / "lti_tool" / "translations"
LOCALES = ("nl", "fr", "de")
# The same keywords as the extract command in docs/translating.md.
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
FIX = "see docs/translating.md: extract, update, translate, compile"


def load_catalog(locale: str) -> Catalog:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def source_message_ids() -> dict[str, str]:
    """msgid -> where it was found, extracted from lti_tool/ as pybabel would."""
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def msgid_of(message: object) -> str:
    msg_id = message.id  # type: ignore[attr-defined]
    return msg_id[0] if isinstance(msg_id, tuple) else msg_id


def translation_of(catalog: Catalog, msgid: str) -> str:
    message = catalog.get(msgid)
    assert message is not None and message.string, (
        f"{msgid!r} is not translated in {catalog.locale}"
    )
    return str(message.string)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalogue_message_is_translated(locale):
    catalog = load_catalog(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        singular = msgid_of(message)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"not translated: {singular!r}")
            continue
        if message.fuzzy:
            problems.append(f"marked fuzzy (check it, then remove the flag): {singular!r}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(
                    f"placeholders differ from {sorted(wanted)}: {singular!r} -> {text!r}"
                )
    for message, errors in catalog.check():
        problems.extend(f"{msgid_of(message)!r}: {error}" for error in errors)
    assert not problems, f"{locale}/messages.po ({FIX}):\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_code_is_in_the_catalogue(locale):
    in_code = source_message_ids()
    assert len(in_code) > 50  # the extraction itself worked
    catalog_ids = {msgid_of(m) for m in load_catalog(locale) if m.id}
    missing = sorted(set(in_code) - catalog_ids)
    assert not missing, f"strings missing from {locale}/messages.po ({FIX}):\n" + "\n".join(
        f"{in_code[m]}: {m!r}" for m in missing
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_up_to_date(locale):
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    mo = folder / "messages.mo"
    assert mo.is_file(), f"{mo} is missing: run .venv/bin/pybabel compile -d lti_tool/translations"
    assert mo.stat().st_mtime >= (folder / "messages.po").stat().st_mtime, (
        f"{mo} is older than its .po: run .venv/bin/pybabel compile -d lti_tool/translations"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_start_page_speaks_the_chosen_language(client, locale):
    catalog = load_catalog(locale)
    response = client.get(f"/?lang={locale}")
    assert response.status_code == 200
    doc = html.fromstring(response.data)
    assert doc.get("lang") == locale
    heading = translation_of(catalog, "Welcome to learnpass")
    assert heading != "Welcome to learnpass"
    assert doc.findtext(".//h1") == heading
    assert translation_of(catalog, "Skip to content") in response.text
    # The choice is kept for the next page, without ?lang=.
    again = html.fromstring(client.get("/").data)
    assert again.get("lang") == locale


@pytest.mark.parametrize("locale", LOCALES)
def test_refused_launch_page_speaks_the_browser_language(client, locale):
    catalog = load_catalog(locale)
    response = client.post(
        "/lti/launch",
        data={"id_token": "not.a.token", "state": "never-issued"},
        headers={"Accept-Language": f"{locale};q=1, en;q=0.5"},
    )
    assert response.status_code == 400
    doc = html.fromstring(response.data)
    assert doc.get("lang") == locale
    title = translation_of(catalog, "This sign-in did not start here")
    assert doc.findtext(".//h1") == title
    assert "This sign-in did not start here" not in response.text
    for heading in ("What happened", "What you can do"):
        assert translation_of(catalog, heading) in [h.text for h in doc.iter("h2")]


def test_english_stays_the_default(client):
    response = client.get("/", headers={"Accept-Language": "ja"})
    doc = html.fromstring(response.data)
    assert doc.get("lang") == "en"
    assert doc.findtext(".//h1") == "Welcome to learnpass"
