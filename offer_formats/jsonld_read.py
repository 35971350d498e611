"""Read offers from schema.org ``Course`` JSON-LD (the mapping is in docs/catalogue-formats.md).

Accepted: one Course object, a list of them, or a document with an ``@graph`` (nodes there may
refer to each other by ``@id``, e.g. a shared provider Organization). Property names may be
plain (``name``) or prefixed (``schema:name``, ``https://schema.org/name``); a remote
``@context`` is never fetched. A text may be a plain string (in the document's ``@language``,
else the course's single ``inLanguage``, else ``default_language``), a language-tagged value
``{"@value": ..., "@language": "nl-BE"}``, a list of those, or an object per language
``{"nl": ..., "fr": ...}``; texts in languages other than nl, fr, de and en are not kept.

Each course is read whole or refused with a reason; nodes that are not courses are ignored.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from . import values
from .errors import N_, Refusal, refusal_of
from .jsonld_nodes import Graph, first_string, get, type_names
from .jsonld_write import SELF_PACED_MODE
from .records import (
    DEFAULT_TIMEZONE,
    LANGUAGES,
    Competence,
    DateRecord,
    OfferRecord,
    Provider,
    RowError,
)
from .sanitise import plain_text

SELF_PACED_WORDS = {SELF_PACED_MODE, "self-paced", "selfpaced", "self paced"}
ATTENDANCE_MODES = {
    "onlineeventattendancemode": "online",
    "offlineeventattendancemode": "classroom",
    "mixedeventattendancemode": "blended",
}


class JsonLdRead(NamedTuple):
    """The offers that could be read, and every course refused (``row`` is its position)."""

    records: list[OfferRecord]
    errors: list[RowError]


def read_jsonld(
    data: bytes | str | Any,
    *,
    default_language: str = "en",
    default_timezone: str = DEFAULT_TIMEZONE,
    provider: Provider | None = None,
) -> JsonLdRead:
    """Read offers from JSON-LD (bytes, text, or already parsed JSON). ``provider`` is used for
    courses that name none (a provider's own feed often leaves it out)."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            return _document_error(N_("the document is not JSON: %(problem)s"), problem=exc)
    reader = _Reader(data, default_language, default_timezone, provider)
    courses = list(reader.of_type("Course"))
    if not courses:
        return _document_error(N_("the document holds no schema.org Course"))
    read: list[tuple[int, OfferRecord]] = []
    errors: list[RowError] = []
    for position, (node, language) in enumerate(courses, start=1):
        try:
            read.append((position, reader.course(node, language)))
        except ValueError as exc:
            refusal = refusal_of(exc)
            ref = _ref_or_empty(node)
            errors.append(RowError(position, refusal.reason, ref, refusal.template, refusal.params))
    # Two courses with one key would both update the same offer: neither is taken.
    positions: dict[tuple[str, str], list[int]] = {}
    for position, record in read:
        positions.setdefault((record.provider.name, record.ref), []).append(position)
    records = []
    for position, record in read:
        same = positions[(record.provider.name, record.ref)]
        if len(same) == 1:
            records.append(record)
            continue
        refusal = Refusal(
            N_("courseCode '%(ref)s' is given to more than one course (courses %(positions)s)"),
            ref=record.ref,
            positions=", ".join(str(p) for p in same),
        )
        errors.append(
            RowError(position, refusal.reason, record.ref, refusal.template, refusal.params)
        )
    errors.sort(key=lambda error: error.row)
    return JsonLdRead(records, errors)


def _document_error(template: str, **params: object) -> JsonLdRead:
    refusal = Refusal(template, **params)
    return JsonLdRead([], [RowError(0, refusal.reason, "", refusal.template, refusal.params)])


def _ref_or_empty(node: dict[str, Any]) -> str:
    try:
        return _ref(node)
    except ValueError:
        return ""


def _ref(node: dict[str, Any]) -> str:
    for name in ("courseCode", "identifier", "@id", "url"):
        value = first_string(get(node, name) if name != "@id" else node.get("@id"))
        if value.strip():
            return values.ref(value)
    raise Refusal(N_("the course has no courseCode, identifier, @id or url to know it by"))


class _Reader(Graph):
    """Courses to offers."""

    def __init__(
        self, data: Any, default_language: str, default_timezone: str, provider: Provider | None
    ) -> None:
        super().__init__(data, default_language)
        self.default_timezone = default_timezone
        self.provider = provider

    def course(self, node: dict[str, Any], language: str) -> OfferRecord:
        ref = _ref(node)
        own = [
            values.catalogue_language(v)
            for v in self.values_of(node, "inLanguage")
            if isinstance(v, str)
        ]
        if len(set(own)) == 1 and own[0] in LANGUAGES and language == self.default_language:
            language = own[0]
        title = self.texts(self.values_of(node, "name"), language)
        if not title:
            raise Refusal(N_("the course has no name in nl, fr, de or en"))
        for text in title.values():
            values.bounded(text, "the course name")
        instances = [i for i in self.values_of(node, "hasCourseInstance") if isinstance(i, dict)]
        dates, self_paced = self._dates(instances)
        hours = None
        for duration in [*self.values_of(node, "timeRequired"), *self._workloads(instances)]:
            if isinstance(duration, str) and duration.strip().upper().startswith("P"):
                hours = values.hours_from_duration(duration)
                break
        price, currency = self._price(self.values_of(node, "offers"))
        status = first_string(get(node, "creativeWorkStatus"))
        return OfferRecord(
            ref=ref,
            provider=self._provider(node),
            title=title,
            description=self.texts(self.values_of(node, "description"), language, html=True),
            competences=[
                self._competence(item, language) for item in self.values_of(node, "teaches")
            ],
            format=self._format(instances),
            languages=self._languages(node, instances),
            hours=hours,
            target_group=self.named(
                self.values_of(node, "audience"), language, "audienceType", "name", lines=True
            ),
            prerequisites=self.named(
                self.values_of(node, "coursePrerequisites"),
                language,
                "name",
                "targetName",
                lines=True,
            ),
            price=price,
            currency=currency,
            funding=[
                text
                for item in self.values_of(node, "financialAidEligible")
                for text in list(self.named([item], language, "name").values())[:1]
            ],
            credential=self.named(
                self.values_of(node, "educationalCredentialAwarded"), language, "name"
            ),
            status=values.status(status),
            url=values.web_url(first_string(get(node, "url"))),
            dates=dates,
            self_paced=self_paced,
        )

    def _provider(self, node: dict[str, Any]) -> Provider:
        for item in self.values_of(node, "provider"):
            if isinstance(item, str) and plain_text(item):
                return Provider(plain_text(values.bounded(item, "provider")))
            if isinstance(item, dict):
                names = self.texts(self.values_of(item, "name"), self.default_language)
                name = next(iter(names.values()), "") or plain_text(first_string(get(item, "name")))
                if name:
                    url = values.web_url(first_string(get(item, "url")), "provider url")
                    return Provider(values.bounded(name, "provider"), url)
        if self.provider is not None:
            return self.provider
        raise Refusal(N_("the course has no provider with a name"))

    def _competence(self, item: Any, language: str) -> Competence:
        if isinstance(item, str):
            return values.competence(item)
        if not isinstance(item, dict):
            raise Refusal(N_("a teaches value is neither a text nor a DefinedTerm"))
        code = plain_text(first_string(get(item, "termCode")))
        uri = ""
        for name in ("@id", "url", "sameAs"):
            candidate = first_string(item.get(name) if name == "@id" else get(item, name))
            if candidate.startswith(("http://", "https://")):
                uri = values.web_url(candidate, "competence URI")
                break
        if not code and not uri:
            raise Refusal(N_("a teaches DefinedTerm has neither a termCode nor an http(s) @id"))
        found = values.competence(code) if code else Competence()
        return Competence(found.code, uri, self.texts(self.values_of(item, "name"), language))

    def _modes(self, instance: dict[str, Any]) -> list[str]:
        words = [
            str(v).strip().lower()
            for v in self.values_of(instance, "courseMode")
            if isinstance(v, str)
        ]
        for value in self.values_of(instance, "eventAttendanceMode"):
            word = first_string(value).rsplit("/", 1)[-1].lower()
            if word in ATTENDANCE_MODES:
                words.append(ATTENDANCE_MODES[word])
        return words

    def _format(self, instances: list[dict[str, Any]]) -> str:
        for instance in instances:
            for word in self._modes(instance):
                if word in values.FORMAT_WORDS:
                    return values.FORMAT_WORDS[word]
        raise Refusal(N_("no course instance gives a courseMode of online, onsite or blended"))

    def _languages(self, node: dict[str, Any], instances: list[dict[str, Any]]) -> list[str]:
        found: list[str] = []
        for holder, name in [(node, "availableLanguage"), (node, "inLanguage")] + [
            (i, "inLanguage") for i in instances
        ]:
            for value in self.values_of(holder, name):
                if isinstance(value, dict):
                    value = first_string(get(value, "alternateName")) or first_string(
                        get(value, "name")
                    )
                if isinstance(value, str) and value.strip():
                    found.append(values.language(value))
        return list(dict.fromkeys(found))

    def _workloads(self, instances: list[dict[str, Any]]) -> list[Any]:
        return [w for i in instances for w in self.values_of(i, "courseWorkload")]

    def _price(self, offers: list[Any]) -> tuple[Any, str]:
        for offer in offers:
            if not isinstance(offer, dict):
                continue
            price = get(offer, "price")
            if isinstance(price, list):
                price = price[0] if price else None
            category = first_string(get(offer, "category")).strip().lower()
            currency = values.currency(first_string(get(offer, "priceCurrency")))
            if isinstance(price, str | int | float) and str(price).strip():
                return values.decimal(price, "price", values.MAX_PRICE), currency
            if category == "free":
                return values.decimal(0, "price", values.MAX_PRICE), currency
        return None, "EUR"

    # -- dates

    def _dates(self, instances: list[dict[str, Any]]) -> tuple[list[DateRecord], bool]:
        dates, self_paced = [], False
        for instance in instances:
            start = first_string(get(instance, "startDate"))
            if not start:
                self_paced = self_paced or bool(SELF_PACED_WORDS & set(self._modes(instance)))
                continue
            dates.append(self._date(instance, start))
        if dates and self_paced:
            raise Refusal(
                N_("the course has self-paced and dated instances; give them as two courses")
            )
        return dates, self_paced

    def _zone(self, instance: dict[str, Any], start: str) -> str:
        for name in ("courseSchedule", "eventSchedule"):
            for schedule in self.values_of(instance, name):
                if isinstance(schedule, dict):
                    zone = first_string(get(schedule, "scheduleTimezone"))
                    if zone:
                        return values.timezone(zone, self.default_timezone)
        try:
            moment = datetime.fromisoformat(start.strip().replace("Z", "+00:00"))
        except ValueError:
            return self.default_timezone  # values.moment says what is wrong with it
        offset = moment.utcoffset()
        if not offset or moment.astimezone(ZoneInfo(self.default_timezone)).utcoffset() == offset:
            # No offset, UTC ("Z": a moment, likely written by a program), or the default zone's.
            return self.default_timezone
        hours, rest = divmod(offset, timedelta(hours=1))
        if rest or not -12 <= hours <= 14:
            return "UTC"
        # IANA's fixed-offset zones count the other way round: UTC+2 is Etc/GMT-2.
        return f"Etc/GMT{-hours:+d}"

    def _date(self, instance: dict[str, Any], start: str) -> DateRecord:
        zone = self._zone(instance, start)
        begins = values.moment(start, zone, "startDate")
        end_text = first_string(get(instance, "endDate"))
        ends = values.moment(end_text, zone, "endDate") if end_text else None
        if ends is not None and ends < begins:
            raise Refusal(N_("a course instance's endDate is before its startDate"))
        date = DateRecord(start=begins, end=ends, timezone=zone)
        for location in self.values_of(instance, "location"):
            if isinstance(location, str):
                date.place = plain_text(values.bounded(location, "location"))
            elif isinstance(location, dict) and "VirtualLocation" not in type_names(location):
                address = location
                if "PostalAddress" not in type_names(location):
                    date.place = plain_text(
                        values.bounded(first_string(get(location, "name")), "place")
                    )
                    address = self.deref(get(location, "address") or {})
                if isinstance(address, str):
                    date.street = plain_text(values.bounded(address, "address"))
                elif isinstance(address, dict):
                    self._address(date, address)
            break
        seats = get(instance, "remainingAttendeeCapacity")
        if seats is not None:
            date.seats_left = values.seats(first_string(seats))
        return date

    def _address(self, date: DateRecord, address: dict[str, Any]) -> None:
        def text(name: str) -> str:
            return plain_text(values.bounded(first_string(get(address, name)), name))

        date.street = text("streetAddress")
        date.postcode = text("postalCode")
        date.city = text("addressLocality")
        country = get(address, "addressCountry")
        if isinstance(country, dict):
            country = get(country, "identifier") or get(country, "name")
        code = first_string(country).strip()
        date.country = values.country(code) if len(code) == 2 else ""
