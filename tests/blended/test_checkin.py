"""QR check-in through the app: a learner with a session checks in once; a phone without one
keeps a pending check-in that a launch completes; every refusal (forged, expired, replayed,
other session, other tenant, outside the window, twice) says why and writes nothing; windows
across a daylight-saving change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from lti_tool.blended import checkin, checkin_codes
from lti_tool.blended.attendance_models import Attendance, PendingCheckin
from lti_tool.blended.checkin import CheckinRefused
from lti_tool.blended.session_models import BlendedSession
from lti_tool.extensions import db
from lti_tool.models import Platform
from tests.blended.attendance_helpers import code_url, session_now
from tests.blended.session_helpers import make_session, people
from tests.lti import flows
from tests.passports.conftest import csrf_token, sign_in


def text(response):
    return response.get_data(as_text=True)


def count(app, **where):
    with app.app_context():
        query = select(func.count(Attendance.id))
        for name, value in where.items():
            query = query.where(getattr(Attendance, name) == value)
        return db.session.scalar(query)


@pytest.fixture
def now_session(app):
    ids = people(app)
    with app.app_context():
        blended = session_now(db.session(), ids["trainer"])
        return ids, blended.id


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_learner_with_a_session_checks_in_once(app, client, now_session):
    ids, session_id = now_session
    sign_in(app, client, "instructor")
    screen = client.get(f"/blended/sessions/{session_id}/checkin")
    assert screen.status_code == 200 and 'data-testid="typed-code"' in text(screen)
    url = code_url(client, session_id)
    qr = client.get(
        client.get(f"/blended/sessions/{session_id}/checkin/state.json").get_json()["qr"]
    )
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data

    phone = app.test_client()
    sign_in(app, phone, "learner")
    done = phone.get(_path(url))
    assert done.status_code == 200 and "You are checked in" in text(done)
    assert count(app, user_id=ids["a"], source="qr", status="present") == 1
    # twice: refused, still one row
    again = phone.get(_path(url))
    assert again.status_code == 409 and "already on today" in text(again)
    assert count(app, user_id=ids["a"]) == 1
    assert client.get(f"/blended/sessions/{session_id}/checkin/state.json").get_json()["count"] == 1


def test_refusals_say_why_and_write_nothing(app, client, now_session):
    ids, session_id = now_session
    sign_in(app, client, "instructor")
    url = _path(code_url(client, session_id))
    phone = app.test_client()
    sign_in(app, phone, "learner")
    # forged: another signature, or a day id moved into a good-looking code
    day_id, slot, sig = url.rsplit("/", 1)[1].split("-")
    forged = phone.get(f"/blended/checkin/{day_id}-{slot}-{'0' * len(sig)}")
    assert forged.status_code == 400 and "not one of ours" in text(forged)
    moved = phone.get(f"/blended/checkin/{int(day_id) + 1}-{slot}-{sig}")
    assert moved.status_code == 400
    # expired: a code two slots old, signed with the app's key (a photo sent later)
    secret = app.config["LEARNPASS"].secret_key
    old = checkin_codes.qr_code(secret, int(day_id), int(slot) - 2)
    expired = phone.get(f"/blended/checkin/{old}")
    assert expired.status_code == 410 and "too old" in text(expired)
    # an outsider (another course) is not a learner of the session
    outsider = app.test_client()
    from tests.passports.conftest import OTHER_COURSE, OUTSIDER

    sign_in(app, outsider, OUTSIDER, OTHER_COURSE)
    r = outsider.get(url)
    assert r.status_code == 403 and "not a learner" in text(r)
    # another tenant: the same person launched from another platform
    with app.app_context():
        other = Platform(
            issuer="https://other-lms.example.org",
            client_id="other",
            auth_login_url="https://other-lms.example.org/login",
            auth_token_url="https://other-lms.example.org/token",
        )
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    with phone.session_transaction() as sess:
        sess["launch"] = {**sess["launch"], "platform_id": other_id}
    r = phone.get(url)
    assert r.status_code == 403 and "another learning platform" in text(r)
    # a typed code of another session
    sign_in(app, phone, "learner")
    with app.app_context():
        second = session_now(db.session(), ids["trainer"])
        second_id = second.id
    typed_other = client.get(f"/blended/sessions/{second_id}/checkin/state.json").get_json()[
        "typed"
    ]
    token = csrf_token(phone, f"/blended/sessions/{session_id}")
    r = phone.post(
        f"/blended/sessions/{session_id}/checkin", data={"csrf_token": token, "code": typed_other}
    )
    assert r.status_code == 409 and "another session" in text(r)
    r = phone.post(
        f"/blended/sessions/{session_id}/checkin", data={"csrf_token": token, "code": "XXXXXX"}
    )
    assert r.status_code == 400 and "not one of ours" in text(r)
    assert count(app) == 0
    # the right typed code works
    typed = client.get(f"/blended/sessions/{session_id}/checkin/state.json").get_json()["typed"]
    r = phone.post(
        f"/blended/sessions/{session_id}/checkin",
        data={"csrf_token": token, "code": typed.lower()},
    )
    assert r.status_code == 200 and "You are checked in" in text(r)
    assert count(app) == 1


def test_replayed_by_another_person_after_its_slot_is_refused(app, now_session):
    ids, session_id = now_session
    with app.app_context():
        secret = app.config["LEARNPASS"].secret_key
        day = db.session.get(BlendedSession, session_id).days[0]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        code = checkin_codes.qr_code(secret, day.id, checkin_codes.slot_of(now))
        checkin_codes.read_qr_code(secret, code, now)  # fine now
        later = now + dt.timedelta(seconds=61)
        with pytest.raises(checkin_codes.BadCode) as exc:
            checkin_codes.read_qr_code(secret, code, later)
        assert exc.value.reason == "expired"


def test_phone_without_session_completes_after_launch(app, now_session, live_server, http):
    ids, session_id = now_session
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    url = _path(code_url(trainer, session_id))
    page = http.get(live_server.url + url)
    assert page.status_code == 200 and "does not know who you are" in page.text
    assert http.cookies.get(checkin.PENDING_COOKIE)
    with app.app_context():
        assert db.session.scalar(select(func.count(PendingCheckin.id))) == 1
    landed = flows.launch(http, live_server.url, "learner")
    assert landed.url.endswith("/blended/checkin/pending"), landed.url
    assert landed.status_code == 200 and "You are checked in" in landed.text
    assert count(app, user_id=ids["a"], source="qr") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(PendingCheckin.id))) == 0
    assert not http.cookies.get(checkin.PENDING_COOKIE)


def test_window_across_daylight_saving(app):
    ids = people(app)
    with app.app_context():
        s = db.session()
        # Brussels: summer time starts on 31 March 2030 at 02:00 (UTC+1 -> UTC+2)
        blended = make_session(
            s,
            ids["trainer"],
            days=[
                (dt.date(2030, 3, 30), "09:00", "17:00"),
                (dt.date(2030, 3, 31), "09:00", "17:00"),
            ],
        )
        saturday, sunday = blended.days
        assert (saturday.starts_at.hour, sunday.starts_at.hour) == (8, 7)

        def attempt(day, now):
            return checkin.check_in(
                s,
                day,
                user_id=ids["a"],
                platform_id=blended.platform_id,
                now=now,
                before_minutes=30,
                after_minutes=30,
            )

        # 06:25 UTC on Sunday is 08:25 in Brussels: 35 minutes early, refused
        with pytest.raises(CheckinRefused) as exc:
            attempt(sunday, dt.datetime(2030, 3, 31, 6, 25))
        assert exc.value.reason == "outside_window"
        s.rollback()
        assert attempt(sunday, dt.datetime(2030, 3, 31, 6, 35)).status == "present"
        # Saturday's window is an hour later in UTC
        with pytest.raises(CheckinRefused):
            attempt(saturday, dt.datetime(2030, 3, 30, 7, 25))
        s.rollback()
        with pytest.raises(CheckinRefused) as exc:
            attempt(saturday, dt.datetime(2030, 3, 30, 16, 31))
        assert exc.value.reason == "outside_window"
