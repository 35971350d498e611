"""ICS files and calendar feeds, read back as a calendar program reads them (RFC 5545 lines
unfolded, parameters and escapes undone)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from lti_tool.blended import booking, feeds, ics, sessions
from lti_tool.extensions import db
from tests.blended.session_helpers import make_session, people, user
from tests.passports.conftest import csrf_token, sign_in

NOW = dt.datetime(2030, 1, 1, 12, 0)


def parse(body: bytes) -> list[dict[str, object]]:
    """The components of a calendar as dicts (``_type``, and each property's value and params)."""
    text = body.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "lines must end with CRLF"
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")
    assert lines[-1] == ""
    components: list[dict[str, object]] = []
    stack: list[dict[str, object]] = []
    for line in lines[:-1]:
        assert len(line.encode()) > 0
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        if name == "BEGIN":
            stack.append({"_type": value})
        elif name == "END":
            component = stack.pop()
            assert component["_type"] == value
            components.append(component)
        else:
            unescaped = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)
            stack[-1][name] = unescaped
            stack[-1][name + ";params"] = params
    assert not stack
    return components


def events(body: bytes) -> list[dict[str, object]]:
    return [c for c in parse(body) if c["_type"] == "VEVENT"]


def calendar_of(body: bytes) -> dict[str, object]:
    return [c for c in parse(body) if c["_type"] == "VCALENDAR"][0]


