"""The before-and-after comparison as files: the groups' table in an XLSX as in the CSV, and the
per-person file (CSV and XLSX, identified mode only: refused with its reason when anonymous);
who may download them."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

from .helpers import sign_in
from .rounds_data import seed_rounds
from .test_analysis_pages import _hr_of, _trainer

ANNA = [
    ["Anna", "MIG welding", "2026-03-02", 2, "2026-09-01", 0, -2, "yes"],
    ["Anna", "Reading drawings", "2026-03-02", 1, "2026-09-01", 1, 0, "no"],
]


def _sheet_rows(data: bytes, title: str) -> list[list[Any]]:
    return [list(r) for r in load_workbook(io.BytesIO(data))[title].iter_rows(values_only=True)]


def test_the_before_and_after_table_as_xlsx(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    client = _trainer(app)
    base = f"/surveys/{seeded.survey_id}/report/rounds"
    assert f"{base}.xlsx?" in client.get(f"{base}?group=department").get_data(as_text=True)
    got = client.get(f"{base}.xlsx?group=department")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(got.data)).sheetnames == ["Before and after", "Per person"]
    rows = _sheet_rows(got.data, "Before and after")
    assert rows[0][0] == "Competence"
    assert rows[1:] == [  # numbers stay numbers; the one-person office is in no sheet
        ["MIG welding", "Workshop", 1.4, 5, 0.6, 5, -0.8],
        ["Reading drawings", "Workshop", 1, 5, 0.6, 5, -0.4],
    ]
    assert _sheet_rows(got.data, "Per person")[1:3] == ANNA
    assert client.get(f"{base}.xlsx?after=5").status_code == 404


def test_one_row_per_person_and_competence(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    client = _trainer(app)
    base = f"/surveys/{seeded.survey_id}/report/rounds"
    assert f"{base}/people.csv?" in client.get(base).get_data(as_text=True)
    got = client.get(f"{base}/people.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Person",
        "Competence",
        "Answered before",
        "Gap before",
        "Answered after",
        "Gap after",
        "Change",
        "Trained between",
    ]
    assert len(rows) == 1 + 6 * 2  # six people answered both rounds, two competences each
    assert rows[1:3] == [[str(v) for v in row] for row in ANNA]
    # Olga (alone in the office) is listed per person, as on the page: identified mode.
    assert [r[0] for r in rows[1:]].count("Olga Office") == 2
    book = client.get(f"{base}/people.xlsx")
    assert book.status_code == 200
    assert _sheet_rows(book.data, "Per person")[1:3] == ANNA


def test_anonymous_survey_has_no_file_per_person(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds(anonymous=True)
    client = _trainer(app)
    base = f"/surveys/{seeded.survey_id}/report/rounds"
    page = client.get(base).get_data(as_text=True)
    assert "people.csv" not in page and "people.xlsx" not in page
    for name in ("people.csv", "people.xlsx"):
        refused = client.get(f"{base}/{name}")
        assert refused.status_code == 409
        assert "anonymous" in refused.get_data(as_text=True)
    book = client.get(f"{base}.xlsx")  # the groups' table is still there, without people
    assert book.status_code == 200
    assert load_workbook(io.BytesIO(book.data)).sheetnames == ["Before and after"]


def test_who_may_download(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
    names = ("rounds.xlsx", "rounds/people.csv", "rounds/people.xlsx")
    hr = _hr_of(app, seeded.bakker)
    other = app.test_client()
    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    for name in names:
        url = f"/surveys/{seeded.survey_id}/report/{name}"
        assert hr.get(url).status_code == 200, url  # their own company's
        assert other.get(url).status_code == 404, url
        assert learner.get(url).status_code == 404, url
        assert app.test_client().get(url).status_code == 401, url
