"""What a statement holds, read the same way wherever the LRS needs it: the agents and activities
it mentions (for the query indexes), the attachments it declares, the platform it belongs to, its
comparable form (the same-id-same-content rule) and activity definitions merged over time.

Plain functions on statement dicts; no database, no session.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .models import agent_key, normalize_context_activities

LRS_OWNED = ("stored", "authority", "version")


@dataclass
class Attachment:
    sha2: str
    content_type: str
    content: bytes


def comparable(statement: dict[str, Any], *, keep_timestamp: bool = True) -> dict[str, Any]:
    """A statement without what the LRS fills in, for the same-id-same-content rule."""
    copy = json.loads(json.dumps(statement))
    for key in LRS_OWNED:
        copy.pop(key, None)
    if not keep_timestamp:
        copy.pop("timestamp", None)
    normalize_context_activities(copy)
    for holder in (copy, copy.get("object") if isinstance(copy.get("object"), dict) else {}):
        result = holder.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = _duration_to_hundredths(result["duration"])
    if "id" in copy:
        copy["id"] = str(copy["id"]).lower()
    return dict(copy)


def _duration_to_hundredths(duration: str) -> str:
    """Durations compare at 0.01 s precision (xAPI 2.0, 4.2.7): PT1.2345S ~ PT1.23S."""
    match = re.search(r"(\d+)[.,](\d+)S$", duration)
    if not match:
        return duration
    fraction = match.group(2)[:2].rstrip("0")
    seconds = match.group(1) + ("." + fraction if fraction else "")
    return duration[: match.start()] + seconds + "S"


def _agents_in(statement: dict[str, Any], *, direct: bool) -> Iterator[tuple[str, bool]]:
    """(agent key, direct) for every identified agent a statement mentions."""

    def agent_and_members(agent: Any, is_direct: bool) -> Iterator[tuple[str, bool]]:
        if not isinstance(agent, dict):
            return
        key = agent_key(agent)
        if key:
            yield key, is_direct
        for member in agent.get("member", []) or []:
            member_key = agent_key(member) if isinstance(member, dict) else None
            if member_key:
                yield member_key, False

    yield from agent_and_members(statement.get("actor"), direct)
    obj = statement.get("object", {})
    if obj.get("objectType") in ("Agent", "Group"):
        yield from agent_and_members(obj, direct)
    elif obj.get("objectType") == "SubStatement":
        yield from _agents_in(obj, direct=False)
    context = statement.get("context", {})
    for role in ("instructor", "team"):
        yield from agent_and_members(context.get(role), False)
    yield from agent_and_members(statement.get("authority"), False)


def _activities_in(statement: dict[str, Any], *, direct: bool) -> Iterator[tuple[str, bool]]:
    obj = statement.get("object", {})
    if obj.get("objectType", "Activity") == "Activity":
        yield obj["id"], direct
    elif obj.get("objectType") == "SubStatement":
        yield from _activities_in(obj, direct=False)
    for items in statement.get("context", {}).get("contextActivities", {}).values():
        for activity in items if isinstance(items, list) else [items]:
            yield activity["id"], False


def actor_tenant(statement: dict[str, Any]) -> str | None:
    """The platform an in-process statement belongs to: its actor's account homePage.

    Tool actors are ``account_actor(issuer, sub)``, so the homePage is the platform issuer.
    """
    actor = statement.get("actor")
    account = actor.get("account") if isinstance(actor, dict) else None
    home = account.get("homePage") if isinstance(account, dict) else None
    return str(home) if home else None


def _declared_hashes(statement: dict[str, Any]) -> list[str]:
    """The sha2 of every attachment a statement declares, its substatement's included."""
    hashes = [a["sha2"] for a in statement.get("attachments", [])]
    obj = statement.get("object", {})
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        hashes += [a["sha2"] for a in obj.get("attachments", [])]
    return hashes


def _index_rows(seq: int, pairs: Iterator[tuple[str, bool]], column: str) -> list[dict[str, Any]]:
    seen: dict[str, bool] = {}
    for key, is_direct in pairs:
        # Direct if any mention is direct.
        if is_direct or key not in seen:
            seen[key] = is_direct
    return [{"seq": seq, column: key, "direct": is_direct} for key, is_direct in seen.items()]


def merge_definitions(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        if (
            key in ("name", "description")
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def sha2_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
