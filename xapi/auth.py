"""LRS clients: HTTP Basic credentials with scopes, secrets stored hashed.

A secret a person chose is stored as a PBKDF2-SHA256 hash (slow on purpose: a chosen secret may be
guessable). A secret the tool drew itself (256 random bits: every client made without a secret,
and each cmi5 launch's own client) is stored as a salted HMAC-SHA256 of it: nobody can guess 256
random bits, so stretching adds no safety there, and it cost every new client and every first
request of a client in a process some 60 ms of CPU (twice per cmi5 launch).

A client may be bound to one tenant (a platform issuer): it then reads and writes only that
platform's statements and documents. An unbound client (tenant None) is organisation-wide.

PBKDF2 is slow on purpose; a verified (key, secret) pair is remembered in-process for a minute so
a busy client does not pay it on every request. The cache holds an HMAC of the secret under a key
drawn when the process starts (never the secret, never a plain hash of it), and it is keyed by the
client's stored hash: revoking a client (the lookup skips revoked clients) or giving it a new
secret takes effect on the very next request, cached or not. Wrong secrets are counted (see
``auth_failures``): past the limit the LRS refuses without running PBKDF2 at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from . import tables
from .auth_failures import (
    FailureCounter,
    FailureLimits,
    address_subject,
    client_subject,
)
from .clock import utcnow

SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "define",
    "profile",
    "all/read",
    "all",
)
# The versions a client may speak (the version header it is answered in when it sends none).
XAPI_VERSIONS = ("1.0.3", "2.0.0")
PBKDF2_ITERATIONS = 200_000
_VERIFIED_FOR_SECONDS = 60.0
_verified: dict[tuple[str, str], tuple[str, float]] = {}
_FINGERPRINT_KEY = secrets.token_bytes(32)
# How many times a secret was checked against its stored hash in this process (for tests and
# benchmarks: a refused or cached authentication must not add to it).
secret_checks = 0


class ScopeError(ValueError):
    pass


@dataclass
class LrsClient:
    id: int
    name: str
    key: str
    scopes: frozenset[str]
    tenant: str | None = None
    agent_key: str | None = None
    xapi_version: str = "1.0.3"

    def may_use_agent(self, key: str) -> bool:
        """A client bound to one learner (a cmi5 session token) touches only that learner's
        state and agent profile documents."""
        return self.agent_key is None or self.agent_key == key

    def can(self, need: str) -> bool:
        """``need`` is one of: statements/write, statements/read, state, profile."""
        if "all" in self.scopes:
            return True
        if need in ("statements/read", "state/read", "profile/read") and "all/read" in self.scopes:
            return True
        if need == "statements/read":
            return bool({"statements/read", "statements/read/mine"} & self.scopes)
        if need in ("state", "state/read"):
            return "state" in self.scopes
        if need in ("profile", "profile/read"):
            return "profile" in self.scopes
        return need in self.scopes

    @property
    def reads_only_own(self) -> bool:
        return not ({"all", "all/read", "statements/read"} & self.scopes)


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def digest_drawn_secret(secret: str, salt: bytes | None = None) -> str:
    """The stored form of a secret of 256 random bits the tool drew (see the module's docstring)."""
    salt = salt or secrets.token_bytes(16)
    digest = hmac.new(salt, secret.encode(), hashlib.sha256).hexdigest()
    return f"hmac_sha256${salt.hex()}${digest}"


def verify_secret(secret: str, stored: str) -> bool:
    global secret_checks
    secret_checks += 1
    parts = stored.split("$")
    if len(parts) == 3 and parts[0] == "hmac_sha256":
        return hmac.compare_digest(digest_drawn_secret(secret, bytes.fromhex(parts[1])), stored)
    if len(parts) != 4 or parts[0] != "pbkdf2_sha256":
        return False
    _, iterations, salt, digest = parts
    candidate = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


def parse_scopes(raw: str | list[str] | tuple[str, ...]) -> list[str]:
    items = (
        raw.replace(",", " ").split()
        if isinstance(raw, str)
        else [s for part in raw for s in part.replace(",", " ").split()]
    )
    for scope in items:
        if scope not in SCOPES:
            raise ScopeError(f"unknown scope {scope!r}; use {', '.join(SCOPES)}")
    if not items:
        raise ScopeError("give at least one scope")
    return sorted(set(items))


def add_client(
    session: Session,
    name: str,
    scopes: list[str],
    key: str | None = None,
    secret: str | None = None,
    tenant: str | None = None,
    agent_key: str | None = None,
    xapi_version: str = "1.0.3",
) -> tuple[str, str]:
    """Create a client; returns (key, secret). The secret is only ever shown here.

    ``tenant`` binds the client to one platform issuer; the caller checks the issuer is known.
    ``agent_key`` binds it to one learner's documents. ``xapi_version`` (one of
    ``XAPI_VERSIONS``) is the version named when a request of it forgets the version header.
    """
    if xapi_version not in XAPI_VERSIONS:
        raise ValueError(f"unknown xAPI version {xapi_version!r}; use {' or '.join(XAPI_VERSIONS)}")
    key = key or secrets.token_hex(16)
    if secret:
        secret_hash = hash_secret(secret)
    else:
        secret = secrets.token_urlsafe(32)  # 256 random bits
        secret_hash = digest_drawn_secret(secret)
    c = tables.clients.c
    if session.execute(select(c.id).where(c.key == key)).first():
        raise ValueError(f"an LRS client with key {key!r} exists already")
    session.execute(
        insert(tables.clients).values(
            name=name,
            key=key,
            secret_hash=secret_hash,
            scopes=" ".join(scopes),
            created_at=utcnow(),
            tenant=tenant or None,
            agent_key=agent_key,
            xapi_version=xapi_version,
        )
    )
    return key, secret


def list_clients(session: Session) -> list[dict[str, Any]]:
    c = tables.clients.c
    rows = session.execute(
        select(
            c.id, c.name, c.key, c.scopes, c.tenant, c.xapi_version, c.created_at, c.revoked_at
        ).order_by(c.id)
    )
    return [dict(row._mapping) for row in rows]


def revoke_client(session: Session, key: str) -> bool:
    c = tables.clients.c
    result = session.execute(
        update(tables.clients)
        .where(c.key == key, c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def authenticate(
    session: Session,
    key: str,
    secret: str,
    *,
    address: str | None = None,
    limits: FailureLimits | None = None,
) -> LrsClient | None:
    """The active client with this key and secret, or None.

    With ``limits``, failures are counted per client key and per ``address``; once either has
    too many in the window, TooManyFailures is raised before any secret is checked. A secret
    verified within the last minute is accepted without PBKDF2 and without that check, so a
    client whose key is under attack keeps working.
    """
    c = tables.clients.c
    row = session.execute(
        select(
            c.id, c.name, c.key, c.secret_hash, c.scopes, c.tenant, c.agent_key, c.xapi_version
        ).where(c.key == key, c.revoked_at.is_(None))
    ).first()
    fingerprint = hmac.new(_FINGERPRINT_KEY, secret.encode(), hashlib.sha256).hexdigest()
    now = time.monotonic()
    if row is not None:
        cached = _verified.get((key, row.secret_hash))
        if cached and cached[1] > now and hmac.compare_digest(cached[0], fingerprint):
            return _client(row)
    counter = None
    subjects = [address_subject(address or "unknown")]
    if limits is not None:
        if row is not None:
            subjects.append(client_subject(key))
        counter = FailureCounter(session.get_bind().engine, limits)  # type: ignore[union-attr]
        counter.check(subjects)
    if row is None or not verify_secret(secret, row.secret_hash):
        if counter is not None:
            counter.record(subjects)
        return None
    _forget_expired(now)
    _verified[(key, row.secret_hash)] = (fingerprint, now + _VERIFIED_FOR_SECONDS)
    return _client(row)


def _client(row: Any) -> LrsClient:
    return LrsClient(
        row.id,
        row.name,
        row.key,
        frozenset(row.scopes.split()),
        row.tenant,
        row.agent_key,
        row.xapi_version,
    )


def _forget_expired(now: float) -> None:
    # list() copies the items at once (under the GIL), so another thread adding meanwhile is fine.
    for entry, (_, until) in list(_verified.items()):
        if until <= now:
            _verified.pop(entry, None)
