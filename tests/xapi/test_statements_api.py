"""The Statements resource over HTTP: writes, reads, filters, paging, voiding, conflicts."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import func, select

from lti_tool.extensions import db
from xapi import tables

from .builders import VERSION, agent, make_client, new_id, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client: Any, headers: dict[str, str], body: Any) -> Any:
    return client.post("/xapi/statements", json=body, headers=headers)


def count_statements(app: Any) -> int:
    with app.app_context():
        return int(
            db.session.execute(select(func.count()).select_from(tables.statements)).scalar() or 0
        )


def test_post_single_and_get_by_id(client: Any, headers: dict[str, str]) -> None:
    response = post(client, headers, statement())
    assert response.status_code == 200
    (statement_id,) = response.get_json()
    got = client.get(f"/xapi/statements?statementId={statement_id}", headers=headers)
    assert got.status_code == 200
    assert got.headers["X-Experience-API-Version"] == "1.0.3"
    assert got.headers["X-Experience-API-Consistent-Through"]
    body = got.get_json()
    assert body["id"] == statement_id
    assert body["authority"]["account"]["homePage"].endswith("/xapi/clients")
    assert body["stored"].endswith("Z") and body["timestamp"] == body["stored"]
    assert body["version"] == "1.0.0"


def test_put_with_statement_id_then_same_content_is_no_conflict(
    client: Any, headers: dict[str, str]
) -> None:
    statement_id = new_id()
    url = f"/xapi/statements?statementId={statement_id}"
    assert client.put(url, json=statement(), headers=headers).status_code == 204
    assert client.put(url, json=statement(), headers=headers).status_code == 204
    changed = statement(verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
    response = client.put(url, json=changed, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["field"] == "id"
    stored = client.get(url, headers=headers).get_json()
    assert stored["verb"]["id"].endswith("/completed")


def test_put_needs_statement_id_and_a_matching_id(client: Any, headers: dict[str, str]) -> None:
    assert (
        client.put("/xapi/statements", json=statement(), headers=headers).get_json()["field"]
        == "statementId"
    )
    response = client.put(
        f"/xapi/statements?statementId={new_id()}", json=statement(id=new_id()), headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "id"


def test_rejected_batch_stores_nothing(app: Any, client: Any, headers: dict[str, str]) -> None:
    before = count_statements(app)
    batch = [statement(), statement(), statement(actor={"mbox": "no-mailto@example.org"})]
    response = post(client, headers, batch)
    assert response.status_code == 400
    assert response.get_json()["field"] == "[2].actor.mbox"
    assert count_statements(app) == before


def test_batch_with_a_conflict_stores_nothing(
    app: Any, client: Any, headers: dict[str, str]
) -> None:
    existing = new_id()
    post(client, headers, statement(id=existing))
    before = count_statements(app)
    response = post(
        client,
        headers,
        [statement(), statement(id=existing, verb={"id": "http://x.example/other"})],
    )
    assert response.status_code == 409
    assert count_statements(app) == before


def test_duplicate_ids_in_one_batch_are_refused(client: Any, headers: dict[str, str]) -> None:
    same = new_id()
    response = post(client, headers, [statement(id=same), statement(id=same)])
    assert response.status_code == 400


BAD_BODIES = [
    (b"{not json", "body"),
    (b'{"actor": NaN}', "body"),
    (json.dumps(statement(id="1234")).encode(), "id"),
    (json.dumps(statement(timestamp="2026-13-01T00:00:00Z")).encode(), "timestamp"),
    (json.dumps(statement(result={"duration": "an hour"})).encode(), "result.duration"),
    (json.dumps(statement(object={"id": "no scheme"})).encode(), "object.id"),
    (json.dumps(statement(extra=True)).encode(), "extra"),
]


def test_bad_bodies_get_400_naming_the_field(client: Any, headers: dict[str, str]) -> None:
    for body, field in BAD_BODIES:
        response = client.post(
            "/xapi/statements", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, body
        assert response.is_json
        assert response.get_json()["field"] == field, body


def test_wrong_content_type_is_refused(client: Any, headers: dict[str, str]) -> None:
    response = client.post(
        "/xapi/statements", data=json.dumps(statement()), content_type="text/plain", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "Content-Type"


def test_oversized_body_gets_413(client: Any, headers: dict[str, str]) -> None:
    from lti_tool.lrs.routes import MAX_BODY_BYTES

    body = b"[" + b" " * (MAX_BODY_BYTES + 1) + b"]"
    response = client.post(
        "/xapi/statements", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 413
    assert response.is_json


def test_version_header_is_required_and_checked(client: Any, headers: dict[str, str]) -> None:
    no_version = {k: v for k, v in headers.items() if k != "X-Experience-API-Version"}
    response = client.get("/xapi/statements", headers=no_version)
    assert response.status_code == 400
    assert response.get_json()["field"] == "X-Experience-API-Version"
    assert (
        client.get(
            "/xapi/statements", headers={**headers, "X-Experience-API-Version": "0.95"}
        ).status_code
        == 400
    )
    two = client.get("/xapi/statements", headers={**headers, "X-Experience-API-Version": "2.0.0"})
    assert two.status_code == 200
    assert two.headers["X-Experience-API-Version"] == "2.0.0"


def test_about_needs_no_auth(client: Any) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.get_json()["version"]


def test_auth_is_required_and_checked(app: Any, client: Any, headers: dict[str, str]) -> None:
    assert client.get("/xapi/statements", headers=VERSION).status_code == 401
    wrong = {**headers, "Authorization": headers["Authorization"][:-4] + "AAA="}
    response = client.get("/xapi/statements", headers=wrong)
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]


def test_revoked_client_is_refused(app: Any, client: Any) -> None:
    from xapi import auth

    client_headers = make_client(app, ["all"], key="to-revoke")
    assert client.get("/xapi/statements", headers=client_headers).status_code == 200
    with app.app_context():
        assert auth.revoke_client(db.session(), "to-revoke")
        db.session.commit()
    assert client.get("/xapi/statements", headers=client_headers).status_code == 401


def test_scopes_limit_what_a_client_may_do(app: Any, client: Any, headers: dict[str, str]) -> None:
    writer = make_client(app, ["statements/write"])
    reader = make_client(app, ["statements/read"])
    assert post(client, writer, statement()).status_code == 200
    assert client.get("/xapi/statements", headers=writer).status_code == 403
    assert post(client, reader, statement()).status_code == 403
    assert client.get("/xapi/statements", headers=reader).status_code == 200
    state_url = "/xapi/activities/state?" + _qs(
        activityId="http://x.example/a", agent=json.dumps(agent()), stateId="s"
    )
    assert client.put(state_url, data=b"x", headers=writer).status_code == 403


def test_read_mine_only_sees_own_statements(app: Any, client: Any, headers: dict[str, str]) -> None:
    mine = make_client(app, ["statements/write", "statements/read/mine"])
    other_id = post(client, headers, statement()).get_json()[0]
    my_id = post(client, mine, statement()).get_json()[0]
    ids = [s["id"] for s in client.get("/xapi/statements", headers=mine).get_json()["statements"]]
    assert ids == [my_id]
    assert client.get(f"/xapi/statements?statementId={other_id}", headers=mine).status_code == 404


def _qs(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _ids(client: Any, headers: dict[str, str], **params: str) -> list[str]:
    response = client.get("/xapi/statements?" + _qs(**params), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.get_json()["statements"]]


def test_filters(client: Any, headers: dict[str, str]) -> None:
    registration = new_id()
    bob = agent("bob")
    s1 = post(client, headers, statement(actor=bob)).get_json()[0]
    s2 = post(
        client,
        headers,
        statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/passed"},
            context={"registration": registration},
        ),
    ).get_json()[0]
    s3 = post(
        client,
        headers,
        statement(
            object={"id": "http://example.org/activities/other"},
            context={
                "contextActivities": {"parent": [{"id": "http://example.org/activities/a1"}]},
                "instructor": bob,
            },
        ),
    ).get_json()[0]
    s4 = post(
        client, headers, statement(object={"objectType": "Agent", "mbox": bob["mbox"]})
    ).get_json()[0]

    assert set(_ids(client, headers, agent=json.dumps(bob))) == {s1, s4}
    assert set(_ids(client, headers, agent=json.dumps(bob), related_agents="true")) == {s1, s3, s4}
    assert _ids(client, headers, verb="http://adlnet.gov/expapi/verbs/passed") == [s2]
    assert _ids(client, headers, registration=registration) == [s2]
    assert set(_ids(client, headers, activity="http://example.org/activities/a1")) == {s1, s2}
    assert set(
        _ids(
            client, headers, activity="http://example.org/activities/a1", related_activities="true"
        )
    ) == {s1, s2, s3}
    assert _ids(client, headers, ascending="true")[:4] == [s1, s2, s3, s4]
    assert _ids(client, headers)[:4] == [s4, s3, s2, s1]
    assert len(_ids(client, headers, limit="2")) == 2


def test_since_and_until(client: Any, headers: dict[str, str]) -> None:
    first = post(client, headers, statement()).get_json()[0]
    stored_first = client.get(f"/xapi/statements?statementId={first}", headers=headers).get_json()[
        "stored"
    ]
    time.sleep(0.01)
    second = post(client, headers, statement()).get_json()[0]
    assert _ids(client, headers, since=stored_first) == [second]
    assert _ids(client, headers, until=stored_first) == [first]


def test_bad_query_parameters_are_named(client: Any, headers: dict[str, str]) -> None:
    for params, field in [
        ({"verb": "not an iri"}, "verb"),
        ({"agent": "{not json"}, "agent"),
        ({"agent": json.dumps({"mbox": "x"})}, "agent.mbox"),
        ({"registration": "nope"}, "registration"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "-1"}, "limit"),
        ({"format": "pretty"}, "format"),
        ({"ascending": "yes"}, "ascending"),
        ({"Verb": "http://x.example/v"}, "Verb"),
        ({"statementId": new_id(), "verb": "http://x.example/v"}, "verb"),
    ]:
        response = client.get("/xapi/statements?" + _qs(**params), headers=headers)
        assert response.status_code == 400, params
        assert response.get_json()["field"] == field, params


def test_more_pages_through_everything_once(client: Any, headers: dict[str, str]) -> None:
    posted = post(client, headers, [statement() for _ in range(7)]).get_json()
    seen: list[str] = []
    url = "/xapi/statements?limit=3&ascending=true"
    pages = 0
    while url:
        body = client.get(url, headers=headers).get_json()
        seen.extend(s["id"] for s in body["statements"])
        url = body["more"]
        pages += 1
    assert seen == posted
    assert pages == 3


def test_voiding_hides_the_target_and_voided_statement_id_finds_it(
    client: Any, headers: dict[str, str]
) -> None:
    target = post(client, headers, statement()).get_json()[0]
    voiding = post(
        client,
        headers,
        statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}),
    ).get_json()[0]
    assert client.get(f"/xapi/statements?statementId={target}", headers=headers).status_code == 404
    found = client.get(f"/xapi/statements?voidedStatementId={target}", headers=headers)
    assert found.status_code == 200 and found.get_json()["id"] == target
    assert (
        client.get(f"/xapi/statements?voidedStatementId={voiding}", headers=headers).status_code
        == 404
    )
    assert target not in _ids(client, headers)
    # A voiding statement cannot itself be voided.
    response = post(
        client,
        headers,
        statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding}),
    )
    assert response.status_code == 400
    assert client.get(f"/xapi/statements?statementId={voiding}", headers=headers).status_code == 200


def test_statement_refs_to_matching_statements_are_returned(
    client: Any, headers: dict[str, str]
) -> None:
    bob = agent("bob")
    target = post(client, headers, statement(actor=bob)).get_json()[0]
    referrer = post(
        client,
        headers,
        statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/shared"},
            object={"objectType": "StatementRef", "id": target},
        ),
    ).get_json()[0]
    assert set(_ids(client, headers, agent=json.dumps(bob))) == {target, referrer}


def test_formats(client: Any, headers: dict[str, str]) -> None:
    activity = {
        "id": "http://example.org/activities/named",
        "definition": {"name": {"en-US": "Named", "nl": "Genoemd"}},
    }
    statement_id = post(client, headers, statement(object=activity)).get_json()[0]
    ids = client.get(
        f"/xapi/statements?statementId={statement_id}&format=ids", headers=headers
    ).get_json()
    assert ids["object"] == {"id": activity["id"]}
    assert "name" not in ids["actor"]
    canonical = client.get(
        f"/xapi/statements?statementId={statement_id}&format=canonical",
        headers={**headers, "Accept-Language": "nl"},
    ).get_json()
    assert canonical["object"]["definition"]["name"] == {"nl": "Genoemd"}
    exact = client.get(
        f"/xapi/statements?statementId={statement_id}&format=exact", headers=headers
    ).get_json()
    assert exact["object"]["definition"]["name"] == activity["definition"]["name"]


def test_head_answers_like_get_without_body(client: Any, headers: dict[str, str]) -> None:
    response = client.head("/xapi/statements", headers=headers)
    assert response.status_code == 200
    assert response.get_data() == b""


def test_alternate_request_syntax(client: Any, headers: dict[str, str]) -> None:
    statement_id = new_id()
    form = {
        "statementId": statement_id,
        "content": json.dumps(statement()),
        "Authorization": headers["Authorization"],
        "X-Experience-API-Version": "1.0.3",
    }
    response = client.post(
        "/xapi/statements?method=PUT", data=form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 204
    got = client.post(
        "/xapi/statements?method=GET",
        data={
            "statementId": statement_id,
            **{k: form[k] for k in ("Authorization", "X-Experience-API-Version")},
        },
    )
    assert got.status_code == 200 and got.get_json()["id"] == statement_id
    no_content = client.post(
        "/xapi/statements?method=PUT",
        data={
            "statementId": new_id(),
            "Authorization": headers["Authorization"],
            "X-Experience-API-Version": "1.0.3",
        },
    )
    assert no_content.status_code == 400 and no_content.get_json()["field"] == "content"
    extra = client.post(f"/xapi/statements?method=PUT&statementId={new_id()}", data=form)
    assert extra.status_code == 400


def test_alternate_syntax_takes_real_headers_and_is_gone_in_2_0(
    client: Any, headers: dict[str, str]
) -> None:
    statement_id = new_id()
    form = {"statementId": statement_id, "content": json.dumps(statement())}
    response = client.post("/xapi/statements?method=PUT", data=form, headers=headers)
    assert response.status_code == 204
    two = client.post(
        "/xapi/statements?method=GET",
        data={"statementId": statement_id},
        headers={**headers, "X-Experience-API-Version": "2.0.0"},
    )
    assert two.status_code == 400 and two.get_json()["field"] == "method"


def test_consistent_through_is_sent_on_errors_too(client: Any, headers: dict[str, str]) -> None:
    response = client.get("/xapi/statements?verb=not-an-iri", headers=headers)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def test_signed_durations_compare_to_hundredths() -> None:
    from xapi.store import comparable

    a = statement(result={"duration": "PT1.2345S"})
    b = statement(result={"duration": "PT1.23S"})
    c = statement(result={"duration": "PT1.24S"})
    assert comparable(a) == comparable(b)
    assert comparable(a) != comparable(c)
