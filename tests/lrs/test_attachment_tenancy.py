"""Attachments are kept per platform: a client bound to platform B cannot read a file platform A
sent by declaring its sha2 (with a fileUrl, so no part is needed) and asking for attachments."""

from __future__ import annotations

import hashlib

import requests
from sqlalchemy import select

from lti_tool.extensions import db
from tests.lrs.platforms import ISSUER_B, Credentials, Tenants, statement
from tests.xapi.test_attachments import attachment_meta, multipart
from xapi import tables
from xapi.multipart import parse_multipart

SECRET = b"platform A's confidential report \x00\x01"
SHA2 = hashlib.sha256(SECRET).hexdigest()


def send_with_part(http: requests.Session, t: Tenants, who: Credentials, issuer: str) -> str:
    data = statement(
        issuer, "ann", "http://example.org/report", attachments=[attachment_meta(SECRET)]
    )
    body, content_type = multipart(data, [(SECRET, "text/plain")])
    response = http.post(
        f"{t.url}/statements", data=body, headers={**who.headers, "Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    return str(data["id"])


def declare_only(http: requests.Session, t: Tenants, who: Credentials, issuer: str) -> str:
    """A statement naming the hash with a fileUrl: valid xAPI without sending the file."""
    meta = {**attachment_meta(SECRET), "fileUrl": "http://example.org/elsewhere"}
    data = statement(issuer, "bob", "http://example.org/report", attachments=[meta])
    response = http.post(f"{t.url}/statements", json=data, headers=who.headers)
    assert response.status_code == 200, response.text
    return str(data["id"])


def parts_of(
    http: requests.Session, t: Tenants, who: Credentials, statement_id: str
) -> list[bytes]:
    response = http.get(
        f"{t.url}/statements",
        params={"statementId": statement_id, "attachments": "true"},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    parts = parse_multipart(response.content, response.headers["Content-Type"])
    return [p.body for p in parts[1:]]


def test_a_hash_declared_by_another_platform_does_not_reveal_the_file(
    http: requests.Session, tenants: Tenants
) -> None:
    sent_by_a = send_with_part(http, tenants, tenants.a, tenants.issuer_a)
    claimed_by_b = declare_only(http, tenants, tenants.b, ISSUER_B)

    assert parts_of(http, tenants, tenants.a, sent_by_a) == [SECRET]
    assert parts_of(http, tenants, tenants.b, claimed_by_b) == []  # the statement, no file
    # Nor through a statement query with attachments.
    response = http.get(
        f"{tenants.url}/statements", params={"attachments": "true"}, headers=tenants.b.headers
    )
    assert response.status_code == 200
    assert SECRET not in response.content
    # The organisation-wide client sees every platform's data, the file included.
    assert parts_of(http, tenants, tenants.org, claimed_by_b) == [SECRET]


def test_each_platform_that_sends_the_file_can_read_it_back(
    app: object, http: requests.Session, tenants: Tenants
) -> None:
    send_with_part(http, tenants, tenants.a, tenants.issuer_a)
    own = send_with_part(http, tenants, tenants.b, ISSUER_B)
    assert parts_of(http, tenants, tenants.b, own) == [SECRET]
    a = tables.attachments.c
    with app.app_context():  # type: ignore[attr-defined]
        owners = set(db.session.scalars(select(a.tenant).where(a.sha2 == SHA2)))
    assert owners == {tenants.issuer_a, ISSUER_B}
