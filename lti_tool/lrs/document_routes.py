"""The document resources of the LRS (State, Activity Profile, Agent Profile) and the two
read-only ones beside them (Activities, Agents); the documents are kept apart per platform.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from flask import Response

from xapi import documents, safe_json
from xapi.documents import DocumentKey, DocumentStore
from xapi.models import StatementValidator, agent_key
from xapi.queries import parse_json_param

from ..extensions import db
from .blueprint import bp
from .request_handling import (
    ALL_METHODS,
    check_params,
    document_store,
    fail,
    json_response,
    need,
    no_content,
    statement_store,
    xreq,
)


def _agent_param(params: dict[str, str], name: str = "agent") -> tuple[dict[str, Any], str]:
    agent = parse_json_param(name, params[name])
    StatementValidator(xreq().spec).agent(agent, name)
    key = agent_key(agent)
    if key is None:
        fail(400, name, "must be an identified Agent or Group")
    client = xreq().client
    if client is not None and not client.may_use_agent(key):
        fail(403, name, "this client may only use its own learner's documents")
    return agent, key


def _since_param(params: dict[str, str]) -> datetime | None:
    if "since" not in params:
        return None
    return StatementValidator().timestamp(params["since"], "since")


def _document_response(document: documents.Document | None, what: str) -> Response:
    if document is None:
        fail(404, what, "no such document")
    return Response(
        document.content,
        status=200,
        content_type=document.content_type,
        headers={
            "ETag": f'"{document.etag}"',
            "Last-Modified": format_datetime(document.updated.astimezone(UTC), usegmt=True),
        },
    )


def _write_document(
    store: DocumentStore,
    key: DocumentKey,
    *,
    concurrency_required: bool,
    overwrite_needs_header: bool = True,
) -> Response:
    """PUT replaces, POST merges. ``concurrency_required``: a PUT must carry If-Match/If-None-Match
    (profiles, 1.0.3); ``overwrite_needs_header``: a PUT over an existing document must (409).

    Two first writes of one document at once both see none; the second one's insert finds the
    first's row, writes nothing and is decided again against it (412, 409, an overwrite or a
    merge, as if it had come a moment later)."""
    try:
        return _write_document_once(
            store,
            key,
            concurrency_required=concurrency_required,
            overwrite_needs_header=overwrite_needs_header,
        )
    except documents.DocumentRaced:
        db.session.rollback()
    try:
        return _write_document_once(
            store,
            key,
            concurrency_required=concurrency_required,
            overwrite_needs_header=overwrite_needs_header,
        )
    except documents.DocumentRaced:  # created, deleted and created again meanwhile
        fail(409, "If-Match", "the document changed while it was written: send it again")


def _write_document_once(
    store: DocumentStore,
    key: DocumentKey,
    *,
    concurrency_required: bool,
    overwrite_needs_header: bool,
) -> Response:
    method = xreq().method
    headers = xreq().headers
    current = store.get(key)
    if_match, if_none_match = headers.get("If-Match"), headers.get("If-None-Match")
    documents.check_preconditions(current, if_match, if_none_match)
    content_type = xreq().content_type or "application/octet-stream"
    body = xreq().body
    if method == "PUT":
        if if_match is None and if_none_match is None:
            if current is not None and (concurrency_required or overwrite_needs_header):
                fail(409, "If-Match", "the document exists: send If-Match with its ETag")
            if concurrency_required:
                fail(
                    400,
                    "If-None-Match",
                    "a PUT of a profile document needs If-Match or If-None-Match: *",
                )
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                safe_json.loads(body.decode("utf-8"))
            except safe_json.JsonTooDeep as exc:
                fail(400, "body", str(exc))
            except (ValueError, UnicodeDecodeError):
                fail(400, "body", "Content-Type is application/json but the body is not JSON")
        document = store.put(key, content_type, body)
    else:
        document = store.post(key, content_type, body)
    db.session.commit()
    return no_content({"ETag": f'"{document.etag}"'})


def _delete_document(store: DocumentStore, key: DocumentKey) -> Response:
    documents.check_preconditions(store.get(key), xreq().headers.get("If-Match"), None)
    store.delete(key)
    db.session.commit()
    return no_content()


@bp.route("/activities/state", methods=ALL_METHODS)
def state() -> Response:
    method = xreq().method
    need("state" if method != "GET" else "state/read")
    params = check_params(
        {"activityId", "agent", "registration", "stateId", "since"}, ("activityId", "agent")
    )
    validator = StatementValidator(xreq().spec)
    activity_id = validator.iri(params["activityId"], "activityId")
    _, key = _agent_param(params)
    registration = (
        validator.uuid(params["registration"], "registration").lower()
        if "registration" in params
        else ""
    )
    store = document_store()
    state_id = params.get("stateId")
    if state_id is None:
        if method in ("PUT", "POST"):
            fail(400, "stateId", "is required to write a state document")
        if method == "GET":
            ids = store.ids(
                documents.STATE,
                activity_id=activity_id,
                agent_key=key,
                registration=registration,
                since=_since_param(params),
            )
            return json_response(ids)
        store.delete_all_states(activity_id, key, registration)
        db.session.commit()
        return no_content()
    if "since" in params:
        fail(400, "since", "only applies when listing state ids (without stateId)")
    doc_key = DocumentKey(
        documents.STATE, state_id, activity_id=activity_id, agent_key=key, registration=registration
    )
    if method == "GET":
        return _document_response(store.get(doc_key), "stateId")
    if method == "DELETE":
        return _delete_document(store, doc_key)
    # xAPI 2.0 extends the overwrite rule to State; 1.0.3 lets a PUT replace a state freely.
    return _write_document(
        store, doc_key, concurrency_required=False, overwrite_needs_header=xreq().spec == "2.0"
    )


@bp.route("/activities/profile", methods=ALL_METHODS)
def activity_profile() -> Response:
    method = xreq().method
    need("profile" if method != "GET" else "profile/read")
    client = xreq().client
    if method != "GET" and client is not None and client.agent_key is not None:
        fail(403, "activityId", "a client bound to one learner may only read activity profiles")
    params = check_params({"activityId", "profileId", "since"}, ("activityId",))
    activity_id = StatementValidator().iri(params["activityId"], "activityId")
    return _profile_document(method, params, documents.ACTIVITY_PROFILE, activity_id=activity_id)


@bp.route("/agents/profile", methods=ALL_METHODS)
def agent_profile() -> Response:
    method = xreq().method
    need("profile" if method != "GET" else "profile/read")
    params = check_params({"agent", "profileId", "since"}, ("agent",))
    _, key = _agent_param(params)
    return _profile_document(method, params, documents.AGENT_PROFILE, agent_key=key)


def _profile_document(method: str, params: dict[str, str], kind: str, **owner: str) -> Response:
    """Activity and Agent Profile share their rules; ``owner`` is the activity id or agent key."""
    store = document_store()
    profile_id = params.get("profileId")
    if profile_id is None:
        if method != "GET":
            fail(400, "profileId", "is required")
        return json_response(store.ids(kind, since=_since_param(params), **owner))
    if "since" in params:
        fail(400, "since", "only applies when listing profile ids (without profileId)")
    doc_key = DocumentKey(kind, profile_id, **owner)
    if method == "GET":
        return _document_response(store.get(doc_key), "profileId")
    if method == "DELETE":
        return _delete_document(store, doc_key)
    return _write_document(store, doc_key, concurrency_required=True)


@bp.route("/activities", methods=ALL_METHODS)
def activities() -> Response:
    if xreq().method != "GET":
        fail(405, "method", "the Activities resource is read-only")
    need("profile/read")
    params = check_params({"activityId"}, ("activityId",))
    activity_id = StatementValidator().iri(params["activityId"], "activityId")
    store = statement_store()
    if not store.knows_activity(activity_id):
        fail(404, "activityId", "no statement of this client's platform is about this activity")
    return json_response(store.activity(activity_id))


@bp.route("/agents", methods=ALL_METHODS)
def agents() -> Response:
    if xreq().method != "GET":
        fail(405, "method", "the Agents resource is read-only")
    need("profile/read")
    params = check_params({"agent"}, ("agent",))
    agent, key = _agent_param(params)
    if not statement_store().knows_agent(key):
        fail(404, "agent", "no statement of this client's platform names this agent")
    person: dict[str, Any] = {"objectType": "Person"}
    if agent.get("name"):
        person["name"] = [agent["name"]]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return json_response(person)
