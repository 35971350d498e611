"""The Statements resource of the LRS (xAPI 1.0.3, Communication 2.1): PUT and POST with
attachments (application/json or multipart/mixed, signed statements checked), GET by id, by
filter and by ``more`` page, in the three formats.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from flask import Response, request

from xapi import auth, safe_json
from xapi.actor import client_authority
from xapi.formats import format_statement
from xapi.models import StatementValidator, format_timestamp, parse_timestamp
from xapi.multipart import build_multipart, parse_multipart
from xapi.queries import StatementQuery, parse_query
from xapi.signature import SIGNATURE_USAGE, check_signature
from xapi.statement_contents import Attachment
from xapi.store import StatementStore, utcnow

from ..extensions import db
from . import write_guards
from .blueprint import bp
from .request_handling import (
    ALL_METHODS,
    _no_constants,
    check_params,
    fail,
    json_response,
    need,
    no_content,
    parse_json_body,
    settings,
    statement_store,
    xreq,
)


@bp.route("/statements", methods=ALL_METHODS)
def statements() -> Response:
    method = xreq().method
    if method == "GET":
        return get_statements()
    if method in ("PUT", "POST"):
        return put_or_post_statements(method)
    fail(405, "method", f"{method} is not allowed on the Statements resource")


def _read_statements_body() -> tuple[Any, dict[str, Attachment]]:
    """The statement JSON and the attachment parts, from application/json or multipart/mixed."""
    mimetype = xreq().mimetype
    if mimetype == "multipart/mixed":
        parts = parse_multipart(xreq().body, xreq().content_type)
        first = parts[0]
        if (first.header("content-type") or "").split(";")[0].strip().lower() != "application/json":
            fail(
                400,
                "body",
                "the first part of multipart/mixed must be the statement(s) as application/json",
            )
        try:
            data = safe_json.loads(first.body.decode("utf-8"), parse_constant=_no_constants)
        except safe_json.JsonTooDeep as exc:
            fail(400, "body", f"the first part {exc}")
        except (ValueError, UnicodeDecodeError):
            fail(400, "body", "the first part is not valid JSON")
        received: dict[str, Attachment] = {}
        for index, part in enumerate(parts[1:], start=1):
            sha2 = part.header("x-experience-api-hash")
            if not sha2:
                fail(
                    400,
                    f"part[{index}]",
                    "each attachment part needs an X-Experience-API-Hash header",
                )
            if (part.header("content-transfer-encoding") or "").lower() != "binary":
                fail(
                    400,
                    f"part[{index}]",
                    "each attachment part needs Content-Transfer-Encoding: binary",
                )
            received[sha2] = Attachment(
                sha2, part.header("content-type") or "application/octet-stream", part.body
            )
        return data, received
    if mimetype == "application/json" or (
        xreq().alternate and mimetype in ("", "application/json")
    ):
        return parse_json_body(), {}
    fail(400, "Content-Type", "must be application/json or multipart/mixed")


def _check_attachments(
    statements_in: list[dict[str, Any]], received: dict[str, Attachment]
) -> dict[str, Attachment]:
    declared: set[str] = set()
    for index, statement in enumerate(statements_in):
        for position, attachment in enumerate(statement.get("attachments", [])):
            where = (
                f"attachments[{position}]"
                if len(statements_in) == 1
                else f"[{index}].attachments[{position}]"
            )
            sha2 = attachment["sha2"]
            declared.add(sha2)
            if attachment["usageType"] == SIGNATURE_USAGE:
                if attachment["contentType"].split(";")[0].strip() != "application/octet-stream":
                    fail(
                        400,
                        where + ".contentType",
                        "a signature attachment must be application/octet-stream",
                    )
                if sha2 not in received:
                    fail(400, where, "the signature (JWS) part is missing")
                check_signature(statement, received[sha2].content, where)
            elif "fileUrl" not in attachment and sha2 not in received:
                fail(
                    400,
                    where,
                    f"no part with X-Experience-API-Hash {sha2} was sent, and there is no fileUrl",
                )
        obj = statement.get("object", {})
        if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
            declared.update(a["sha2"] for a in obj.get("attachments", []))
    for sha2, attachment in received.items():
        if sha2 not in declared:
            fail(400, "body", f"the part with hash {sha2} is not an attachment of any statement")
        algorithm = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha2))
        if algorithm is not None and algorithm(attachment.content).hexdigest() != sha2.lower():
            fail(400, "body", f"the part with hash {sha2} does not have that SHA-2 hash")
    return received


def put_or_post_statements(method: str) -> Response:
    need("statements/write")
    client = xreq().client
    assert client is not None
    if method == "PUT":
        params = check_params({"statementId"}, ("statementId",))
        statement_id = StatementValidator().uuid(params["statementId"], "statementId")
    else:
        check_params(set())
        statement_id = None
    data, received = _read_statements_body()
    if method == "PUT":
        if not isinstance(data, dict):
            fail(400, "body", "PUT takes one statement (a JSON object)")
        if "id" in data and str(data["id"]).lower() != str(statement_id).lower():
            fail(400, "id", "differs from the statementId parameter")
        data = {**data, "id": statement_id}
        batch = [data]
    else:
        batch = data if isinstance(data, list) else [data]
        if not batch:
            fail(400, "body", "the batch is empty")
    validator = StatementValidator(xreq().spec, remember=True)
    for index, statement in enumerate(batch):
        validator.statement(statement, f"[{index}]" if isinstance(data, list) else "")
    attachments = _check_attachments(batch, received)
    try:
        write_guards.check_write(client, batch)
    except write_guards.WriteRefused as exc:
        fail(403, exc.rule, exc.message)
    store = statement_store()
    ids = store.save(
        batch,
        authority=client_authority(settings().base_url, client.key, client.name),
        client_key=client.key,
        attachments=attachments,
        validated=True,
    )
    db.session.commit()
    write_guards.after_write(client, batch)
    if method == "PUT":
        return no_content()
    return json_response(ids)


def get_statements() -> Response:
    need("statements/read")
    client = xreq().client
    assert client is not None
    params = xreq().params
    languages = [lang for lang, _ in request.accept_languages] if request.accept_languages else []
    consistent = {"X-Experience-API-Consistent-Through": format_timestamp(utcnow())}
    store = statement_store()
    if "statementId" in params or "voidedStatementId" in params:
        check_params({"statementId", "voidedStatementId", "format", "attachments"})
        if "statementId" in params and "voidedStatementId" in params:
            fail(400, "voidedStatementId", "cannot be combined with statementId")
        name = "statementId" if "statementId" in params else "voidedStatementId"
        q = parse_query(
            {k: v for k, v in params.items() if k in ("format", "attachments")}, spec=xreq().spec
        )
        statement_id = StatementValidator().uuid(params[name], name)
        found = store.get(statement_id, voided=name == "voidedStatementId")
        if found is None or (client.reads_only_own and not _stored_by(found, client)):
            fail(
                404,
                name,
                f"no statement {statement_id} in this LRS"
                + (" (or it is voided)" if name == "statementId" else " that is voided"),
            )
        result = format_statement(found, q.format, languages)
        headers = {**consistent, "Last-Modified": _http_date(found["stored"])}
        return _statements_response(result, [found], q.attachments, store, headers)
    q = parse_query(params, spec=xreq().spec)
    if client.reads_only_own:
        q.client_key = client.key
    return _query_page(store, q, languages, consistent)


@bp.route("/statements/more/<token>", methods=["GET"])
def more_statements(token: str) -> Response:
    need("statements/read")
    check_params(set())
    client = xreq().client
    assert client is not None
    q = StatementQuery.from_token(token)
    if client.reads_only_own:
        q.client_key = client.key
    languages = [lang for lang, _ in request.accept_languages] if request.accept_languages else []
    return _query_page(
        statement_store(),
        q,
        languages,
        {"X-Experience-API-Consistent-Through": format_timestamp(utcnow())},
    )


def _query_page(
    store: StatementStore, q: StatementQuery, languages: list[str], headers: dict[str, str]
) -> Response:
    found, more = store.query(q)
    result = {
        "statements": [format_statement(s, q.format, languages) for s in found],
        "more": f"{bp.url_prefix}/statements/more/{more}" if more else "",
    }
    return _statements_response(result, found, q.attachments, store, headers)


def _statements_response(
    result: Any,
    found: list[dict[str, Any]],
    with_attachments: bool,
    store: StatementStore,
    headers: dict[str, str],
) -> Response:
    if not with_attachments:
        return json_response(result, headers=headers)
    parts = [(a.sha2, a.content_type, a.content) for a in store.attachments_for(found)]
    body, content_type = build_multipart(
        json.dumps(result, ensure_ascii=False).encode("utf-8"), parts
    )
    return Response(body, status=200, content_type=content_type, headers=headers)


def _stored_by(statement: dict[str, Any], client: auth.LrsClient) -> bool:
    account = statement.get("authority", {}).get("account", {})
    return bool(
        account.get("name") == client.key
        and str(account.get("homePage", "")).endswith("/xapi/clients")
    )


def _http_date(timestamp: str) -> str:
    return format_datetime(parse_timestamp(timestamp).astimezone(UTC), usegmt=True)
