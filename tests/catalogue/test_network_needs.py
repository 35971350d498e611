"""Survey needs in the network view (SQLite and PostgreSQL): beside marked interest, the people
whose needs analysis shows a gap in a competence, per region (their company's postcode area, or
"region not given"), with "fewer than 3" below 3, in the page, the chart and the CSV / XLSX. Only
the survey's current round and people's own answers count; one person in two surveys counts once."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from lxml import html
from openpyxl import load_workbook

from lti_tool.catalogue import network_routes
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.catalogue.network import network_rows
from lti_tool.catalogue.survey_needs import NOT_GIVEN, need_counts
from lti_tool.extensions import db
from lti_tool.passports.models import Company, Competence, CompetenceFramework
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from tests.security.conftest import launch_as, sign_in

from .helpers import TODAY, offer, own_date, provider

LATER = TODAY + dt.timedelta(days=30)


def _survey(
    session: Any, platform_id: int, competences: list[int], *, anonymous: bool, rnd: int
) -> tuple[Survey, dict[int, int]]:
    survey = Survey(
        platform_id=platform_id,
        title={"en": "Needs"},
        status="open",
        anonymous=anonymous,
        current_round=rnd,
    )
    version = SurveyVersion(survey=survey, number=1, definition={})
    questions = {
        cid: SurveyQuestion(
            version=version, key=f"c{cid}", section_key="s", kind="competence", competence_id=cid
        )
        for cid in competences
    }
    session.add_all([survey, version, *questions.values()])
    session.flush()
    return survey, {cid: q.id for cid, q in questions.items()}


def _respond(
    session: Any,
    survey: Survey,
    questions: dict[int, int],
    levels: dict[int, tuple[int, int]],
    *,
    company: int | None = None,
    who: int | None = None,
    kind: str = "learner",
    rnd: int = 1,
) -> None:
    response = SurveyResponse(
        survey_id=survey.id,
        version_id=survey.versions[0].id,
        kind=kind,
        status="submitted",
        round_number=rnd,
        anonymous=survey.anonymous,
        respondent_id=who,
        company_id=company,
        started_on=TODAY,
        submitted_on=TODAY,
    )
    session.add(response)
    session.flush()
    for cid, (current, required) in levels.items():
        session.add(
            SurveyAnswer(
                response_id=response.id,
                question_id=questions[cid],
                current_level=current,
                required_level=required,
            )
        )


@pytest.fixture
def setup(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(network_routes, "today", lambda: TODAY)
    admin = launch_as(app, platform="demo", role="admin", sub="coordinator-sn")
    person = launch_as(app, platform="demo", role="learner", sub="learner-sn")
    earlier = launch_as(app, platform="demo", role="learner", sub="earlier-sn")
    with app.app_context():
        session = db.session()
        framework = CompetenceFramework(idnumber="sn", shortname="Needs skills")
        session.add(framework)
        session.flush()
        welding = Competence(framework_id=framework.id, idnumber="w", shortname="Welding")
        safety = Competence(framework_id=framework.id, idnumber="s", shortname="Safety")
        session.add_all([welding, safety])
        session.flush()
        gent_a, gent_b, antwerp, nowhere = (
            Company(
                platform_id=admin.platform_id,
                name=name,
                postcode=code,
                country="BE" if code else "",
            )
            for name, code in [("A", "9000"), ("B", "9050"), ("C", "2000"), ("D", "")]
        )
        session.add_all([gent_a, gent_b, antwerp, nowhere])
        session.flush()
        welding_offer = offer(
            session,
            provider(session),
            {"en": "Welding basics"},
            competence_ids=[welding.id],
            dates=[own_date(LATER, "9000", seats=2)],
        )
        session.add(
            CatalogueOfferInterest(
                offer_id=welding_offer.id, user_id=person.user_id, people=10, marked_on=TODAY
            )
        )
        W, S = welding.id, safety.id
        anon, q = _survey(session, admin.platform_id, [W, S], anonymous=True, rnd=1)
        for company in (gent_a.id, gent_a.id, gent_b.id, gent_b.id):  # 4 in 90xx
            _respond(session, anon, q, {W: (1, 3), S: (2, 2)}, company=company)
        _respond(session, anon, q, {W: (0, 4)}, company=antwerp.id)  # 1 in 20xx
        for _ in range(3):  # no gap: not counted
            _respond(session, anon, q, {W: (3, 3)}, company=antwerp.id)
        for company in (nowhere.id, None, None):  # 3 safety needs without a region
            _respond(session, anon, q, {S: (0, 2)}, company=company)
        # One person in two identified surveys: counted once (90xx: 5)
        first, q1 = _survey(session, admin.platform_id, [W], anonymous=False, rnd=1)
        _respond(session, first, q1, {W: (1, 2)}, company=gent_a.id, who=person.user_id)
        second, q2 = _survey(session, admin.platform_id, [W], anonymous=False, rnd=2)
        _respond(session, second, q2, {W: (1, 2)}, company=gent_a.id, who=person.user_id, rnd=2)
        # Not counted: an earlier round, a manager's rating
        _respond(session, second, q2, {W: (0, 4)}, company=gent_a.id, who=earlier.user_id, rnd=1)
        _respond(
            session,
            second,
            q2,
            {W: (0, 4)},
            company=gent_b.id,
            kind="manager",
            rnd=2,
            who=earlier.user_id,
        )
        session.commit()
        return {"admin": admin, "welding": W, "safety": S}


EXPECTED = [
    ["Welding", "90xx", "10", "5", "1", "2", "8"],
    ["Safety", "region not given", "0", "3", "0", "0", "0"],
    ["Welding", "20xx", "0", "fewer than 3", "0", "0", "0"],
]


def test_needs_are_counted_per_competence_and_region(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        counts = need_counts(db.session())
        rows = network_rows(db.session(), TODAY, "en")
    W, S = setup["welding"], setup["safety"]
    assert counts == {(W, "90xx"): 5, (W, "20xx"): 1, (S, NOT_GIVEN): 3}
    got = [(r.competence, r.region, r.people, r.need, r.offers, r.seats, r.unmet) for r in rows]
    assert got == [
        ("Welding", "90xx", 10, 5, 1, 2, 8),
        ("Safety", NOT_GIVEN, 0, 3, 0, 0, 0),
        ("Welding", "20xx", 0, None, 0, 0, 0),
    ]
    assert rows[-1].need_fewer and not rows[0].need_fewer


def test_page_chart_and_files_show_the_need_column(app: Any, setup: dict[str, Any]) -> None:
    client = app.test_client()
    sign_in(client, setup["admin"])
    doc = html.fromstring(client.get("/catalogue/network/").get_data(as_text=True))
    header = [
        " ".join(th.text_content().split())
        for th in doc.xpath('//*[@data-testid="network-table"]/thead//th')
    ]
    assert header[3] == "Need from analyses"
    table = [
        [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
        for tr in doc.xpath('//*[@data-testid="network-table"]/tbody/tr')
    ]
    assert table == EXPECTED
    chart = doc.xpath('//*[@data-testid="network-chart"]')[0]
    labels = [" ".join(t.text_content().split()) for t in chart.xpath("./text")]
    # The 20xx need of 1 is in no bar and no label.
    assert labels == [
        "8 · 90xx · need from analyses: 5",
        "Welding",
        "0 · region not given · need from analyses: 3",
        "Safety",
    ]
    need_bars = [r.get("width") for r in chart.xpath('./*[contains(@class, "network-bar-need")]')]
    assert need_bars == [
        "62%",
        "38%",
    ]  # 5 and 3 on the scale of the largest bar, 8 (rounded half to even)
    lines = list(
        csv.reader(
            io.StringIO(
                client.get("/catalogue/network/network.csv?separator=comma")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )
    assert lines[0][3] == "Need from analyses" and lines[1:] == EXPECTED
    book = load_workbook(io.BytesIO(client.get("/catalogue/network/network.xlsx").get_data()))
    cells = [
        ["" if v is None else str(v) for v in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    assert cells[1:] == EXPECTED
