"""A provider's offers in and out as CSV or schema.org JSON-LD (the ``offer_formats`` library).

Import (an upload, or a feed: ``feed_import``): every offer the library could read becomes a
draft of the uploader's provider, or updates that provider's offer with the same ``offer_ref``
(its status is kept; a feed publishes and withdraws as its records say). The provider
named in the file is never used. Each offer is written in a savepoint of its own, so a refused
offer leaves nothing behind and the good ones stay. Nothing here commits.

Export: the provider's offers as ``OfferRecord`` s, written by the library (formula cells
neutralised).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from offer_formats import (
    Competence,
    DateRecord,
    OfferRecord,
    Provider,
    RowError,
    jsonld_document,
    read_csv,
    read_jsonld,
    sniff_format,
    write_csv,
)
from offer_formats.errors import N_
from offer_formats.records import DEFAULT_TIMEZONE
from offer_formats.sanitise import plain_text

from ..passports import catalogue as passport_catalogue
from .models import LANGUAGES, CatalogueOffer, CatalogueProvider
from .offers import (
    DateInput,
    OfferInput,
    OfferRefused,
    create_offer,
    provider_offers,
    publish_offer,
    update_offer,
    withdraw_offer,
)

IMPORT_MAX_BYTES = 5 * 1024 * 1024  # some 10,000 offer dates; larger files are refused whole
FORM_REF = "learnpass-"  # the key an offer made by form is exported with


class _Refused(ValueError):
    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(template % self.params if self.params else template)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _competence_ids(session: Session, platform_id: int | None, record: OfferRecord) -> list[int]:
    known = passport_catalogue.competences(session, platform_id)
    by_code = {c.idnumber: c.id for c in known if c.idnumber}
    by_uri = {c.uri: c.id for c in known if c.uri}
    ids = []
    for item in record.competences:
        found = by_code.get(item.code) if item.code else by_uri.get(item.esco_uri)
        if found is None:
            raise _Refused(
                N_("competence '%(competence)s' is not in the frameworks of your platform"),
                competence=item.code or item.esco_uri,
            )
        ids.append(found)
    return ids


def _languages(record: OfferRecord) -> list[str]:
    codes = []
    for code in record.languages:
        primary = code.split("-", 1)[0]
        if primary not in LANGUAGES:
            raise _Refused(
                N_("language '%(language)s' is not one of the catalogue's (nl, fr, de, en)"),
                language=code,
            )
        codes.append(primary)
    return codes


def _date(date: DateRecord) -> DateInput:
    return DateInput(
        kind="own",
        starts_on=date.start.date(),
        ends_on=(date.end or date.start).date(),
        place=(date.place or date.street)[:255],
        postcode=date.postcode[:16],
        city=date.city[:128],
        seats_left=date.seats_left,
    )


def offer_input(
    session: Session, provider: CatalogueProvider, record: OfferRecord, old: CatalogueOffer | None
) -> OfferInput:
    """The record as the catalogue's offer; raises ``_Refused`` for what the tables cannot take."""
    funding = ", ".join(record.funding)
    dates = [_date(d) for d in record.dates]
    if record.self_paced:
        dates.append(DateInput(kind="self_paced"))
    return OfferInput(
        titles=dict(record.title),
        # The catalogue shows descriptions as plain text (escaped), so the library's safe HTML
        # is kept as its text.
        descriptions={k: plain_text(v, single_line=False) for k, v in record.description.items()},
        target_groups=dict(record.target_group),
        prerequisites=dict(record.prerequisites),
        credentials=dict(record.credential),
        funding_notes={lang: funding for lang in record.title} if funding else {},
        format=record.format,
        languages=_languages(record),
        hours=float(record.hours or 0),
        price_cents=None
        if record.price is None
        else int((record.price * 100).to_integral_value(ROUND_HALF_UP)),
        funding_eligible=bool(record.funding),
        contact_url=record.url,
        competence_ids=_competence_ids(session, provider.platform_id, record),
        # What a file cannot say is kept from the offer it updates.
        path_id=old.path_id if old else None,
        package_id=old.package_id if old else None,
        dates=dates,
    )


def _error(record: OfferRecord, exc: _Refused) -> RowError:
    return RowError(record.source_row, str(exc), record.ref, exc.template, exc.params)


def _own_offer(session: Session, provider: CatalogueProvider, ref: str) -> CatalogueOffer | None:
    """The provider's offer with this key; ``learnpass-<id>`` is how an offer made by form is
    exported, so a file exported, changed and imported again updates it."""
    found = session.scalars(
        select(CatalogueOffer).where(
            CatalogueOffer.provider_id == provider.id, CatalogueOffer.ref == ref
        )
    ).first()
    if found is None and ref.startswith(FORM_REF) and ref[len(FORM_REF) :].isdigit():
        by_id = session.get(CatalogueOffer, int(ref[len(FORM_REF) :]))
        if by_id is not None and by_id.provider_id == provider.id and by_id.ref is None:
            found = by_id
    return found


