"""The network benchmark (SQLite and PostgreSQL): a company sees its scores beside the median and
quartiles of all companies that answered the same version, only from the minimum number of
companies (5 here: 4 companies see a plain message), and never another company's own score or
name; in an anonymous survey its own scores need the minimum of its own responses."""

from __future__ import annotations

import random
import statistics
from typing import Any

import pytest
from lxml import html
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.passports.models import Company
from lti_tool.surveys import authoring, benchmark
from lti_tool.surveys.benchmark import quartiles
from lti_tool.surveys.models import SurveyAnswer, SurveyResponse
from lti_tool.surveys.templates_catalog import load_template
from tests.passports.conftest import sign_in
from tests.passports.test_documents import flat, pdf_pages

from .benchmark_data import DAY, OTHER_VALUES, OTHERS, OWN, hr_client, seed_scan

# Question or dimension, own, lower quartile, median, upper quartile, companies (see the data).
FIVE = [
    ["Colleagues (dimension)", "4", "2", "4", "4.75", "5"],
    ["Help when stuck", "4", "1.5", "4", "5", "5"],
    ["A say in decisions", "4", "2.5", "4", "4.5", "5"],
    ["Yearly budget", "17", "7.2", "17", "35.65", "5"],
]


def _rows(body: str) -> list[list[str]]:
    doc = html.fromstring(body)
    return [
        [c.text_content().strip() for c in row.xpath("./th|./td")][:6]
        for row in doc.xpath('//*[@data-testid="benchmark-row"]')
    ]


def _section(body: str) -> str:
    found = html.fromstring(body).xpath('//*[@data-testid="benchmark"]')
    return found[0].text_content() if found else ""


def test_quartiles_fall_between_companies_and_stay_within_their_range() -> None:
    assert quartiles([41.4, 3.3, 17.0, 29.9, 11.1]) == pytest.approx((7.2, 17.0, 35.65))
    assert quartiles([1, 2, 3, 4, 5, 6]) == pytest.approx((1.75, 3.5, 5.25))
    assert quartiles([1, 2]) == (1, 1.5, 2)  # a minimum set below 5: never beyond the figures
    assert quartiles([4]) == (4, 4, 4)


