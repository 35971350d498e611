"""Invitation links for people in no LMS: single-use tokens (one per invitee, printed as QR codes)
or a shared link with a company's quota. Answering needs no account. A link is for one round
of its survey: a repeat (a new round) needs new links.

Only a token's SHA-256 is stored. A token travels in the link's fragment (``/surveys/i#CODE``),
which browsers never send, so it reaches no access log; the page posts it in a form body. A use
is counted when a response is submitted (a guarded UPDATE: never above the quota). A single-use
invitee can continue their draft from the same link on any device: the draft's resume key is an
HMAC of the token (erased at submission). No Flask request here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learning_packages.errors import N_

from .models import Survey, SurveyInvitation
from .responding import ResponseClosed

MAX_TOKENS = 500
MAX_QUOTA = 10_000
TOKEN_BYTES = 10  # 80 bits: 16 characters of base32, typed from paper in four groups


class InvitationRefused(ResponseClosed):
    """A token that opens nothing: unknown, revoked, used up, or its survey is closed."""


def new_token() -> str:
    raw = base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(token: str) -> str:
    return "".join(ch for ch in token.upper() if ch.isalnum())[:64]


def token_hash(token: str) -> str:
    return hashlib.sha256(normalise(token).encode()).hexdigest()


def resume_key(secret: str, token: str) -> str:
    """The single-use invitee's draft key: the same from the same link on any device."""
    return hmac.new(
        secret.encode(), b"survey-resume:" + normalise(token).encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Issued:
    invitation: SurveyInvitation
    token: str


def issue(
    session: Session,
    survey: Survey,
    *,
    company_id: int | None,
    count: int = 1,
    shared_quota: int | None = None,
    label: str = "",
    attributes: dict[str, str] | None = None,
    user_id: int | None,
    today: dt.date,
) -> list[Issued]:
    """``count`` single-use tokens, or one shared link for ``shared_quota`` responses."""
    if shared_quota is not None and not 1 <= shared_quota <= MAX_QUOTA:
        raise InvitationRefused("", N_("A quota is from 1 to %(n)s."), n=MAX_QUOTA)
    if shared_quota is None and not 1 <= count <= MAX_TOKENS:
        raise InvitationRefused("", N_("Make from 1 to %(n)s links at a time."), n=MAX_TOKENS)
    issued = []
    for _ in range(1 if shared_quota is not None else count):
        token = new_token()
        invitation = SurveyInvitation(
            survey_id=survey.id,
            round_number=survey.current_round,
            company_id=company_id,
            token_hash=token_hash(token),
            label=label[:255],
            shared=shared_quota is not None,
            max_uses=shared_quota or 1,
            uses=0,
            attributes=dict(attributes or {}),
            created_by_id=user_id,
            created_on=today,
        )
        session.add(invitation)
        issued.append(Issued(invitation, token))
    session.flush()
    return issued


def open_invitation(session: Session, token: str) -> SurveyInvitation:
    """The invitation of a token, if it still opens its survey."""
    invitation = session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash(token))
    ).first()
    if invitation is None or invitation.revoked:
        raise InvitationRefused(
            "", N_("This code opens no survey. Check it, or ask for a new link.")
        )
    if invitation.uses >= invitation.max_uses:
        raise InvitationRefused(
            "", N_("This link has been used as often as it may: it takes no more answers.")
        )
    survey = session.get(Survey, invitation.survey_id)
    if survey is None or survey.status != "open":
        raise InvitationRefused("", N_("This survey is closed: it takes no more answers."))
    if invitation.round_number != survey.current_round:
        raise InvitationRefused(
            "",
            N_("This link was for an earlier round of the survey. Ask for a link to this round."),
        )
    return invitation


def count_use(session: Session, invitation_id: int, today: dt.date) -> None:
    """One more submitted response through the invitation, never above its quota."""
    done = session.execute(
        update(SurveyInvitation)
        .where(
            SurveyInvitation.id == invitation_id,
            SurveyInvitation.uses < SurveyInvitation.max_uses,
            SurveyInvitation.revoked.is_(False),
        )
        .values(uses=SurveyInvitation.uses + 1, last_used_on=today)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitationRefused(
            "",
            N_("This link has been used as often as it may: it takes no more answers."),
        )


def invitations_of(session: Session, survey: Survey) -> list[SurveyInvitation]:
    return list(
        session.scalars(
            select(SurveyInvitation)
            .where(SurveyInvitation.survey_id == survey.id)
            .order_by(SurveyInvitation.id)
        )
    )
