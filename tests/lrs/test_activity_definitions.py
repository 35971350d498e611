"""Activity definitions are kept per platform (issue 16, point 4): a client bound to platform B
that sends a statement about A's activity id neither reads A's name and description from
``/xapi/activities`` nor changes them; the organisation-wide client sees the merged view.
Over real HTTP on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import requests
from sqlalchemy import select

from lti_tool.extensions import db
from xapi import tables
from xapi.actor import account_actor
from xapi.emitter import Emitter

from .platforms import ISSUER_B, Credentials, Tenants, learner, post, statement

COURSE = "http://example.org/course-a"


def defined(issuer: str, sub: str, **definition: Any) -> dict[str, Any]:
    made = statement(issuer, sub, COURSE)
    made["object"]["definition"] = definition
    return made


def activity(http: requests.Session, t: Tenants, who: Credentials) -> requests.Response:
    return http.get(f"{t.url}/activities", params={"activityId": COURSE}, headers=who.headers)


def test_another_platform_neither_reads_nor_overwrites_a_definition(
    app: Any, http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    post(
        http,
        t,
        t.a,
        defined(
            t.issuer_a,
            "ann",
            name={"en": "Course A"},
            description={"en": "A's confidential outline"},
            type="http://adlnet.gov/expapi/activities/course",
        ),
    )
    # B names A's activity id without a definition: B may ask about it, and learns only the id.
    post(http, t, t.b, statement(ISSUER_B, "bob", COURSE))
    seen_by_b = activity(http, t, t.b)
    assert seen_by_b.status_code == 200
    assert seen_by_b.json() == {"objectType": "Activity", "id": COURSE}
    assert "Course A" not in seen_by_b.text and "confidential" not in seen_by_b.text

    # B defines it: that is B's definition; A's is untouched.
    post(http, t, t.b, defined(ISSUER_B, "bob", name={"en": "Hijacked"}))
    assert activity(http, t, t.b).json()["definition"] == {"name": {"en": "Hijacked"}}
    assert activity(http, t, t.a).json()["definition"] == {
        "name": {"en": "Course A"},
        "description": {"en": "A's confidential outline"},
        "type": "http://adlnet.gov/expapi/activities/course",
    }

    # A's later statements merge into A's own definition, as one platform's always did.
    post(http, t, t.a, defined(t.issuer_a, "amy", name={"nl": "Cursus A"}))
    assert activity(http, t, t.a).json()["definition"]["name"] == {
        "en": "Course A",
        "nl": "Cursus A",
    }
    assert activity(http, t, t.b).json()["definition"] == {"name": {"en": "Hijacked"}}

    # The organisation-wide client sees every platform's definitions merged, newest last.
    merged = activity(http, t, t.org).json()["definition"]
    assert merged["name"] == {"en": "Course A", "nl": "Cursus A"}
    assert merged["description"] == {"en": "A's confidential outline"}

    # Its own statements are organisation-wide: no bound client reads what it defines.
    post(http, t, t.org, defined(ISSUER_B, "bob", description={"en": "From the organisation"}))
    assert "description" not in activity(http, t, t.b).json()["definition"]
    assert activity(http, t, t.a).json()["definition"]["description"] == {
        "en": "A's confidential outline"
    }
    assert activity(http, t, t.org).json()["definition"]["description"] == {
        "en": "From the organisation"
    }

    a = tables.activities.c
    with app.app_context():
        tenants_of_course = db.session.scalars(
            select(a.tenant).where(a.activity_id == COURSE).order_by(a.tenant)
        ).all()
    assert tenants_of_course == sorted(["", t.issuer_a, ISSUER_B])


def test_the_tools_own_statements_define_for_their_platform(
    app: Any, http: requests.Session, tenants: Tenants
) -> None:
    """What the tool records for a launch of B (passports, SCORM, blended...) is B's definition."""
    t = tenants
    with app.app_context():
        emitter = Emitter(db.session(), app.config["LEARNPASS"].base_url)
        emitter.emit(
            actor=account_actor(ISSUER_B, "bob"),
            verb="completed",
            object_id=COURSE,
            object_name="B's safety course",
        )
        db.session.commit()
    assert activity(http, t, t.b).json()["definition"]["name"] == {"en": "B's safety course"}
    # A never had a statement about it: nothing to answer.
    hidden = activity(http, t, t.a)
    assert hidden.status_code == 404 and "safety" not in hidden.text


def test_agents_answer_only_what_the_client_sent(http: requests.Session, tenants: Tenants) -> None:
    """/xapi/agents: B learns of A's learner only through its own statement, and the Person it
    gets is built from its own query, nothing A stored (no name A's statements gave)."""
    t = tenants
    ann = learner(t.issuer_a, "ann")
    post(http, t, t.a, statement(t.issuer_a, "ann", COURSE) | {"actor": ann | {"name": "Ann A"}})
    agents = f"{t.url}/agents"
    query = {"agent": json.dumps({"account": ann["account"]})}
    assert http.get(agents, params=query, headers=t.b.headers).status_code == 404
    post(http, t, t.b, statement(ISSUER_B, "bob", COURSE) | {"actor": ann})
    person = http.get(agents, params=query, headers=t.b.headers)
    assert person.status_code == 200
    assert "Ann A" not in person.text
    assert person.json() == {
        "objectType": "Person",
        "account": [{"homePage": t.issuer_a, "name": "ann"}],
    }
