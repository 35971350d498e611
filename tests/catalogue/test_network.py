"""The coordinator's network view (SQLite and PostgreSQL): per competence and region, demand
against offers and seats, most unmet demand first; "fewer than 3" below 3 people (page, chart and
files); only administrators see it (a provider's people and learners get 403); the CSV and XLSX
read back to the table the page shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from lxml import html

from lti_tool.catalogue import network_routes, providers
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.catalogue.network import NO_PLACE, network_rows, region_of
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Competence, CompetenceFramework
from tests.security.conftest import launch_as, sign_in

from .helpers import TODAY, offer, own_date, provider

LATER = TODAY + dt.timedelta(days=30)
BEFORE = TODAY - dt.timedelta(days=30)
PAGES = ["/catalogue/network/", "/catalogue/network/network.csv", "/catalogue/network/network.xlsx"]


@pytest.fixture
def setup(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(network_routes, "today", lambda: TODAY)
    admin = launch_as(app, platform="demo", role="admin", sub="coordinator-n")
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-n")
    learner = launch_as(app, platform="demo", role="learner", sub="learner-n")
    with app.app_context():
        session = db.session()
        framework = CompetenceFramework(idnumber="net", shortname="Network skills")
        session.add(framework)
        session.flush()
        welding, safety, forklift = (
            Competence(framework_id=framework.id, idnumber=ref, shortname=name, names=names)
            for ref, name, names in [
                ("w", "Welding", {"nl": "Lassen"}),
                ("s", "Safety", {}),
                ("f", "Forklift", {}),
            ]
        )
        session.add_all([welding, safety, forklift])
        session.flush()
        mine = provider(session)
        providers.add_member(session, mine, session.get(User, editor.user_id))
        wanted = {
            # 10 people, 2 seats still to come in 90xx (the 100 of a past date do not count)
            offer(
                session,
                mine,
                {"en": "Welding basics"},
                competence_ids=[welding.id],
                dates=[own_date(LATER, "9000", seats=2), own_date(BEFORE, "9050", seats=100)],
            ): 10,
            # 4 people, 1 seat in Antwerp
            offer(
                session,
                mine,
                {"en": "Safe work"},
                competence_ids=[safety.id],
                dates=[own_date(LATER, "2000", "Antwerpen", seats=1)],
            ): 4,
            # 6 people, online without a seat limit: no unmet demand
            offer(
                session,
                mine,
                {"en": "Safety online"},
                format="online",
                competence_ids=[safety.id],
                dates=[own_date(LATER, "", "", seats=None)],
            ): 6,
            # 2 people, no dates: fewer than 3
            offer(session, mine, {"en": "Forklift"}, competence_ids=[forklift.id]): 2,
            # a draft is in no figure
            offer(session, mine, {"en": "Draft"}, publish=False, competence_ids=[welding.id]): 50,
        }
        for made, people in wanted.items():
            session.add(
                CatalogueOfferInterest(
                    offer_id=made.id, user_id=learner.user_id, people=people, marked_on=TODAY
                )
            )
        session.commit()
    return {"admin": admin, "editor": editor, "learner": learner}


def _client(app: Any, ctx: Any) -> Any:
    client = app.test_client()
    sign_in(client, ctx)
    return client


EXPECTED = [
    ["Welding", "90xx", "10", "0", "1", "2", "8"],
    ["Safety", "20xx", "4", "0", "1", "1", "3"],
    ["Safety", "No fixed place", "6", "0", "1", "not limited", "0"],
    ["Forklift", "No fixed place", "fewer than 3", "0", "1", "0", "fewer than 3"],
]


def test_rows_are_sorted_by_unmet_demand(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        rows = network_rows(db.session(), TODAY, "en")
    got = [(r.competence, r.region, r.people, r.offers, r.seats, r.unmet) for r in rows]
    assert got == [
        ("Welding", "90xx", 10, 1, 2, 8),
        ("Safety", "20xx", 4, 1, 1, 3),
        ("Safety", NO_PLACE, 6, 1, None, 0),
        ("Forklift", NO_PLACE, None, 1, 0, None),
    ]
    assert rows[-1].fewer and not rows[0].fewer
    with app.app_context():
        names = [r.competence for r in network_rows(db.session(), TODAY, "nl")]
    assert names[0] == "Lassen"


def test_region_is_the_postcode_area_else_the_city() -> None:
    assert region_of(" 9000", "Gent") == "90xx"
    assert region_of("", "  sint  niklaas ") == "Sint Niklaas"
    assert region_of("", "") == NO_PLACE


def test_page_suppresses_small_figures_and_charts_the_gaps(app: Any, setup: dict[str, Any]) -> None:
    response = _client(app, setup["admin"]).get("/catalogue/network/")
    assert response.status_code == 200
    doc = html.fromstring(response.get_data(as_text=True))
    table = [
        [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
        for tr in doc.xpath('//*[@data-testid="network-table"]/tbody/tr')
    ]
    assert table == EXPECTED
    chart = doc.xpath('//*[@data-testid="network-chart"]')[0]
    assert chart.get("role") == "img"
    assert chart.xpath("./title") and chart.xpath("./desc")
    labels = [" ".join(t.text_content().split()) for t in chart.xpath("./text")]
    assert labels == ["8 · 90xx", "Welding", "3 · 20xx", "Safety"]  # no "fewer than 3" row


def test_csv_and_xlsx_read_back_to_the_table(app: Any, setup: dict[str, Any]) -> None:
    client = _client(app, setup["admin"])
    response = client.get("/catalogue/network/network.csv?separator=comma")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "Competence",
        "Region",
        "People who want it",
        "Need from analyses",
        "Offers",
        "Seats available",
        "Unmet demand",
    ]
    assert lines[1:] == EXPECTED
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/catalogue/network/network.xlsx").get_data()))
    sheet = book.worksheets[0]
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells[1:] == EXPECTED


@pytest.mark.parametrize("who", ["editor", "learner"])
def test_a_provider_or_learner_gets_403(app: Any, setup: dict[str, Any], who: str) -> None:
    client = _client(app, setup[who])
    assert [client.get(page).status_code for page in PAGES] == [403, 403, 403]


def test_without_a_launch_401(app: Any, client: Any) -> None:
    assert [client.get(page).status_code for page in PAGES] == [401, 401, 401]


def test_empty_network(app: Any, client: Any) -> None:
    sign_in(client, launch_as(app, platform="demo", role="admin", sub="coordinator-empty"))
    page = client.get("/catalogue/network/").get_data(as_text=True)
    assert 'data-testid="network-empty"' in page
    lines = client.get("/catalogue/network/network.csv").get_data().decode("utf-8-sig")
    assert len(lines.strip().splitlines()) == 1


def test_dutch_csv_uses_semicolons_and_dutch_words(app: Any, setup: dict[str, Any]) -> None:
    client = _client(app, setup["admin"])
    body = client.get("/catalogue/network/network.csv?lang=nl").get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert (lines[0][0], lines[0][6]) == ("Competentie", "Vraag zonder plaats")
    assert lines[1][:3] == ["Lassen", "90xx", "10"]
    assert lines[-1][0] == "Forklift"
    assert lines[-1][2] == lines[-1][6] == "minder dan 3"


def test_an_unknown_separator_falls_back_to_the_language_s(app: Any, setup: dict[str, Any]) -> None:
    client = _client(app, setup["admin"])
    response = client.get("/catalogue/network/network.csv?separator=%3D%3D&lang=en")
    assert response.status_code == 200
    header = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[0] == "Competence"
