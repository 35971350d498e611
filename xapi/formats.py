"""The three output formats of GET /statements (xAPI 1.0.3, Communication 2.1.3): ``exact`` as
stored, ``ids`` (agents, activities and verbs by identifier only) and ``canonical`` (one language
of each language map, chosen from the request's Accept-Language).
"""

from __future__ import annotations

from typing import Any

from .models import agent_key


def _ids_agent(agent: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            out[key] = agent[key]
    if "member" in agent and agent.get("objectType") == "Group" and agent_key(agent) is None:
        out["member"] = [_ids_agent(m) for m in agent["member"]]
    return out


def _ids_statement(statement: dict[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    out["actor"] = _ids_agent(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        out["object"] = {"id": obj["id"]}
    elif kind in ("Agent", "Group"):
        out["object"] = _ids_agent(obj)
    elif kind == "SubStatement":
        out["object"] = _ids_statement(obj)
    if "authority" in statement:
        out["authority"] = _ids_agent(statement["authority"])
    context = statement.get("context")
    if context:
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _ids_agent(context[role])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [{"id": a["id"]} for a in value]
                for key, value in context["contextActivities"].items()
            }
        out["context"] = context
    return out


def _pick_language(value: dict[str, str], languages: list[str]) -> dict[str, str]:
    if not value:
        return value
    lowered = {tag.lower(): tag for tag in value}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            return {lowered[wanted]: value[lowered[wanted]]}
        for tag_lower, tag in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return {tag: value[tag]}
    first = next(iter(value))
    return {first: value[first]}


def _canonical(value: Any, languages: list[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if (
                key in ("display", "name", "description")
                and isinstance(item, dict)
                and all(isinstance(v, str) for v in item.values())
            ):
                out[key] = _pick_language(item, languages)
            elif key == "extensions":
                out[key] = item
            else:
                out[key] = _canonical(item, languages)
        return out
    if isinstance(value, list):
        return [_canonical(item, languages) for item in value]
    return value


def format_statement(
    statement: dict[str, Any], fmt: str, languages: list[str] | None = None
) -> dict[str, Any]:
    if fmt == "ids":
        return _ids_statement(statement)
    if fmt == "canonical":
        return dict(_canonical(statement, languages or []))
    return statement