def test_a_booking_gives_one_event_per_day_with_stable_uids_and_rising_sequence(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(
            s,
            ids["trainer"],
            days=[
                (dt.date(2030, 3, 29), "09:00", "17:00"),
                (dt.date(2030, 4, 1), "09:00", "12:30"),
            ],
        )
        blended.titles = {"en": "Safety; ladders, scaffolds\nand more " + "é" * 60}
        s.commit()
        change = booking.book(s, blended, user(s, ids["a"]), now=NOW)
        s.commit()
        base = app.config["LEARNPASS"].base_url
        first = ics.booking_ics(change.booking, locale="en", base_url=base)
        assert all(len(line) <= 75 for line in first.split(b"\r\n"))
        assert calendar_of(first)["METHOD"] == "REQUEST"
        assert calendar_of(first)["VERSION"] == "2.0"
        ev = events(first)
        assert len(ev) == 2
        # 31 March 2030 Brussels changes to summer time: 08:00 UTC before, 07:00 UTC after
        assert [e["DTSTART"] for e in ev] == ["20300329T080000Z", "20300401T070000Z"]
        assert [e["DTEND"] for e in ev] == ["20300329T160000Z", "20300401T103000Z"]
        assert ev[0]["SUMMARY"].startswith("Safety; ladders, scaffolds\nand more é")
        assert ev[0]["SUMMARY"].endswith("(1/2)")
        assert ev[0]["LOCATION"] == "Training centre Gent, Kortrijksesteenweg 1, 9000 Gent"
        assert {e["STATUS"] for e in ev} == {"CONFIRMED"}
        assert len({e["UID"] for e in ev}) == 2
        uids = [e["UID"] for e in ev]

        # the trainer changes the session: same UIDs, a higher SEQUENCE
        data = sessions.SessionInput(
            titles={"en": "Safety"},
            place_name="Training centre Gent",
            trainer_ids=[ids["trainer"]],
            days=[
                sessions.DayInput(dt.date(2030, 3, 29), dt.time(10), dt.time(17)),
                sessions.DayInput(dt.date(2030, 4, 1), dt.time(9), dt.time(12, 30)),
            ],
        )
        sessions.update_session(s, blended, ids["trainer"], data)
        s.commit()
        changed = events(ics.booking_ics(change.booking, locale="en", base_url=base))
        assert [e["UID"] for e in changed] == uids
        assert changed[0]["DTSTART"] == "20300329T090000Z"
        assert int(changed[0]["SEQUENCE"]) > int(ev[0]["SEQUENCE"])

        # the learner cancels: METHOD:CANCEL, STATUS:CANCELLED, same UIDs, higher again
        booking.cancel(s, blended, user(s, ids["a"]), now=NOW)
        s.commit()
        gone = ics.booking_ics(change.booking, locale="en", base_url=base)
        assert calendar_of(gone)["METHOD"] == "CANCEL"
        assert [e["UID"] for e in events(gone)] == uids
        assert {e["STATUS"] for e in events(gone)} == {"CANCELLED"}
        assert int(events(gone)[0]["SEQUENCE"]) > int(changed[0]["SEQUENCE"])


def test_a_webinar_event_carries_its_link(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(
            s, ids["trainer"], kind="webinar", meeting_url="https://meet.example/abc?x=1,2"
        )
        change = booking.book(s, blended, user(s, ids["a"]), now=NOW)
        s.commit()
        body = ics.booking_ics(change.booking, locale="nl", base_url="https://tool.example")
        (event,) = events(body)
        assert event["URL"] == "https://meet.example/abc?x=1,2"
        assert event["LOCATION"] == "https://meet.example/abc?x=1,2"
        assert event["SUMMARY"] == "Veilig steigerbouw"
        assert event["UID"].endswith("@tool.example")


def test_the_learner_downloads_only_their_own_booking(app, client):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"])
        mine = booking.book(s, blended, user(s, ids["a"]), now=NOW).booking.id
        theirs = booking.book(s, blended, user(s, ids["b"]), now=NOW).booking.id
        s.commit()
    sign_in(app, client, "learner")
    r = client.get(f"/blended/bookings/{mine}/session.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert "attachment" in r.headers["Content-Disposition"]
    (event,) = events(r.data)
    assert event["ATTENDEE"] == "mailto:lena@example.org"
    assert client.get(f"/blended/bookings/{theirs}/session.ics").status_code == 404


def test_feeds_show_only_the_owners_sessions_and_a_revoked_url_is_404(app, client):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        booked = make_session(s, ids["trainer"])
        other = make_session(s, ids["trainer"], days=[(dt.date(2030, 5, 5), "09:00", "12:00")])
        other.titles = {"en": "Someone else's"}
        booking.book(s, booked, user(s, ids["a"]), now=NOW)
        booking.book(s, other, user(s, ids["b"]), now=NOW)
        s.commit()
    sign_in(app, client, "learner")
    token = csrf_token(client, "/blended/calendar")
    page = client.post("/blended/calendar", data={"csrf_token": token, "owner": "learner"})
    assert page.status_code == 200
    feed_url = re.search(
        r'value="(http[^"]+/blended/calendar/([^"/]+)\.ics)"', page.get_data(as_text=True)
    )
    assert feed_url
    path = urlsplit(feed_url.group(1)).path
    assert "lena" not in feed_url.group(1).lower() and "learner" not in feed_url.group(1)
    with app.test_request_context():
        # only the hash is stored
        row = feeds.feed_of_token(db.session(), feed_url.group(2))
        assert row is not None and feed_url.group(2) not in row.token_hash

    anonymous = app.test_client()
    r = anonymous.get(path)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    summaries = [e["SUMMARY"] for e in events(r.data)]
    assert summaries == ["Scaffolding safety"]
    assert "METHOD" not in calendar_of(r.data)

    # a new link replaces the old one; revoking ends it
    page = client.post("/blended/calendar", data={"csrf_token": token, "owner": "learner"})
    assert anonymous.get(path).status_code == 404
    new = re.search(
        r'value="http[^"]+?(/blended/calendar/[^"/]+\.ics)"', page.get_data(as_text=True)
    )
    assert new and anonymous.get(new.group(1)).status_code == 200
    r = client.post("/blended/calendar/revoke", data={"csrf_token": token, "owner": "learner"})
    assert r.status_code == 303
    assert anonymous.get(new.group(1)).status_code == 404
    assert anonymous.get("/blended/calendar/not-a-token.ics").status_code == 404


def test_a_trainers_feed_shows_the_sessions_they_teach(app, client):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        make_session(s, ids["trainer"])
        other = make_session(s, ids["trainer"], days=[(dt.date(2030, 5, 5), "09:00", "12:00")])
        other.trainer_ids = []
        s.commit()
        token = feeds.create_feed(s, ids["trainer"], "trainer")
        s.commit()
    r = app.test_client().get(f"/blended/calendar/{token}.ics")
    assert [e["SUMMARY"] for e in events(r.data)] == ["Scaffolding safety"]
    sign_in(app, client, "learner")
    assert client.get("/blended/calendar?owner=trainer").status_code == 400


def test_erasing_a_learner_ends_their_feed_and_gives_their_seat_away(app):
    from lti_tool.passports.erasure import erase_learner

    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"], capacity=1)
        booking.book(s, blended, user(s, ids["a"]), now=NOW)
        booking.book(s, blended, user(s, ids["b"]), now=NOW)
        token = feeds.create_feed(s, ids["a"], "learner")
        s.commit()
        erase_learner(s, ids["a"], actor_id=ids["trainer"], base_url="https://tool.example")
        assert feeds.feed_of_token(s, token) is None
        assert booking.booking_of(s, blended.id, ids["a"]) is None
        assert booking.booking_of(s, blended.id, ids["b"]).status == "booked"
    assert app.test_client().get(f"/blended/calendar/{token}.ics").status_code == 404
