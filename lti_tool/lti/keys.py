"""The tool's signing keys: generated, rotated with a grace period, published as a JWKS."""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ToolKey, utcnow


def generate_rsa_private_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@functools.lru_cache(maxsize=16)
def signing_key(private_pem: str) -> rsa.RSAPrivateKey:
    """The private key of a PEM, parsed once per process: PyJWT signs with a key object as it is,
    while a PEM is parsed (and the RSA key checked) on every signature, some 60 ms of CPU against
    1 ms for the signature itself. The PEM is the cache's key: a rotated key is a new entry, and
    several instances each parse what their own database holds."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("a signing key must be an RSA private key")
    return key


def public_jwk_from_private_pem(private_pem: str, kid: str) -> dict[str, Any]:
    jwk = JWK.from_pem(private_pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return public


def create_key(session: Session) -> ToolKey:
    kid = uuid.uuid4().hex
    pem = generate_rsa_private_pem()
    key = ToolKey(kid=kid, private_pem=pem, public_jwk=public_jwk_from_private_pem(pem, kid))
    session.add(key)
    session.commit()
    return key


def current_key(session: Session) -> ToolKey:
    """The newest key not retired; one is made on first use so a fresh install just works."""
    key = session.scalars(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    ).first()
    return key or create_key(session)


def rotate(session: Session, grace_days: int) -> ToolKey:
    """Add a new signing key; earlier keys are retired but stay published for ``grace_days``."""
    now = utcnow()
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
        old.expires_at = now + dt.timedelta(days=grace_days)
    session.flush()
    return create_key(session)


def published_keys(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    current_key(session)
    keys = session.scalars(select(ToolKey).order_by(ToolKey.id.desc()))
    return [k.public_jwk for k in keys if k.expires_at is None or k.expires_at > now]
