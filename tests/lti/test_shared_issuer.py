"""Two registrations with one issuer never share people (real signed launches on loopback).

Registration A is the demo platform (lti1p3platform signs its launches). Registration B is added
with the same issuer, its own client id and its own key, as anyone running `learnpass platform
add` could do; it signs a launch for A's learner's ``sub``. That launch must make a second
person, who sees nothing of A's person: not the passport, not the exports, not the statements.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lrs.queued import store_queued_statements
from lti_tool.lti.keys import generate_rsa_private_pem, public_jwk_from_private_pem
from lti_tool.lti.services import PlatformInput, add_platform
from lti_tool.models import User
from lti_tool.passports import entries, recording

from .flows import launch

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
B_CLIENT = "second-registration"
B_DEPLOYMENT = "b-deployment"


def _register_b(app, base: str) -> str:
    """Registration B: same issuer as the demo platform, another client id and key."""
    key = generate_rsa_private_pem()
    with app.app_context():
        add_platform(
            db.session(),
            PlatformInput(
                issuer=demo.issuer(),
                client_id=B_CLIENT,
                auth_login_url=base + "/b/authorize",
                auth_token_url=base + "/b/token",
                key_set={"keys": [public_jwk_from_private_pem(key, kid="b-key")]},
                deployment_ids=(B_DEPLOYMENT,),
            ),
        )
    return key


def _launch_as_b(http: requests.Session, base: str, issuer: str, key: str, sub: str):
    """B's login through the tool, then a launch B signs with its own key."""
    r = http.get(
        base + "/lti/login",
        params={
            "iss": issuer,
            "client_id": B_CLIENT,
            "login_hint": sub,
            "target_link_uri": base + "/lti/launch",
            "lti_deployment_id": B_DEPLOYMENT,
        },
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text
    auth = parse_qs(urlparse(r.headers["Location"]).query)
    assert auth["client_id"] == [B_CLIENT]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": B_CLIENT,
        "azp": B_CLIENT,
        "sub": sub,
        "name": "Someone of B",
        "iat": now,
        "exp": now + 300,
        "nonce": auth["nonce"][0],
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": B_DEPLOYMENT,
        CLAIM + "target_link_uri": base + "/lti/launch",
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "context": {"id": demo.COURSE["id"], "title": "B's course"},
        CLAIM + "resource_link": {"id": "b-link-" + uuid.uuid4().hex[:6]},
        CLAIM + "custom": {"target": "passport"},
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "b-key"})
    return http.post(base + "/lti/launch", data={"id_token": token, "state": auth["state"][0]})


def test_a_second_registration_of_the_issuer_cannot_take_over_its_people(app, live_server):
    base = live_server.url
    with requests.Session() as a_http:
        assert launch(a_http, base, user="learner").status_code == 200
        with app.app_context():
            session = db.session()
            lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
            entries.add_entry(
                session,
                user_id=lena.id,
                actor_id=lena.id,
                data=entries.EntryInput(
                    title="Alpha forklift", hours=Decimal("4"), completed_on=dt.date.today()
                ),
            )
            a_id, issuer = lena.id, lena.issuer
        a_passport = a_http.get(base + "/passport/").text
        assert "Alpha forklift" in a_passport  # A's person sees it

    key = _register_b(app, base)
    with requests.Session() as b_http:
        r = _launch_as_b(b_http, base, issuer, key, "demo-learner-1")
        assert r.status_code == 200, r.text[:500]
        passport = b_http.get(base + "/passport/")
        assert passport.status_code == 200
        assert "Alpha forklift" not in passport.text
        assert "Lena" not in passport.text
        export = b_http.get(base + "/passport/export.json").text
        assert "Alpha forklift" not in export and "Lena" not in export
        my_data = json.loads(b_http.get(base + "/passport/my-data.json").text)
        assert "Alpha forklift" not in json.dumps(my_data) and "Lena" not in json.dumps(my_data)

    with app.app_context():
        people = db.session.scalars(
            select(User).where(User.sub == "demo-learner-1").order_by(User.id)
        ).all()
        assert [p.id for p in people][0] == a_id and len(people) == 2
        a_person, b_person = people
        assert (a_person.client_id, b_person.client_id) == (demo.CLIENT_ID, B_CLIENT)
        assert a_person.name == "Lena de Vries"  # B's launch did not rename A's person
        # Their xAPI accounts differ too: statements of one are never the other's.
        assert a_person.account_name == "demo-learner-1"
        assert b_person.account_name != a_person.account_name
        store_queued_statements()  # the launches' statements, as the jobs runner stores them
        b_statements = recording.statements_of(db.session(), b_person)
        a_statements = recording.statements_of(db.session(), a_person)
        assert b_statements and a_statements
        assert {s["id"] for s in b_statements}.isdisjoint({s["id"] for s in a_statements})
        assert all(
            s["actor"]["account"] == {"homePage": issuer, "name": b_person.account_name}
            for s in b_statements
        )


def test_the_first_registrations_person_keeps_their_passport_after_b_launches(app, live_server):
    """A launching again after B's launch is still A's person with A's passport."""
    base = live_server.url
    key = _register_b(app, base)
    with app.app_context():
        issuer = demo.issuer()
    with requests.Session() as b_http:
        assert _launch_as_b(b_http, base, issuer, key, "demo-learner-1").status_code == 200
    with requests.Session() as a_http:
        assert launch(a_http, base, user="learner").status_code == 200
        with app.app_context():
            people = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).all()
            assert len(people) == 2
            # B came first here, so B's person holds the plain account name; A's gets a mark.
            by_client = {p.client_id: p for p in people}
            assert by_client[B_CLIENT].account_name == "demo-learner-1"
            assert by_client[demo.CLIENT_ID].account_name.startswith("demo-learner-1#")
        assert "Lena de Vries" in a_http.get(base + "/passport/").text


def test_the_roster_of_one_registration_never_fills_in_the_others_people(app, live_server):
    """Names and Role Provisioning of A creates A's people, beside B's with the same sub."""
    from lti_tool.models import Course, Enrolment

    base = live_server.url
    key = _register_b(app, base)
    with app.app_context():
        issuer = demo.issuer()
    with requests.Session() as b_http:
        assert _launch_as_b(b_http, base, issuer, key, "demo-learner-2").status_code == 200
    with requests.Session() as a_http:
        assert launch(a_http, base, user="instructor").status_code == 200
        with app.app_context():
            a_course = db.session.scalars(
                select(Course).where(Course.title == demo.COURSE["title"])
            ).one()
        matrix = a_http.get(base + "/passport/trainer/matrix", params={"course": a_course.id})
        assert matrix.status_code == 200  # the trainer's views sync the roster
        assert "Karim Benali" in a_http.get(base + "/passport/trainer/").text
    with app.app_context():
        people = {
            u.client_id: u
            for u in db.session.scalars(select(User).where(User.sub == "demo-learner-2"))
        }
        assert set(people) == {demo.CLIENT_ID, B_CLIENT}
        assert people[B_CLIENT].name == "Someone of B"  # the roster did not rename B's person
        assert people[demo.CLIENT_ID].name == "Karim Benali"
        a_learners = db.session.scalars(
            select(Enrolment.user_id).where(Enrolment.course_id == a_course.id)
        ).all()
        assert people[B_CLIENT].id not in a_learners
