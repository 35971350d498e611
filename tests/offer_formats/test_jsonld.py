"""schema.org Course / CourseInstance JSON-LD: round trips, the shapes other sites write, refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from offer_formats.csv_format import write_csv
from offer_formats.jsonld_read import read_jsonld
from offer_formats.jsonld_write import course_jsonld, jsonld_document, script_json
from offer_formats.records import Provider

from .samples import FORKLIFT, all_offers, classroom_offer, self_paced_offer


def test_records_to_jsonld_to_records_is_exact() -> None:
    offers = all_offers()
    document = json.dumps(jsonld_document(offers))
    records, errors = read_jsonld(document.encode("utf-8"))
    assert errors == []
    assert records == offers
    assert records[2].dates[0].timezone == "Europe/Berlin"  # kept: an offset alone would not say


def test_jsonld_to_records_to_jsonld_is_exact() -> None:
    document = jsonld_document(all_offers())
    again = jsonld_document(read_jsonld(json.loads(json.dumps(document))).records)
    assert again == document


def test_csv_and_jsonld_carry_the_same_offers() -> None:
    from offer_formats.csv_format import read_csv

    offers = all_offers()
    via_jsonld = read_jsonld(jsonld_document(offers)).records
    assert read_csv(write_csv(via_jsonld)).records == offers


def test_the_course_has_what_google_course_info_asks_for() -> None:
    course = course_jsonld(classroom_offer(), language="nl")
    for key in ("name", "description", "provider", "offers", "hasCourseInstance"):
        assert course[key], key
    assert course["offers"] == {
        "@type": "Offer",
        "category": "Paid",
        "price": "450.5",
        "priceCurrency": "EUR",
        "url": "https://opleiding.example.org/heftruck",
    }
    first = course["hasCourseInstance"][0]
    assert first["courseMode"] == "onsite" and first["courseWorkload"] == "PT7H30M"
    assert first["startDate"] == "2027-03-14T09:00+01:00"
    assert first["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Industrieweg 10",
        "postalCode": "9000",
        "addressLocality": "Gent",
        "addressCountry": "BE",
    }
    assert first["remainingAttendeeCapacity"] == 8
    assert course["teaches"][0] == {
        "@type": "DefinedTerm",
        "@id": FORKLIFT,
        "termCode": "LOG-HEF-01",
    }
    # One language, plain strings: the description loses its markup.
    assert course["name"] == "Heftruck veilig besturen"
    assert course["description"] == "Twee dagen. Veiligheid Meer"
    # Falls back to another language where the page's one is missing.
    assert course_jsonld(classroom_offer(), language="de")["name"] == "Heftruck veilig besturen"
    assert "courseSchedule" not in first
    free = course_jsonld(self_paced_offer(), language="de")
    assert free["offers"]["category"] == "Free"
    assert free["hasCourseInstance"] == [
        {
            "@type": "CourseInstance",
            "courseMode": ["online", "asynchronous"],
            "courseWorkload": "PT4H",
            "inLanguage": ["de", "en"],
        }
    ]


def test_the_page_script_cannot_be_closed_by_an_offer_text() -> None:
    offer = classroom_offer()
    offer.title["nl"] = "</script><script>alert(1)</script> & co"
    text = script_json(offer, language="nl")
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & co"
    assert json.loads(text)["@context"] == "https://schema.org"


def minimal(**extra: Any) -> dict[str, Any]:
    course = {
        "@type": "Course",
        "courseCode": "C1",
        "name": "Forklift safety",
        "provider": {"@type": "Organization", "name": "Prov"},
        "hasCourseInstance": {"@type": "CourseInstance", "courseMode": "Onsite"},
    }
    course.update(extra)
    return {key: value for key, value in course.items() if value is not None}


def test_a_single_object_a_list_and_a_graph_are_all_read() -> None:
    single = {"@context": "https://schema.org", **minimal()}
    assert [r.ref for r in read_jsonld(single).records] == ["C1"]
    assert [r.ref for r in read_jsonld([minimal(), minimal(courseCode="C2")]).records] == [
        "C1",
        "C2",
    ]
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Organization",
                "@id": "#prov",
                "name": "Shared Provider",
                "url": "https://p.example.org",
            },
            minimal(provider={"@id": "#prov"}),
            {"@type": "WebPage", "name": "not a course"},
            minimal(courseCode="C2", hasCourseInstance={"@id": "#run"}),
            {
                "@type": "CourseInstance",
                "@id": "#run",
                "courseMode": "blended",
                "startDate": "2027-02-01",
            },
        ],
    }
    records, errors = read_jsonld(graph)
    assert errors == []
    assert records[0].provider == Provider("Shared Provider", "https://p.example.org")
    assert records[1].format == "blended" and records[1].dates[0].start.isoformat() == (
        "2027-02-01T00:00:00+01:00"
    )


def test_language_tagged_values_and_objects_per_language() -> None:
    course = minimal(
        name=[
            {"@value": "Heftruck", "@language": "nl-BE"},
            {"@value": "Chariot", "@language": "fr"},
            {"@value": "Wózek", "@language": "pl"},  # not a catalogue language: not kept
        ],
        description={"de": "<p>Stapler</p>", "en": "<p>Forklift</p>"},
        coursePrerequisites={"@value": "Geen", "@language": "nl"},
        educationalCredentialAwarded={
            "@type": "EducationalOccupationalCredential",
            "name": {"fr": "Attestation"},
        },
        audience={"@type": "Audience", "audienceType": ["Everyone"]},
    )
    (record,), errors = read_jsonld(course)
    assert errors == []
    assert record.title == {"nl": "Heftruck", "fr": "Chariot"}
    assert record.description == {"de": "<p>Stapler</p>", "en": "<p>Forklift</p>"}
    assert record.prerequisites == {"nl": "Geen"}
    assert record.credential == {"fr": "Attestation"}
    assert record.target_group == {"en": "Everyone"}


def test_plain_strings_take_the_documents_or_the_courses_language() -> None:
    in_dutch = {"@context": ["https://schema.org", {"@language": "nl"}], **minimal()}
    assert read_jsonld(in_dutch).records[0].title == {"nl": "Forklift safety"}
    in_french = {
        "@context": {"@vocab": "https://schema.org/", "@language": "fr"},
        "@graph": [minimal()],
    }
    assert read_jsonld(in_french).records[0].title == {"fr": "Forklift safety"}
    assert read_jsonld(minimal(inLanguage="de-DE")).records[0].title == {"de": "Forklift safety"}
    assert read_jsonld(minimal(), default_language="fr").records[0].title == {
        "fr": "Forklift safety"
    }


def test_shapes_other_sites_write() -> None:
    course = {
        "@context": "http://schema.org",
        "@type": ["Course", "Product"],
        "schema:name": "Prefixed name",
        "identifier": {"@type": "PropertyValue", "value": "ID-9"},
        "provider": "Plain Provider",
        "teaches": [
            "Operating a forklift",
            FORKLIFT,
            {"@type": "DefinedTerm", "url": FORKLIFT, "name": "operate forklift"},
        ],
        "availableLanguage": [{"@type": "Language", "name": "Dutch", "alternateName": "nl"}, "fr"],
        "timeRequired": "P2DT4H",
        "offers": [{"@type": "Offer", "category": "Free"}],
        "financialAidEligible": {"@type": "DefinedTerm", "name": "Bildungsscheck"},
        "hasCourseInstance": [
            {
                "@type": "CourseInstance",
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "startDate": "2027-03-14T09:00:00Z",
                "location": {
                    "@type": "PostalAddress",
                    "postalCode": "9000",
                    "addressLocality": "Gent",
                    "addressCountry": {"@type": "Country", "name": "BE"},
                },
            },
            {
                "@type": "CourseInstance",
                "courseMode": "onsite",
                "startDate": "2027-03-21T10:00:00+09:00",
                "location": "Main hall",
                "courseSchedule": {"@type": "Schedule", "scheduleTimezone": "Asia/Tokyo"},
            },
        ],
    }
    (record,), errors = read_jsonld(course)
    assert errors == []
    assert record.ref == "ID-9" and record.title == {"en": "Prefixed name"}
    assert record.provider.name == "Plain Provider"
    assert [(c.code, c.esco_uri, c.name) for c in record.competences] == [
        ("Operating a forklift", "", {}),
        ("", FORKLIFT, {}),
        ("", FORKLIFT, {"en": "operate forklift"}),
    ]
    assert record.languages == ["nl", "fr"]
    assert (
        record.hours == Decimal(52) and record.price == 0 and record.funding == ["Bildungsscheck"]
    )
    first, second = record.dates
    assert first.timezone == "Europe/Brussels" and first.start.hour == 10  # 09:00 UTC in Brussels
    assert (first.postcode, first.city, first.country) == ("9000", "Gent", "BE")
    assert (
        second.timezone == "Asia/Tokyo" and second.start.hour == 10 and second.place == "Main hall"
    )


def test_an_offset_the_default_zone_does_not_have_becomes_a_fixed_zone() -> None:
    course = minimal(
        hasCourseInstance={
            "@type": "CourseInstance",
            "courseMode": "online",
            "startDate": "2027-01-10T09:00-05:00",
        }
    )
    (record,), _ = read_jsonld(course)
    assert record.dates[0].timezone == "Etc/GMT+5" and record.dates[0].start.hour == 9


BAD_COURSES = [
    (minimal(courseCode=None), "no courseCode, identifier, @id or url"),
    (minimal(name=None), "no name in nl, fr, de or en"),
    (minimal(name={"@value": "Nazwa", "@language": "pl"}), "no name in nl, fr, de or en"),
    (minimal(provider=None), "no provider with a name"),
    (minimal(hasCourseInstance=None), "courseMode of online, onsite or blended"),
    (
        minimal(hasCourseInstance={"@type": "CourseInstance", "courseMode": "by pigeon"}),
        "courseMode",
    ),
    (minimal(url="javascript:alert(1)"), "is not an http or https address"),
    (minimal(timeRequired="two days"), None),  # not a duration: ignored, hours unknown
    (minimal(timeRequired="PXYZ"), "is not an ISO 8601 duration"),
    (minimal(offers={"@type": "Offer", "price": "-3"}), "price '-3' must be between"),
    (minimal(offers={"@type": "Offer", "price": 10, "priceCurrency": "euros"}), "currency"),
    (
        minimal(teaches={"@type": "DefinedTerm", "name": "vague"}),
        "neither a termCode nor an http(s) @id",
    ),
    (minimal(inLanguage="Dutch language!"), "is not a language code"),
    (minimal(creativeWorkStatus="archived"), "status 'archived'"),
    (
        minimal(
            hasCourseInstance={
                "@type": "CourseInstance",
                "courseMode": "online",
                "startDate": "soon",
            }
        ),
        "startDate 'soon' is not a date",
    ),
    (
        minimal(
            hasCourseInstance={
                "@type": "CourseInstance",
                "courseMode": "online",
                "startDate": "2027-02-02",
                "endDate": "2027-02-01",
            }
        ),
        "endDate is before its startDate",
    ),
    (
        minimal(
            hasCourseInstance={
                "@type": "CourseInstance",
                "courseMode": "online",
                "startDate": "2027-02-02",
                "remainingAttendeeCapacity": -4,
            }
        ),
        "seats left '-4'",
    ),
    (
        minimal(
            hasCourseInstance=[
                {"@type": "CourseInstance", "courseMode": ["online", "asynchronous"]},
                {"@type": "CourseInstance", "courseMode": "online", "startDate": "2027-02-02"},
            ]
        ),
        "self-paced and dated instances",
    ),
]


@pytest.mark.parametrize(("course", "reason"), BAD_COURSES)
def test_each_bad_course_is_refused_with_its_position_and_the_others_kept(
    course: dict[str, Any], reason: str | None
) -> None:
    records, errors = read_jsonld([minimal(courseCode="GOOD"), course])
    if reason is None:
        assert errors == [] and len(records) == 2
        return
    assert [r.ref for r in records] == ["GOOD"]
    assert [e.row for e in errors] == [2] and reason in errors[0].reason, errors


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "the document is not JSON"),
        (b"[" * 100_000, "the document is not JSON"),
        (b'{"@type": "WebPage"}', "holds no schema.org Course"),
        (b"[]", "holds no schema.org Course"),
        (b'"just a string"', "holds no schema.org Course"),
    ],
)
def test_a_bad_document_gives_one_error_and_no_records(data: bytes, reason: str) -> None:
    records, errors = read_jsonld(data)
    assert records == [] and [e.row for e in errors] == [0] and reason in errors[0].reason


def test_a_feed_without_provider_takes_the_one_it_is_read_for() -> None:
    (record,), _ = read_jsonld(minimal(provider=None), provider=Provider("Feed Owner"))
    assert record.provider == Provider("Feed Owner")


def test_imported_html_is_sanitised_and_other_texts_are_plain() -> None:
    course = minimal(
        name="<b>Bold</b> <script>alert(1)</script>name",
        description='<p>Ok</p><script>alert(1)</script><a href="javascript:x">x</a><style>p{}</style>',
    )
    (record,), _ = read_jsonld(course)
    assert record.title == {"en": "Bold name"}
    assert record.description == {"en": '<p>Ok</p><a rel="noopener nofollow">x</a>'}


def test_two_courses_with_one_code_are_both_refused() -> None:
    records, errors = read_jsonld(
        [minimal(courseCode="A"), minimal(courseCode="B"), minimal(courseCode="A", name="Other")]
    )
    assert [r.ref for r in records] == ["B"]
    assert [(e.row, e.ref) for e in errors] == [(1, "A"), (3, "A")]
    assert errors[0].reason == "courseCode 'A' is given to more than one course (courses 1, 3)"
