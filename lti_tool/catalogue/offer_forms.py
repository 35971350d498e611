"""The provider's offer form: read into an ``OfferInput`` with every problem found at once (the
form comes back with what was typed), and an offer turned back into the form's values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from .models import LANGUAGES, OFFER_FORMATS, CatalogueOffer
from .offers import DateInput, OfferInput
from .texts import per_language

TEXT_FIELDS = {
    # form field: (OfferInput field, longest)
    "title": ("titles", 255),
    "description": ("descriptions", 5000),
    "target_group": ("target_groups", 1000),
    "prerequisites": ("prerequisites", 1000),
    "credential": ("credentials", 255),
    "funding_note": ("funding_notes", 500),
}
DATE_FIELDS = ("start", "end", "place", "postcode", "city", "seats")
MIN_DATE_ROWS = 3
MAX_DATE_ROWS = 20
MAX_HOURS = Decimal(10000)
MAX_PRICE = Decimal(1_000_000)


def _number(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(" ", "").replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0:
        raise ValueError
    return value


def _date(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    return dt.date.fromisoformat(raw) if raw else None


def _url(raw: str) -> str:
    raw = (raw or "").strip()
    if raw and (urlsplit(raw).scheme not in ("http", "https") or not urlsplit(raw).netloc):
        raise ValueError
    return raw[:1024]


def _date_rows(form: Any, errors: dict[str, str]) -> list[DateInput]:
    rows = []
    for i in range(MAX_DATE_ROWS):
        values = {name: (form.get(f"date_{i}_{name}") or "").strip() for name in DATE_FIELDS}
        if not any(values.values()):
            continue
        try:
            starts, ends = _date(values["start"]), _date(values["end"])
        except ValueError:
            errors[f"date_{i}"] = str(_l("Date %(num)d: write the dates as YYYY-MM-DD.", num=i + 1))
            continue
        if starts is None:
            errors[f"date_{i}"] = str(_l("Date %(num)d: give the first day.", num=i + 1))
            continue
        if ends is not None and ends < starts:
            errors[f"date_{i}"] = str(
                _l("Date %(num)d: the last day is before the first.", num=i + 1)
            )
            continue
        seats = values["seats"]
        if seats and (not seats.isdigit() or int(seats) > 100000):
            errors[f"date_{i}"] = str(_l("Date %(num)d: seats left is a whole number.", num=i + 1))
            continue
        rows.append(
            DateInput(
                kind="own",
                starts_on=starts,
                ends_on=ends or starts,
                place=values["place"][:255],
                postcode=values["postcode"][:16],
                city=values["city"][:128],
                seats_left=int(seats) if seats else None,
            )
        )
    return rows


def read_offer_form(
    form: Any, competence_ids: set[int], session_ids: set[int], path_ids: set[int]
) -> tuple[OfferInput, dict[str, str]]:
    """The form's offer and its problems (field -> message); ``*_ids``: what may be chosen."""
    errors: dict[str, str] = {}
    texts = {
        target: per_language(form, name, limit) for name, (target, limit) in TEXT_FIELDS.items()
    }
    if not texts["titles"]:
        errors["title"] = str(_l("Give the offer a title in at least one language."))
    format_ = form.get("format") or ""
    if format_ not in OFFER_FORMATS:
        errors["format"] = str(_l("Choose online, in a classroom or blended."))
        format_ = "classroom"
    languages = [code for code in form.getlist("languages") if code in LANGUAGES]
    if not languages:
        errors["languages"] = str(_l("Choose at least one language the offer is taught in."))
    hours = Decimal(0)
    try:
        hours = _number(form.get("hours", "")) or Decimal(0)
        if hours > MAX_HOURS:
            raise ValueError
    except ValueError:
        errors["hours"] = str(_l("Hours is a number, such as 7.5."))
        hours = Decimal(0)
    price: Decimal | None = None
    try:
        price = _number(form.get("price", ""))
        if price is not None and price > MAX_PRICE:
            raise ValueError
    except ValueError:
        errors["price"] = str(_l("The price is an amount in euro, such as 450 or 49.50."))
    try:
        contact_url = _url(form.get("contact_url", ""))
    except ValueError:
        errors["contact_url"] = str(_l("The booking link must start with https:// or http://."))
        contact_url = ""
    chosen = [int(v) for v in form.getlist("competences") if v.isdigit()]
    if any(cid not in competence_ids for cid in chosen):
        errors["competences"] = str(_l("Choose competences from the list."))
    sessions = [int(v) for v in form.getlist("sessions") if v.isdigit()]
    if any(sid not in session_ids for sid in sessions):
        errors["sessions"] = str(_l("Choose sessions from the list."))
    raw_path = form.get("path_id") or ""
    path_id = int(raw_path) if raw_path.isdigit() else None
    if path_id is not None and path_id not in path_ids:
        errors["path_id"] = str(_l("Choose a learning path from the list."))
    dates = _date_rows(form, errors)
    dates += [DateInput(kind="session", session_id=sid) for sid in sessions]
    if form.get("self_paced"):
        dates.append(DateInput(kind="self_paced"))
    data = OfferInput(
        titles=texts["titles"],
        descriptions=texts["descriptions"],
        target_groups=texts["target_groups"],
        prerequisites=texts["prerequisites"],
        credentials=texts["credentials"],
        funding_notes=texts["funding_notes"],
        format=format_,
        languages=languages,
        hours=float(hours),
        price_cents=None if price is None else int(price * 100),
        funding_eligible=bool(form.get("funding_eligible")),
        contact_url=contact_url,
        competence_ids=[c for c in chosen if c in competence_ids],
        path_id=path_id if path_id in path_ids else None,
        dates=dates,
    )
    return data, errors


