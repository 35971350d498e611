"""At risk in the trainer's progress view: late on a step, or not booked for a required session
step (on the waiting list said apart), each learner's reasons in plain words, in the page and
its CSV; a booked learner, an optional session step and a completed path are no risk."""

from __future__ import annotations

from typing import Any

from lti_tool.blended import booking
from lti_tool.blended.path_models import BlendedPath
from lti_tool.blended.session_models import BlendedSession
from lti_tool.extensions import db
from lti_tool.models import Course
from tests.blended.session_helpers import make_session, people, user
from tests.blended.test_paths import add_step, build_path
from tests.passports.conftest import sign_in


def _setup(app: Any) -> tuple[Any, int, dict[str, int]]:
    ids = people(app)
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    with app.test_request_context():
        session = db.session()
        blended = make_session(session, ids["trainer"], capacity=1)
        optional = make_session(session, ids["trainer"], capacity=5)
        booking.book(session, blended, user(session, ids["a"]))
        booking.book(session, blended, user(session, ids["b"]))  # full: the waiting list
        session.commit()
        blended_id, optional_id = blended.id, optional.id
    path_id = build_path(app, trainer)
    r = add_step(
        trainer, path_id, "session", title_en="Day on site", ref=str(blended_id), required="1"
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    r = add_step(trainer, path_id, "session", title_en="Extra day", ref=str(optional_id))
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    with app.app_context():
        path = db.session.get(BlendedPath, path_id)
        course = db.session.get(Course, path.course_id)
        course.nrps_url = None  # the roster is what the launches told
        db.session.commit()
    return trainer, path_id, ids


def test_not_booked_for_a_required_session_puts_a_learner_at_risk(app):
    trainer, path_id, ids = _setup(app)
    page = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    rows = page.split('data-testid="progress-row"')[1:]
    by_id = {int(row.split("/learners/", 1)[1].split('"', 1)[0]): row for row in rows}
    assert 'data-testid="at-risk"' not in by_id[ids["a"]]  # booked
    waiting = by_id[ids["b"]]
    assert 'data-testid="at-risk"' in waiting
    assert "Only on the waiting list for: Day on site" in waiting
    unbooked = [r for r in rows if "Not booked for: Day on site" in r]
    assert len(unbooked) == len(rows) - 2  # everyone else, and never for the optional day
    assert "Extra day" not in "".join(r.split("</th>", 1)[0] for r in rows)
    only = trainer.get(f"/blended/paths/{path_id}/progress?state=at_risk").get_data(as_text=True)
    assert only.count('data-testid="progress-row"') == len(rows) - 1
    csv_text = trainer.get(f"/blended/paths/{path_id}/progress.csv").get_data(as_text=True)
    header, *lines = csv_text.strip().splitlines()
    assert header.endswith("At risk,Why")
    assert any(line.endswith("yes,Only on the waiting list for: Day on site") for line in lines)
    assert sum(1 for line in lines if line.endswith(",no,")) == 1
    # In Dutch too.
    page = trainer.get(f"/blended/paths/{path_id}/progress?lang=nl").get_data(as_text=True)
    assert "Niet ingeschreven voor: Day on site" in page


def test_a_cancellation_moves_the_risk_to_who_gave_up_the_seat(app):
    trainer, path_id, ids = _setup(app)
    with app.test_request_context():
        session = db.session()
        path = session.get(BlendedPath, path_id)
        blended = session.get(BlendedSession, int(path.steps[0].ref))
        booking.cancel(session, blended, user(session, ids["a"]))  # b gets the seat
        session.commit()
    page = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    rows = page.split('data-testid="progress-row"')[1:]
    by_id = {int(row.split("/learners/", 1)[1].split('"', 1)[0]): row for row in rows}
    assert "Not booked for: Day on site" in by_id[ids["a"]]
    assert 'data-testid="at-risk"' not in by_id[ids["b"]]


def test_the_xlsx_shows_what_the_page_shows_with_numbers_and_no_formulas(app):
    import io

    from openpyxl import load_workbook

    from lti_tool.models import User

    trainer, path_id, ids = _setup(app)
    with app.app_context():
        db.session.get(User, ids["c"]).name = '=HYPERLINK("http://evil.example","x")'
        db.session.commit()
    r = trainer.get(f"/blended/paths/{path_id}/progress.xlsx?state=at_risk")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    page = trainer.get(f"/blended/paths/{path_id}/progress?state=at_risk").get_data(as_text=True)
    assert len(rows) - 1 == page.count('data-testid="progress-row"')  # the same filter
    assert rows[0][-5:] == ("Online hours", "Classroom hours", "Completion %", "At risk", "Why")
    assert all(isinstance(v, (int, float)) for row in rows[1:] for v in row[-5:-2])
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    # Another course's trainer gets nothing.
    from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

    stranger = app.test_client()
    sign_in(app, stranger, OTHER_TRAINER, OTHER_COURSE)
    assert stranger.get(f"/blended/paths/{path_id}/progress.xlsx").status_code == 404


def test_the_progress_chart_counts_steps_completed_per_week(app):
    import datetime as dt

    from lti_tool.blended.path_models import BlendedStepMark

    trainer, path_id, ids = _setup(app)
    today = dt.date.today()
    with app.app_context():
        step = db.session.get(BlendedPath, path_id).steps[0]
        long_ago = dt.datetime.combine(today - dt.timedelta(weeks=30), dt.time(9))
        for who, when in (
            ("a", dt.datetime.combine(today, dt.time(0, 1))),
            ("b", dt.datetime.combine(today - dt.timedelta(days=7), dt.time(10))),
            ("c", long_ago),  # before the chart's twelve weeks
        ):
            db.session.add(
                BlendedStepMark(step_id=step.id, user_id=ids[who], source="trainer", marked_at=when)
            )
        db.session.commit()
    page = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    chart = page.split('data-testid="progress-chart"', 1)[1].split("</section>", 1)[0]
    assert "<title id=" in chart and "<desc id=" in chart and 'role="img"' in chart
    assert "2 in all, at most 1 in one week" in chart
    counts = [int(c) for c in chart.split('data-count="')[1:] for c in [c.split('"', 1)[0]]]
    assert len(counts) == 12 and counts[-1] == 1 and sum(counts) == 2
    table = chart.split('data-testid="chart-table"', 1)[1]
    assert table.count("<tr>") == 13  # header + twelve weeks


def test_absent_on_two_days_puts_a_booked_learner_at_risk(app):
    import datetime as dt

    from lti_tool.blended.attendance import MarkInput, record_mark

    ids = people(app)
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    days = [(dt.date(2030, 3, 5), "09:00", "17:00"), (dt.date(2030, 3, 6), "09:00", "17:00")]
    with app.test_request_context():
        session = db.session()
        blended = make_session(session, ids["trainer"], capacity=5, days=days)
        for who in ("a", "b"):
            booking.book(session, blended, user(session, ids[who]))
        first, second = blended.days
        later = dt.datetime(2030, 3, 6, 18, 0)
        for day in (first, second):  # a: absent both days; b: absent once, excused once
            record_mark(
                session,
                day,
                ids["a"],
                MarkInput("absent"),
                source="sheet",
                by_id=ids["trainer"],
                now=later,
            )
        record_mark(
            session,
            first,
            ids["b"],
            MarkInput("absent"),
            source="sheet",
            by_id=ids["trainer"],
            now=later,
        )
        record_mark(
            session,
            second,
            ids["b"],
            MarkInput("excused"),
            source="sheet",
            by_id=ids["trainer"],
            now=later,
        )
        session.commit()
        blended_id = blended.id
    path_id = build_path(app, trainer)
    r = add_step(
        trainer, path_id, "session", title_en="Two days", ref=str(blended_id), required="1"
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    page = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    rows = page.split('data-testid="progress-row"')[1:]
    by_id = {int(row.split("/learners/", 1)[1].split('"', 1)[0]): row for row in rows}
    assert "Absent on 2 days" in by_id[ids["a"]] and 'data-testid="at-risk"' in by_id[ids["a"]]
    assert "Absent on" not in by_id[ids["b"]]  # an excused day is not an absence
    page = trainer.get(f"/blended/paths/{path_id}/progress?lang=de").get_data(as_text=True)
    assert "Abwesend" in page or "abwesend" in page
