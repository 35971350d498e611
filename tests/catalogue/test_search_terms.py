"""The filters' values as reserved words of the word index (``search_terms``): a search with
words and filters finds exactly the offers a plain check of each offer keeps, a visitor's word
never turns a filter on, and the words follow every change of an offer (edits, the seat job,
the migration ``c4e8a1f6b2d9``)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import inspect, select, text

from lti_tool.blended import booking
from lti_tool.blended.session_models import BlendedSession
from lti_tool.catalogue import offers
from lti_tool.catalogue.models import CatalogueOffer, CatalogueOfferSearch
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_filters import filter_values
from lti_tool.catalogue.seat_refresh import refresh_linked_dates
from lti_tool.extensions import db
from tests.blended.session_helpers import user
from tests.migration_fill import run_migration_function

from .helpers import TODAY, offer, own_date, provider
from .test_seat_refresh import NOW, linked  # noqa: F401  (the fixture)

FORMATS = ("online", "classroom", "blended")
POSTCODES = ("9000", "9030", "2000", "2018", "B-1000")
WORDS = ("lassen", "steiger", "hoogwerker")
MIGRATION = "c4e8a1f6b2d9_catalogue_search_filter_terms.py"
MONTHS_MIGRATION = "d5b7e9a1c3f2_catalogue_search_month_terms.py"


def _dates(rng: random.Random) -> list[Any]:
    found = []
    for _ in range(rng.randint(0, 2)):
        if rng.random() < 0.2:
            found.append(offers.DateInput(kind="self_paced", seats_left=rng.choice((None, 0, 3))))
            continue
        day = TODAY + dt.timedelta(days=rng.randint(-20, 120))
        found.append(own_date(day, rng.choice(POSTCODES), seats=rng.choice((None, 0, 4))))
    return found


def _keeps(made: dict[str, Any], query: OfferQuery) -> bool:
    """The query's filters checked on the offer as it was made (no search row read)."""
    if query.text and query.text.split()[-1] not in made["title"].lower().split():
        return False
    if query.format and made["format"] != query.format:
        return False
    if query.funding and not made["funding"]:
        return False
    if not (query.postcode or query.date_from or query.date_to or query.free_seats):
        return True

    def date_keeps(d: Any) -> bool:
        paced = d.kind == "self_paced"
        return (
            (not query.postcode or d.postcode.startswith(query.postcode))
            and (not query.date_from or paced or d.starts_on >= query.date_from)
            and (not query.date_to or paced or d.starts_on <= query.date_to)
            and (
                not query.free_seats
                or (
                    (d.seats_left is None or d.seats_left > 0)
                    and (d.starts_on is None or d.starts_on >= query.today)
                )
            )
        )

    return any(date_keeps(d) for d in made["dates"])


def _found(**fields: Any) -> list[int]:
    page = search_offers(db.session(), OfferQuery(today=TODAY, language="nl", **fields))
    return [hit.offer_id for hit in page.hits]


def test_words_with_filters_find_what_a_check_of_each_offer_finds(app: Any) -> None:
    rng = random.Random(13)
    with app.app_context():
        s = db.session()
        owner = provider(s)
        made = {}
        for _ in range(36):
            title = f"Heftruck {rng.choice(WORDS)}"
            fields = {
                "format": rng.choice(FORMATS),
                "funding_eligible": rng.random() < 0.5,
                "dates": _dates(rng),
            }
            one = offer(s, owner, {"nl": title}, **fields)
            made[one.id] = {
                "title": title,
                "format": fields["format"],
                "funding": fields["funding_eligible"],
                "dates": fields["dates"],
            }
        s.commit()
        checked = 0
        for _ in range(60):
            fields = {
                "text": rng.choice(("heftruck", "lassen", "steiger", "heftruck hoogwerker", "")),
                "format": rng.choice((None, *FORMATS)),
                "funding": rng.random() < 0.4,
                "postcode": rng.choice(("", "", "9", "90", "903", "2000", "B-1", "b1")),
                "free_seats": rng.random() < 0.4,
                "per_page": 50,
            }
            if rng.random() < 0.3:
                fields["date_from"] = TODAY + dt.timedelta(days=rng.randint(-10, 60))
            if rng.random() < 0.3:
                fields["date_to"] = TODAY + dt.timedelta(days=rng.randint(61, 120))
            query = OfferQuery(today=TODAY, language="nl", **fields)
            expected = {i for i, values in made.items() if _keeps(values, query)}
            assert set(_found(**fields)) == expected, fields
            checked += bool(expected)
        assert checked >= 15  # most queries find something: the comparison says something


def test_a_visitors_reserved_word_filters_nothing(app: Any) -> None:
    with app.app_context():
        s = db.session()
        owner = provider(s)
        funded = offer(
            s,
            owner,
            {"nl": "Heftruck"},
            format="online",
            funding_eligible=True,
            dates=[own_date(TODAY + dt.timedelta(days=9))],
        )
        worded = offer(s, owner, {"nl": "Heftruck zzfund training"})
        s.commit()
        assert _found(funding=True) == [funded.id]
        assert _found(text="zzfund") == [worded.id]  # its text, not the filter
        assert _found(text="heftruck zzfund") == [worded.id]
        assert _found(text="zzf") == [worded.id]
        assert _found(text="heftruck zzfund", funding=True) == []
        for word in ("zzfmtonline", "zzpc9000", "zzfree", "zzpc", "zzfmt", "žzfmtonline"):
            assert _found(text=word) == [], word
        assert set(_found(text="heftruck")) == {funded.id, worded.id}


