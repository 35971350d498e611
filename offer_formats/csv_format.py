"""Offers as CSV: one row per offer date, or one row per offer without dates.

The columns are documented in docs/catalogue-formats.md; ``template.csv`` beside this module is a
filled-in example providers can start from. Texts per language are columns with a language
suffix (``title_nl``, ``title_fr``...). Lists inside a cell (languages, funding, competences) are
separated by ``|``. The reader takes UTF-8 with or without a byte order mark, and a comma, a
semicolon or a tab between cells (the header line decides: spreadsheets in Dutch, French and
German write semicolons).

Rows of one offer share ``provider`` and ``offer_ref``; the first of them gives the offer's
columns, later ones may repeat them or leave them empty. An offer is taken whole or not at all:
when one of its rows is refused, its other rows are refused too, so an offer is never imported
with half its dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

from . import values
from .errors import N_, Refusal, refusal_of
from .records import (
    DEFAULT_TIMEZONE,
    LANGUAGES,
    DateRecord,
    OfferRecord,
    Provider,
    RowError,
)
from .sanitise import plain_text, safe_html

OFFER_COLUMNS = (
    "offer_ref",
    "provider",
    "provider_url",
    "status",
    "format",
    "self_paced",
    "languages",
    "hours",
    "price",
    "currency",
    "funding",
    "url",
    "competences",
)
TEXT_FIELDS = ("title", "description", "target_group", "prerequisites", "credential")
TEXT_COLUMNS = tuple(f"{name}_{lang}" for name in TEXT_FIELDS for lang in LANGUAGES)
DATE_COLUMNS = (
    "date_start",
    "date_end",
    "timezone",
    "place",
    "street",
    "postcode",
    "city",
    "country",
    "seats_left",
)
COLUMNS = OFFER_COLUMNS + TEXT_COLUMNS + DATE_COLUMNS
REQUIRED_COLUMNS = ("offer_ref", "provider", "format")
LIST_SEPARATOR = "|"
# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 1_000_000


class CsvRead(NamedTuple):
    """What the reader found: the offers it could read, and every row it refused."""

    records: list[OfferRecord]
    errors: list[RowError]


def template_text() -> str:
    """The template shipped with the package (header and two example offers)."""
    return resources.files(__package__).joinpath("template.csv").read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------------------- reading


def read_csv(
    data: bytes | str, *, default_timezone: str = DEFAULT_TIMEZONE, max_rows: int = MAX_ROWS
) -> CsvRead:
    """Read offers from CSV. A problem with the file as a whole (not UTF-8, a bad header) gives
    no records and one error for row 0; a problem with a row refuses that row's offer only."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return _file_error(
                N_("the file is not UTF-8 text (byte %(byte)s cannot be read)"), byte=exc.start
            )
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        return _file_error(N_("the file is empty"))
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        problem = _header_problem(header)
        if problem:
            return _file_error(problem.template, **problem.params)
        builder = _Builder(header, default_timezone)
        for number, cells in enumerate(reader, start=2):
            if number - 1 > max_rows:
                return _file_error(N_("the file has more than %(limit)s rows"), limit=max_rows)
            builder.add(number, cells)
    except csv.Error as exc:
        return _file_error(
            N_("the file is not CSV as expected (near line %(line)s): %(problem)s"),
            line=reader.line_num,
            problem=exc,
        )
    return builder.result()


def _file_error(template: str, **params: object) -> CsvRead:
    refusal = Refusal(template, **params)
    return CsvRead([], [RowError(0, refusal.reason, "", refusal.template, refusal.params)])


