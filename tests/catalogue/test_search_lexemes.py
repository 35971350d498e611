"""PostgreSQL: a word's start asked as the words of the index it matches (``search_lexemes``):
the words of every search row are kept (whoever writes the row), a start matching few words is
asked as them, and every search finds what it found asking the start."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.catalogue import offers, search, search_lexemes
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_match import query_terms
from lti_tool.catalogue.search_terms import query_terms as filter_terms
from lti_tool.extensions import db

from .helpers import TODAY, analyze_search_rows, offer, own_date, provider, reads_with

TOPICS = ("lassen", "lastechniek", "veiligheid", "veiligheidsregels", "heftruck", "steiger")


@pytest.fixture
def made(app: Any) -> Iterator[list[Any]]:
    """60 offers on a few topics (two pairs share a start), dates in postcode areas 90 and 20."""
    rng = random.Random(5)
    with app.app_context():
        s = db.session()
        owner = provider(s)
        found = []
        for n in range(60):
            topic = rng.choice(TOPICS)
            day = TODAY + dt.timedelta(days=rng.randint(1, 120))
            postcode = rng.choice(("9000", "9030", "2000", "2018"))
            found.append(
                offer(
                    s,
                    owner,
                    {"nl": f"{topic} {n}", "de": f"Schweißen {n}"},
                    descriptions={"nl": f"{rng.choice(TOPICS)} in de praktijk"},
                    dates=[own_date(day, postcode=postcode)],
                    format=rng.choice(("online", "classroom")),
                )
            )
        s.commit()
        analyze_search_rows()
        yield found


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]


def _missing() -> int:
    """Words of the search rows that the table of words lacks."""
    return db.session().scalar(
        text(
            "SELECT count(*) FROM (SELECT DISTINCT s.language, u.lexeme"
            " FROM catalogue_offer_search AS s, unnest(s.tsv) AS u WHERE s.tsv IS NOT NULL"
            " EXCEPT SELECT language, lexeme FROM catalogue_search_lexeme) AS missing"
        )
    )


def test_the_words_of_every_row_are_kept(app: Any, made: list[Any]) -> None:
    with app.app_context():
        if not _postgresql():
            pytest.skip("the words are kept on PostgreSQL")
        session = db.session()
        assert _missing() == 0
        kept = session.scalar(text("SELECT count(*) FROM catalogue_search_lexeme"))
        assert kept > 20
        # A changed offer's new words (a new postcode's reserved word among them) are kept too.
        data = offers.OfferInput(
            titles={"nl": "Hoogwerker bedienen"},
            dates=[own_date(TODAY + dt.timedelta(days=9), postcode="3500", city="Hasselt")],
        )
        offers.update_offer(session, made[0], data, user_id=None, today=TODAY)
        # and a row's words changed in place, as the seats' refresh does
        session.execute(
            text(
                "UPDATE catalogue_offer_search SET tsv = tsv || to_tsvector('simple', 'zzpc3600')"
                " WHERE offer_id = :id AND language = 'de'"
            ),
            {"id": made[1].id},
        )
        session.commit()
        assert _missing() == 0
        listed = session.execute(text("SELECT language, lexeme FROM catalogue_search_lexeme"))
        words = {(row.language, row.lexeme) for row in listed}
        assert {("nl", "hoogwerker"), ("nl", "zzpc3500"), ("de", "zzpc3600")} <= words
        assert ("nl", "zzpc3600") not in words


def test_two_writers_adding_the_same_new_word_never_wait_for_each_other(
    app: Any, made: list[Any]
) -> None:
    """Each writer adds the words its rows bring (no unique key to wait on): the second adds the
    word while the first has not committed, and a start finds it once."""
    with app.app_context():
        if not _postgresql():
            pytest.skip("the words are kept on PostgreSQL")
        add = text(
            "UPDATE catalogue_offer_search SET tsv = tsv || to_tsvector('simple', 'zzpc4711')"
            " WHERE offer_id = :id AND language = 'nl'"
        )
        with db.engine.connect() as first, db.engine.connect() as second:
            first.execute(add, {"id": made[0].id})  # not committed yet
            # Waiting for the first would end in an error here, not in a pass.
            second.execute(text("SET LOCAL lock_timeout = '5s'"))
            second.execute(add, {"id": made[1].id})
            second.commit()
            first.commit()
        session = db.session()
        query = OfferQuery(language="nl", text="lassen", postcode="47", today=TODAY)
        _, (postcode,) = search_lexemes.expanded(
            session, "nl", query_terms(["lassen"], "nl"), filter_terms(query)
        )
        assert postcode.words == ("zzpc4711",)


def test_a_start_is_asked_as_the_few_words_it_matches(
    app: Any, made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        session = db.session()
        query = OfferQuery(language="nl", text="lassen", postcode="90", today=TODAY)
        terms = query_terms(["lassen", "heftruck"], "nl")
        terms_, wanted = search_lexemes.expanded(session, "nl", terms, filter_terms(query))
        if not _postgresql():
            assert (terms_, wanted) == (terms, filter_terms(query))
            return
        # "lassen" is the start "lass": "lassen" and "lastechniek" are other words ("las...")
        assert terms_[0].lexemes == ("lass",)
        assert terms_[1].lexemes == ("heftruck",)
        (postcode,) = wanted
        assert set(postcode.words) == {"zzpc9000", "zzpc9030"}
        assert not postcode.prefix
        # More words than MOST: asked as the start, as before.
        monkeypatch.setattr(search_lexemes, "MOST", 1)
        _, wanted = search_lexemes.expanded(session, "nl", terms, filter_terms(query))
        assert wanted == filter_terms(query)


QUERIES = [
    {"text": "lassen"},
    {"text": "veilig"},
    {"text": "veiligheid praktijk", "postcode": "90"},
    {"text": "las", "format": "online"},
    {"text": "lassen", "postcode": "2", "sort": "soonest"},
    {"text": "veilig", "sort": "title"},
    {"text": "nergens"},
]


def test_every_search_finds_what_the_start_found(
    app: Any, made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of ``QUERIES`` (one set of offers for all), its first three pages past a lowered
    cap: the same totals and offers with the starts asked as words and as starts."""
    monkeypatch.setattr(search, "MAX_COUNT", 8)  # past the cap too, with pages of four

    def pages(fields: dict[str, Any]) -> list[Any]:
        found = []
        for page in (1, 2, 3):
            query = OfferQuery(language="nl", today=TODAY, per_page=4, page=page, **fields)
            result = search_offers(db.session(), query)
            found.append((result.total, [hit.offer_id for hit in result.hits]))
        return found

    with app.app_context():
        for fields in QUERIES:
            listed, asked = reads_with("::TSQUERY", lambda fields=fields: pages(fields))
            with monkeypatch.context() as plain:
                plain.setattr(search, "expanded", lambda _s, _l, terms, wanted: (terms, wanted))
                as_starts, _ = reads_with("::TSQUERY", lambda fields=fields: pages(fields))
            assert listed == as_starts, fields
            if fields["text"] != "nergens":
                assert listed[0][0] > 0, fields
                assert (asked > 0) == _postgresql(), fields
