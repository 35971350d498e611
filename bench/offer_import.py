# ruff: noqa: E402 (the path is set before the project is imported)
"""Offer import speed: rows per second for parsing CSV and JSON-LD feeds (no database).

    .venv/bin/python bench/offer_import.py [--rows 100000] [--small]

It builds a CSV of N offer dates (N/2 offers with two dates each, texts in two languages with a
little HTML, competences, funding) and a JSON-LD document of the same offers as schema.org
Courses, then reads each with ``offer_formats`` as a feed would be read (``parse_feed``: decoding,
sniffing, checking, sanitising every text with nh3) and writes each back. It prints rows per
second for each step and exits 1 if a row was refused (the generated data is all valid).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

import argparse
import json
import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from offer_formats.csv_format import write_csv
from offer_formats.feed import parse_feed
from offer_formats.jsonld_write import jsonld_document
from offer_formats.records import Competence, DateRecord, OfferRecord, Provider

ESCO = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"


def offers(count: int) -> list[OfferRecord]:
    zone = ZoneInfo("Europe/Brussels")
    start = datetime(2027, 1, 4, 9, 0, tzinfo=zone)
    made = []
    for i in range(count):
        day = start + timedelta(days=i % 300)
        made.append(
            OfferRecord(
                ref=f"OFF-{i:06d}",
                provider=Provider(f"Provider {i % 50}", f"https://p{i % 50}.example.org"),
                title={"nl": f"Heftruck veilig besturen {i}", "fr": f"Chariot élévateur {i}"},
                description={
                    "nl": f"<p>Twee dagen <strong>praktijk</strong> ({i}).</p><ul><li>Veiligheid</li></ul>",
                    "fr": f"<p>Deux jours de pratique ({i}).</p>",
                },
                competences=[Competence(code=f"LOG-{i % 40}", esco_uri=ESCO)],
                format=("classroom", "blended", "online")[i % 3],
                languages=["nl", "fr"],
                hours=Decimal(16),
                target_group={"nl": "Magazijnmedewerkers"},
                price=Decimal(450),
                funding=["KMO-portefeuille"],
                credential={"nl": "Attest"},
                url=f"https://p{i % 50}.example.org/offers/{i}",
                dates=[
                    DateRecord(
                        start=day + timedelta(days=7 * n),
                        end=day + timedelta(days=7 * n, hours=7),
                        place="Campus",
                        postcode=f"{1000 + i % 8000}",
                        city="Gent",
                        country="BE",
                        seats_left=12,
                    )
                    for n in range(2)
                ],
            )
        )
    return made


def timed(label: str, rows: int, work: object) -> object:
    began = time.perf_counter()
    result = work()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    print(
        f"{label:<34} {rows:>8} rows in {seconds:6.2f} s = {rows / seconds:>9.0f} rows per second"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="offer dates (two per offer)")
    parser.add_argument("--small", action="store_true", help="2,000 rows (the smoke test)")
    args = parser.parse_args()
    rows = 2_000 if args.small else args.rows
    records = offers(max(1, rows // 2))
    rows = 2 * len(records)

    csv_body = write_csv(records).encode("utf-8")
    jsonld_body = json.dumps(jsonld_document(records), ensure_ascii=False).encode("utf-8")
    print(
        f"{len(records)} offers, {rows} dates: CSV {len(csv_body) / 1e6:.1f} MB, "
        f"JSON-LD {len(jsonld_body) / 1e6:.1f} MB"
    )

    from_csv = timed("CSV parse (feed)", rows, lambda: parse_feed("bench", csv_body, "text/csv"))
    from_jsonld = timed(
        "JSON-LD parse (feed)",
        rows,
        lambda: parse_feed("bench", jsonld_body, "application/ld+json"),
    )
    timed("CSV write", rows, lambda: write_csv(records))
    timed("JSON-LD write", rows, lambda: json.dumps(jsonld_document(records)))
    refused = 0
    for result in (from_csv, from_jsonld):
        report = result.report  # type: ignore[attr-defined]
        refused += len(report.refused) + (1 if report.error else 0)
        if result.records != records:  # type: ignore[attr-defined]
            print("the records read back differ from the ones written")
            return 1
    print(f"refused rows: {refused} (must be 0)")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
