"""The attendance sheet through the app: plain-form taps, a repeated tap id applied once, edits
by a trainer of another course refused, the import validated whole with line numbers, and the
exports read back (PDF text, XLSX cells, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from lti_tool.blended.attendance_models import Attendance, AttendanceChange
from lti_tool.extensions import db
from tests.blended.session_helpers import make_session, people
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER, csrf_token, sign_in


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def sheet(app, client):
    ids = people(app)
    with app.app_context():
        blended = make_session(
            db.session(),
            ids["trainer"],
            days=[(dt.date(2030, 3, 5), "09:00", "17:00"), (dt.date(2030, 3, 6), "09:00", "12:00")],
        )
        session_id, day_id = blended.id, blended.days[0].id
    sign_in(app, client, "instructor")
    token = csrf_token(client, f"/blended/sessions/{session_id}/attendance?day={day_id}")
    return ids, session_id, day_id, token


def rows(app):
    with app.app_context():
        return {
            (r.day_id, r.user_id): (r.status, r.hours, r.source)
            for r in db.session.scalars(select(Attendance))
        }


def test_sheet_taps_without_javascript_and_a_repeated_tap_once(app, client, sheet):
    ids, session_id, day_id, token = sheet
    page = client.get(f"/blended/sessions/{session_id}/attendance?day={day_id}")
    assert page.status_code == 200 and "Sofie Janssens" in text(page)
    mark = f"/blended/sessions/{session_id}/attendance/{day_id}/mark"
    r = client.post(
        mark,
        data={
            "csrf_token": token,
            "learner_id": ids["c"],
            "status": "late",
            "hours": "6,5",
            "client_key": "abcdef0123456789",
        },
    )
    assert r.status_code == 303
    assert rows(app)[(day_id, ids["c"])] == ("late", 6.5, "sheet")
    # the same tap again (a retry whose answer was lost), as JSON: applied once
    r = client.post(
        mark,
        data={
            "csrf_token": token,
            "learner_id": ids["c"],
            "status": "absent",
            "client_key": "abcdef0123456789",
        },
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200 and r.get_json()["ok"]
    assert r.get_json()["state"] == "Late · 6.5 h"
    assert rows(app)[(day_id, ids["c"])] == ("late", 6.5, "sheet")
    # a bad status or hours: 400 with the reason, nothing written
    r = client.post(mark, data={"csrf_token": token, "learner_id": ids["a"], "status": "here"})
    assert r.status_code == 400 and "Choose present" in text(r)
    r = client.post(
        mark,
        data={"csrf_token": token, "learner_id": ids["a"], "status": "late", "hours": "9"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 400 and "between 0 and 8" in r.get_json()["message"]
    # a learner outside the course
    r = client.post(
        mark, data={"csrf_token": token, "learner_id": ids["outsider"], "status": "present"}
    )
    assert r.status_code == 400
    assert (day_id, ids["a"]) not in rows(app) and (day_id, ids["outsider"]) not in rows(app)


def test_other_course_trainer_and_learners_cannot_edit(app, client, sheet):
    ids, session_id, day_id, token = sheet
    other = app.test_client()
    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    assert other.get(f"/blended/sessions/{session_id}/attendance").status_code in (403, 404)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get(f"/blended/sessions/{session_id}/attendance").status_code == 403
    assert learner.get(f"/blended/sessions/{session_id}/attendance.pdf").status_code == 403
    assert rows(app) == {}


def test_import_is_validated_whole_then_exports_read_back(app, client, sheet):
    ids, session_id, day_id, token = sheet
    url = f"/blended/sessions/{session_id}/attendance/{day_id}/import"
    bad = "learner,status,hours,note\nsofie@example.org,present,,\nNobody Here,present,,\nKarim,sick,,\n"
    r = client.post(url, data={"csrf_token": token, "csv": bad, "reason": "paper list"})
    assert r.status_code == 400
    page = text(r)
    assert "Nothing was saved" in page and "Line 3:" in page and "Line 4:" in page
    assert rows(app) == {}
    from lti_tool.models import User

    with app.app_context():
        karim = db.session.get(User, ids["b"])
        lena = db.session.get(User, ids["a"])
        karim_mail, lena_name = karim.email, lena.name
    good = (
        f'sofie@example.org,present,,\n{karim_mail},left early,"5,5",left at 3pm\n'
        f"{lena_name},absent,,\n"
    )
    upload = {
        "csrf_token": token,
        "reason": "paper list",
        "file": (io.BytesIO(good.encode()), "list.csv"),
    }
    r = client.post(url, data=upload, content_type="multipart/form-data")
    assert r.status_code == 303, text(r)[:1000]
    got = rows(app)
    assert got[(day_id, ids["c"])] == ("present", 8.0, "import")
    assert got[(day_id, ids["b"])] == ("left_early", 5.5, "import")
    assert got[(day_id, ids["a"])] == ("absent", 0.0, "import")
    with app.app_context():
        assert db.session.scalar(select(func.count(AttendanceChange.id))) == 3
    history = text(client.get(f"/blended/sessions/{session_id}/attendance?day={day_id}"))
    assert history.count('data-testid="history-entry"') == 3 and "2030" in history

    pdfium = pytest.importorskip("pypdfium2")
    r = client.get(f"/blended/sessions/{session_id}/attendance.pdf?lang=nl")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    document = pdfium.PdfDocument(r.data)
    first = document[0].get_textpage().get_text_range()
    assert "Sofie Janssens" in first and "5.5" in first
    assert len(document) == 2  # one page per day
    document.close()
    r = client.get(f"/blended/sessions/{session_id}/certificate/{ids['b']}.pdf?lang=en")
    document = pdfium.PdfDocument(r.data)
    cert = document[0].get_textpage().get_text_range()
    document.close()
    assert "5.5" in cert and "Total" in cert

    from openpyxl import load_workbook

    r = client.get(f"/blended/sessions/{session_id}/attendance.xlsx?lang=nl")
    sheet_rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert sheet_rows[0][0] == "Cursist"  # the language the trainer chose stays
    assert any(row[1] == karim_mail and row[4] == 5.5 for row in sheet_rows)
    r = client.get(f"/blended/sessions/{session_id}/attendance.csv?lang=en")
    lines = list(csv.reader(io.StringIO(text(r))))
    assert any(line[0] == "Sofie Janssens" and line[3] == "Present" for line in lines)
