"""A provider's feed: which format it is in, what was read from it, and the report of one run.

Fetching is not done here: this library opens no network connection. learnpass fetches a feed
through its guarded HTTP session in ``lti_tool/catalogue_feed.py`` (checked addresses, size and
time limits, conditional GET) and hands the body to ``parse_feed``.

**A broken feed never deletes offers.** A feed that could not be fetched, that answered an error,
that is not CSV or JSON-LD, or that holds no offer it could read gives a report with ``error`` set
and *no records*; a feed that did not change gives ``not_modified`` and no records. The caller may
withdraw a provider's offers that are missing from a feed only when ``report.complete`` is true
(fetched, no error, nothing refused): a refused row must not make its offer disappear.

**The provider named in a file is not proof of who sent it.** A feed or an upload belongs to the
provider whose people gave it; the catalogue files its records under that provider, whatever
``record.provider`` says (a file could name another provider to change their offers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .csv_format import read_csv
from .errors import N_, english
from .jsonld_read import read_jsonld
from .records import DEFAULT_TIMEZONE, OfferRecord, Provider, RowError

CSV = "csv"
JSONLD = "jsonld"
JSON_TYPES = ("application/ld+json", "application/json")
CSV_TYPES = ("text/csv", "application/csv", "text/comma-separated-values")


@dataclass
class FeedReport:
    """What one run of a feed did; the catalogue stores one per run and shows it to the provider.

    - ``fetched``: a new body was received (False for "not modified" and for failures);
    - ``not_modified``: the server said nothing changed (HTTP 304), nothing was read;
    - ``format``: ``csv`` or ``jsonld`` when it could be told;
    - ``rows_read``: offers read (CSV: offers, not rows; JSON-LD: courses);
    - ``refused``: every row or course refused, with its reason;
    - ``error``: why the run as a whole failed, in English (None when it did not);
      ``error_template`` and ``error_params`` say it in a form the tool translates;
    - ``etag`` / ``last_modified``: the validators to send next time (kept from the previous run
      when the server gave none).
    """

    url: str
    fetched: bool = False
    not_modified: bool = False
    format: str = ""
    rows_read: int = 0
    refused: list[RowError] = field(default_factory=list)
    error: str | None = None
    error_template: str = ""
    error_params: dict[str, Any] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    bytes_read: int = 0

    @property
    def complete(self) -> bool:
        """Fetched and read without any refusal: only then is the feed the provider's whole
        list of offers (an offer missing from it may be withdrawn)."""
        return self.fetched and self.error is None and not self.refused


@dataclass
class FeedResult:
    """The offers read from a feed (none unless fetched without error) and the run's report."""

    records: list[OfferRecord]
    report: FeedReport


def sniff_format(body: bytes, content_type: str = "") -> str | None:
    """``csv``, ``jsonld``, or None when the body is neither (an HTML page, an image...). A
    decisive Content-Type wins; a vague one (text/plain, octet-stream, none) is decided by the
    first character of the body."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return JSONLD
    if media in CSV_TYPES:
        return CSV
    if media in ("text/html", "application/xhtml+xml", "application/xml", "text/xml"):
        return None
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return JSONLD
    if not start or start == b"<" or b"\x00" in body[:1024]:
        return None
    return CSV


def parse_feed(
    url: str,
    body: bytes,
    content_type: str = "",
    *,
    provider: Provider | None = None,
    default_language: str = "en",
    default_timezone: str = DEFAULT_TIMEZONE,
    report: FeedReport | None = None,
) -> FeedResult:
    """Read a fetched feed body. ``provider`` fills in courses that name none (JSON-LD)."""
    report = report or FeedReport(url=url)
    report.fetched = True
    report.bytes_read = len(body)
    kind = sniff_format(body, content_type)
    if kind is None:
        return failed(
            report,
            N_("the feed is neither CSV nor JSON-LD (Content-Type '%(type)s')"),
            type=content_type,
        )
    report.format = kind
    if kind == CSV:
        records, errors = read_csv(body, default_timezone=default_timezone)
    else:
        records, errors = read_jsonld(
            body,
            default_language=default_language,
            default_timezone=default_timezone,
            provider=provider,
        )
    whole = [e for e in errors if e.row == 0]
    if whole:
        return failed(report, whole[0].template, **whole[0].params)
    report.refused = errors
    report.rows_read = len(records)
    if not records:
        if errors:
            return failed(report, N_("no offer in the feed could be read"))
        return failed(report, N_("the feed holds no offers"))
    return FeedResult(records, report)


def failed(report: FeedReport, template: str, **params: Any) -> FeedResult:
    """A report of a failed run: the error (``template`` filled from ``params``), no records."""
    report.error_template = template
    report.error_params = {k: str(v) for k, v in params.items()}
    report.error = english(template, report.error_params)
    report.rows_read = 0
    return FeedResult([], report)
