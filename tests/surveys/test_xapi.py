"""The statements of a submitted response: one ``answered`` per question answered (with its
interaction type and response; competence items carry current, required and importance), then
``completed``. Anonymous: a random actor per response, day-only timestamps, no course named."""

from __future__ import annotations

import json

from sqlalchemy import select

from lti_tool.extensions import db
from xapi import vocab
from xapi.tables import statements

from .helpers import import_survey
from .test_answering import answer_all, as_learner, identified


def _statements(app) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(select(statements.c.payload).order_by(statements.c.seq)).all()
    return [json.loads(r[0]) for r in rows if "/surveys/" in r[0]]


def _submit(app, client, survey_id, who="learner"):
    token = as_learner(app, client, survey_id, who)
    answer_all(client, survey_id, token)
    done = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert done.status_code == 200


def test_identified_statements_name_the_learner_and_carry_the_answers(app, client):
    survey_id = import_survey(app, client, identified())
    _submit(app, client, survey_id)
    found = _statements(app)
    answered = [s for s in found if s["verb"]["id"] == vocab.Verb.ANSWERED]
    completed = [s for s in found if s["verb"]["id"] == vocab.Verb.COMPLETED]
    assert len(answered) == 7 and len(completed) == 1
    assert completed[0]["object"]["definition"]["type"] == vocab.ActivityType.SURVEY
    assert {s["actor"]["account"]["name"] for s in found} == {"demo-learner-1"}
    by_key = {s["object"]["id"].rsplit("/", 1)[-1]: s for s in answered}
    mig = by_key["mig"]
    assert mig["object"]["definition"]["interactionType"] == "likert"
    assert mig["result"]["extensions"] == {
        vocab.Extension.CURRENT_LEVEL: 1,
        vocab.Extension.REQUIRED_LEVEL: 3,
        vocab.Extension.IMPORTANCE: 5,
    }
    assert by_key["welds"]["result"]["response"] == "yes"
    assert by_key["welds"]["object"]["definition"]["interactionType"] == "choice"
    assert by_key["hours"]["result"]["response"] == "12"
    assert by_key["topics"]["result"]["response"] == "quality[,]safety"
    assert by_key["tools"]["result"]["response"] == "grinder[.]daily"
    assert by_key["wish"]["object"]["definition"]["interactionType"] == "long-fill-in"
    assert all(s["context"]["extensions"][vocab.Extension.SURVEY_VERSION] == 1 for s in found)


def test_anonymous_statements_lead_back_to_nobody(app, client):
    survey_id = import_survey(app, client)  # anonymous
    _submit(app, client, survey_id, "learner")
    _submit(app, client, survey_id, "learner2")
    found = _statements(app)
    assert len(found) == 16
    actors = {s["actor"]["account"]["name"] for s in found}
    assert len(actors) == 2 and all(a.startswith("anonymous-") for a in actors)
    text = json.dumps(found)
    assert "demo-learner" not in text and "Lena" not in text
    assert vocab.Extension.LTI_CONTEXT_ID not in text
    assert all(
        s["timestamp"].endswith("T00:00:00Z") or "T00:00:00" in s["timestamp"] for s in found
    )
