"""PostgreSQL: each page language's title index holds that language's rows only, and only the
title statement of *best match* can read it (``search_indexes``): its condition is an expression
no other statement spells. It holds the rows' reserved words too, so a filter's words are looked
up in it, and a visitor's word never matches them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_match import matching_rows, query_terms
from lti_tool.catalogue.search_terms import query_terms as filter_terms
from lti_tool.extensions import db

from .helpers import TODAY, analyze_search_rows, offer, own_date, provider

LANGUAGES = ("nl", "fr", "de", "en")


def _plan(session: Any, statement: Any) -> str:
    """The statement's plan with sequential reads priced out: an index the statement may use
    is then used."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = session.execute(text(f"EXPLAIN {compiled}")).scalars()
    return "\n".join(rows)


@pytest.fixture
def pg_session(app: Any) -> Any:
    with app.app_context():
        session = db.session()
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("the title indexes are PostgreSQL's")
        owner = provider(session)
        for n in range(12):
            offer(
                session,
                owner,
                {
                    "nl": f"Lassen in de praktijk {n}",
                    "fr": f"Soudage en pratique {n}",
                    "de": f"Schweißen in der Praxis {n}",
                    "en": f"Welding in practice {n}",
                },
            )
        analyze_search_rows()
        yield session
        session.rollback()


def test_each_title_index_holds_its_language_only(pg_session: Any) -> None:
    for code in LANGUAGES:
        entries = pg_session.execute(
            text(f"SELECT count(*) FROM catalogue_offer_search WHERE (language || '') = '{code}'")
        ).scalar()
        definition = pg_session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
            {"name": f"ix_catalogue_offer_search_title_{code}"},
        ).scalar()
        assert entries == 12
        assert definition.endswith(f"WHERE (((language)::text || ''::text) = '{code}'::text)")


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_title_statement_reads_its_languages_title_index(pg_session: Any, code: str) -> None:
    word = {"nl": "praktijk", "fr": "pratique", "de": "Praxis", "en": "practice"}[code]
    titles = matching_rows(pg_session, code, query_terms([word.lower()], code), title_only=True)
    plan = _plan(pg_session, titles)
    assert f"ix_catalogue_offer_search_title_{code}" in plan, plan
    assert "ix_catalogue_offer_search_title_" not in plan.replace(
        f"ix_catalogue_offer_search_title_{code}", ""
    ), plan


def test_no_other_statement_of_a_search_reads_a_title_index(pg_session: Any) -> None:
    """The matches, the count and the pages without words name their language plainly: they
    never list a language's rows through a title index, even with sequential reads priced out."""
    matches = matching_rows(pg_session, "nl", query_terms(["praktijk"], "nl"))
    no_words = matching_rows(pg_session, "nl", [])
    for statement in (matches, no_words):
        assert "_title_" not in _plan(pg_session, statement)
    # and the searches still find what they found
    page = search_offers(pg_session, OfferQuery(language="nl", text="praktijk", today=TODAY))
    assert page.total == 12


def test_a_filters_words_are_looked_up_in_the_title_index(pg_session: Any) -> None:
    """With a postcode, the title index is asked for the title's words and the postcode's
    reserved word at once, and gives exactly the title matches in that postcode area."""
    owner = provider(pg_session, "ga", "Gabelstapler Akademie")
    for n in range(12):
        postcode = ("5200", "8000", "5210")[n % 3]
        offer(
            pg_session,
            owner,
            {"de": f"Arbeitssicherheit {n}" if n % 2 else f"Erste Hilfe {n}"},
            dates=[own_date(TODAY.replace(month=3), postcode=postcode, city="Siegburg")],
            format="online" if n % 4 == 0 else "classroom",
        )
    analyze_search_rows()
    query = OfferQuery(language="de", text="Sicherheit", postcode="52", today=TODAY)
    terms = query_terms(["arbeitssicherheit"], "de")
    titles = matching_rows(pg_session, "de", terms, title_only=True, filters=filter_terms(query))
    plan = _plan(pg_session, titles)
    assert "ix_catalogue_offer_search_title_de" in plan, plan
    assert "zzpc52" in plan.split("Index Cond", 1)[1], plan  # the filter's word, in the index
    found = set(pg_session.scalars(titles))
    expected = set(
        pg_session.scalars(
            text(
                "SELECT id FROM catalogue_offer_search WHERE language = 'de'"
                " AND title LIKE 'Arbeitssicherheit%' AND postcodes LIKE '%|52%'"
            )
        )
    )
    assert len(expected) == 4  # odd n, postcode 5200 or 5210
    assert found == expected


def test_a_word_spelled_like_a_reserved_one_matches_titles_only(pg_session: Any) -> None:
    """Both offers have the reserved word of funding; a visitor's word spelled the same finds
    only the title that has it."""
    owner = provider(pg_session, "zz", "ZZ Opleidingen")
    offer(pg_session, owner, {"nl": "Zzfund workshop"}, funding_eligible=True)
    offer(pg_session, owner, {"nl": "Lassen met subsidie"}, funding_eligible=True)
    analyze_search_rows()
    terms = query_terms(["zzfund"], "nl")
    titles = matching_rows(pg_session, "nl", terms, title_only=True)
    found = list(pg_session.scalars(titles))
    titled = pg_session.scalars(
        text("SELECT title FROM catalogue_offer_search WHERE id = ANY(:ids)"), {"ids": found}
    ).all()
    assert titled == ["Zzfund workshop"]