def import_file(
    session: Session, provider: CatalogueProvider, data: bytes, user_id: int | None
) -> ImportReport:
    """An uploaded file, CSV or schema.org JSON-LD (told by its first character), as drafts."""
    if sniff_format(data) == "jsonld":
        read = read_jsonld(data, provider=Provider(provider.name, provider.website))
        return import_records(session, provider, read.records, read.errors, user_id)
    return import_csv(session, provider, data, user_id)


def import_csv(
    session: Session, provider: CatalogueProvider, data: bytes, user_id: int | None
) -> ImportReport:
    read = read_csv(data)
    return import_records(session, provider, read.records, read.errors, user_id)


def import_records(
    session: Session,
    provider: CatalogueProvider,
    records: list[OfferRecord],
    errors: list[RowError],
    user_id: int | None,
    *,
    follow_status: bool = False,
) -> ImportReport:
    """Write the records as the provider's offers, each in a savepoint of its own. A new offer is
    a draft and an updated one keeps its status, unless ``follow_status`` (a feed: the provider's
    live list) publishes or withdraws it as the record says."""
    report = ImportReport(errors=list(errors))
    seen: set[str] = set()
    for record in records:
        if record.ref in seen:
            # The file names two providers for one offer_ref: only the provider uploading counts.
            exc = _Refused(N_("offer_ref '%(ref)s' appears for two providers"), ref=record.ref)
            report.errors.append(_error(record, exc))
            continue
        seen.add(record.ref)
        old = _own_offer(session, provider, record.ref)
        try:
            with session.begin_nested():
                data_in = offer_input(session, provider, record, old)
                if old is None:
                    offer = create_offer(session, provider.id, data_in, user_id)
                    offer.ref = record.ref
                else:
                    offer = old
                    offer.ref = record.ref
                    update_offer(session, offer, data_in, user_id)
                offer.currency = record.currency
                session.flush()
                if follow_status and record.status == "published":
                    publish_offer(session, offer, user_id)
                elif follow_status and record.status == "withdrawn" and old is not None:
                    withdraw_offer(session, offer, user_id)
        except _Refused as exc:
            report.errors.append(_error(record, exc))
            continue
        except OfferRefused:
            untitled = _Refused(N_("the offer has no title, so it cannot be published"))
            report.errors.append(_error(record, untitled))
            continue
        except IntegrityError:
            # Another import created the same offer_ref at the same moment: its savepoint is
            # rolled back, the rest of this file goes on.
            busy = _Refused(N_("another import wrote this offer at the same time; import again"))
            report.errors.append(_error(record, busy))
            continue
        if old is None:
            report.created += 1
        else:
            report.updated += 1
    report.errors.sort(key=lambda error: error.row)
    return report


# ---------------------------------------------------------------------------- export


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(DEFAULT_TIMEZONE))


def offer_record(
    session: Session, offer: CatalogueOffer, provider: CatalogueProvider
) -> OfferRecord:
    known = {c.id: c for c in passport_catalogue.competences(session, provider.platform_id)}
    competences = []
    for link in offer.competences:
        found = known.get(link.competence_id)
        if found is not None:
            competences.append(Competence(code=found.idnumber or "", esco_uri=found.uri or ""))
    funding_note = next(iter(offer.funding_notes.values()), "") if offer.funding_notes else ""
    dates = [
        DateRecord(
            start=_moment(d.starts_on),
            end=_moment(d.ends_on) if d.ends_on and d.ends_on != d.starts_on else None,
            place=d.place,
            postcode=d.postcode,
            city=d.city,
            seats_left=d.seats_left,
        )
        for d in offer.dates
        if d.kind != "self_paced" and d.starts_on is not None
    ]
    return OfferRecord(
        ref=offer.ref or f"{FORM_REF}{offer.id}",
        provider=Provider(provider.name, provider.website),
        title=dict(offer.titles),
        description=dict(offer.descriptions),
        competences=competences,
        format=offer.format,
        languages=[link.language for link in offer.languages],
        hours=Decimal(str(offer.hours)) if offer.hours else None,
        target_group=dict(offer.target_groups),
        prerequisites=dict(offer.prerequisites),
        price=None if offer.price_cents is None else Decimal(offer.price_cents) / 100,
        currency=offer.currency,
        funding=[item.strip() for item in funding_note.split(",") if item.strip()]
        if offer.funding_eligible
        else [],
        credential=dict(offer.credentials),
        status=offer.status,
        url=offer.contact_url,
        dates=dates,
        self_paced=any(d.kind == "self_paced" for d in offer.dates) and not dates,
    )


def export_jsonld(session: Session, provider: CatalogueProvider) -> dict[str, object]:
    """The provider's offers as one schema.org JSON-LD document (every language kept)."""
    return jsonld_document(
        offer_record(session, offer, provider) for offer in provider_offers(session, provider.id)
    )


def export_csv(session: Session, provider: CatalogueProvider) -> str:
    return write_csv(
        offer_record(session, offer, provider) for offer in provider_offers(session, provider.id)
    )
