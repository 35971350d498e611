"""Offers as schema.org ``Course`` JSON-LD, with one ``CourseInstance`` per date.

Two shapes:

- ``jsonld_document(records)``: every text in every language, as language-tagged values
  (``{"@value": ..., "@language": "nl"}``), the courses in an ``@graph``. This is the export and
  feed format; ``jsonld_read.read_jsonld`` reads it back to the same records.
- ``course_jsonld(record, language="nl")``: one course with plain strings in one language, for
  the ``<script type="application/ld+json">`` of an offer page (``script_json`` makes the text
  safe to put there). It follows Google's course info rules: name, description, provider,
  offers with a category, and a course instance with courseMode and courseWorkload.

The mapping is the table in docs/catalogue-formats.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from . import values
from .records import LANGUAGES, Competence, DateRecord, OfferRecord, Texts
from .sanitise import html_to_plain

CONTEXT = "https://schema.org"
# Our format words as schema.org / Google write them.
COURSE_MODES = {"online": "online", "classroom": "onsite", "blended": "blended"}
SELF_PACED_MODE = "asynchronous"


def _text(texts: Texts, language: str | None, *, html: bool = False) -> Any:
    if not texts:
        return None
    if language is not None:
        for lang in (language, "en", *LANGUAGES):
            if texts.get(lang):
                return html_to_plain(texts[lang]) if html else texts[lang]
        return None
    tagged = [{"@value": texts[lang], "@language": lang} for lang in LANGUAGES if texts.get(lang)]
    return tagged[0] if len(tagged) == 1 else tagged


def _term(competence: Competence, language: str | None) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm"}
    if competence.esco_uri:
        term["@id"] = competence.esco_uri
    if competence.code:
        term["termCode"] = competence.code
    name = _text(competence.name, language)
    if name:
        term["name"] = name
    return term


def _place(date: DateRecord) -> dict[str, Any] | None:
    address = {
        key: value
        for key, value in (
            ("streetAddress", date.street),
            ("postalCode", date.postcode),
            ("addressLocality", date.city),
            ("addressCountry", date.country),
        )
        if value
    }
    if not address and not date.place:
        return None
    place: dict[str, Any] = {"@type": "Place"}
    if date.place:
        place["name"] = date.place
    if address:
        place["address"] = {"@type": "PostalAddress", **address}
    return place


def _instance(record: OfferRecord, date: DateRecord | None, language: str | None) -> dict[str, Any]:
    mode = COURSE_MODES[record.format]
    instance: dict[str, Any] = {
        "@type": "CourseInstance",
        "courseMode": [mode, SELF_PACED_MODE] if record.self_paced else mode,
    }
    if record.hours is not None:
        instance["courseWorkload"] = values.duration_from_hours(record.hours)
    if record.languages:
        instance["inLanguage"] = record.languages
    if date is not None:
        instance["startDate"] = values.iso(date.start)
        if date.end is not None:
            instance["endDate"] = values.iso(date.end)
        if language is None:
            # The offset in startDate gives the moment, not the zone (Berlin or Brussels?). A
            # page's one-language course leaves this out: Google reads a courseSchedule as the
            # course's rhythm and asks for more than a time zone there.
            instance["courseSchedule"] = {"@type": "Schedule", "scheduleTimezone": date.timezone}
        place = _place(date)
        if place:
            instance["location"] = place
        if date.seats_left is not None:
            instance["remainingAttendeeCapacity"] = date.seats_left
    return instance


def _offer(record: OfferRecord) -> dict[str, Any] | None:
    if record.price is None:
        return None
    offer: dict[str, Any] = {
        "@type": "Offer",
        "category": "Free" if record.price == 0 else "Paid",
        "price": values.plain_number(record.price),
        "priceCurrency": record.currency,
    }
    if record.url:
        offer["url"] = record.url
    return offer


def course_jsonld(record: OfferRecord, *, language: str | None = None) -> dict[str, Any]:
    """One offer as a schema.org Course (without ``@context``; ``jsonld_document`` and
    ``script_json`` add it). ``language=None`` keeps every language as tagged values."""
    provider: dict[str, Any] = {"@type": "Organization", "name": record.provider.name}
    if record.provider.url:
        provider["url"] = record.provider.url
    course: dict[str, Any] = {
        "@type": "Course",
        "courseCode": record.ref,
        "name": _text(record.title, language),
        "description": _text(record.description, language, html=language is not None),
        "provider": provider,
        "url": record.url or None,
        "teaches": [_term(c, language) for c in record.competences] or None,
        "availableLanguage": record.languages or None,
        "timeRequired": None if record.hours is None else values.duration_from_hours(record.hours),
        "audience": None,
        "coursePrerequisites": _text(record.prerequisites, language),
        "educationalCredentialAwarded": _text(record.credential, language),
        "financialAidEligible": record.funding or None,
        "offers": _offer(record),
        "creativeWorkStatus": record.status,
        "hasCourseInstance": [_instance(record, d, language) for d in record.dates]
        or [_instance(record, None, language)],
    }
    audience = _text(record.target_group, language)
    if audience:
        course["audience"] = {"@type": "EducationalAudience", "audienceType": audience}
    return {key: value for key, value in course.items() if value is not None}


def jsonld_document(
    records: Iterable[OfferRecord], *, language: str | None = None
) -> dict[str, Any]:
    """Offers as one JSON-LD document: ``{"@context": "https://schema.org", "@graph": [...]}``."""
    return {"@context": CONTEXT, "@graph": [course_jsonld(r, language=language) for r in records]}


def script_json(record: OfferRecord, *, language: str) -> str:
    """The text for an offer page's ``<script type="application/ld+json">``: one language, and
    ``<``, ``>`` and ``&`` escaped so the text cannot close the script element."""
    data = {"@context": CONTEXT, **course_jsonld(record, language=language)}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
