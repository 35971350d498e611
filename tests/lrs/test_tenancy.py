"""One platform's LRS clients never see another platform's data (issue 4, tenancy).

Two registered platforms: A (the demo platform, whose launches the tool records itself) and B
(registered with ``learnpass platform add``), one LRS client bound to each, and an unbound
organisation-wide client. Statements are sent over real HTTP on loopback.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import requests
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lrs.queued import store_queued_statements
from tests.lti.flows import launch
from tests.xapi.builders import new_id
from xapi import tables

from .platforms import (
    COMPLETED,
    ISSUER_B,
    VOIDED,
    Tenants,
    ids_seen,
    learner,
    post,
    statement,
    stored_tenants,
)

# ------------------------------------------------------------------ statements


def test_each_bound_client_reads_only_its_platforms_statements(
    app: Any, http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    registration = str(uuid.uuid4())
    a1 = statement(t.issuer_a, "ann", "http://example.org/shared")
    a2 = statement(
        t.issuer_a, "amy", "http://example.org/only-a", context={"registration": registration}
    )
    b1 = statement(
        ISSUER_B, "bob", "http://example.org/shared", context={"registration": registration}
    )
    b2 = statement(ISSUER_B, "ben", "http://example.org/only-b")
    post(http, t, t.a, a1, a2)
    post(http, t, t.b, b1, b2)
    # A statement from the organisation-wide client belongs to no platform.
    org = statement(ISSUER_B, "bob", "http://example.org/shared")
    post(http, t, t.org, org)

    assert stored_tenants(app) == {
        a1["id"]: t.issuer_a,
        a2["id"]: t.issuer_a,
        b1["id"]: ISSUER_B,
        b2["id"]: ISSUER_B,
        org["id"]: None,
    }
    assert ids_seen(http, t, t.a) == {a1["id"], a2["id"]}
    assert ids_seen(http, t, t.b) == {b1["id"], b2["id"]}
    assert ids_seen(http, t, t.org) == {a1["id"], a2["id"], b1["id"], b2["id"], org["id"]}

    # Every filter stays inside the tenant, even on what both platforms share.
    shared = {"activity": "http://example.org/shared"}
    assert ids_seen(http, t, t.a, **shared) == {a1["id"]}
    assert ids_seen(http, t, t.b, **shared) == {b1["id"]}
    assert ids_seen(http, t, t.a, registration=registration) == {a2["id"]}
    assert ids_seen(http, t, t.a, verb=COMPLETED, ascending="true") == {a1["id"], a2["id"]}
    bob = json.dumps(learner(ISSUER_B, "bob"))
    assert ids_seen(http, t, t.a, agent=bob) == set()
    assert ids_seen(http, t, t.b, agent=bob) == {b1["id"]}
    assert ids_seen(http, t, t.org, agent=bob) == {b1["id"], org["id"]}
    # Paging one at a time through ``more`` never leaves the tenant.
    assert ids_seen(http, t, t.a, limit="1") == {a1["id"], a2["id"]}

    for who, theirs in ((t.a, b1), (t.b, a1)):
        one = http.get(
            f"{t.url}/statements", params={"statementId": theirs["id"]}, headers=who.headers
        )
        assert one.status_code == 404
        assert theirs["actor"]["account"]["name"] not in one.text
    mine = http.get(f"{t.url}/statements", params={"statementId": a1["id"]}, headers=t.a.headers)
    assert mine.status_code == 200 and mine.json()["id"] == a1["id"]
    theirs = http.get(
        f"{t.url}/statements", params={"statementId": b1["id"]}, headers=t.org.headers
    )
    assert theirs.status_code == 200


def test_a_paging_token_pages_only_for_the_platform_it_was_made_for(
    http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    mine = [statement(t.issuer_a, "ann", f"http://example.org/a/{n}") for n in range(3)]
    post(http, t, t.a, *mine)
    post(http, t, t.b, *(statement(ISSUER_B, "bob", f"http://example.org/b/{n}") for n in range(3)))
    site = t.url.removesuffix("/xapi")
    first = http.get(f"{t.url}/statements", params={"limit": "1"}, headers=t.a.headers)
    more = first.json()["more"]
    assert more
    # B presenting A's token gets no page at all: not A's statements, not its own either.
    refused = http.get(site + more, headers=t.b.headers)
    assert refused.status_code == 400, refused.text
    assert refused.json()["field"] == "more"
    assert "another platform" in refused.json()["message"]
    assert not any(s["id"] in refused.text for s in mine)
    # A follows its own token to the end; the organisation-wide client may follow it too (it
    # sees every platform) and stays inside A.
    assert ids_seen(http, t, t.a, limit="1") == {s["id"] for s in mine}
    org_page = http.get(site + more, headers=t.org.headers)
    assert org_page.status_code == 200
    assert {s["id"] for s in org_page.json()["statements"]} <= {s["id"] for s in mine}

    # A forged token, naming B or no platform at all, is refused the same way.
    for tenant in (ISSUER_B, None):
        fields = {"tenant": tenant, "after_seq": 10**9, "limit": 10, "format": "exact"}
        token = base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")
        forged = http.get(f"{t.url}/statements/more/{token}", headers=t.a.headers)
        assert forged.status_code == 400, forged.text
        assert "bob" not in forged.text


def test_the_tools_own_launch_statement_belongs_to_the_launch_platform(
    app: Any, http: requests.Session, live_server: Any, tenants: Tenants
) -> None:
    t = tenants
    with requests.Session() as browser:
        assert launch(browser, live_server.url, user="learner").status_code == 200
    with app.app_context():
        assert store_queued_statements() == 1  # as the jobs runner stores it
    launched = [i for i, tenant in stored_tenants(app).items() if tenant == t.issuer_a]
    assert len(launched) == 1
    assert ids_seen(http, t, t.a) == set(launched)
    assert ids_seen(http, t, t.b) == set()
    assert ids_seen(http, t, t.org) == set(launched)


def test_a_bound_client_cannot_void_another_platforms_statement(
    http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    a1 = statement(t.issuer_a, "ann", "http://example.org/a")
    post(http, t, t.a, a1)
    voiding = {
        "id": new_id(),
        "actor": learner(ISSUER_B, "bob"),
        "verb": {"id": VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": a1["id"]},
    }
    # Accepted like a voiding statement whose target is unknown (xAPI lets it arrive first),
    # but it voids nothing outside B.
    post(http, t, t.b, voiding)
    assert a1["id"] in ids_seen(http, t, t.a)
    assert a1["id"] in ids_seen(http, t, t.org)
    assert ids_seen(http, t, t.b) == {voiding["id"]}
    gone = http.get(
        f"{t.url}/statements", params={"voidedStatementId": a1["id"]}, headers=t.b.headers
    )
    assert gone.status_code == 404

    # Its own platform still can, and then only A (and the organisation) see it voided.
    own = {**voiding, "id": new_id(), "actor": learner(t.issuer_a, "ann")}
    post(http, t, t.a, own)
    assert a1["id"] not in ids_seen(http, t, t.a)
    voided = http.get(
        f"{t.url}/statements", params={"voidedStatementId": a1["id"]}, headers=t.a.headers
    )
    assert voided.status_code == 200 and voided.json()["id"] == a1["id"]
    hidden = http.get(
        f"{t.url}/statements", params={"voidedStatementId": a1["id"]}, headers=t.b.headers
    )
    assert hidden.status_code == 404


def test_a_voiding_statement_sent_first_only_voids_its_own_tenants_target(
    http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    target = new_id()
    voiding = {
        "actor": learner(ISSUER_B, "bob"),
        "verb": {"id": VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }
    post(http, t, t.b, voiding)
    post(http, t, t.a, {**statement(t.issuer_a, "ann", "http://example.org/a"), "id": target})
    assert target in ids_seen(http, t, t.a)


def test_a_statement_id_of_another_platform_is_refused_without_its_content(
    http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    a1 = statement(t.issuer_a, "ann-secret-name", "http://example.org/a")
    put = f"{t.url}/statements"
    first = http.put(put, params={"statementId": a1["id"]}, json=a1, headers=t.a.headers)
    assert first.status_code == 204
    # The very same statement again: its own platform gets 204 (same id, same content).
    again = http.put(put, params={"statementId": a1["id"]}, json=a1, headers=t.a.headers)
    assert again.status_code == 204
    # B sending the same id is refused whether or not the content matches.
    for body in (a1, statement(ISSUER_B, "bob", "http://example.org/b") | {"id": a1["id"]}):
        refused = http.put(put, params={"statementId": a1["id"]}, json=body, headers=t.b.headers)
        assert refused.status_code == 409, refused.text
        assert "ann-secret-name" not in refused.text and "example.org/a" not in refused.text
        in_batch = http.post(put, json=[body], headers=t.b.headers)
        assert in_batch.status_code == 409
    # The organisation-wide client keeps the ordinary rule.
    same = http.put(put, params={"statementId": a1["id"]}, json=a1, headers=t.org.headers)
    assert same.status_code == 204
    assert ids_seen(http, t, t.a) == {a1["id"]}
    assert ids_seen(http, t, t.b) == set()


# ------------------------------------------------------------------ documents


def test_documents_are_kept_apart_per_platform(http: requests.Session, tenants: Tenants) -> None:
    t = tenants
    activity = "http://example.org/shared"
    agent = json.dumps(learner(t.issuer_a, "ann"))
    state = f"{t.url}/activities/state"
    where = {"activityId": activity, "agent": agent, "stateId": "bookmark"}
    put_a = http.put(state, params=where, json={"page": "a"}, headers=t.a.headers)
    assert put_a.status_code == 204
    # B writes the same key: a document of its own, A's is untouched.
    assert http.get(state, params=where, headers=t.b.headers).status_code == 404
    assert (
        http.post(state, params=where, json={"page": "b"}, headers=t.b.headers).status_code == 204
    )
    assert http.get(state, params=where, headers=t.a.headers).json() == {"page": "a"}
    assert http.get(state, params=where, headers=t.b.headers).json() == {"page": "b"}
    listing = {"activityId": activity, "agent": agent}
    assert http.get(state, params=listing, headers=t.b.headers).json() == ["bookmark"]
    # The organisation-wide client has its own (empty) set of documents.
    assert http.get(state, params=where, headers=t.org.headers).status_code == 404
    assert http.get(state, params=listing, headers=t.org.headers).json() == []
    # Deleting in B (one, then all) leaves A's.
    assert http.delete(state, params=where, headers=t.b.headers).status_code == 204
    assert http.delete(state, params=listing, headers=t.b.headers).status_code == 204
    assert http.get(state, params=where, headers=t.a.headers).json() == {"page": "a"}

    profile = f"{t.url}/activities/profile"
    key = {"activityId": activity, "profileId": "p"}
    create = {**t.a.headers, "If-None-Match": "*"}
    assert http.put(profile, params=key, json={"v": "a"}, headers=create).status_code == 204
    create_b = {**t.b.headers, "If-None-Match": "*"}
    assert http.put(profile, params=key, json={"v": "b"}, headers=create_b).status_code == 204
    etag_a = http.get(profile, params=key, headers=t.a.headers).headers["ETag"]
    # B cannot use A's ETag to overwrite A's document: B's If-Match is checked against B's.
    overwrite = {**t.b.headers, "If-Match": etag_a}
    assert http.put(profile, params=key, json={"v": "x"}, headers=overwrite).status_code == 412
    assert http.get(profile, params=key, headers=t.a.headers).json() == {"v": "a"}
    assert http.get(profile, params={"activityId": activity}, headers=t.org.headers).json() == []

    agents = f"{t.url}/agents/profile"
    mine = {"agent": agent, "profileId": "prefs"}
    assert http.put(agents, params=mine, json={"lang": "nl"}, headers=create).status_code == 204
    assert http.get(agents, params=mine, headers=t.b.headers).status_code == 404
    assert http.get(agents, params={"agent": agent}, headers=t.b.headers).json() == []
    assert http.get(agents, params={"agent": agent}, headers=t.a.headers).json() == ["prefs"]
    assert http.delete(agents, params=mine, headers=t.b.headers).status_code == 204
    assert http.get(agents, params=mine, headers=t.a.headers).json() == {"lang": "nl"}


# ------------------------------------------------------------------ activities and agents


def test_activities_and_agents_answer_only_for_the_clients_platform(
    http: requests.Session, tenants: Tenants
) -> None:
    t = tenants
    activity = "http://example.org/course-a"
    a1 = statement(t.issuer_a, "ann", activity)
    a1["object"]["definition"] = {"name": {"en": "Course A"}}
    post(http, t, t.a, a1)
    activities = f"{t.url}/activities"
    seen_by_a = http.get(activities, params={"activityId": activity}, headers=t.a.headers)
    # (What B learns or changes by naming A's activity itself: test_activity_definitions.py.)
    assert seen_by_a.status_code == 200
    assert seen_by_a.json()["definition"]["name"] == {"en": "Course A"}
    hidden = http.get(activities, params={"activityId": activity}, headers=t.b.headers)
    assert hidden.status_code == 404 and "Course A" not in hidden.text
    org = http.get(activities, params={"activityId": activity}, headers=t.org.headers)
    assert org.status_code == 200 and org.json()["definition"]["name"] == {"en": "Course A"}

    agents = f"{t.url}/agents"
    ann = {"agent": json.dumps(learner(t.issuer_a, "ann"))}
    assert http.get(agents, params=ann, headers=t.a.headers).json()["objectType"] == "Person"
    assert http.get(agents, params=ann, headers=t.b.headers).status_code == 404
    assert http.get(agents, params=ann, headers=t.org.headers).status_code == 200


# ------------------------------------------------------------------ command line


def test_binding_needs_a_registered_platform_and_list_shows_it(
    app: Any, runner: Any, tenants: Tenants
) -> None:
    refused = runner.invoke(
        args=[
            "lrs",
            "client",
            "add",
            "--name",
            "x",
            "--scope",
            "all",
            "--platform",
            "https://unknown.example.org",
        ],
        env={"LANG": "C"},
    )
    assert refused.exit_code != 0
    assert "no platform with issuer https://unknown.example.org is registered" in refused.output
    with app.app_context():
        names = db.session.scalars(
            select(tables.clients.c.name).where(tables.clients.c.name == "x")
        )
        assert list(names) == []

    listing = runner.invoke(args=["lrs", "client", "list"], env={"LANG": "C"}).output
    rows = {line.split("\t")[0]: line.split("\t") for line in listing.splitlines()}
    assert rows[tenants.a.key][3] == tenants.issuer_a
    assert rows[tenants.b.key][3] == ISSUER_B
    assert rows[tenants.org.key][3] == "all platforms"


def test_export_for_one_platform(http: requests.Session, runner: Any, tenants: Tenants) -> None:
    t = tenants
    a1 = statement(t.issuer_a, "ann", "http://example.org/a")
    b1 = statement(ISSUER_B, "bob", "http://example.org/b")
    post(http, t, t.a, a1)
    post(http, t, t.b, b1)
    only_b = runner.invoke(args=["xapi", "export", "--platform", ISSUER_B])
    assert only_b.exit_code == 0, only_b.output
    assert [json.loads(line)["id"] for line in only_b.output.splitlines()] == [b1["id"]]
    everything = runner.invoke(args=["xapi", "export"])
    assert {json.loads(line)["id"] for line in everything.output.splitlines()} == {
        a1["id"],
        b1["id"],
    }
    unknown = runner.invoke(
        args=["xapi", "export", "--platform", "https://nope.example.org"], env={"LANG": "C"}
    )
    assert unknown.exit_code != 0 and "is registered" in unknown.output
