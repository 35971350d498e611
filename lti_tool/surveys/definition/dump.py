"""``dump_definition``: the JSON form of a definition (what ``parse_definition`` reads)."""

from __future__ import annotations

from typing import Any

from .model import CHOICE_TYPES, FORMAT, Option, Point, Question, SurveyDefinition


def dump_definition(definition: SurveyDefinition) -> dict[str, Any]:
    """The JSON form (what ``parse_definition`` reads), with defaults left out."""
    out: dict[str, Any] = {"format": FORMAT}
    if definition.language:
        out["language"] = definition.language
    out["title"] = dict(definition.title)
    if definition.description:
        out["description"] = dict(definition.description)
    out["anonymous"] = definition.anonymous
    if definition.attributes:
        out["attributes"] = [
            {
                "key": a.key,
                "label": dict(a.label),
                "options": _dump_options(a.options),
                **({"required": True} if a.required else {}),
            }
            for a in definition.attributes
        ]
    if definition.scales:
        out["scales"] = [
            {"key": s.key, "levels": _dump_points(s.levels)} for s in definition.scales
        ]
    out["sections"] = [
        {
            "key": s.key,
            "title": dict(s.title),
            **({"description": dict(s.description)} if s.description else {}),
            "questions": [_dump_question(q) for q in s.questions],
        }
        for s in definition.sections
    ]
    return out


def _dump_options(options: tuple[Option, ...]) -> list[dict[str, Any]]:
    return [{"key": o.key, "label": dict(o.label)} for o in options]


def _dump_points(points: tuple[Point, ...]) -> list[dict[str, Any]]:
    return [
        {
            "value": p.value,
            "label": dict(p.label),
            **({"description": dict(p.description)} if p.description else {}),
        }
        for p in points
    ]


def _number(value: float | None, integer: bool) -> float | int | None:
    return int(value) if integer and value is not None else value


def _dump_question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"key": q.key, "type": q.type, "text": dict(q.text)}
    if q.help:
        out["help"] = dict(q.help)
    if q.required:
        out["required"] = True
    if q.show_if is not None:
        values = [int(v) if isinstance(v, float) and v == int(v) else v for v in q.show_if.values]
        out["show_if"] = (
            {"question": q.show_if.question, "equals": values[0]}
            if len(values) == 1
            else {"question": q.show_if.question, "any_of": values}
        )
    if q.type in CHOICE_TYPES:
        out["options"] = _dump_options(q.options)
    if q.type == "multiple":
        for name in ("min_choices", "max_choices"):
            if getattr(q, name) is not None:
                out[name] = getattr(q, name)
    elif q.type == "likert":
        out["points"] = _dump_points(q.points)
    elif q.type == "numeric":
        out["min"] = _number(q.minimum, q.integer)
        out["max"] = _number(q.maximum, q.integer)
        if q.integer:
            out["integer"] = True
        if q.unit:
            out["unit"] = dict(q.unit)
    elif q.type == "text":
        out["max_length"] = q.max_length
        if not q.multiline:
            out["multiline"] = False
    elif q.type == "matrix":
        out["rows"] = _dump_options(q.rows)
        out["columns"] = _dump_options(q.options)
    elif q.type == "competence":
        out.update(framework=q.framework, competence=q.competence, scale=q.scale)
        if q.importance:
            out["importance"] = True
    return out
