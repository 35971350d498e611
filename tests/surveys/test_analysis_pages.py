"""The report page and its exports (SQLite and PostgreSQL): the trainer sees every company, HR of
a company only theirs whatever the URL asks, everyone else 404; free text escaped on the page;
CSV and XLSX read back with formula-like text neutralised and small groups absent."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from lxml import html
from openpyxl import load_workbook
from sqlalchemy import insert

from lti_tool.extensions import db
from lti_tool.passports.models import company_hr
from tests.passports.conftest import OTHER_COURSE, OUTSIDER, sign_in

from .analysis_data import HOSTILE, SCRIPT, seed_report_data


@pytest.fixture
def seeded(app: Any) -> Any:
    with app.app_context():
        return seed_report_data()


def _hr_of(app: Any, company_id: int, who: Any = OUTSIDER) -> Any:
    client = app.test_client()
    ctx = sign_in(app, client, who, OTHER_COURSE)  # HR people are rarely of the survey's course
    with app.app_context():
        db.session.execute(insert(company_hr).values(company_id=company_id, user_id=ctx.user_id))
        db.session.commit()
    return client


def _trainer(app: Any) -> Any:
    client = app.test_client()
    sign_in(app, client, "instructor")
    return client


def _gap_rows(page: Any) -> list[list[str]]:
    doc = html.fromstring(page.get_data(as_text=True))
    return [
        [c.text_content().strip() for c in row.xpath("./td|./th")]
        for row in doc.xpath('//*[@data-testid="gap-row"]')
    ]


def _link(page: Any, testid: str) -> str | None:
    found = html.fromstring(page.get_data(as_text=True)).xpath(f'//a[@data-testid="{testid}"]')
    return found[0].get("href") if found else None


def test_trainer_sees_every_company_ranked_and_small_groups_left_out(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    # The survey's page links to its report, and the report back to the survey: no dead end.
    manage = client.get(f"/surveys/{seeded.survey_id}/manage")
    report_url = _link(manage, "report-link")
    assert report_url == f"/surveys/{seeded.survey_id}/report"
    report_page = client.get(report_url)
    assert report_page.status_code == 200 and len(_gap_rows(report_page)) == 2
    back = _link(report_page, "survey-link")
    assert back is not None
    assert _link(client.get(back), "report-link") == report_url
    whole = client.get(f"/surveys/{seeded.survey_id}/report?version=1")
    assert _gap_rows(whole) == [
        ["1", "Reading drawings", "9", "1.56", "3.33", "3.11", "1.78", "5.53"],
        ["2", "MIG welding", "9", "2", "3.22", "3.22", "1.22", "3.94"],
    ]
    # Per company: Jansen Metaal's three are left out of the gap table as of the heat map.
    page = client.get(f"/surveys/{seeded.survey_id}/report?version=1&group=company")
    assert page.status_code == 200
    assert _gap_rows(page) == [
        ["1", "MIG welding", "6", "1", "2.83", "4.33", "1.83", "7.94"],
        ["2", "Reading drawings", "6", "2.33", "3", "2.17", "0.67", "1.44"],
    ]
    body = page.get_data(as_text=True)
    doc = html.fromstring(body)
    heat = doc.xpath('//*[@data-testid="heat-table"]')[0].text_content()
    assert "Bakker Bouw (6)" in heat and "Jansen" not in heat
    assert "1 group with fewer than 5 responses is left out." in body
    # Free text is listed escaped: the script is text on the page, never an element.
    assert "&lt;script&gt;alert(" in body and "<script>alert(" not in body
    texts = doc.xpath('//*[@data-testid="free-texts"]/li/text()')
    assert SCRIPT in texts and HOSTILE in texts


def test_versions_are_chosen_never_mixed(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    page = client.get(f"/surveys/{seeded.survey_id}/report")  # the current version, 2
    assert [r[2] for r in _gap_rows(page)] == ["5", "5"]
    assert client.get(f"/surveys/{seeded.survey_id}/report?version=9").status_code == 404


def test_hr_sees_only_their_company_whatever_the_url_asks(app: Any, seeded: Any) -> None:
    client = _hr_of(app, seeded.bakker)
    for query in (
        "",
        f"&company={seeded.jansen}",
        "&group=company",
        f"&company={seeded.jansen}&group=company",
    ):
        page = client.get(f"/surveys/{seeded.survey_id}/report?version=1{query}")
        assert page.status_code == 200
        assert _gap_rows(page) == [
            ["1", "MIG welding", "6", "1", "2.83", "4.33", "1.83", "7.94"],
            ["2", "Reading drawings", "6", "2.33", "3", "2.17", "0.67", "1.44"],
        ]
        body = page.get_data(as_text=True)
        assert "Jansen wish" not in body and "Jansen Metaal" not in body
        # HR may read the report of a course's survey but not manage it: no link to its page.
        assert _link(page, "survey-link") is None
    xlsx = client.get(f"/surveys/{seeded.survey_id}/report.xlsx?version=1&company={seeded.jansen}")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Competence gaps"]
    assert [c.value for c in sheet["C"]][1:] == [6, 6]


def test_hr_of_a_company_below_the_minimum_sees_no_figures(app: Any, seeded: Any) -> None:
    client = _hr_of(app, seeded.jansen)
    page = client.get(f"/surveys/{seeded.survey_id}/report?version=1")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert _gap_rows(page) == [] and "Jansen wish" not in body
    assert "only from 5 responses" in body
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/surveys/{seeded.survey_id}/report/gaps.csv?version=1").data.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 1  # the header only


def test_strangers_get_404(app: Any, seeded: Any) -> None:
    learner = app.test_client()
    sign_in(app, learner, "learner")
    outsider_trainer = app.test_client()
    sign_in(
        app,
        outsider_trainer,
        {
            **OUTSIDER,
            "sub": "t-9",
            "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        },
        OTHER_COURSE,
    )
    hr = _hr_of(app, seeded.bakker)
    for client in (learner, outsider_trainer):
        for url in ("/report", "/report.xlsx", "/report/gaps.csv"):
            assert client.get(f"/surveys/{seeded.survey_id}{url}").status_code == 404
    assert hr.get("/surveys/999999/report").status_code == 404
    assert hr.get(f"/surveys/{seeded.survey_id}/report/passwords.csv").status_code == 404
    assert app.test_client().get(f"/surveys/{seeded.survey_id}/report").status_code == 401


def test_exports_read_back_neutralised_and_without_small_groups(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    base = f"/surveys/{seeded.survey_id}/report"
    answers = client.get(f"{base}/answers.csv?version=1&separator=comma")
    assert answers.status_code == 200 and answers.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answers.data.decode("utf-8-sig"))))
    assert ["Your shift", "", "Night", "5", ""] in rows  # Bakker's 2 + Jansen's 3: no groups
    texts = client.get(f"{base}/texts.csv?version=1&separator=comma").data.decode("utf-8-sig")
    assert "'" + HOSTILE.replace('"', '""') in texts
    heat = client.get(f"{base}/heatmap.csv?version=1&group=company&separator=comma")
    heat_rows = list(csv.reader(io.StringIO(heat.data.decode("utf-8-sig"))))
    assert heat_rows == [
        ["Competence", "Bakker Bouw"],
        ["MIG welding", "1.83"],
        ["Reading drawings", "0.67"],
    ]
    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx?version=1&group=company").data))
    assert book.sheetnames == ["Competence gaps", "Heat map", "Answers", "Free text"]
    gaps = [[c.value for c in row] for row in book["Competence gaps"].iter_rows()]
    assert gaps[1] == [1, "MIG welding", 6, 1.0, 2.83, 4.33, 1.83, 7.94]
    free = [row[1].value for row in book["Free text"].iter_rows(min_row=2)]
    assert "'" + HOSTILE in free and HOSTILE not in free
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in free)
    assert [c.value for c in book["Heat map"][1]] == ["Competence", "Bakker Bouw"]


def test_a_dutch_reader_gets_semicolons_and_decimal_commas(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    body = client.get(f"/surveys/{seeded.survey_id}/report/gaps.csv?version=1&lang=nl").data
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1].endswith(";1,78;5,53")
