"""The plain records every open format maps to and from.

An ``OfferRecord`` is one training offer as a provider publishes it; its ``DateRecord`` list holds
the dates it is given on (or it is self-paced). They are plain dataclasses with no database and no
Flask behind them: the CSV reader and writer (``csv_format``), the schema.org JSON-LD reader and
writer (``jsonld_read``, ``jsonld_write``) and the feed parser (``feed``) all speak them, and the
catalogue maps them to its tables.

Readers hand out records that are already checked and cleaned: texts are plain (HTML removed),
the description is sanitised HTML (``sanitise.safe_html``), codes are normalised. Writers trust
the records they are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

# The languages of the catalogue; a text in any other language is not kept.
LANGUAGES: tuple[str, ...] = ("nl", "fr", "de", "en")
# How an offer is given. "classroom" is schema.org's "onsite".
FORMATS: tuple[str, ...] = ("online", "classroom", "blended")
# Where an offer is in its life: drafted, published, withdrawn (a withdrawn offer keeps its history).
STATUSES: tuple[str, ...] = ("draft", "published", "withdrawn")
DEFAULT_TIMEZONE = "Europe/Brussels"

# A text per catalogue language, e.g. {"nl": "Heftruck veilig besturen", "fr": "..."}. Only keys
# from LANGUAGES, only non-empty values; a language without a text is simply absent.
Texts = dict[str, str]


@dataclass
class Provider:
    """The organisation that gives the offer (schema.org ``provider`` Organization)."""

    name: str
    url: str = ""  # http(s) only, or empty


@dataclass
class Competence:
    """A competence the offer teaches: a framework code, an ESCO URI, or both (at least one).

    ``code`` is the code of a competence in one of the passport's frameworks (e.g. ``VCA-B1``);
    ``esco_uri`` is an ESCO concept such as
    ``http://data.europa.eu/esco/skill/...``. ``name`` is optional, per language.
    """

    code: str = ""
    esco_uri: str = ""
    name: Texts = field(default_factory=dict)


@dataclass
class DateRecord:
    """One date an offer is given on (a schema.org ``CourseInstance`` with a start date).

    ``start`` and ``end`` are aware datetimes in ``timezone`` (an IANA name such as
    ``Europe/Brussels``); ``end`` may be None (a one-day session without a known end time). The
    place is where a classroom or blended date happens: ``place`` names the venue, the address is
    ``street``, ``postcode``, ``city`` and ``country`` (ISO 3166 two-letter code, upper case).
    ``seats_left`` is None when the provider does not say.
    """

    start: datetime
    end: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE
    place: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    seats_left: int | None = None


@dataclass
class OfferRecord:
    """One training offer.

    - ``ref``: the provider's own key for the offer (CSV ``offer_ref``, JSON-LD ``courseCode``);
      with the provider it identifies the offer across imports, so a feed read twice updates
      rather than duplicates.
    - ``title``, ``description``, ``target_group``, ``prerequisites``, ``credential``: per
      language (``Texts``). ``description`` is sanitised HTML (p, br, ul, ol, li, strong, em,
      and a with href); every other text is plain.
    - ``format``: one of ``FORMATS``; ``languages``: the languages it is taught in (lower-case
      BCP 47 codes such as ``nl`` or ``de``, not limited to the catalogue's four).
    - ``hours``: study hours of the whole offer, None when unknown.
    - ``price``: None when unknown, ``Decimal(0)`` when free; ``currency`` an ISO 4217 code.
    - ``funding``: the funding schemes it is eligible for, as the provider names them
      (e.g. ``KMO-portefeuille``, ``Bildungsscheck NRW``).
    - ``status``: one of ``STATUSES``; ``url``: the provider's page for the offer (http(s)).
    - ``dates``: the dates it is given on; ``self_paced``: taken at one's own pace (then it has
      no dates).
    - ``source_row``: the first CSV row of the offer, so the tool can report a problem it finds
      later (an unknown competence) by row; not compared.
    """

    ref: str
    provider: Provider
    title: Texts
    description: Texts = field(default_factory=dict)
    competences: list[Competence] = field(default_factory=list)
    format: str = "classroom"
    languages: list[str] = field(default_factory=list)
    hours: Decimal | None = None
    target_group: Texts = field(default_factory=dict)
    prerequisites: Texts = field(default_factory=dict)
    price: Decimal | None = None
    currency: str = "EUR"
    funding: list[str] = field(default_factory=list)
    credential: Texts = field(default_factory=dict)
    status: str = "published"
    url: str = ""
    dates: list[DateRecord] = field(default_factory=list)
    self_paced: bool = False
    # Where the reader found it: the first CSV row of the offer (0 when not read from CSV).
    source_row: int = field(default=0, compare=False)


@dataclass
class RowError:
    """Why one row (CSV) or one course (JSON-LD) was refused.

    ``row`` is the spreadsheet row number in a CSV file (the header is row 1) or the position of
    the course in a JSON-LD document (the first course is 1); 0 means the file as a whole.
    ``ref`` is the offer's key when it could be read. ``reason`` is plain English for the
    provider to act on; to show it in the reader's language, translate ``template`` (marked for
    the tool's message catalogue) and fill in ``params`` (``lti_tool.catalogue_feed.reason_text``).
    """

    row: int
    reason: str
    ref: str = ""
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.template:
            self.template = self.reason

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return f"{where}: {self.reason}"
