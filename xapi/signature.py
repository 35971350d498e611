"""Signed statements (Data 2.6): a JWS attachment whose payload is the statement itself."""

from __future__ import annotations

import base64
from typing import Any

from . import safe_json, vocab
from .models import StatementError
from .statement_contents import comparable

SIGNATURE_USAGE = vocab.SIGNATURE_ATTACHMENT_USAGE
ALGORITHMS = {"RS256", "RS384", "RS512"}


def _b64(segment: str, field: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        raise StatementError(field, "the signature is not a JWS in compact form") from None


def check_signature(statement: dict[str, Any], jws: bytes, field: str) -> None:
    """The JWS is well formed, uses RS256/384/512, and signs this very statement.

    With an ``x5c`` certificate in the JWS header the signature itself is checked too; without
    one the LRS cannot know the key, so only the form and the payload are checked.
    """
    try:
        text = jws.decode("ascii").strip()
    except UnicodeDecodeError:
        raise StatementError(field, "the signature is not a JWS in compact form") from None
    segments = text.split(".")
    if len(segments) != 3:
        raise StatementError(field, "the signature is not a JWS in compact form")
    try:
        header = safe_json.loads(_b64(segments[0], field))
        payload = safe_json.loads(_b64(segments[1], field))
    except ValueError:
        raise StatementError(field, "the JWS header or payload is not valid JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise StatementError(field, "the JWS must use RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise StatementError(field, "the JWS payload must be the statement")
    unsigned = {k: v for k, v in statement.items() if k != "attachments"}
    signed = {k: v for k, v in payload.items() if k != "attachments"}
    if "id" not in signed and "id" in unsigned:
        signed["id"] = unsigned["id"]
    if comparable(signed, keep_timestamp="timestamp" in signed) != comparable(
        unsigned, keep_timestamp="timestamp" in signed
    ):
        raise StatementError(field, "the JWS payload differs from the statement")
    if header.get("x5c"):
        _verify_with_certificate(header, segments, field)


def _verify_with_certificate(header: dict[str, Any], segments: list[str], field: str) -> None:
    import jwt
    from cryptography import x509

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        jwt.api_jws.PyJWS().decode(
            ".".join(segments),
            key=certificate.public_key(),  # type: ignore[arg-type]
            algorithms=[header["alg"]],
        )
    except Exception:  # noqa: BLE001 - any failure means the signature does not hold
        raise StatementError(
            field, "the JWS signature does not verify with its x5c certificate"
        ) from None