def test_five_companies_see_the_network_and_no_other_company(app: Any) -> None:
    with app.app_context():
        ids = seed_scan([OWN, *OTHERS])
        db.session.remove()
    client = hr_client(app, ids["Own Company"])
    page = client.get(f"/surveys/{ids['survey']}/report")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert _rows(body) == FIVE
    # Nothing of the other companies: no name, no score of theirs (the median is the own one).
    for other, _answers in OTHERS:
        assert other not in body and f"{other} wish" not in body
    for value in OTHER_VALUES:
        assert value not in body
    # Each row's chart says the same in words.
    titles = html.fromstring(body).xpath('//*[@data-testid="benchmark-chart"]//svg/title/text()')
    assert titles[3] == (
        "Your company: 17. Network of 5 companies: lower quartile 7.2, median 17, "
        "upper quartile 35.65."
    )
    # Asking for another company's report gives their own again.
    asked = client.get(f"/surveys/{ids['survey']}/report?company={ids['Beta Secret']}")
    assert _rows(asked.get_data(as_text=True)) == FIVE
    # The PDF for the owner has the same figures, and nothing of the others either.
    pdf = client.get(f"/surveys/{ids['survey']}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = flat(" ".join(pdf_pages(pdf.data)))
    assert "Your company beside the network" in text
    assert "Yearly budget 17 7.2 17 35.65 5" in text
    assert "Colleagues (dimension) 4 2 4 4.75 5" in text
    for other, _answers in OTHERS:
        assert other not in text
    for value in OTHER_VALUES:
        assert value not in text


def test_four_companies_see_a_plain_message_instead(app: Any) -> None:
    with app.app_context():
        ids = seed_scan([OWN, *OTHERS[:3]])
        db.session.remove()
    client = hr_client(app, ids["Own Company"])
    body = client.get(f"/surveys/{ids['survey']}/report").get_data(as_text=True)
    assert _rows(body) == []
    assert "appears once at least 5 companies have answered this version" in _section(body)
    for value in ("17", "7.2", "4.75"):
        assert value not in _section(body)
    text = flat(" ".join(pdf_pages(client.get(f"/surveys/{ids['survey']}/report.pdf").data)))
    assert "appears once at least 5 companies have answered this version" in text
    assert "Yearly budget" not in text


def test_anonymous_own_scores_need_the_minimum_of_own_responses(app: Any) -> None:
    two = (OWN[0], OWN[1] * 2)
    with app.app_context():
        ids = seed_scan([two, *OTHERS], anonymous=True)
        db.session.remove()
    client = hr_client(app, ids["Own Company"])
    body = client.get(f"/surveys/{ids['survey']}/report").get_data(as_text=True)
    assert "Your company's own scores appear from 5 responses" in _section(body)
    # The network stands (five companies); the company's own column is empty.
    assert _rows(body)[3] == ["Yearly budget", "–", "7.2", "17", "35.65", "5"]
    titles = html.fromstring(body).xpath('//*[@data-testid="benchmark-chart"]//svg/title/text()')
    assert all("Your company" not in t for t in titles)


def test_anonymous_company_with_enough_responses_sees_its_own(app: Any) -> None:
    five = (OWN[0], OWN[1] * 5)
    with app.app_context():
        ids = seed_scan([five, *OTHERS], anonymous=True)
        db.session.remove()
    client = hr_client(app, ids["Own Company"])
    body = client.get(f"/surveys/{ids['survey']}/report").get_data(as_text=True)
    assert _rows(body) == FIVE


def test_the_administrator_sees_it_for_a_chosen_company_only(app: Any) -> None:
    with app.app_context():
        ids = seed_scan([OWN, *OTHERS])
        db.session.remove()
    admin = app.test_client()
    sign_in(app, admin, "admin")
    whole = admin.get(f"/surveys/{ids['survey']}/report").get_data(as_text=True)
    assert 'data-testid="benchmark"' not in whole  # no one company: nothing to compare
    chosen = admin.get(f"/surveys/{ids['survey']}/report?company={ids['Beta Secret']}")
    assert _rows(chosen.get_data(as_text=True))[3] == [
        "Yearly budget",
        "11.1",
        "7.2",
        "17",
        "35.65",
        "5",
    ]


def test_the_shipped_scans_score_their_dimensions_and_numbers(app: Any) -> None:
    """The learning-organisation scan: five dimensions over people's means, checked against the
    same figures worked out in Python from the answers; the SME scan: its likert and numbers."""
    chance = random.Random(12)
    with app.app_context():
        session = db.session
        platform_id = session.scalars(select(Platform.id).order_by(Platform.id)).first()
        sme = authoring.create_survey(
            session,
            load_template("company_training_needs"),
            platform_id=platform_id,
            course_id=None,
            user_id=None,
        )
        sme_version = sme.versions[0]
        assert benchmark.dimensions(sme_version) == {}
        assert [q.key for q in benchmark.scored_questions(sme_version)] == [
            "staff_count",
            "plan_known",
            "tech_ready",
            "staff_new_skills",
            "budget",
        ]
        scan = authoring.create_survey(
            session,
            load_template("learning_organisation"),
            platform_id=platform_id,
            course_id=None,
            user_id=None,
        )
        version = scan.versions[0]
        groups = benchmark.dimensions(version)
        assert list(groups) == ["person", "work", "people", "company", "outside"]
        people: dict[int, list[float]] = {}  # company -> each person's mean in "work"
        for n in range(5):
            company = Company(platform_id=platform_id, name=f"Scan company {n}")
            session.add(company)
            session.flush()
            for _person in range(5):
                response = SurveyResponse(
                    survey_id=scan.id,
                    version_id=version.id,
                    kind="invitee",
                    status="submitted",
                    company_id=company.id,
                    anonymous=True,
                    started_on=DAY,
                    submitted_on=DAY,
                )
                session.add(response)
                session.flush()
                levels = []
                for question in version.questions:
                    if question.kind != "likert":
                        continue
                    level = chance.randint(1, 5)
                    session.add(
                        SurveyAnswer(
                            response_id=response.id, question_id=question.id, numeric_value=level
                        )
                    )
                    if question.section_key == "work":
                        levels.append(level)
                people.setdefault(company.id, []).append(statistics.fmean(levels))
        session.commit()
        own = min(people)
        found = benchmark.benchmark(session, version, own, minimum=5, anonymous=True)
        work = next(r for r in found.rows if r.dimension and r.key == "work")
        means = [statistics.fmean(v) for v in people.values()]
        q1, median, q3 = statistics.quantiles(means, n=4)
        assert work.own == round(statistics.fmean(people[own]), 2)
        assert work.network is not None
        assert (work.network.q1, work.network.median, work.network.q3) == (
            round(q1, 2),
            round(median, 2),
            round(q3, 2),
        )
        assert (work.low, work.high) == (1.0, 5.0) and work.network.companies == 5
        assert len(found.rows) == 5 + 25
