"""The public /verify page: anyone with a credential's link can check it, no launch needed.

Besides genuine or not, the page says each listed training's status on the day it is read
(valid, expires on, expired on), so a genuine passport with expired trainings never reads as if
everything in it were valid, and it names the issuing organisation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from flask import Response, render_template, request

from ..extensions import db
from ..models import User
from . import credentials, names
from .blueprint import bp
from .document_routes import issuer_of
from .validity import DEFAULT_WARN_DAYS, expiry_state


@dataclass
class ListedTraining:
    """One training of a signed passport snapshot, with its status today."""

    title: str
    training_type: str  # in the reader's language, when the title does not already say it
    provider: str
    completed_on: dt.date | None
    result: str
    valid_until: dt.date | None
    state: str


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _names(item: dict[str, Any]) -> tuple[str, str]:
    """The listed training's title and type in the reader's language (``names.title_in``);
    a snapshot signed before it kept its type's names has its title only."""
    title = str(item.get("title", ""))
    kind = item.get("training_type")
    if not isinstance(kind, dict):
        return title, ""
    given = str(kind.get("name") or "")
    per_language = kind.get("names") if isinstance(kind.get("names"), dict) else {}
    local = names.title_in(title, given, per_language)
    type_name = names.name_in(given, per_language) if given else ""
    return local, ("" if type_name == local else type_name)


def listed_trainings(document: dict[str, Any], today: dt.date) -> list[ListedTraining]:
    listed = []
    for item in document.get("credentialSubject", {}).get("trainings", []):
        until = _day(item.get("valid_until"))
        title, type_name = _names(item)
        listed.append(
            ListedTraining(
                title=title,
                training_type=type_name,
                provider=str(item.get("provider") or ""),
                completed_on=_day(item.get("completed_on")),
                result=str(item.get("result") or ""),
                valid_until=until,
                state=expiry_state(until, today, DEFAULT_WARN_DAYS),
            )
        )
    return listed


@bp.get("/verify/<public_id>")
def verify(public_id: str) -> Any:
    session = db.session()
    result = credentials.verify(session, public_id[:64])
    status = 404 if result.status == "unknown" else 200
    if request.args.get("format") == "json":
        body = {
            "status": result.status,
            "name": result.credential.achievement_name if result.credential else None,
            "valid_from": result.credential.valid_from.isoformat() if result.credential else None,
            "valid_until": result.credential.valid_until.isoformat()
            if result.credential and result.credential.valid_until
            else None,
            "revoked_at": result.credential.revoked_at.isoformat()
            if result.credential and result.credential.revoked_at
            else None,
        }
        return Response(json.dumps(body), status=status, mimetype="application/json")
    today = dt.date.today()
    trainings = listed_trainings(result.document or {}, today)
    holder = (
        session.get(User, result.credential.user_id)
        if result.credential and result.credential.user_id
        else None
    )
    issuer = issuer_of(holder.platform_id if holder else None)
    signed_issuer = (result.document or {}).get("issuer", {})
    entry_state = None
    entry_title = entry_type = ""
    if result.credential and result.credential.kind == "entry":
        entry_title, entry_type = result.credential.achievement_name, ""
        entry = result.credential.entry
        if entry is not None and entry.training_type is not None:
            # The signed name, in the reader's language when it is the type's name.
            kind = entry.training_type
            entry_title = names.title_in(entry_title, kind.name, kind.names)
            entry_type = names.local_name(kind)
            entry_type = "" if entry_type == entry_title else entry_type
        until = result.credential.valid_until
        entry_state = expiry_state(until.date() if until else None, today, DEFAULT_WARN_DAYS)
    return render_template(
        "passports/verify.html",
        result=result,
        today=today,
        trainings=trainings,
        expired_count=sum(1 for t in trainings if t.state == "expired"),
        expiring_count=sum(1 for t in trainings if t.state == "expiring"),
        entry_state=entry_state,
        entry_title=entry_title,
        entry_type=entry_type,
        issuer=issuer,
        issuer_name=signed_issuer.get("name") or issuer.name,
    ), status
