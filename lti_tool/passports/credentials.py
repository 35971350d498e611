"""Signed credentials: an Open Badges 3.0 OpenBadgeCredential per completed entry, and a signed
snapshot of the whole passport behind each PDF. Both are VC-JWTs signed with the tool's key
(``lti_tool.lti.keys``), so anyone can check them against the tool's published key set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.lti import keys
from lti_tool.models import ToolKey, User, utcnow

from . import names
from .audit import audit
from .errors import N_, PassportError
from .identities import identity_user_ids
from .models import Credential, PassportEntry, new_public_id
from .overview import EntryView, PassportSummary
from .recording import CREDENTIAL_ACTIVITY_TYPE, VERB_EARNED, VERB_REVOKED, record_statement

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Our one extension: the hours a training took, on the achievement subject.
HOURS_CONTEXT = {"lp": "https://learnpass.org/ns/passport#", "hours": {"@id": "lp:hours"}}


def _iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _hashed_identity(user: User) -> dict[str, Any]:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((user.issuer + "|" + user.sub + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "ltiUserId",
        "hashed": True,
        "identityHash": "sha256$" + digest,
        "salt": salt,
    }


def _sign(session: Session, claims: dict[str, Any]) -> tuple[str, str]:
    key = keys.current_key(session)
    token = jwt.encode(
        claims,
        keys.signing_key(key.private_pem),
        algorithm="RS256",
        headers={"kid": key.kid, "typ": "JWT"},
    )
    return token, key.kid


def entry_digest(entry: PassportEntry) -> str:
    fields = [
        entry.title,
        entry.provider,
        entry.modality,
        str(entry.started_on),
        str(entry.completed_on),
        str(entry.hours),
        entry.result,
        str(entry.valid_until),
        ",".join(sorted(c.idnumber for c in entry.competences)),
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def issuer_profile(base_url: str, issuer_name: str, issuer_image: str | None) -> dict[str, Any]:
    """The credential's issuer: the organisation's name, and its logo when it has one."""
    profile: dict[str, Any] = {"id": base_url, "type": ["Profile"], "name": issuer_name}
    if issuer_image:
        profile["image"] = {"id": issuer_image, "type": "Image", "caption": issuer_name}
    return profile


def _issuer_digest(digest: str, issuer_name: str, issuer_image: str | None) -> str:
    # A new name or logo of the issuer is a new document, so a new credential.
    return hashlib.sha256(f"{digest}\x1f{issuer_name}\x1f{issuer_image or ''}".encode()).hexdigest()


def open_badge(
    entry: PassportEntry,
    credential_url: str,
    base_url: str,
    issuer_name: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None,
    issuer_image: str | None = None,
) -> dict[str, Any]:
    """The OpenBadgeCredential document (the ``vc`` claim of the JWT)."""
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": c.shortname,
            "targetUrl": c.uri or f"{base_url}/passport/competences/{c.id}",
            "targetCode": c.idnumber,
            "targetFramework": c.framework.shortname,
            "targetType": "ceasn:Competency",
        }
        for c in entry.competences
    ]
    achievement_id = (
        f"{base_url}/passport/training-types/{entry.training_type.code}"
        if entry.training_type
        else f"{base_url}/passport/achievements/{entry.id}"
    )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            _hashed_identity(entry.user),
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": entry.user.name,
            },
        ],
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "name": entry.title,
            "description": entry.provider and f"{entry.title} ({entry.provider})" or entry.title,
            "criteria": {
                "narrative": f"Completed {entry.title}"
                + (f" with result {entry.result}" if entry.result else "")
            },
            "achievementType": "Certificate" if entry.training_type else "Course",
            "alignment": alignment,
        },
        "hours": float(entry.hours),
    }
    if entry.completed_on:
        subject["activityEndDate"] = _iso(_day_start(entry.completed_on))
    if entry.started_on:
        subject["activityStartDate"] = _iso(_day_start(entry.started_on))
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB3_CONTEXT, HOURS_CONTEXT],
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(base_url, issuer_name, issuer_image),
        "name": entry.title,
        "validFrom": _iso(valid_from),
        "credentialSubject": subject,
    }
    if valid_until is not None:
        document["validUntil"] = _iso(valid_until)
    return document


def issue_for_entry(
    session: Session,
    entry: PassportEntry,
    *,
    base_url: str,
    issuer_name: str,
    issuer_image: str | None = None,
) -> Credential:
    """The entry's current credential; a new one only when the entry changed since the last.

    Once an administrator revoked the entry's credential, none is issued any more
    (``CredentialRevoked``) until a trainer re-issues it (``reissue_for_entry``).
    """
    if entry.status != "approved" or entry.completed_on is None:
        raise PassportError(N_("Only approved, completed trainings get a credential."))
    if entry.credential_revoked_at is not None:
        raise CredentialRevoked(latest_revoked(session, entry))
    digest = _issuer_digest(entry_digest(entry), issuer_name, issuer_image)
    existing = session.scalars(
        select(Credential)
        .where(
            Credential.entry_id == entry.id,
            Credential.revoked_at.is_(None),
            Credential.digest == digest,
        )
        .order_by(Credential.id.desc())
    ).first()
    if existing is not None:
        return existing
    valid_from = _day_start(entry.completed_on)
    valid_until = _day_start(entry.valid_until) if entry.valid_until else None
    public_id = new_public_id()
    url = f"{base_url}/verify/{public_id}"
    credential = Credential(
        public_id=public_id,
        kind="entry",
        entry_id=entry.id,
        user_id=entry.user_id,
        achievement_name=entry.title,
        valid_from=valid_from,
        valid_until=valid_until,
        digest=digest,
    )
    document = open_badge(
        entry, url, base_url, issuer_name, valid_from, valid_until, issuer_image=issuer_image
    )
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": base_url,
        "jti": url,
        "sub": subject_id(entry.user),
        "iat": int(now.timestamp()),
        "nbf": int(valid_from.replace(tzinfo=dt.UTC).timestamp()),
        "vc": document,
    }
    if valid_until is not None:
        claims["exp"] = int(valid_until.replace(tzinfo=dt.UTC).timestamp())
    credential.token, credential.kid = _sign(session, claims)
    session.add(credential)
    session.flush()
    record_statement(
        session,
        base_url,
        user=entry.user,
        verb=VERB_EARNED,
        object_id=url,
        object_name=entry.title,
        activity_type=CREDENTIAL_ACTIVITY_TYPE,
    )
    session.commit()
    return credential


class CredentialRevoked(PassportError):
    """The entry's credential was revoked; ``credential`` is the last one (for its date and
    reason), None when it is gone."""

    def __init__(self, credential: Credential | None) -> None:
        super().__init__("This training's credential was revoked; only a trainer can re-issue it.")
        self.credential = credential


def latest_revoked(session: Session, entry: PassportEntry) -> Credential | None:
    return session.scalars(
        select(Credential)
        .where(Credential.entry_id == entry.id, Credential.revoked_at.is_not(None))
        .order_by(Credential.revoked_at.desc(), Credential.id.desc())
    ).first()


def subject_id(user: User) -> str:
    """A stable opaque subject id: the same person gets the same id, which reveals no sub."""
    return (
        "urn:learnpass:subject:"
        + hashlib.sha256(f"{user.issuer}|{user.account_name}".encode()).hexdigest()[:32]
    )


def issue_for_passport(
    session: Session,
    summary: PassportSummary,
    *,
    base_url: str,
    issuer_name: str,
    issuer_image: str | None = None,
) -> Credential:
    """A signed snapshot of the passport's approved entries, for the PDF's verification link.

    Entries whose credential was revoked are not in it (``passport_entries``): the snapshot never
    vouches for a training the issuer withdrew.
    """
    listed = [
        {
            "title": v.entry.title,
            "provider": v.entry.provider,
            "completed_on": v.entry.completed_on.isoformat() if v.entry.completed_on else None,
            "hours": float(v.entry.hours),
            "result": v.entry.result,
            "valid_until": v.entry.valid_until.isoformat() if v.entry.valid_until else None,
            # Its type's names per language, signed too: /verify shows the reader's.
            **(
                {"training_type": names.type_names(v.entry.training_type)}
                if v.entry.training_type
                else {}
            ),
        }
        for v in passport_entries(summary)
    ]
    digest = _issuer_digest(
        hashlib.sha256(
            json.dumps([summary.user.name, listed], sort_keys=True).encode()
        ).hexdigest(),
        issuer_name,
        issuer_image,
    )
    existing = session.scalars(
        select(Credential)
        .where(
            Credential.kind == "passport",
            Credential.user_id == summary.user.id,
            Credential.revoked_at.is_(None),
            Credential.digest == digest,
        )
        .order_by(Credential.id.desc())
    ).first()
    if existing is not None:
        return existing
    now = utcnow()
    public_id = new_public_id()
    url = f"{base_url}/verify/{public_id}"
    document = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "TrainingPassport"],
        "issuer": issuer_profile(base_url, issuer_name, issuer_image),
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": subject_id(summary.user),
            "name": summary.user.name,
            "trainings": listed,
        },
    }
    claims = {
        "iss": base_url,
        "jti": url,
        "sub": subject_id(summary.user),
        "iat": int(now.timestamp()),
        "vc": document,
    }
    token, kid = _sign(session, claims)
    credential = Credential(
        public_id=public_id,
        kind="passport",
        user_id=summary.user.id,
        achievement_name=summary.user.name,
        valid_from=now,
        digest=digest,
        kid=kid,
        token=token,
    )
    session.add(credential)
    session.commit()
    return credential


def passport_entries(summary: PassportSummary) -> list[EntryView]:
    """The entries a passport export vouches for: approved ones whose credential stands."""
    return [v for v in summary.entries if v.entry.credential_revoked_at is None]


@dataclass
class Verification:
    """What /verify shows: ``status`` is genuine-and-current, expired, revoked or not-genuine."""

    status: str
    credential: Credential | None
    document: dict[str, Any] | None = None


def verify(session: Session, public_id: str, *, now: dt.datetime | None = None) -> Verification:
    now = now or utcnow()
    credential = session.scalars(
        select(Credential).where(Credential.public_id == public_id)
    ).first()
    if credential is None:
        return Verification("unknown", None)
    if credential.revoked_at is not None:
        return Verification("revoked", credential, _document(credential.token))
    entry = credential.entry
    if entry is not None and entry.credential_revoked_at is not None:
        # Issued while the entry's revocation was being written, so the revocation missed it:
        # the entry's revocation covers every copy, so it is written down now.
        last = latest_revoked(session, entry)
        credential.revoked_at = entry.credential_revoked_at
        credential.revoked_by_id = last.revoked_by_id if last else None
        credential.revoke_reason = last.revoke_reason if last else ""
        session.commit()
        return Verification("revoked", credential, _document(credential.token))
    key = session.scalars(select(ToolKey).where(ToolKey.kid == credential.kid)).first()
    if key is None or not credential.token:
        return Verification("not_genuine", credential)
    try:
        public_pem = keys_public_pem(key)
        claims = jwt.decode(
            credential.token,
            public_pem,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return Verification("not_genuine", credential)
    document = claims.get("vc") or {}
    if document.get("id", "").rsplit("/", 1)[-1] != public_id:
        return Verification("not_genuine", credential)
    if credential.valid_until is not None and credential.valid_until < now:
        return Verification("expired", credential, document)
    if credential.valid_from > now:
        return Verification("not_yet_valid", credential, document)
    return Verification("current", credential, document)


def keys_public_pem(key: ToolKey) -> bytes:
    from jwcrypto.jwk import JWK

    return JWK(**key.public_jwk).export_to_pem()


def _document(token: str) -> dict[str, Any] | None:
    if not token:
        return None
    return dict(jwt.decode(token, options={"verify_signature": False}).get("vc") or {})


def revoke(
    session: Session, credential: Credential, *, actor: User, reason: str, base_url: str
) -> list[Credential]:
    """Revoke the credential. For an entry's credential, the revocation is the entry's for good:
    every copy issued for the entry is revoked, no new one is issued until a trainer re-issues it,
    and the holder's passport snapshots (which listed the entry) are revoked as well.

    Returns every credential this revoked.
    """
    if credential.revoked_at is not None:
        raise PassportError(N_("This credential is already revoked."))
    now = utcnow()
    reason = reason.strip()
    targets = [credential]
    entry = credential.entry if credential.kind == "entry" else None
    if entry is not None:
        entry.credential_revoked_at = now
        holders = identity_user_ids(session, entry.user_id)
        targets += session.scalars(
            select(Credential).where(
                Credential.id != credential.id,
                Credential.revoked_at.is_(None),
                (Credential.entry_id == entry.id)
                | ((Credential.kind == "passport") & Credential.user_id.in_(holders)),
            )
        )
    for target in targets:
        target.revoked_at = now
        target.revoked_by_id = actor.id
        target.revoke_reason = reason if target.kind == credential.kind else PASSPORT_REVOKED
    holder = session.get(User, credential.user_id) if credential.user_id else None
    if holder is not None:
        audit(
            session,
            "revoke",
            actor.id,
            holder,
            {
                "credential": credential.public_id,
                "reason": reason,
                "entry": entry.id if entry is not None else None,
                "also_revoked": [t.public_id for t in targets[1:]],
            },
        )
        for target in targets:
            record_statement(
                session,
                base_url,
                user=holder,
                verb=VERB_REVOKED,
                object_id=f"{base_url}/verify/{target.public_id}",
                object_name=target.statement_name,
                activity_type=CREDENTIAL_ACTIVITY_TYPE,
                instructor=actor,
            )
    session.commit()
    return targets


PASSPORT_REVOKED = "A training listed in it was revoked."


def reissue_for_entry(
    session: Session,
    entry: PassportEntry,
    *,
    actor: User,
    reason: str,
    base_url: str,
    issuer_name: str,
    issuer_image: str | None = None,
) -> Credential:
    """A trainer's explicit decision that a revoked entry gets a credential again.

    Earlier copies stay revoked; the new one has a new public id. Who and why is kept in the
    audit (action ``reissue``).
    """
    reason = " ".join(reason.split())
    if not reason:
        raise PassportError(N_("Say why the credential is issued again."))
    if entry.credential_revoked_at is None:
        raise PassportError(N_("This training's credential is not revoked."))
    earlier = list(session.scalars(select(Credential).where(Credential.entry_id == entry.id)))
    for copy in earlier:
        # A copy that slipped past the revocation stays revoked with the rest.
        if copy.revoked_at is None:
            copy.revoked_at = entry.credential_revoked_at
    revoked = [c.public_id for c in earlier]
    entry.credential_revoked_at = None
    audit(
        session,
        "reissue",
        actor.id,
        entry.user,
        {"entry": entry.id, "reason": reason, "revoked_earlier": revoked},
    )
    credential = issue_for_entry(
        session, entry, base_url=base_url, issuer_name=issuer_name, issuer_image=issuer_image
    )
    session.commit()
    return credential
