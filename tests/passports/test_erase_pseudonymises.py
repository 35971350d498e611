"""Erasing a learner takes them out of the LRS: their statements are voided and every mention of
their account is replaced by a pseudonym; their agent documents are deleted; nobody else's
statements change. The confirmation word follows the page's language."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

from flask_babel import force_locale
from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.admin_routes import erase_word, is_erase_word
from lti_tool.passports.models import PassportAudit
from tests.xapi.builders import make_client
from xapi import tables
from xapi.actor import account_actor
from xapi.privacy import replace_account
from xapi.store import StatementStore

from .conftest import csrf_token, sign_in

ACTIVITY = "https://example.org/activities/scaffolding"
COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "completed"}}
MENTORED = {"id": "https://example.org/verbs/mentored", "display": {"en": "mentored"}}


def _statement(actor: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": COMPLETED,
        "object": {"objectType": "Activity", "id": ACTIVITY},
        **extra,
    }


def _payloads(app) -> dict[str, str]:
    with app.app_context():
        s = tables.statements.c
        return dict(db.session.execute(select(s.statement_id, s.payload)).all())


def _statements_about(client, headers, agent: dict[str, Any], **params: str) -> list[Any]:
    query = urlencode({"agent": json.dumps(agent), **params})
    r = client.get(f"/xapi/statements?{query}", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["statements"]


def _document_urls(agent: dict[str, Any]) -> tuple[str, str]:
    state = "/xapi/activities/state?" + urlencode(
        {"activityId": ACTIVITY, "agent": json.dumps(agent), "stateId": "bookmark"}
    )
    profile = "/xapi/agents/profile?" + urlencode(
        {"agent": json.dumps(agent), "profileId": "preferences"}
    )
    return state, profile


def test_erase_pseudonymises_the_learners_statements_and_leaves_others_alone(passport_app):
    app = passport_app
    headers = make_client(app, ["all"])
    client = app.test_client()
    with app.app_context():
        issuer = demo.issuer()
    lena = account_actor(issuer, "demo-learner-1", "Lena de Vries")
    karim = account_actor(issuer, "demo-learner-2", "Karim Benali")
    bare_lena = account_actor(issuer, "demo-learner-1")

    # Lena in every place xAPI lets an agent be, and once where a client chose to put her.
    hers = _statement(lena)
    about_her = _statement(karim, verb=MENTORED, object=lena)
    she_taught = _statement(
        karim,
        context={
            "instructor": lena,
            "team": {"objectType": "Group", "name": "Crew 4", "member": [karim, lena]},
            "extensions": {"https://example.org/extensions/buddy": bare_lena},
        },
    )
    inside = _statement(
        karim,
        object={
            "objectType": "SubStatement",
            "actor": lena,
            "verb": COMPLETED,
            "object": {"objectType": "Activity", "id": ACTIVITY},
        },
    )
    karims = _statement(karim)
    r = client.post(
        "/xapi/statements",
        json=[hers, about_her, she_taught, inside, karims],
        headers=headers,
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        # A statement Lena herself vouched for (authority), as a trusted client could store it.
        signed_by_her = _statement(karim)
        StatementStore(db.session()).save([signed_by_her], authority=lena)
        db.session.commit()

    for url in _document_urls(lena):
        r = client.put(url, json={"page": 7}, headers={**headers, "If-None-Match": "*"})
        assert r.status_code == 204, r.get_data(as_text=True)
    karim_state, _profile = _document_urls(karim)
    assert client.put(karim_state, json={"page": 2}, headers=headers).status_code == 204

    direct = {s["id"] for s in _statements_about(client, headers, lena)}
    assert direct == {hers["id"], about_her["id"]}
    before = _payloads(app)
    untouched = before[karims["id"]]

    with app.app_context():
        lena_id = db.session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
    admin = app.test_client()
    sign_in(app, admin, "admin")
    path = f"/passport/admin/people/{lena_id}/erase"
    r = admin.post(path, data={"csrf_token": csrf_token(admin, path), "confirm": " erase "})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]

    # The LRS no longer answers anything about her account, directly or as a related agent.
    assert _statements_about(client, headers, lena) == []
    assert _statements_about(client, headers, lena, related_agents="true") == []
    for url in _document_urls(lena):
        assert client.get(url, headers=headers).status_code == 404
    assert client.get(karim_state, headers=headers).get_json() == {"page": 2}

    after = _payloads(app)
    for payload in after.values():
        assert "demo-learner-1" not in payload and "Lena de Vries" not in payload
    assert after[karims["id"]] == untouched

    with app.app_context():
        s = tables.statements.c
        sa = tables.statement_agents.c
        o = tables.outbox.c
        session = db.session()
        assert all(
            "demo-learner-1" not in (key or "")
            for key in session.scalars(select(s.actor_key)).all()
            + session.scalars(select(sa.agent_key)).all()
        )
        assert all(
            "demo-learner-1" not in payload for payload in session.scalars(select(o.payload))
        )
        # Her statements are voided, and the voiding statements are there.
        voided = dict(
            session.execute(
                select(s.statement_id, s.voided).where(s.statement_id.in_(direct))
            ).all()
        )
        assert voided == dict.fromkeys(direct, True)
        voiding_targets = set(
            session.scalars(
                select(s.ref_target).where(s.verb_id == "http://adlnet.gov/expapi/verbs/voided")
            )
        )
        assert direct <= voiding_targets
        audit = session.scalars(select(PassportAudit)).one()
        assert audit.details["statements_voided"] == 2
        assert audit.details["statements_pseudonymised"] == 5
        assert audit.details["agent_documents_deleted"] == 2

    # One pseudonym stands in for her everywhere; the others in those statements stay.
    rewritten = {key: json.loads(after[key]) for key in before if after[key] != before[key]}
    assert set(rewritten) == {
        hers["id"],
        about_her["id"],
        she_taught["id"],
        inside["id"],
        signed_by_her["id"],
    }
    pseudonym = rewritten[hers["id"]]["actor"]
    assert (
        pseudonym["account"]["homePage"] == app.config["LEARNPASS"].base_url.rstrip("/") + "/erased"
    )
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym["account"]["name"])
    assert "name" not in pseudonym
    assert pseudonym["account"]["name"] not in json.dumps(audit.details)
    assert rewritten[about_her["id"]]["object"] == pseudonym
    assert rewritten[about_her["id"]]["actor"] == karim
    context = rewritten[she_taught["id"]]["context"]
    assert context["instructor"] == pseudonym
    assert context["team"]["member"] == [karim, pseudonym] and context["team"]["name"] == "Crew 4"
    assert context["extensions"]["https://example.org/extensions/buddy"] == pseudonym
    assert rewritten[inside["id"]]["object"]["actor"] == pseudonym
    assert rewritten[signed_by_her["id"]]["authority"] == pseudonym
    # Statements that were not voided are still served, with the pseudonym in them.
    assert (
        client.get(f"/xapi/statements?statementId={she_taught['id']}", headers=headers).get_json()[
            "context"
        ]["instructor"]
        == pseudonym
    )


def test_replace_account_matches_the_whole_account_only():
    lena = {"objectType": "Agent", "account": {"homePage": "https://lms", "name": "42"}}
    namesake = {"objectType": "Agent", "account": {"homePage": "https://other", "name": "42"}}
    pseudonym = {"objectType": "Agent", "account": {"homePage": "https://tool/erased", "name": "x"}}
    statement = {
        "actor": namesake,
        "object": {"objectType": "Group", "member": [lena, namesake]},
        "result": {"response": "42"},
    }
    assert replace_account(statement, "https://lms", "42", pseudonym) == {
        "actor": namesake,
        "object": {"objectType": "Group", "member": [pseudonym, namesake]},
        "result": {"response": "42"},
    }


def test_the_confirmation_word_follows_the_page_language(passport_app):
    with passport_app.app_context():
        lena_id = db.session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
    admin = passport_app.test_client()
    sign_in(passport_app, admin, "admin")
    path = f"/passport/admin/people/{lena_id}/erase"
    for locale in ("nl", "fr", "de", "en"):
        with passport_app.test_request_context(), force_locale(locale):
            word = erase_word()
        page = admin.get(f"{path}?lang={locale}").get_data(as_text=True)
        assert f'lang="{locale}"' in page and word in page
    assert is_erase_word("Erase", "ERASE") and is_erase_word("wissen ", "WISSEN")
    assert not is_erase_word("", "ERASE") and not is_erase_word("yes", "WISSEN")
    token = csrf_token(admin, path)
    r = admin.post(path, data={"csrf_token": token, "confirm": "yes"})
    assert r.status_code == 400 and "Type the word" in r.get_data(as_text=True)
    with passport_app.app_context():
        assert db.session.get(User, lena_id).name == "Lena de Vries"
