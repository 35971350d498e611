"""Checks and normalisation shared by the readers. Each function returns the clean value or raises
``ValueError`` with a reason a provider can act on (it ends up in the import report)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import N_, Refusal
from .records import FORMATS, STATUSES, Competence

MAX_REF = 200
MAX_TEXT = 500  # titles, names, places
MAX_LONG_TEXT = 20_000  # descriptions, prerequisites
MAX_HOURS = Decimal(10_000)
MAX_PRICE = Decimal(1_000_000)

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)

# Words providers use for a format, in the catalogue's languages and schema.org's.
FORMAT_WORDS = {
    "online": "online",
    "e-learning": "online",
    "elearning": "online",
    "classroom": "classroom",
    "onsite": "classroom",
    "on-site": "classroom",
    "in-person": "classroom",
    "offline": "classroom",
    "klassikaal": "classroom",
    "présentiel": "classroom",
    "presentiel": "classroom",
    "präsenz": "classroom",
    "blended": "blended",
    "hybrid": "blended",
    "hybride": "blended",
    "mixed": "blended",
}
YES = {"yes", "y", "true", "1", "ja", "oui", "x"}
NO = {"", "no", "n", "false", "0", "nee", "non", "nein"}


def ref(value: str) -> str:
    value = value.strip()
    if not value:
        raise Refusal(N_("the offer has no reference (offer_ref / courseCode)"))
    if len(value) > MAX_REF:
        raise Refusal(N_("the offer reference is longer than %(limit)s characters"), limit=MAX_REF)
    return value


def bounded(value: str, what: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise Refusal(N_("%(what)s is longer than %(limit)s characters"), what=what, limit=limit)
    return value


def offer_format(value: str) -> str:
    word = value.strip().lower()
    if word in FORMAT_WORDS:
        return FORMAT_WORDS[word]
    raise Refusal(
        N_("format '%(value)s' is not one of %(choices)s"), value=value, choices=", ".join(FORMATS)
    )


def status(value: str) -> str:
    word = value.strip().lower() or "published"
    if word not in STATUSES:
        raise Refusal(
            N_("status '%(value)s' is not one of %(choices)s"),
            value=value,
            choices=", ".join(STATUSES),
        )
    return word


def language(value: str) -> str:
    code = value.strip().lower().replace("_", "-")
    if not _LANGUAGE.match(code):
        raise Refusal(
            N_("language '%(value)s' is not a language code such as nl, fr, de or en"), value=value
        )
    return code


def catalogue_language(tag: str) -> str:
    """The primary subtag of a BCP 47 tag (``nl-BE`` -> ``nl``), lower case."""
    return tag.strip().lower().replace("_", "-").split("-", 1)[0]


def flag(value: str, what: str) -> bool:
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Refusal(N_("%(what)s '%(value)s' is not yes or no"), what=what, value=value)


def decimal(value: str | int | float | Decimal, what: str, limit: Decimal) -> Decimal | None:
    if isinstance(value, bool):
        raise Refusal(N_("%(what)s '%(value)s' is not a number"), what=what, value=value)
    text = str(value).strip()
    if not text:
        return None
    # A decimal comma is common in the network's countries; thousands separators are not accepted.
    if isinstance(value, str) and "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Refusal(N_("%(what)s '%(value)s' is not a number"), what=what, value=value) from None
    if not number.is_finite() or number < 0 or number > limit:
        raise Refusal(
            N_("%(what)s '%(value)s' must be between 0 and %(limit)s"),
            what=what,
            value=value,
            limit=limit,
        )
    return number


def currency(value: str) -> str:
    code = value.strip().upper() or "EUR"
    if not _CURRENCY.match(code):
        raise Refusal(
            N_("currency '%(value)s' is not a three-letter code such as EUR"), value=value
        )
    return code


def country(value: str) -> str:
    code = value.strip().upper()
    if code and not _COUNTRY.match(code):
        raise Refusal(
            N_("country '%(value)s' is not a two-letter code such as BE, NL or DE"), value=value
        )
    return code


def web_url(value: str, what: str = "url") -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000:
        raise Refusal(
            N_("%(what)s '%(value)s' is not an http or https address"), what=what, value=value
        )
    return value


def seats(value: str | int) -> int | None:
    if isinstance(value, bool):
        raise Refusal(N_("seats left '%(value)s' is not a whole number"), value=value)
    text = str(value).strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 1_000_000:
        raise Refusal(N_("seats left '%(value)s' is not a whole number of 0 or more"), value=value)
    return int(text)


def timezone(value: str, default: str) -> str:
    name = value.strip() or default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refusal(
            N_("time zone '%(value)s' is not a known name such as Europe/Brussels"), value=value
        ) from None
    return name


def moment(value: str, zone: str, what: str) -> datetime:
    """An ISO 8601 date or date-time as an aware datetime in ``zone``; a bare date is midnight,
    a time without offset is wall-clock time in ``zone``."""
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise Refusal(
            N_("%(what)s '%(value)s' is not a date such as 2027-03-14T09:00"),
            what=what,
            value=value,
        ) from None
    tz = ZoneInfo(zone)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz)
    return parsed.astimezone(tz)


def competence(item: str) -> Competence:
    """One competence written as ``CODE``, ``URI`` or ``CODE=URI``."""
    item = item.strip()
    code, uri = "", ""
    if item.startswith(("http://", "https://")):
        uri = item
    elif "=" in item:
        code, uri = (part.strip() for part in item.split("=", 1))
    else:
        code = item
    if uri:
        web_url(uri, "competence URI")
    if not code and not uri:
        raise Refusal(N_("a competence is empty"))
    if len(code) > 100 or any(c in code for c in "|<>\n"):
        raise Refusal(
            N_("competence code '%(value)s' is not a code (at most 100 characters)"), value=code
        )
    return Competence(code=code, esco_uri=uri)


def hours_from_duration(value: str) -> Decimal:
    """An ISO 8601 duration (``PT16H``, ``PT7H30M``, ``P2D``; a day counts 24 hours) in hours."""
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        raise Refusal(
            N_("duration '%(value)s' is not an ISO 8601 duration such as PT16H"), value=value
        )
    parts = {k: Decimal(v) if v else Decimal(0) for k, v in match.groupdict().items()}
    total = parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    hours = total.quantize(Decimal("0.01")).normalize()
    if hours > MAX_HOURS:
        raise Refusal(
            N_("duration '%(value)s' is more than %(limit)s hours"), value=value, limit=MAX_HOURS
        )
    return hours


def duration_from_hours(hours: Decimal) -> str:
    minutes = int((hours * 60).to_integral_value())
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def plain_number(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros (``Decimal('16.50')`` -> ``16.5``)."""
    text = format(number.normalize(), "f")
    return text


def iso(moment_: datetime) -> str:
    return moment_.isoformat(timespec="minutes") if moment_.second == 0 else moment_.isoformat()