def _indexed(term: str) -> set[int]:
    """The offers whose search rows hold the reserved word in the index itself."""
    s = db.session()
    if db.engine.dialect.name == "postgresql":  # type: ignore[union-attr]
        rows = s.execute(
            text(
                "SELECT offer_id FROM catalogue_offer_search"
                " WHERE tsv @@ to_tsquery('simple', :term)"
            ),
            {"term": f"{term}:B"},
        )
    else:
        rows = s.execute(
            text(
                "SELECT s.offer_id FROM catalogue_offer_fts f"
                " JOIN catalogue_offer_search s ON s.id = f.rowid"
                " WHERE catalogue_offer_fts MATCH :match"
            ),
            {"match": f'filter_terms : "{term}"'},
        )
    return set(rows.scalars())


def _in_step(offer_id: int) -> str:
    """The rows' terms, equal in every language to the offer's own values."""
    db.session.expire_all()
    made = db.session().get(CatalogueOffer, offer_id)
    assert made is not None
    terms = set(
        db.session().scalars(
            select(CatalogueOfferSearch.filter_terms).where(
                CatalogueOfferSearch.offer_id == offer_id
            )
        )
    )
    assert terms == {filter_values(made)["filter_terms"]}
    return terms.pop()


def test_an_edit_changes_the_indexed_terms(app: Any) -> None:
    march = dt.date(2030, 3, 2)
    with app.app_context():
        s = db.session()
        made = offer(s, provider(s), {"nl": "Heftruck rijden"}, dates=[own_date(march)])
        s.commit()
        assert _in_step(made.id) == "zzfmtclassroom zzpc9000 zzfree zzm203003"
        assert made.id in _indexed("zzfmtclassroom")
        data = offers.OfferInput(
            titles={"nl": "Heftruck rijden"},
            languages=["nl"],
            format="online",
            funding_eligible=True,
            dates=[own_date(march, postcode="2000", seats=0)],
        )
        offers.update_offer(s, made, data, None)
        s.commit()
        assert _in_step(made.id) == "zzfmtonline zzfund zzpc2000 zzm203003"
        assert made.id not in _indexed("zzfmtclassroom") | _indexed("zzpc9000")
        assert made.id in _indexed("zzfmtonline") & _indexed("zzfund") & _indexed("zzpc2000")
        assert made.id not in _indexed("zzfree")
        assert _found(text="heftruck", format="online", funding=True, postcode="20") == [made.id]
        assert _found(text="heftruck", format="classroom") == []


def test_the_seat_job_changes_the_indexed_terms(app: Any, linked: dict[str, int]) -> None:  # noqa: F811
    with app.app_context():
        assert "zzfree" in _in_step(linked["offer"]).split()
        assert linked["offer"] in _indexed("zzfree")
        for person in ("a", "b"):  # the session's two seats
            s = db.session()
            blended = s.get(BlendedSession, linked["session"])
            assert booking.book(s, blended, user(s, linked[person]), now=NOW).kind == "booked"
            s.commit()
        done = refresh_linked_dates(db.session(), TODAY)
        assert (done.seats, done.reindexed) == (1, 0)
        assert "zzfree" not in _in_step(linked["offer"]).split()
        assert linked["offer"] not in _indexed("zzfree")
        assert linked["offer"] in _indexed("zzfmtclassroom")
        assert _found(text="steigerbouw") == [linked["offer"]]  # the words stay
        assert _found(text="steigerbouw", free_seats=True) == []


def test_the_migration_fills_the_terms_and_goes_back(app: Any) -> None:
    with app.app_context():
        s = db.session()
        owner = provider(s)
        online = offer(
            s,
            owner,
            {"nl": "Heftruck"},
            format="online",
            funding_eligible=True,
            dates=[own_date(dt.date(2030, 5, 4), postcode="2000")],
        )
        other = offer(s, owner, {"nl": "Heftruck"}, dates=[own_date(dt.date(2030, 5, 4))])
        s.commit()
        expected = {made.id: _in_step(made.id) for made in (online, other)}
        s.commit()  # the migration takes the table's lock
        run_migration_function(MIGRATION, "downgrade")
        columns = {c["name"] for c in inspect(db.engine).get_columns("catalogue_offer_search")}
        assert "filter_terms" not in columns
        run_migration_function(MIGRATION, "upgrade")
        # The months' words come with the next migration (test_search_months.py).
        run_migration_function(MONTHS_MIGRATION, "upgrade")
        assert {made.id: _in_step(made.id) for made in (online, other)} == expected
        assert _indexed("zzfund") == {online.id}
        assert _found(text="heftruck", format="online", postcode="20") == [online.id]
        assert _found(text="heftruck", funding=True) == [online.id]
        # New rows are indexed again (the triggers are back on SQLite).
        third = offer(s, owner, {"nl": "Heftruck"}, format="blended")
        s.commit()
        assert _indexed("zzfmtblended") == {third.id}
