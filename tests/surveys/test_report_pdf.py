"""The printable report per company (SQLite and PostgreSQL), read back with pypdfium2: its
figures are the report page's, free text is text (a script too), a group below the minimum is
left out as on the page, and HR of one company never get another company's report."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html

from lti_tool.extensions import db
from lti_tool.surveys.models import SurveyInvitation
from tests.passports.conftest import OTHER_COURSE, OUTSIDER, sign_in
from tests.passports.test_documents import flat, pdf_pages

from .analysis_data import DAY, HOSTILE, SCRIPT, seed_report_data
from .benchmark_data import hr_client


@pytest.fixture
def seeded(app: Any) -> Any:
    with app.app_context():
        found = seed_report_data()
        db.session.remove()
        return found


def _gap_rows(body: str) -> list[list[str]]:
    doc = html.fromstring(body)
    return [
        [c.text_content().strip() for c in row.xpath("./td|./th")]
        for row in doc.xpath('//*[@data-testid="gap-row"]')
    ]


def _pdf_text(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return flat(" ".join(pdf_pages(response.data)))


def test_the_owner_reads_the_page_s_figures_in_the_pdf(app: Any, seeded: Any) -> None:
    client = hr_client(app, seeded.bakker)
    base = f"/surveys/{seeded.survey_id}/report"
    page = client.get(f"{base}?version=1")
    rows = _gap_rows(page.get_data(as_text=True))
    assert rows[0] == ["1", "MIG welding", "6", "1", "2.83", "4.33", "1.83", "7.94"]
    link = html.fromstring(page.get_data(as_text=True)).xpath('//a[@data-testid="report-pdf"]')
    assert link and link[0].get("href").startswith(f"{base}.pdf?version=1")
    text = _pdf_text(client, link[0].get("href"))
    assert "Training needs: Welding needs" in text and "Bakker Bouw" in text
    assert "6 responses in this report." in text
    for row in rows:  # every figure of the page's gap table, in the same order
        assert " ".join(row) in text
    # Free text is written as text: the script and the formula-like answer read back as typed.
    assert SCRIPT in text and HOSTILE in text
    assert "Office secret" in text  # the whole company (6) reaches the minimum
    assert "Jansen" not in text


def test_a_group_below_the_minimum_stays_out_of_the_pdf(app: Any, seeded: Any) -> None:
    client = hr_client(app, seeded.bakker)
    text = _pdf_text(client, f"/surveys/{seeded.survey_id}/report.pdf?version=1&group=department")
    assert "1 group with fewer than 5 responses is left out." in text
    assert "Heat map: mean gap per competence and group" in text and "Workshop (5)" in text
    assert "Office" not in text  # the office's one person: no column, no free text
    # The page shows the same: the workshop's five only.
    page = client.get(f"/surveys/{seeded.survey_id}/report?version=1&group=department")
    for row in _gap_rows(page.get_data(as_text=True)):
        assert " ".join(row) in text


def test_hr_of_one_company_never_get_another_s(app: Any, seeded: Any) -> None:
    bakker = hr_client(app, seeded.bakker)
    text = _pdf_text(
        bakker, f"/surveys/{seeded.survey_id}/report.pdf?version=1&company={seeded.jansen}"
    )
    assert "Bakker Bouw" in text and "Jansen" not in text
    jansen = hr_client(app, seeded.jansen, sub="hr-jansen")
    text = _pdf_text(jansen, f"/surveys/{seeded.survey_id}/report.pdf?version=1")
    assert "=Jansen Metaal" in text and "only from 5 responses" in text
    assert "Jansen wish" not in text and "Bakker" not in text


def test_who_may_have_it(app: Any, seeded: Any) -> None:
    url = f"/surveys/{seeded.survey_id}/report.pdf?version=1"
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    refused = trainer.get(url)  # the trainer sees every company: the PDF is of one
    assert refused.status_code == 400
    assert "Choose a company" in refused.get_data(as_text=True)
    assert "Bakker Bouw" in _pdf_text(trainer, f"{url}&company={seeded.bakker}")
    assert trainer.get(f"{url}&company=999999").status_code == 404
    learner = app.test_client()
    sign_in(app, learner, "learner")
    stranger = app.test_client()
    sign_in(app, stranger, OUTSIDER, OTHER_COURSE)
    assert learner.get(f"{url}&company={seeded.bakker}").status_code == 404
    assert stranger.get(f"{url}&company={seeded.bakker}").status_code == 404
    assert app.test_client().get(url).status_code == 401


def test_a_dutch_owner_reads_dutch_dates_and_decimal_commas(app: Any, seeded: Any) -> None:
    client = hr_client(app, seeded.bakker)
    text = _pdf_text(client, f"/surveys/{seeded.survey_id}/report.pdf?version=1&lang=nl")
    assert "1 MIG welding (nl) 6 1 2,83 4,33 1,83 7,94" in text
    months = (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    )
    assert any(month in text for month in months)


def test_the_response_rate_of_the_company_s_invitation_links(app: Any, seeded: Any) -> None:
    with app.app_context():
        for company, places, used in ((seeded.bakker, 8, 6), (seeded.jansen, 4, 3)):
            db.session.add(
                SurveyInvitation(
                    survey_id=seeded.survey_id,
                    company_id=company,
                    token_hash=f"{company:064d}",
                    shared=True,
                    max_uses=places,
                    uses=used,
                    created_on=DAY,
                )
            )
        db.session.commit()
    client = hr_client(app, seeded.bakker)
    text = _pdf_text(client, f"/surveys/{seeded.survey_id}/report.pdf?version=1&lang=nl")
    assert "Plaatsen in uitnodigingen: 8 · gebruikt: 6 · respons: 75 %" in text
    assert ": 4 " not in text  # Jansen's links are not Bakker's


def test_without_a_font_for_every_script_the_pdf_still_reads(
    app: Any, seeded: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("lti_tool.passports.pdf_layout.FONT_DIRS", ())  # Helvetica: Latin-1 only
    client = hr_client(app, seeded.bakker)
    text = _pdf_text(client, f"/surveys/{seeded.survey_id}/report.pdf?version=1&group=department")
    assert "MIG welding" in text and SCRIPT in text
