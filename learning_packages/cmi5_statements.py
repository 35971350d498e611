"""The LMS's side of a cmi5 launch as data: the launch URL, the ``LMS.LaunchData`` state document
and the statements the LMS itself writes (launched, abandoned, waived, satisfied; sections 8.1,
9.3, 10). Statements are plain xAPI dicts; storing them is the caller's (the tool owns the LRS).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Row

from xapi import clock

from .cmi5_course import move_on_of
from .cmi5_vocab import (
    ABANDONED,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY,
    EXT_MOVE_ON,
    EXT_REASON,
    EXT_SESSION,
    LAUNCHED,
    SATISFIED,
    WAIVE_REASONS,
    WAIVED,
)

# ---------------------------------------------------------------- launch (8.1, 10)


def launch_url(au_url: str, params: dict[str, str]) -> str:
    """The AU's URL with the cmi5 launch parameters appended (its own query string kept)."""
    head, hash_mark, fragment = au_url.partition("#")
    separator = "&" if "?" in head else "?"
    query = urlencode(params, quote_via=quote)
    return f"{head}{separator}{query}{hash_mark}{fragment}"


def context_template(session_id: str, publisher_id: str) -> dict[str, Any]:
    """10.2.1: the session id extension and the publisher id grouping activity."""
    return {
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
        "extensions": {EXT_SESSION: session_id},
    }


def launch_data(
    au: dict[str, Any],
    *,
    session_id: str,
    mastery_score: float | None,
    return_url: str,
    launch_mode: str = "Normal",
) -> dict[str, Any]:
    """The ``LMS.LaunchData`` state document (section 10.2)."""
    meta = au.get("cmi5") or {}
    data: dict[str, Any] = {
        "contextTemplate": context_template(session_id, au["identifier"]),
        "launchMode": launch_mode,
        "moveOn": move_on_of(au),
        "returnURL": return_url,
    }
    if meta.get("launchParameters"):
        data["launchParameters"] = meta["launchParameters"]
    if mastery_score is not None:
        data["masteryScore"] = mastery_score
    if meta.get("entitlementKey"):
        data["entitlementKey"] = {"courseStructure": meta["entitlementKey"]}
    return data


def learner_preferences(languages: list[str]) -> dict[str, Any]:
    """The ``cmi5LearnerPreferences`` agent profile the LMS provides (section 11): the learner's
    languages in order of preference as RFC 5646 tags. No ``audioPreference``: the LMS does not
    know one, and without it the AU uses its own default (11.2; optional values, 4.3)."""
    tags: list[str] = []
    for language in languages:
        tag = language.strip().replace("_", "-")
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return {"languagePreference": ",".join(tags)} if tags else {}


def _timestamp(moment: dt.datetime | None = None) -> str:
    moment = moment or clock.utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(
    *,
    actor: dict[str, Any],
    verb: str,
    object_id: str,
    registration: str,
    session_id: str,
    publisher_id: str,
    object_type: str | None = None,
    object_name: str = "",
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    moveon: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {"objectType": "Activity", "id": object_id}
    definition: dict[str, Any] = {}
    if object_type:
        definition["type"] = object_type
    if object_name:
        definition["name"] = {"en": object_name}
    if definition:
        obj["definition"] = definition
    categories = [CATEGORY_CMI5, CATEGORY_MOVEON] if moveon else [CATEGORY_CMI5]
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": obj,
        "context": {
            "registration": registration,
            "contextActivities": {
                "category": [{"objectType": "Activity", "id": c} for c in categories],
                "grouping": [{"objectType": "Activity", "id": publisher_id}],
            },
            "extensions": {EXT_SESSION: session_id, **(extensions or {})},
        },
        "timestamp": _timestamp(),
        "version": "1.0.3",
    }
    if result:
        statement["result"] = result
    return statement


def launched_statement(
    session_row: Row[Any], au: dict[str, Any], *, launch_url_without_params: str
) -> dict[str, Any]:
    """9.3.1 with the extensions 9.6.3 asks of a "launched" statement."""
    meta = au.get("cmi5") or {}
    extensions: dict[str, Any] = {
        EXT_LAUNCH_MODE: session_row.launch_mode,
        EXT_LAUNCH_URL: launch_url_without_params,
        EXT_MOVE_ON: session_row.move_on,
    }
    if meta.get("launchParameters"):
        extensions[EXT_LAUNCH_PARAMETERS] = meta["launchParameters"]
    if session_row.mastery_score is not None:
        extensions[EXT_MASTERY] = session_row.mastery_score
    return _statement(
        actor=session_row.actor,
        verb=LAUNCHED,
        object_id=session_row.activity_id,
        object_name=au.get("title", ""),
        registration=session_row.registration,
        session_id=session_row.session_id,
        publisher_id=session_row.au_identifier,
        extensions=extensions,
    )


def abandoned_statement(session_row: Row[Any]) -> dict[str, Any]:
    """9.3.6; the duration runs from the launch to the AU's last statement (9.5.4.2)."""
    end = session_row.last_statement_at or session_row.launched_at
    seconds = max(0.0, (end - session_row.launched_at).total_seconds())
    return _statement(
        actor=session_row.actor,
        verb=ABANDONED,
        object_id=session_row.activity_id,
        registration=session_row.registration,
        session_id=session_row.session_id,
        publisher_id=session_row.au_identifier,
        result={"duration": f"PT{seconds:.2f}S"},
    )


def waived_statement(
    *,
    actor: dict[str, Any],
    activity_id: str,
    title: str,
    publisher_id: str,
    registration: str,
    session_id: str,
    reason: str,
) -> dict[str, Any]:
    """9.3.7: the AU object, a session id of its own, success and completion true (9.5.2,
    9.5.3, hence the moveon category, 9.6.2.2) and the reason extension (9.5.5.2)."""
    if reason not in WAIVE_REASONS:
        raise ValueError(f"{reason!r} is not a cmi5 waive reason")
    return _statement(
        actor=actor,
        verb=WAIVED,
        object_id=activity_id,
        object_name=title,
        registration=registration,
        session_id=session_id,
        publisher_id=publisher_id,
        result={"success": True, "completion": True, "extensions": {EXT_REASON: reason}},
        moveon=True,
    )


def satisfied_statement(
    *,
    actor: dict[str, Any],
    object_id: str,
    object_type: str,
    title: str,
    publisher_id: str,
    registration: str,
    session_id: str,
) -> dict[str, Any]:
    """9.3.9: the block or course object, the session that caused it."""
    return _statement(
        actor=actor,
        verb=SATISFIED,
        object_id=object_id,
        object_type=object_type,
        object_name=title,
        registration=registration,
        session_id=session_id,
        publisher_id=publisher_id,
    )
