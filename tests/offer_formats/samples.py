"""Offers to test with: one of every shape the formats carry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from offer_formats.records import Competence, DateRecord, OfferRecord, Provider

BRUSSELS = ZoneInfo("Europe/Brussels")
BERLIN = ZoneInfo("Europe/Berlin")
FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"


def classroom_offer() -> OfferRecord:
    return OfferRecord(
        ref="HEF-2027",
        provider=Provider("Opleidingscentrum Gent", "https://opleiding.example.org"),
        title={"nl": "Heftruck veilig besturen", "fr": "Conduire un chariot élévateur"},
        description={
            "nl": '<p>Twee dagen.</p><ul><li>Veiligheid</li></ul><p><a href="https://opleiding.example.org/info" rel="noopener nofollow">Meer</a></p>',
            "fr": "<p>Deux jours; <strong>pratique</strong>.</p>",
        },
        competences=[
            Competence(code="LOG-HEF-01", esco_uri=FORKLIFT),
            Competence(code="VCA-B"),
            Competence(esco_uri="http://data.europa.eu/esco/skill/abc"),
        ],
        format="classroom",
        languages=["nl", "fr"],
        hours=Decimal("7.5"),
        target_group={"nl": "Magazijnmedewerkers", "fr": "Magasiniers"},
        prerequisites={"nl": "Geen\nWel veiligheidsschoenen"},
        price=Decimal("450.5"),
        currency="EUR",
        funding=["KMO-portefeuille", "Opleidingscheques"],
        credential={"nl": "Attest heftruckbestuurder"},
        status="published",
        url="https://opleiding.example.org/heftruck",
        dates=[
            DateRecord(
                start=datetime(2027, 3, 14, 9, 0, tzinfo=BRUSSELS),
                end=datetime(2027, 3, 14, 16, 30, tzinfo=BRUSSELS),
                place="Campus Gent",
                street="Industrieweg 10",
                postcode="9000",
                city="Gent",
                country="BE",
                seats_left=8,
            ),
            DateRecord(
                start=datetime(2027, 7, 1, 13, 0, tzinfo=BRUSSELS),
                place="Campus Antwerpen",
                postcode="2000",
                city="Antwerpen",
                country="BE",
                seats_left=0,
            ),
        ],
    )


def self_paced_offer() -> OfferRecord:
    return OfferRecord(
        ref="DSGVO-1",
        provider=Provider("Weiterbildung Beispiel GmbH"),
        title={"de": "Datenschutz am Arbeitsplatz", "en": "Data protection at work"},
        description={"de": "<p>Online, im eigenen Tempo.</p>"},
        competences=[Competence(code="DP-BASICS")],
        format="online",
        languages=["de", "en"],
        hours=Decimal(4),
        price=Decimal(0),
        funding=["Bildungsscheck NRW"],
        status="draft",
        self_paced=True,
    )


def blended_offer_in_berlin_time() -> OfferRecord:
    return OfferRecord(
        ref="LEAN-B",
        provider=Provider("Weiterbildung Beispiel GmbH"),
        title={"de": "Lean im Lager"},
        format="blended",
        languages=["de"],
        status="withdrawn",
        dates=[
            DateRecord(
                start=datetime(2027, 5, 3, 8, 30, tzinfo=BERLIN),
                end=datetime(2027, 5, 4, 17, 0, tzinfo=BERLIN),
                timezone="Europe/Berlin",
                place="Haus der Weiterbildung",
                city="Köln",
                postcode="50667",
                country="DE",
            )
        ],
    )


def undated_offer() -> OfferRecord:
    """Classroom, dates not yet known, price not given."""
    return OfferRecord(
        ref="EHBO",
        provider=Provider("Opleidingscentrum Gent"),
        title={"en": "First aid at work"},
        format="classroom",
    )


def all_offers() -> list[OfferRecord]:
    return [classroom_offer(), self_paced_offer(), blended_offer_in_berlin_time(), undated_offer()]
