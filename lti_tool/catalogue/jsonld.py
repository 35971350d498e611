"""A minimal schema.org ``Course`` of a published offer, with a ``CourseInstance`` per date,
embedded in the offer's page so search engines index it. The full mapping (both ways) comes
with the catalogue's import and export (``offer_formats``); this covers what the page shows."""

from __future__ import annotations

from typing import Any

from .models import CatalogueOffer, CatalogueProvider
from .texts import in_language

# schema.org courseMode values for the offer's format.
COURSE_MODE = {"online": "online", "classroom": "onsite", "blended": "blended"}


def course_jsonld(
    offer: CatalogueOffer, provider: CatalogueProvider, language: str, url: str
) -> dict[str, Any]:
    course: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": in_language(offer.titles, language),
        "description": in_language(offer.descriptions, language),
        "inLanguage": [link.language for link in offer.languages],
        "provider": {"@type": "Organization", "name": provider.name},
        "timeRequired": f"PT{offer.hours:g}H" if offer.hours else None,
    }
    if provider.website:
        course["provider"]["url"] = provider.website
    credential = in_language(offer.credentials, language)
    if credential:
        course["educationalCredentialAwarded"] = credential
    if offer.price_cents is not None:
        course["offers"] = {
            "@type": "Offer",
            "category": "Paid" if offer.price_cents else "Free",
            "price": f"{offer.price_cents / 100:.2f}",
            "priceCurrency": offer.currency,
        }
    instances = []
    for date in offer.dates:
        instance: dict[str, Any] = {
            "@type": "CourseInstance",
            "courseMode": "online" if date.kind == "self_paced" else COURSE_MODE[offer.format],
        }
        if date.kind == "self_paced":
            instance["courseSchedule"] = {"@type": "Schedule", "repeatFrequency": "P1D"}
        if date.starts_on:
            instance["startDate"] = date.starts_on.isoformat()
        if date.ends_on:
            instance["endDate"] = date.ends_on.isoformat()
        if date.city or date.postcode or date.place:
            instance["location"] = {
                "@type": "Place",
                "name": date.place or date.city,
                "address": {
                    "@type": "PostalAddress",
                    "postalCode": date.postcode,
                    "addressLocality": date.city,
                },
            }
        instances.append(instance)
    if instances:
        course["hasCourseInstance"] = instances
    return {k: v for k, v in course.items() if v not in (None, "", [])}
