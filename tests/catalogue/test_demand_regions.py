"""Demand per region and quarter (SQLite and PostgreSQL): HR marks interest for their company's
people wanted in a quarter (this or the next four) or any time; the provider's demand page shows
people and companies per region (the company's postcode area, else "region not given") and
quarter, "fewer than 3" per row below 3, and then no exact total (on this page nor on the
provider's home) from which the small row could be worked out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lxml import html
from sqlalchemy import insert, select

from lti_tool.catalogue import providers
from lti_tool.catalogue.demand_regions import NOT_GIVEN, quarter_choices, regional_demand
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.extensions import db
from lti_tool.models import User, utcnow
from lti_tool.passports.models import Company, company_hr
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import offer, provider


def test_quarter_choices_are_this_and_the_next_four() -> None:
    assert quarter_choices(dt.date(2030, 11, 30)) == [
        "2030-Q4",
        "2031-Q1",
        "2031-Q2",
        "2031-Q3",
        "2031-Q4",
    ]
    assert quarter_choices(dt.date(2031, 1, 1))[0] == "2031-Q1"


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-r")
    outsider = launch_as(app, platform="demo", role="instructor", sub="outsider-r")
    hr = launch_as(app, platform="demo", role="learner", sub="hr-r")
    learner = launch_as(app, platform="demo", role="learner", sub="learner-r")
    q1, q2 = quarter_choices(utcnow().date())[1:3]
    with app.app_context():
        session = db.session()
        mine = provider(session)
        providers.add_member(session, mine, session.get(User, editor.user_id))
        wanted = offer(session, mine, {"en": "Welding basics"})
        quiet = offer(session, mine, {"en": "Quiet"})
        made = [
            Company(
                platform_id=hr.platform_id, name=name, postcode=code, country="BE" if code else ""
            )
            for name, code in [
                ("Gent A", "9000"),
                ("Gent B", "9050"),
                ("Gent C", "9000"),
                ("Antwerp", "2000"),
                ("Nowhere", ""),
            ]
        ]
        session.add_all(made)
        session.flush()
        session.execute(insert(company_hr).values(company_id=made[0].id, user_id=hr.user_id))
        me = session.get(User, hr.user_id)
        assert me is not None
        users = [
            User(
                issuer=me.issuer, client_id=me.client_id, platform_id=me.platform_id, sub=f"hr-{n}"
            )
            for n in range(6)
        ]
        session.add_all(users)
        session.flush()
        marks = [
            # 90xx in q1: 4 + 6 + 4 people in 3 companies
            (made[0], q1, 4),
            (made[1], q1, 6),
            (made[2], q1, 4),
            # 20xx any time: 2 people: fewer than 3
            (made[3], "", 2),
            # region not given, q2: 5 people
            (made[4], q2, 5),
        ]
        for user, (company, quarter, people) in zip(users, marks, strict=False):
            session.add(
                CatalogueOfferInterest(
                    offer_id=wanted.id,
                    user_id=user.id,
                    company_id=company.id,
                    people=people,
                    wanted_in=quarter,
                    marked_on=utcnow().date(),
                )
            )
        session.commit()
        return {
            "editor": editor,
            "outsider": outsider,
            "hr": hr,
            "learner": learner,
            "provider": mine.id,
            "offer": wanted.id,
            "quiet": quiet.id,
            "gent": made[0].id,
            "q1": q1,
            "q2": q2,
        }


def _client(app: Any, ctx: Any) -> Any:
    client = app.test_client()
    sign_in(client, ctx)
    return client


def _rows(app: Any, setup: dict[str, Any]) -> tuple[list[list[str]], list[str], list[str]]:
    client = _client(app, setup["editor"])
    page = client.get(f"/catalogue/provider/{setup['provider']}/demand")
    assert page.status_code == 200
    doc = html.fromstring(page.get_data(as_text=True))
    rows = [
        [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
        for tr in doc.xpath('//*[@data-testid="demand-table"]/tbody/tr')
    ]
    totals = [
        " ".join(e.text_content().split()) for e in doc.xpath('//*[@data-testid="demand-total"]')
    ]
    home = html.fromstring(client.get("/catalogue/provider/").get_data(as_text=True))
    return (
        rows,
        totals,
        [" ".join(e.text_content().split()) for e in home.xpath('//*[@data-testid="demand"]')],
    )


def _quarter(code: str) -> str:
    year, quarter = code.split("-Q")
    return f"Q{quarter} {year}"


def test_rows_per_region_and_quarter_hide_small_ones_and_the_exact_total(
    app: Any, setup: dict[str, Any]
) -> None:
    with app.app_context():
        found = regional_demand(db.session(), [setup["offer"], setup["quiet"]])
    assert setup["quiet"] not in found
    mine = found[setup["offer"]]
    assert [(r.region, r.quarter, r.people, r.companies) for r in mine.rows] == [
        ("20xx", "", None, None),
        ("90xx", setup["q1"], 14, 3),
        (NOT_GIVEN, setup["q2"], 5, 1),
    ]
    # 21 people in all, but the 20xx row is hidden: only "at least 19", and no companies.
    assert (mine.people, mine.companies, mine.partial, mine.hidden_rows) == (19, None, True, 1)
    rows, totals, home = _rows(app, setup)
    assert rows == [
        ["20xx", "any time", "fewer than 3", "fewer than 3"],
        ["90xx", _quarter(setup["q1"]), "14", "3"],
        ["region not given", _quarter(setup["q2"]), "5", "1"],
    ]
    assert totals == [
        "Wanted by at least 19 people; regions or quarters with fewer than 3 are not counted here."
    ]
    assert totals[0] in home  # the home page gives no exact total either
    assert not any("21" in text for text in totals + home)


def test_without_a_hidden_row_the_total_is_exact(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        session = db.session()
        small = session.scalar(
            select(CatalogueOfferInterest).where(CatalogueOfferInterest.people == 2)
        )
        assert small is not None
        small.people = 3
        session.commit()
    rows, totals, home = _rows(app, setup)
    assert rows[0] == ["20xx", "any time", "3", "1"]
    assert totals == ["Wanted by 22 people in 5 companies."] and totals[0] in home


def test_all_rows_small_but_total_not(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        session = db.session()
        for mark in session.scalars(select(CatalogueOfferInterest)):
            if mark.people == 6:
                session.delete(mark)  # 90xx keeps two companies of one person each
            mark.people = 1
        session.commit()
    rows, totals, _home = _rows(app, setup)
    assert {r[2] for r in rows} == {"fewer than 3"}
    assert totals == ["Wanted by 3 people or more, in regions or quarters with fewer than 3 each."]


def test_hr_marks_a_quarter_and_a_bad_one_is_refused(app: Any, setup: dict[str, Any]) -> None:
    offer_url = f"/catalogue/offers/{setup['quiet']}"
    hr = _client(app, setup["hr"])
    page = hr.get(offer_url).get_data(as_text=True)
    doc = html.fromstring(page)
    options = doc.xpath('//select[@name="wanted_in"]/option/@value')
    assert options == ["", *quarter_choices(utcnow().date())]
    token = csrf_token(hr, offer_url)
    base = {"csrf_token": token, "company": setup["gent"], "people": "4"}
    for bad in ("2001-Q1", "next year", "2099-Q9"):
        response = hr.post(f"{offer_url}/interest", data={**base, "wanted_in": bad})
        assert response.status_code == 400
        assert "one of the next four" in response.get_data(as_text=True)
    assert (
        hr.post(f"{offer_url}/interest", data={**base, "wanted_in": setup["q2"]}).status_code == 303
    )
    with app.app_context():
        mark = db.session.scalar(
            select(CatalogueOfferInterest).where(CatalogueOfferInterest.offer_id == setup["quiet"])
        )
        assert mark is not None and (mark.wanted_in, mark.people) == (setup["q2"], 4)
    rows, _totals, _home = _rows(app, setup)
    assert ["90xx", _quarter(setup["q2"]), "4", "1"] in rows
    # A learner marks for themselves, any time: region not given.
    learner = _client(app, setup["learner"])
    assert (
        learner.post(
            f"{offer_url}/interest", data={"csrf_token": csrf_token(learner, offer_url)}
        ).status_code
        == 303
    )
    with app.app_context():
        found = regional_demand(db.session(), [setup["quiet"]])[setup["quiet"]]
    assert [(r.region, r.quarter, r.people) for r in found.rows] == [
        ("90xx", setup["q2"], 4),
        (NOT_GIVEN, "", None),
    ]


def test_only_the_providers_people_see_the_page(app: Any, setup: dict[str, Any]) -> None:
    path = f"/catalogue/provider/{setup['provider']}/demand"
    assert _client(app, setup["outsider"]).get(path).status_code == 404
    assert _client(app, setup["editor"]).get("/catalogue/provider/999999/demand").status_code == 404
    assert app.test_client().get(path).status_code == 401
