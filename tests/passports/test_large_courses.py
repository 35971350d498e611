"""A course of tens of thousands of learners: the matrix pages through them, the counts and the
downloads still cover all of them, and no query binds one value per learner (PostgreSQL takes
65,535 bound values in a statement, SQLite 32,766)."""

from __future__ import annotations

import csv
import io
import re

from lxml import html
from sqlalchemy import insert, text

from lti_tool.extensions import db
from lti_tool.lti.roster import refresh_statistics

from .conftest import enrol_learners, sign_in


def _add_learners(app, how_many: int) -> None:
    """Learners enrolled in the demo course, added as a roster sync would (in bulk); their
    family names sort after the demo learners'."""
    people = [(f"Bulk Learner {i:05d}", f"zz{i:05d}") for i in range(how_many)]
    enrol_learners(app, "bulk", people)
    with app.app_context():
        # As a roster sync of this size does: without it, PostgreSQL plans for the few rows its
        # statistics last saw, and the matrix nests loops over 40,000 learners (20+ minutes).
        refresh_statistics(db.session())


def _rows(page) -> list[str]:
    doc = html.fromstring(page.get_data(as_text=True))
    return [r.xpath("string(th)") for r in doc.xpath('//*[@data-testid="matrix-row"]')]


def test_the_matrix_pages_through_learners_and_counts_them_all(passport_app):
    _add_learners(passport_app, 150)  # and the demo's two: 152
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    first = trainer.get("/passport/trainer/matrix")
    assert first.status_code == 200
    rows = _rows(first)
    assert len(rows) == 100 and rows[:2] == ["Karim Benali", "Lena de Vries"]
    text = first.get_data(as_text=True)
    assert "Learners 1 to 100 of 152." in text
    assert 'rel="next" href="/passport/trainer/matrix?page=2"' in text
    # The counts cover every learner, not only this page's.
    counts = re.search(r"(\d+) valid, (\d+) expiring, (\d+) expired, (\d+) missing", text)
    trainings = len(html.fromstring(text).xpath("//table[@class='matrix']/thead//th")) - 1
    assert sum(int(n) for n in counts.groups()) == 152 * trainings
    second = trainer.get("/passport/trainer/matrix?page=2")
    assert _rows(second) == [f"Bulk Learner {i:05d}" for i in range(98, 150)]
    assert "Learners 101 to 152 of 152." in second.get_data(as_text=True)
    # A page past the end shows the last one; filters travel with the pager.
    assert _rows(trainer.get("/passport/trainer/matrix?page=99")) == _rows(second)
    searched = trainer.get("/passport/trainer/matrix?q=Bulk&page=1").get_data(as_text=True)
    assert 'href="/passport/trainer/matrix?page=2&amp;q=Bulk"' in searched
    # A search is narrowed by the database, the same way: case-insensitive, % and _ as written.
    found = _rows(trainer.get("/passport/trainer/matrix?q=learner+0014"))
    assert found == [f"Bulk Learner {i:05d}" for i in range(140, 150)]
    assert _rows(trainer.get("/passport/trainer/matrix?q=Learner_0")) == []
    # The download holds every learner, not a page.
    table = list(csv.reader(io.StringIO(trainer.get("/passport/trainer/matrix.csv").text)))
    assert len(table) == 1 + 152
    # The trainer's home lists the first learners and points to the matrix for the rest.
    home = trainer.get("/passport/trainer/").get_data(as_text=True)
    assert "100 of 152 learners are listed here" in home
    assert home.count("/passport/trainer/learners/") == 100


def test_a_course_of_40000_learners_opens(passport_app):
    _add_learners(passport_app, 40_000)
    with passport_app.app_context():
        if db.engine.dialect.name == "postgresql":  # the statistics the plans use were refreshed
            sampled = db.session.scalar(
                text("SELECT reltuples FROM pg_class WHERE relname = 'enrolment'")
            )
            assert sampled >= 40_000
    trainer = passport_app.test_client()
    sign_in(passport_app, trainer, "instructor")
    page = trainer.get("/passport/trainer/matrix")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    assert "Learners 1 to 100 of 40002." in page.get_data(as_text=True).replace(",", "")
    assert trainer.get("/passport/trainer/matrix.csv").status_code == 200


def test_a_passport_of_hundreds_shows_the_latest_and_all_on_request(passport_app):
    import datetime as dt

    from lti_tool.passports.models import PassportEntry

    learner = passport_app.test_client()
    ctx = sign_in(passport_app, learner, "learner2")
    with passport_app.app_context():
        start = dt.date(2020, 1, 1)
        db.session.execute(
            insert(PassportEntry),
            [
                {
                    "user_id": ctx.user_id,
                    "title": f"Course {i:03d}",
                    "provider": "Elsewhere",
                    "modality": "external",
                    "started_on": start + dt.timedelta(days=i),
                    "completed_on": start + dt.timedelta(days=i),
                    "hours": 1,
                    "result": "passed",
                    "status": "approved",
                    "source": "manual",
                }
                for i in range(150)
            ],
        )
        db.session.commit()
    total = len(learner.get("/passport/export.json").json["entries"])  # with the demo's own
    assert total >= 150
    page = learner.get("/passport/").get_data(as_text=True)
    titles = html.fromstring(page).xpath('//*[@data-testid="entry"]/h3/a/text()')
    assert len(titles) == 100 and titles[0] == "Course 149"  # the latest first
    assert f"The latest 100 of {total} trainings are shown." in page
    assert 'href="/passport/?all=1"' in page
    everything = learner.get("/passport/?all=1").get_data(as_text=True)
    assert len(html.fromstring(everything).xpath('//*[@data-testid="entry"]')) == total
    assert "trainings are shown" not in everything
