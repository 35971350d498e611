"""The "before and after" view of a repeated survey: mean gaps of two rounds and the change per
competence and group (small groups left out), per person in identified mode with the passport's
trainings between, only competences asked in both rounds compared; who may see it."""

from __future__ import annotations

from typing import Any

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.models import PassportEntry
from lti_tool.surveys import analysis, analysis_rounds
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

from .helpers import sign_in
from .rounds_data import seed_rounds
from .test_analysis_pages import _hr_of, _trainer


def _rows(page: Any, testid: str) -> list[list[str]]:
    doc = html.fromstring(page.get_data(as_text=True))
    return [
        [c.text_content().strip() for c in row.xpath("./th|./td")]
        for row in doc.xpath(f'//table[@data-testid="{testid}"]/tbody/tr')
    ]


def test_mean_gaps_before_and_after_per_competence(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    client = _trainer(app)
    page = client.get(f"/surveys/{seeded.survey_id}/report/rounds")
    assert page.status_code == 200
    # Six learners each round: MIG 11/6 -> 3/6, drawings 9/6 -> 3/6.
    assert _rows(page, "rounds-table") == [
        ["MIG welding", "All responses", "1.83", "6", "0.5", "6", "-1.33"],
        ["Reading drawings", "All responses", "1.5", "6", "0.5", "6", "-1"],
    ]
    grouped = client.get(f"/surveys/{seeded.survey_id}/report/rounds?group=department")
    assert _rows(grouped, "rounds-table") == [
        ["MIG welding", "Workshop", "1.4", "5", "0.6", "5", "-0.8"],
        ["Reading drawings", "Workshop", "1", "5", "0.6", "5", "-0.4"],
    ]
    text = grouped.get_data(as_text=True)
    assert 'data-testid="rounds-hidden"' in text  # the office (one person) is left out
    assert "Office" not in "".join(str(r) for r in _rows(grouped, "rounds-table"))


def test_per_person_with_the_trainings_between_the_rounds(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
        entries_before = db.session.scalar(select(func.count()).select_from(PassportEntry))
    page = _trainer(app).get(f"/surveys/{seeded.survey_id}/report/rounds")
    doc = html.fromstring(page.get_data(as_text=True))
    people = doc.xpath('//section[@data-testid="rounds-people"]/h3/text()')
    assert people == ["Anna", "Bram", "Cor", "Dirk", "Eva", "Olga Office"]
    trainings = [li.text_content() for li in doc.xpath('//ul[@data-testid="person-trainings"]/li')]
    # Only Anna's course lies between her answers; Bram's is older, Cor's not approved.
    assert len(trainings) == 1 and trainings[0].startswith("MIG welding course")
    anna = doc.xpath('//table[@data-testid="person-table"]')[0]
    rows = [
        [c.text_content().strip() for c in r.xpath("./th|./td")] for r in anna.xpath(".//tbody/tr")
    ]
    assert rows == [
        ["MIG welding", "2", "0", "-2", "yes"],
        ["Reading drawings", "1", "1", "+0", "–"],
    ]
    with app.app_context():  # read, never written
        assert db.session.scalar(select(func.count()).select_from(PassportEntry)) == entries_before


def test_anonymous_rounds_show_groups_only(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds(anonymous=True)
    page = _trainer(app).get(f"/surveys/{seeded.survey_id}/report/rounds?group=department")
    assert _rows(page, "rounds-table")[0] == [
        "MIG welding",
        "Workshop",
        "1.4",
        "5",
        "0.6",
        "5",
        "-0.8",
    ]
    assert 'data-testid="rounds-people"' not in page.get_data(as_text=True)


def test_only_competences_asked_in_both_versions_are_compared(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds(second_version=True)
        comparison = analysis_rounds.compare_rounds(
            db.session(), seeded.survey_id, analysis.Scope(0, 5), 1, 2
        )
        assert (comparison.before.version.id, comparison.after.version.id) == (
            seeded.v1,
            seeded.v2,
        )
        assert len(comparison.competences) == 1
        assert sorted(q.competence_ref for q in comparison.unmatched) == ["DRAW", "DRAW-2"]
    page = _trainer(app).get(f"/surveys/{seeded.survey_id}/report/rounds")
    assert [r[0] for r in _rows(page, "rounds-table")] == ["MIG welding"]
    text = page.get_data(as_text=True)
    assert 'data-testid="rounds-unmatched"' in text and "Reading drawings" in text
    assert "version 2" in text


def test_hr_sees_their_company_only_and_strangers_nothing(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    hr = _hr_of(app, seeded.bakker)
    assert hr.get(f"/surveys/{seeded.survey_id}/report/rounds").status_code == 200
    other = app.test_client()
    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    assert other.get(f"/surveys/{seeded.survey_id}/report/rounds").status_code == 404
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get(f"/surveys/{seeded.survey_id}/report/rounds").status_code == 404
    assert app.test_client().get(f"/surveys/{seeded.survey_id}/report/rounds").status_code == 401


def test_bad_rounds_are_refused(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    client = _trainer(app)
    for query in ("?before=3", "?after=0", "?after=x", "?before=-1"):
        assert client.get(f"/surveys/{seeded.survey_id}/report/rounds{query}").status_code == 404
    # The ordinary report shows one round at a time.
    one = client.get(f"/surveys/{seeded.survey_id}/report?round=1")
    assert "6 responses in this report." in one.get_data(as_text=True)
    assert client.get(f"/surveys/{seeded.survey_id}/report?round=7").status_code == 404


def test_the_before_and_after_table_as_csv(app: Any) -> None:
    import csv
    import io

    with app.app_context():
        seeded = seed_rounds()
    client = _trainer(app)
    page = client.get(f"/surveys/{seeded.survey_id}/report/rounds?group=department")
    assert f"/surveys/{seeded.survey_id}/report/rounds.csv?" in page.get_data(as_text=True)
    got = client.get(f"/surveys/{seeded.survey_id}/report/rounds.csv?group=department")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Competence"
    assert rows[1:] == [
        ["MIG welding", "Workshop", "1.4", "5", "0.6", "5", "-0.8"],
        ["Reading drawings", "Workshop", "1", "5", "0.6", "5", "-0.4"],
    ]  # the one-person office is in no file either
    assert client.get(f"/surveys/{seeded.survey_id}/report/rounds.csv?after=5").status_code == 404
