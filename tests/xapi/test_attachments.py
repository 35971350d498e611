"""Attachments as multipart/mixed (Communication 1.5.2) and signed statements (Data 2.6)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from xapi.multipart import parse_multipart

from .builders import new_id, statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def attachment_meta(
    content: bytes, usage: str = "http://example.org/usage/report", content_type: str = "text/plain"
) -> dict[str, Any]:
    return {
        "usageType": usage,
        "display": {"en": "report"},
        "contentType": content_type,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def multipart(
    first: Any,
    parts: list[tuple[bytes, str]],
    *,
    encoding: str | None = "binary",
    hash_header: bool = True,
) -> tuple[bytes, str]:
    boundary = "test-boundary-42"
    out = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(first).encode(),
        b"\r\n",
    ]
    for content, content_type in parts:
        head = f"--{boundary}\r\nContent-Type: {content_type}\r\n"
        if encoding:
            head += f"Content-Transfer-Encoding: {encoding}\r\n"
        if hash_header:
            head += f"X-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}\r\n"
        out += [head.encode() + b"\r\n", content, b"\r\n"]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"


def test_attachment_is_stored_and_returned_with_attachments_true(
    client: Any, headers: dict[str, str]
) -> None:
    content = b"the report \x00\x01 binary"
    data = statement(attachments=[attachment_meta(content)])
    body, content_type = multipart(data, [(content, "text/plain")])
    response = client.post(
        "/xapi/statements", data=body, content_type=content_type, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    statement_id = response.get_json()[0]

    got = client.get(
        f"/xapi/statements?statementId={statement_id}&attachments=true", headers=headers
    )
    assert got.status_code == 200
    assert got.mimetype == "multipart/mixed"
    parts = parse_multipart(got.get_data(), got.headers["Content-Type"])
    assert json.loads(parts[0].body)["id"] == statement_id
    assert parts[1].body == content
    assert parts[1].header("x-experience-api-hash") == hashlib.sha256(content).hexdigest()

    plain = client.get(f"/xapi/statements?statementId={statement_id}", headers=headers)
    assert plain.mimetype == "application/json"


def test_missing_attachment_part_is_refused(client: Any, headers: dict[str, str]) -> None:
    data = statement(attachments=[attachment_meta(b"abc")])
    response = client.post("/xapi/statements", json=data, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["field"] == "attachments[0]"


def test_file_url_attachment_needs_no_part(client: Any, headers: dict[str, str]) -> None:
    data = statement(
        attachments=[{**attachment_meta(b"abc"), "fileUrl": "https://files.example/abc"}]
    )
    assert client.post("/xapi/statements", json=data, headers=headers).status_code == 200


def test_extra_part_wrong_hash_and_missing_headers_are_refused(
    client: Any, headers: dict[str, str]
) -> None:
    content = b"abc"
    data = statement(attachments=[attachment_meta(content)])
    extra, content_type = multipart(data, [(content, "text/plain"), (b"surplus", "text/plain")])
    assert (
        client.post(
            "/xapi/statements", data=extra, content_type=content_type, headers=headers
        ).status_code
        == 400
    )
    no_encoding, content_type = multipart(data, [(content, "text/plain")], encoding=None)
    assert (
        client.post(
            "/xapi/statements", data=no_encoding, content_type=content_type, headers=headers
        ).status_code
        == 400
    )
    no_hash, content_type = multipart(data, [(content, "text/plain")], hash_header=False)
    assert (
        client.post(
            "/xapi/statements", data=no_hash, content_type=content_type, headers=headers
        ).status_code
        == 400
    )
    no_boundary = client.post(
        "/xapi/statements", data=extra, content_type="multipart/mixed", headers=headers
    )
    assert no_boundary.status_code == 400 and no_boundary.get_json()["field"] == "Content-Type"


def _signed(
    data: dict[str, Any], algorithm: str = "RS256", payload: Any = None
) -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(payload if payload is not None else data, key, algorithm=algorithm).encode()
    signed = {
        **data,
        "attachments": [attachment_meta(token, SIGNATURE, "application/octet-stream")],
    }
    return multipart(signed, [(token, "application/octet-stream")])


def test_signed_statement_is_accepted(client: Any, headers: dict[str, str]) -> None:
    data = statement(id=new_id())
    body, content_type = _signed(data, "RS384")
    response = client.post(
        "/xapi/statements", data=body, content_type=content_type, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_signature_with_other_payload_or_algorithm_is_refused(
    client: Any, headers: dict[str, str]
) -> None:
    data = statement(id=new_id())
    body, content_type = _signed(data, payload={**data, "verb": {"id": "http://x.example/other"}})
    assert (
        client.post(
            "/xapi/statements", data=body, content_type=content_type, headers=headers
        ).status_code
        == 400
    )
    token = jwt.encode(
        data, "a-shared-secret-of-enough-length-for-hs256", algorithm="HS256"
    ).encode()
    signed = {
        **data,
        "attachments": [attachment_meta(token, SIGNATURE, "application/octet-stream")],
    }
    body, content_type = multipart(signed, [(token, "application/octet-stream")])
    response = client.post(
        "/xapi/statements", data=body, content_type=content_type, headers=headers
    )
    assert response.status_code == 400
    assert "RS256" in response.get_json()["message"]


def test_signature_with_x5c_is_verified(client: Any, headers: dict[str, str]) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    x5c = [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]
    data = statement(id=new_id())
    for signer, expected in ((key, 200), (other, 400)):
        token = jwt.encode(data, signer, algorithm="RS256", headers={"x5c": x5c}).encode()
        signed = {
            **data,
            "id": new_id() if expected == 400 else data["id"],
            "attachments": [attachment_meta(token, SIGNATURE, "application/octet-stream")],
        }
        if expected == 400:
            token = jwt.encode(
                {**data, "id": signed["id"]}, signer, algorithm="RS256", headers={"x5c": x5c}
            ).encode()
            signed["attachments"] = [attachment_meta(token, SIGNATURE, "application/octet-stream")]
        body, content_type = multipart(signed, [(token, "application/octet-stream")])
        assert (
            client.post(
                "/xapi/statements", data=body, content_type=content_type, headers=headers
            ).status_code
            == expected
        )