def form_values(form: Any) -> dict[str, Any]:
    """What was typed, to show again with the problems."""
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    for key in ("languages", "competences", "sessions"):
        values[key] = form.getlist(key)
    rows = sum(
        1 for i in range(MAX_DATE_ROWS) if any(form.get(f"date_{i}_{n}") for n in DATE_FIELDS)
    )
    values["date_rows"] = min(max(MIN_DATE_ROWS, rows + 1), MAX_DATE_ROWS)
    return values


def offer_values(offer: CatalogueOffer | None) -> dict[str, Any]:
    """The form's fields of a saved offer (empty for a new one)."""
    values: dict[str, Any] = {
        "languages": [],
        "competences": [],
        "sessions": [],
        "format": "classroom",
    }
    if offer is None:
        values["date_rows"] = MIN_DATE_ROWS
        return values
    for name, (target, _limit) in TEXT_FIELDS.items():
        for code, text in (getattr(offer, target) or {}).items():
            values[f"{name}_{code}"] = text
    values.update(
        format=offer.format,
        languages=[link.language for link in offer.languages],
        competences=[str(link.competence_id) for link in offer.competences],
        hours=f"{offer.hours:g}" if offer.hours else "",
        price="" if offer.price_cents is None else f"{offer.price_cents / 100:.2f}",
        funding_eligible="1" if offer.funding_eligible else "",
        contact_url=offer.contact_url,
        path_id=str(offer.path_id or ""),
        sessions=[str(d.session_id) for d in offer.dates if d.kind == "session" and d.session_id],
        self_paced="1" if any(d.kind == "self_paced" for d in offer.dates) else "",
    )
    own = [d for d in offer.dates if d.kind == "own"]
    for i, d in enumerate(own[:MAX_DATE_ROWS]):
        values.update(
            {
                f"date_{i}_start": d.starts_on.isoformat() if d.starts_on else "",
                f"date_{i}_end": d.ends_on.isoformat() if d.ends_on else "",
                f"date_{i}_place": d.place,
                f"date_{i}_postcode": d.postcode,
                f"date_{i}_city": d.city,
                f"date_{i}_seats": "" if d.seats_left is None else str(d.seats_left),
            }
        )
    values["date_rows"] = min(max(MIN_DATE_ROWS, len(own) + 1), MAX_DATE_ROWS)
    return values
