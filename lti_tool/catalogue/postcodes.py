"""Postcodes and their coordinates: loaded from a GeoNames postal-code file, used to measure how
far an offer's date is from a company (the gap report's ranking) and to name a company's region.

The file is GeoNames' public postal-code export (https://download.geonames.org/export/zip/, one
zip per country such as ``BE.zip``, or ``allCountries.zip``; licence CC BY 4.0): UTF-8, one
postcode a line, tab-separated: country code, postal code, place name, three admin names and
codes, latitude, longitude, accuracy. A postcode with several places (one per village) is kept
once: its first place name and the mean of their coordinates. Loading again replaces the rows
of the same postcodes, so a reload changes nothing but what the file changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import PostcodePlace

BATCH = 5000  # rows sent per execute
EARTH_KM = 6371.0088  # the mean radius of the earth
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class LoadResult:
    """What a load did: postcodes written (new or replaced), and the lines refused, with why."""

    loaded: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def clean_postcode(raw: str) -> str:
    """A postcode as stored and compared: upper case, inner spaces kept single ("1011 AB")."""
    return " ".join(raw.upper().split())


def area_of(postcode: str) -> str:
    """A postcode's area, the region the catalogue counts in: its first two characters, "90xx";
    "" when there are fewer than two."""
    code = clean_postcode(postcode).replace(" ", "")
    return code[:2] + "xx" if len(code) >= 2 else ""


def _row(line: str) -> tuple[str, str, str, float, float] | str:
    """One line as (country, postcode, place, latitude, longitude), or why it is refused."""
    cells = line.rstrip("\r\n").split("\t")
    if len(cells) < 11:
        return f"{len(cells)} columns, a GeoNames line has 12"
    country, postcode = cells[0].strip().upper(), clean_postcode(cells[1])
    if not _COUNTRY.match(country):
        return f"country {cells[0]!r} is not a two-letter code"
    if not postcode or len(postcode) > 20:
        return "no postcode" if not postcode else "postcode longer than 20 characters"
    try:
        latitude, longitude = float(cells[9]), float(cells[10])
    except ValueError:
        return f"latitude {cells[9]!r} or longitude {cells[10]!r} is not a number"
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return f"latitude {latitude} or longitude {longitude} is out of range"
    return country, postcode, cells[2].strip()[:180], latitude, longitude


def read_places(lines: Iterable[str]) -> tuple[list[dict[str, object]], LoadResult]:
    """The file's postcodes (first place, mean coordinates) as rows, and the lines refused."""
    result = LoadResult()
    sums: dict[tuple[str, str], tuple[str, float, float, int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row = _row(line)
        if isinstance(row, str):
            result.refused.append((number, row))
            continue
        country, postcode, place, latitude, longitude = row
        first, lat, lon, n = sums.get((country, postcode), (place, 0.0, 0.0, 0))
        sums[(country, postcode)] = (first, lat + latitude, lon + longitude, n + 1)
    rows: list[dict[str, object]] = [
        {
            "country": country,
            "postcode": postcode,
            "place": place,
            "latitude": round(lat / n, 6),
            "longitude": round(lon / n, 6),
        }
        for (country, postcode), (place, lat, lon, n) in sums.items()
    ]
    return rows, result


def load_places(session: Session, lines: Iterable[str]) -> LoadResult:
    """Write the file's good lines (new postcodes added, known ones replaced) in the session's
    transaction, and say which lines were refused. The caller commits."""
    rows, result = read_places(lines)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PostcodePlace.__table__)
    upsert = statement.on_conflict_do_update(
        index_elements=["country", "postcode"],
        set_={name: statement.excluded[name] for name in ("place", "latitude", "longitude")},
    )
    for start in range(0, len(rows), BATCH):  # one compiled statement, executed many times
        session.execute(upsert, rows[start : start + BATCH])
    result.loaded = len(rows)
    return result


def coordinates(
    session: Session, country: str, postcodes: Collection[str]
) -> dict[str, tuple[float, float]]:
    """Postcode -> (latitude, longitude), for the postcodes of one country that are known (one
    query)."""
    wanted = sorted({clean_postcode(p) for p in postcodes if p.strip()})
    if not wanted or not country:
        return {}
    P = PostcodePlace
    return {
        postcode: (latitude, longitude)
        for postcode, latitude, longitude in session.execute(
            select(P.postcode, P.latitude, P.longitude).where(
                P.country == country.upper(), P.postcode.in_(wanted)
            )
        )
    }


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
