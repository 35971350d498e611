"""The months of an offer's dates as reserved words of the word index (``search_terms``): a
search with words and a date range asks the index for the range's months (or a self-paced
date), and still finds exactly what a check of each offer's dates finds, across month and year
boundaries; the words follow edits and the migration ``d5b7e9a1c3f2``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from lti_tool.catalogue import offers
from lti_tool.catalogue.models import CatalogueOffer, CatalogueOfferSearch
from lti_tool.catalogue.search import OfferQuery
from lti_tool.catalogue.search_terms import MAX_MONTHS, SELF_PACED, months, query_terms
from lti_tool.extensions import db
from tests.migration_fill import run_migration_function

from .helpers import TODAY, offer, own_date, provider
from .test_search_terms import _found, _in_step, _indexed, _keeps

MIGRATION = "d5b7e9a1c3f2_catalogue_search_month_terms.py"
DAYS = {
    "dec31": [dt.date(2029, 12, 31)],
    "jan1": [dt.date(2030, 1, 1)],
    "jan31": [dt.date(2030, 1, 31)],
    "feb1": [dt.date(2030, 2, 1)],
    "feb28": [dt.date(2030, 2, 28)],
    "mar1": [dt.date(2030, 3, 1)],
    "jan_and_apr": [dt.date(2030, 1, 10), dt.date(2030, 4, 30)],
    "next_year": [dt.date(2031, 2, 14)],
}
RANGES = [
    (dt.date(2030, 1, 31), dt.date(2030, 1, 31)),
    (dt.date(2030, 2, 1), dt.date(2030, 2, 28)),
    (dt.date(2030, 2, 2), dt.date(2030, 2, 27)),  # February's words, no February day
    (dt.date(2029, 12, 31), dt.date(2030, 1, 1)),  # over the year's end
    (dt.date(2030, 1, 15), dt.date(2030, 3, 1)),
    (dt.date(2030, 2, 1), dt.date(2030, 4, 29)),  # the April date a day later
    (dt.date(2030, 4, 30), dt.date(2031, 2, 14)),
    (dt.date(2030, 5, 1), dt.date(2031, 1, 31)),  # only the self-paced ones
    (dt.date(2029, 1, 1), dt.date(2031, 12, 31)),  # longer than MAX_MONTHS: not asked
]


def _made(s: Any) -> dict[int, dict[str, Any]]:
    owner = provider(s)
    made = {}
    plans = {name: [own_date(day) for day in days] for name, days in DAYS.items()}
    plans["self_paced"] = [offers.DateInput(kind="self_paced")]
    plans["self_paced_and_mar1"] = [
        offers.DateInput(kind="self_paced", seats_left=0),
        own_date(dt.date(2030, 3, 1)),
    ]
    plans["no_dates"] = []
    for name, dates in plans.items():
        one = offer(s, owner, {"nl": f"Heftruck {name}"}, format="online", dates=dates)
        made[one.id] = {"title": f"heftruck {name}", "format": "online", "funding": False}
        made[one.id]["dates"] = dates
    s.commit()
    return made


def test_the_range_asks_for_its_months_and_a_self_paced_date() -> None:
    assert months(dt.date(2029, 11, 30), dt.date(2030, 2, 1)) == [
        "zzm202911",
        "zzm202912",
        "zzm203001",
        "zzm203002",
    ]
    query = OfferQuery(date_from=dt.date(2030, 1, 31), date_to=dt.date(2030, 2, 1))
    assert [t.words for t in query_terms(query)] == [("zzm203001", "zzm203002", SELF_PACED)]
    for one_end in ({"date_from": TODAY}, {"date_to": TODAY}):
        assert query_terms(OfferQuery(**one_end)) == []  # type: ignore[arg-type]
    last = TODAY + dt.timedelta(days=31 * MAX_MONTHS)
    assert query_terms(OfferQuery(date_from=TODAY, date_to=last)) == []


def test_date_ranges_with_words_find_what_a_check_of_each_date_finds(app: Any) -> None:
    with app.app_context():
        made = _made(db.session())
        checked = 0
        for first, last in RANGES:
            for extra in ({}, {"free_seats": True}, {"format": "online"}):
                for text in ("heftruck", ""):
                    fields = {"text": text, "date_from": first, "date_to": last, "per_page": 50}
                    query = OfferQuery(today=TODAY, language="nl", **fields, **extra)
                    expected = {i for i, values in made.items() if _keeps(values, query)}
                    found = _found(**fields, **extra)
                    assert sorted(found) == sorted(expected), (first, last, extra, text)
                    assert len(found) == len(set(found))
                    checked += bool(expected) and bool(set(made) - expected)
        assert checked >= 20  # most ranges keep some offers and leave others out


def test_the_words_follow_an_edit_and_the_migration(app: Any) -> None:
    with app.app_context():
        s = db.session()
        made = _made(s)
        by_name = {values["title"].split()[1]: i for i, values in made.items()}
        assert _in_step(by_name["jan_and_apr"]).endswith(" zzm203001 zzm203004")
        assert _in_step(by_name["self_paced_and_mar1"]).endswith(" zzm203003 zzmself")
        assert _indexed("zzmself") == {by_name["self_paced"], by_name["self_paced_and_mar1"]}
        assert _indexed("zzm203002") == {by_name["feb1"], by_name["feb28"]}
        edited = s.get(CatalogueOffer, by_name["feb1"])
        data = offers.OfferInput(
            titles={"nl": "Heftruck feb1"},
            languages=["nl"],
            format="online",
            dates=[own_date(dt.date(2030, 6, 3))],
        )
        offers.update_offer(s, edited, data, None)
        s.commit()
        assert _indexed("zzm203002") == {by_name["feb28"]}
        assert _indexed("zzm203006") == {by_name["feb1"]}
        june = {"date_from": dt.date(2030, 6, 1), "date_to": dt.date(2030, 6, 30)}
        assert set(_found(text="heftruck", **june)) == {
            by_name["feb1"],
            by_name["self_paced"],
            by_name["self_paced_and_mar1"],
        }
        expected = {i: _in_step(i) for i in made}
        s.commit()  # the migration takes the table's lock
        run_migration_function(MIGRATION, "downgrade")
        rows = db.session().scalars(select(CatalogueOfferSearch.filter_terms))
        assert [terms for terms in rows if "zzm" in terms] == []
        assert _indexed("zzm203006") == _indexed("zzmself") == set()
        run_migration_function(MIGRATION, "upgrade")
        assert {i: _in_step(i) for i in made} == expected
        assert _indexed("zzm203006") == {by_name["feb1"]}
        assert set(_found(text="heftruck", **june)) == {
            by_name["feb1"],
            by_name["self_paced"],
            by_name["self_paced_and_mar1"],
        }
        # New rows are indexed again (the triggers are back on SQLite).
        offer(
            s,
            provider(s, "ocb", "Opleidingscentrum Brugge"),
            {"nl": "Heftruck"},
            dates=[own_date(dt.date(2030, 7, 7))],
        )
        s.commit()
        assert len(_indexed("zzm203007")) == 1
