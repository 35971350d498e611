"""The gap report's ranking of offers (``offer_ranking``): by how many of the top gaps an offer
covers and their size, ties by next date then the reader's language; the reason in plain words
in English and Dutch; the catalogue's finder brings each offer's next date and languages in one
query each (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import force_locale
from sqlalchemy import event

from lti_tool.catalogue import offers as catalogue_offers
from lti_tool.catalogue import providers
from lti_tool.catalogue.matching import catalogue_offers as catalogue_finder
from lti_tool.competence_offers import OfferRef, Where
from lti_tool.extensions import db
from lti_tool.models import utcnow
from lti_tool.offer_ranking import RankedOffer, rank_offers, reason
from lti_tool.passports.models import Competence, CompetenceFramework

SOON = dt.date(2030, 3, 14)
LATER = dt.date(2030, 5, 2)


def _ref(n: int, title: str, **facts: Any) -> OfferRef:
    return OfferRef("catalogue", n, title, **facts)


def test_more_gaps_covered_ranks_first_then_bigger_gaps() -> None:
    gaps = [(1, 3.0), (2, 2.0), (3, 1.0)]
    wide, big, small = _ref(1, "Wide"), _ref(2, "Big"), _ref(3, "Small")
    offers = {1: [big, wide], 2: [wide], 3: [small, wide]}
    ranked = rank_offers(gaps, offers, "en")
    assert [r.offer.title for r in ranked] == ["Wide", "Big", "Small"]
    assert [(r.covered, r.top, r.gap_sum) for r in ranked] == [
        (3, 3, 6.0),
        (1, 3, 3.0),
        (1, 3, 1.0),
    ]
    # Gaps not among the top are ignored; each offer is listed once.
    assert [r.offer.title for r in rank_offers([(3, 1.0)], offers, "en")] == ["Small", "Wide"]


def test_ties_go_to_the_sooner_date_then_the_readers_language() -> None:
    gaps = [(1, 2.0)]
    late_nl = _ref(1, "A late", starts_on=LATER, languages=("nl",))
    soon_fr = _ref(2, "B soon French", starts_on=SOON, languages=("fr",))
    soon_nl = _ref(3, "C soon Dutch", starts_on=SOON, languages=("nl", "fr"))
    undated = _ref(4, "D no date", languages=("nl",))
    offers = {1: [undated, late_nl, soon_fr, soon_nl]}
    ranked = rank_offers(gaps, offers, "nl")
    assert [r.offer.id for r in ranked] == [3, 2, 1, 4]
    assert [r.language for r in ranked] == ["nl", "fr", "nl", "nl"]
    # Read in French, the French one of the same date comes first.
    assert [r.offer.id for r in rank_offers(gaps, offers, "fr")] == [2, 3, 1, 4]


def _ranked(**facts: Any) -> RankedOffer:
    return rank_offers(
        [(1, 3.0), (2, 2.0), (3, 1.0), (4, 1.0), (5, 0.5)],
        {k: [_ref(1, "Welding", **facts)] for k in (1, 2, 3)},
        "nl",
    )[0]


def test_reason_in_english_and_dutch(app: Any) -> None:
    both = _ranked(starts_on=SOON, languages=("nl",))
    with app.test_request_context(), force_locale("en"):
        assert reason(both) == "covers 3 of your 5 largest gaps; in Dutch; starts March 14, 2030"
        only_one = rank_offers([(1, 2.0)], {1: [_ref(2, "X")]}, "en")[0]
        assert reason(only_one) == "covers your largest gap"
    with app.test_request_context(), force_locale("nl"):
        assert reason(both) == (
            "dekt 3 van uw 5 grootste tekorten; in het Nederlands; begint op 14 maart 2030"
        )
        one = rank_offers([(1, 2.0), (2, 1.0)], {1: [_ref(2, "X", languages=("fr",))]}, "nl")
        assert reason(one[0]) == "dekt 1 van uw 2 grootste tekorten; in het Frans"


def test_finder_brings_next_date_and_languages_in_one_query_each(app: Any) -> None:
    with app.app_context():
        session = db.session()
        framework = CompetenceFramework(platform_id=1, idnumber="RK", shortname="Rank")
        skill = Competence(framework=framework, idnumber="RK1", shortname="Skill")
        session.add_all([framework, skill])
        session.flush()
        provider, _made = providers.add_provider(session, providers.ProviderInput("rk", "Rank"))
        today = utcnow().date()
        dated = [
            catalogue_offers.DateInput(starts_on=today - dt.timedelta(days=3)),
            catalogue_offers.DateInput(starts_on=today + dt.timedelta(days=40)),
            catalogue_offers.DateInput(starts_on=today + dt.timedelta(days=9)),
        ]
        ids = []
        for n, (languages, dates) in enumerate(
            [(["fr", "nl"], dated), (["de"], []), (["nl"], dated[:1])]
        ):
            offer = catalogue_offers.create_offer(
                session,
                provider.id,
                catalogue_offers.OfferInput(
                    titles={"en": f"Offer {n}"},
                    competence_ids=[skill.id],
                    languages=languages,
                    dates=dates,
                ),
                user_id=None,
            )
            catalogue_offers.publish_offer(session, offer, user_id=None)
            ids.append(offer.id)
        session.commit()
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            found = catalogue_finder(session, Where(1, "", "nl"), [skill.id])[skill.id]
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 3  # the offers, their next dates, their languages
        by_id = {ref.id: ref for ref in found}
        assert by_id[ids[0]].starts_on == today + dt.timedelta(days=9)  # past dates skipped
        assert by_id[ids[0]].languages == ("nl", "fr")  # the reader's first
        assert by_id[ids[1]].starts_on is None and by_id[ids[1]].languages == ("de",)
        assert by_id[ids[2]].starts_on is None  # only a past date