def _header_problem(header: list[str]) -> Refusal | None:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        return Refusal(
            N_(
                "unknown column '%(column)s' in the header; the columns are listed in "
                "docs/catalogue-formats.md"
            ),
            column=unknown[0],
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        return Refusal(N_("column '%(column)s' appears twice in the header"), column=twice[0])
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return Refusal(N_("the header has no '%(column)s' column"), column=missing[0])
    if not any(f"title_{lang}" in header for lang in LANGUAGES):
        return Refusal(
            N_("the header has no title column (title_nl, title_fr, title_de or title_en)")
        )
    return None


def _unneutralise(cell: str) -> str:
    # The writer puts ' before a cell that would be a formula; reading takes it off again.
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


@dataclass
class _Offer:
    record: OfferRecord | None
    first_row: int
    raw: dict[str, str]
    rows: list[int] = field(default_factory=list)
    refused: bool = False


class _Builder:
    """Turns rows into offers, keeping the rows of each offer together."""

    def __init__(self, header: list[str], default_timezone: str) -> None:
        self.header = header
        self.default_timezone = default_timezone
        self.offers: dict[tuple[str, str], _Offer] = {}
        self.errors: list[RowError] = []

    def add(self, number: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            return  # a blank line
        row = {
            name: _unneutralise(cell).strip()
            for name, cell in zip(self.header, cells, strict=False)
        }
        key = (row.get("provider", ""), row.get("offer_ref", ""))
        offer = self.offers.get(key)
        first = offer is None
        if offer is None:
            offer = _Offer(None, number, {n: row.get(n, "") for n in _offer_columns(row)})
            self.offers[key] = offer
        offer.rows.append(number)
        try:
            if len(cells) > len(self.header):
                raise Refusal(
                    N_("the row has %(cells)s cells, the header %(columns)s"),
                    cells=len(cells),
                    columns=len(self.header),
                )
            if first:
                offer.record = _offer(row)
                offer.record.source_row = number
            elif offer.record is None:
                return  # its first row was refused, so the whole offer is
            else:
                _check_same_offer(row, offer)
            record = offer.record
            date = _date(row, self.default_timezone)
            if date is not None:
                if record.self_paced:
                    raise Refusal(N_("a self-paced offer has no dates (self_paced is yes)"))
                record.dates.append(date)
        except ValueError as exc:
            offer.refused = True
            refusal = refusal_of(exc)
            self.errors.append(
                RowError(number, refusal.reason, key[1], refusal.template, refusal.params)
            )

    def result(self) -> CsvRead:
        records = []
        for (_provider, ref), offer in self.offers.items():
            if not offer.refused and offer.record is not None:
                records.append(offer.record)
                continue
            failed = {error.row for error in self.errors}
            for number in offer.rows:
                if number not in failed:
                    why = N_("not imported: another row of this offer was refused")
                    self.errors.append(RowError(number, why, ref, why))
        self.errors.sort(key=lambda error: error.row)
        return CsvRead(records, self.errors)


def _offer_columns(row: dict[str, str]) -> list[str]:
    return [name for name in row if name not in DATE_COLUMNS]


def _check_same_offer(row: dict[str, str], offer: _Offer) -> None:
    for name, value in row.items():
        if name in DATE_COLUMNS or not value:
            continue
        if value != offer.raw.get(name, ""):
            raise Refusal(
                N_(
                    "column '%(column)s' differs from row %(row)s of the same offer; "
                    "leave it empty or repeat it"
                ),
                column=name,
                row=offer.first_row,
            )


def _texts(row: dict[str, str], name: str) -> dict[str, str]:
    texts = {}
    for lang in LANGUAGES:
        raw = row.get(f"{name}_{lang}", "")
        if not raw:
            continue
        if name == "description":
            value = safe_html(values.bounded(raw, f"{name}_{lang}", values.MAX_LONG_TEXT))
        elif name in ("title", "credential"):
            value = plain_text(values.bounded(raw, f"{name}_{lang}"))
        else:
            value = plain_text(
                values.bounded(raw, f"{name}_{lang}", values.MAX_LONG_TEXT), single_line=False
            )
        if value:
            texts[lang] = value
    return texts


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def _offer(row: dict[str, str]) -> OfferRecord:
    ref = values.ref(row.get("offer_ref", ""))
    provider = plain_text(values.bounded(row.get("provider", ""), "provider"))
    if not provider:
        raise Refusal(N_("the offer has no provider"))
    title = _texts(row, "title")
    if not title:
        raise Refusal(N_("the offer has no title (title_nl, title_fr, title_de or title_en)"))
    price = values.decimal(row.get("price", ""), "price", values.MAX_PRICE)
    return OfferRecord(
        ref=ref,
        provider=Provider(provider, values.web_url(row.get("provider_url", ""), "provider_url")),
        title=title,
        description=_texts(row, "description"),
        competences=[values.competence(item) for item in _items(row.get("competences", ""))],
        format=values.offer_format(row.get("format", "")),
        languages=list(dict.fromkeys(values.language(i) for i in _items(row.get("languages", "")))),
        hours=values.decimal(row.get("hours", ""), "hours", values.MAX_HOURS),
        target_group=_texts(row, "target_group"),
        prerequisites=_texts(row, "prerequisites"),
        price=price,
        currency=values.currency(row.get("currency", "")),
        funding=[plain_text(values.bounded(i, "funding")) for i in _items(row.get("funding", ""))],
        credential=_texts(row, "credential"),
        status=values.status(row.get("status", "")),
        url=values.web_url(row.get("url", "")),
        self_paced=values.flag(row.get("self_paced", ""), "self_paced"),
    )


def _date(row: dict[str, str], default_timezone: str) -> DateRecord | None:
    if not any(row.get(name, "") for name in DATE_COLUMNS):
        return None
    if not row.get("date_start", ""):
        raise Refusal(N_("a row with a place or seats needs a date_start"))
    zone = values.timezone(row.get("timezone", ""), default_timezone)
    start = values.moment(row["date_start"], zone, "date_start")
    end = values.moment(row["date_end"], zone, "date_end") if row.get("date_end") else None
    if end is not None and end < start:
        raise Refusal(N_("date_end is before date_start"))

    def text(name: str) -> str:
        return plain_text(values.bounded(row.get(name, ""), name))

    return DateRecord(
        start=start,
        end=end,
        timezone=zone,
        place=text("place"),
        street=text("street"),
        postcode=text("postcode"),
        city=text("city"),
        country=values.country(row.get("country", "")),
        seats_left=values.seats(row.get("seats_left", "")),
    )


# ---------------------------------------------------------------------------- writing


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading ``'`` (kept as text)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _offer_cells(record: OfferRecord) -> dict[str, str]:
    cells = {
        "offer_ref": record.ref,
        "provider": record.provider.name,
        "provider_url": record.provider.url,
        "status": record.status,
        "format": record.format,
        "self_paced": "yes" if record.self_paced else "no",
        "languages": LIST_SEPARATOR.join(record.languages),
        "hours": "" if record.hours is None else values.plain_number(record.hours),
        "price": "" if record.price is None else values.plain_number(record.price),
        "currency": record.currency,
        "funding": LIST_SEPARATOR.join(record.funding),
        "url": record.url,
        "competences": LIST_SEPARATOR.join(
            "=".join(part for part in (c.code, c.esco_uri) if part) for c in record.competences
        ),
    }
    for name in TEXT_FIELDS:
        texts = getattr(record, name)
        for lang in LANGUAGES:
            cells[f"{name}_{lang}"] = texts.get(lang, "")
    return cells


def _date_cells(date: DateRecord) -> dict[str, str]:
    return {
        "date_start": values.iso(date.start),
        "date_end": "" if date.end is None else values.iso(date.end),
        "timezone": date.timezone,
        "place": date.place,
        "street": date.street,
        "postcode": date.postcode,
        "city": date.city,
        "country": date.country,
        "seats_left": "" if date.seats_left is None else str(date.seats_left),
    }


def csv_rows(records: Iterable[OfferRecord]) -> Iterator[list[str]]:
    """The header, then one row per offer date (one row for an offer without dates)."""
    yield list(COLUMNS)
    for record in records:
        offer = _offer_cells(record)
        dates: list[DateRecord | None] = [*record.dates] or [None]
        for date in dates:
            cells = offer | (_date_cells(date) if date else {})
            yield [neutralise(cells.get(name, "")) for name in COLUMNS]


def write_csv(records: Iterable[OfferRecord], *, delimiter: str = ",") -> str:
    """Offers as CSV text in the documented columns, every cell safe to open in a spreadsheet.
    Encode it as UTF-8 (with a byte order mark if Excel must guess right)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(csv_rows(records))
    return out.getvalue()
