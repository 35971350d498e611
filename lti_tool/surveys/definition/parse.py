"""``parse_definition``: a definition's JSON checked and read into dataclasses."""

from __future__ import annotations

from typing import Any

from learning_packages.errors import N_

from .conditions import check_conditions, read_condition
from .model import (
    CHOICE_TYPES,
    FORMAT,
    LANGUAGES,
    MAX_POINTS,
    MAX_QUESTIONS,
    MAX_TEXT_LENGTH,
    QUESTION_TYPES,
    Attribute,
    DefinitionError,
    Question,
    Scale,
    Section,
    SurveyDefinition,
)
from .reader import Reader

_ROOT = (
    "format",
    "language",
    "title",
    "description",
    "anonymous",
    "attributes",
    "scales",
    "sections",
)
_SECTION = ("key", "title", "description", "questions")
_QUESTION = (
    "key",
    "type",
    "text",
    "help",
    "required",
    "show_if",
    "options",
    "rows",
    "columns",
    "points",
    "min",
    "max",
    "integer",
    "unit",
    "max_length",
    "multiline",
    "min_choices",
    "max_choices",
    "framework",
    "competence",
    "scale",
    "importance",
)


def parse_definition(data: Any) -> SurveyDefinition:
    """The definition in ``data`` (parsed JSON); ``DefinitionError`` lists every problem."""
    r = Reader()
    root = r.obj(data, "", _ROOT)
    if root is None:
        raise DefinitionError(r.problems)
    if root.get("format", FORMAT) != FORMAT:
        r.problem("format", N_("Unknown format; this tool reads '%(format)s'."), format=FORMAT)
    language = root.get("language")
    if language is not None and language not in LANGUAGES:
        r.problem(
            "language",
            N_("Unknown language '%(lang)s' (known: nl, fr, de, en)."),
            lang=str(language)[:8],
        )
    elif language is not None:
        r.language = language
    title = r.wording(root.get("title"), "title")
    description = r.wording(root.get("description"), "description", required=False)
    anonymous = r.boolean(root.get("anonymous"), "anonymous")
    attributes = _attributes(r, root.get("attributes", []))
    scales = _scales(r, root.get("scales", []))
    sections = _sections(r, root.get("sections"), {s.key: s for s in scales})
    definition = SurveyDefinition(
        title=title,
        sections=sections,
        description=description,
        anonymous=anonymous,
        attributes=attributes,
        scales=scales,
        language=r.language,
    )
    check_conditions(r, definition)
    if r.problems:
        raise DefinitionError(r.problems)
    return definition


def _attributes(r: Reader, value: Any) -> tuple[Attribute, ...]:
    out = []
    for i, item in enumerate(r.items(value, "attributes", most=10)):
        at = f"attributes[{i}]"
        data = r.obj(item, at, ("key", "label", "options", "required"))
        if data is None:
            continue
        out.append(
            Attribute(
                key=r.key(data.get("key"), f"{at}.key"),
                label=r.wording(data.get("label"), f"{at}.label"),
                options=r.options(data.get("options"), f"{at}.options", least=1),
                required=r.boolean(data.get("required"), f"{at}.required"),
            )
        )
    r.unique([a.key for a in out], "attributes", "attribute")
    return tuple(out)


def _scales(r: Reader, value: Any) -> tuple[Scale, ...]:
    out = []
    for i, item in enumerate(r.items(value, "scales", most=20)):
        at = f"scales[{i}]"
        data = r.obj(item, at, ("key", "levels"))
        if data is None:
            continue
        levels = r.points(data.get("levels"), f"{at}.levels", least=2, most=MAX_POINTS)
        out.append(Scale(r.key(data.get("key"), f"{at}.key"), levels))
    r.unique([s.key for s in out], "scales", "scale")
    return tuple(out)


def _sections(r: Reader, value: Any, scales: dict[str, Scale]) -> tuple[Section, ...]:
    out = []
    count = 0
    for i, item in enumerate(r.items(value, "sections", least=1, most=100)):
        at = f"sections[{i}]"
        data = r.obj(item, at, _SECTION)
        if data is None:
            continue
        questions = []
        for j, q in enumerate(
            r.items(data.get("questions"), f"{at}.questions", least=1, most=MAX_QUESTIONS)
        ):
            question = _question(r, q, f"{at}.questions[{j}]", scales)
            if question is not None:
                questions.append(question)
        count += len(questions)
        out.append(
            Section(
                key=r.key(data.get("key"), f"{at}.key"),
                title=r.wording(data.get("title"), f"{at}.title"),
                description=r.wording(data.get("description"), f"{at}.description", required=False),
                questions=tuple(questions),
            )
        )
    if count > MAX_QUESTIONS:
        r.problem("sections", N_("A survey may have at most %(n)s questions."), n=MAX_QUESTIONS)
    r.unique([s.key for s in out], "sections", "section")
    r.unique([q.key for s in out for q in s.questions], "sections", "question")
    return tuple(out)


# Which fields each type takes (besides key, type, text, help, required, show_if).
_TYPE_FIELDS = {
    "single": ("options",),
    "multiple": ("options", "min_choices", "max_choices"),
    "likert": ("points",),
    "numeric": ("min", "max", "integer", "unit"),
    "text": ("max_length", "multiline"),
    "ranking": ("options",),
    "matrix": ("rows", "columns"),
    "competence": ("framework", "competence", "scale", "importance"),
}
_COMMON = ("key", "type", "text", "help", "required", "show_if")


def _question(r: Reader, value: Any, at: str, scales: dict[str, Scale]) -> Question | None:
    data = r.obj(value, at, _QUESTION)
    if data is None:
        return None
    kind = data.get("type")
    if kind not in QUESTION_TYPES:
        if isinstance(data.get("key"), str):
            r.dropped.add(data["key"])
        r.problem(
            f"{at}.type",
            N_("Unknown question type '%(type)s' (known: %(known)s)."),
            type=str(kind)[:32],
            known=", ".join(QUESTION_TYPES),
        )
        return None
    for name in data:
        if name in _QUESTION and name not in _COMMON and name not in _TYPE_FIELDS[kind]:
            r.problem(
                f"{at}.{name}",
                N_("A %(type)s question has no '%(name)s'."),
                type=kind,
                name=name,
            )
    fields: dict[str, Any] = {
        "key": r.key(data.get("key"), f"{at}.key"),
        "type": kind,
        "text": r.wording(data.get("text"), f"{at}.text"),
        "help": r.wording(data.get("help"), f"{at}.help", required=False),
        "required": r.boolean(data.get("required"), f"{at}.required"),
        "show_if": read_condition(r, data.get("show_if"), f"{at}.show_if"),
    }
    if kind in CHOICE_TYPES:
        fields["options"] = r.options(data.get("options"), f"{at}.options", least=2)
    if kind == "multiple":
        _choices(r, data, at, fields)
    elif kind == "likert":
        fields["points"] = r.points(data.get("points"), f"{at}.points", least=2, most=MAX_POINTS)
    elif kind == "numeric":
        _numeric(r, data, at, fields)
    elif kind == "text":
        length = r.number(data.get("max_length"), f"{at}.max_length", integer=True)
        if length is not None and not 1 <= length <= MAX_TEXT_LENGTH:
            r.problem(f"{at}.max_length", N_("Between 1 and %(n)s characters."), n=MAX_TEXT_LENGTH)
        elif length is not None:
            fields["max_length"] = int(length)
        fields["multiline"] = r.boolean(data.get("multiline"), f"{at}.multiline", True)
    elif kind == "matrix":
        fields["rows"] = r.options(data.get("rows"), f"{at}.rows", least=1)
        fields["options"] = r.options(data.get("columns"), f"{at}.columns", least=2)
    elif kind == "competence":
        _competence(r, data, at, fields, scales)
    return Question(**fields)


def _choices(r: Reader, data: dict[str, Any], at: str, fields: dict[str, Any]) -> None:
    n = len(fields["options"])
    for name in ("min_choices", "max_choices"):
        value = r.number(data.get(name), f"{at}.{name}", integer=True)
        if value is not None and not 1 <= value <= n:
            r.problem(f"{at}.{name}", N_("Between 1 and the number of options (%(n)s)."), n=n)
        elif value is not None:
            fields[name] = int(value)
    low, high = fields.get("min_choices"), fields.get("max_choices")
    if low is not None and high is not None and low > high:
        r.problem(f"{at}.min_choices", N_("The minimum is above the maximum."))


def _numeric(r: Reader, data: dict[str, Any], at: str, fields: dict[str, Any]) -> None:
    integer = r.boolean(data.get("integer"), f"{at}.integer")
    low = r.number(data.get("min"), f"{at}.min", integer=integer)
    high = r.number(data.get("max"), f"{at}.max", integer=integer)
    if low is None or high is None:
        if data.get("min") is None or data.get("max") is None:
            r.problem(at, N_("A numeric question needs its 'min' and 'max'."))
    elif low >= high:
        r.problem(f"{at}.min", N_("The minimum should be below the maximum."))
    fields.update(
        minimum=low,
        maximum=high,
        integer=integer,
        unit=r.wording(data.get("unit"), f"{at}.unit", required=False),
    )


def _competence(
    r: Reader, data: dict[str, Any], at: str, fields: dict[str, Any], scales: dict[str, Scale]
) -> None:
    for name in ("framework", "competence"):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 512:
            r.problem(
                f"{at}.{name}",
                N_("Name the %(what)s by its ID number (or URI), as in the passport."),
                what=name,
            )
        else:
            fields[name] = value.strip()
    scale = data.get("scale")
    if scale not in scales:
        r.problem(
            f"{at}.scale",
            N_("Name one of the survey's scales (known: %(known)s)."),
            known=", ".join(scales) or "-",
        )
    else:
        fields["scale"] = scale
    fields["importance"] = r.boolean(data.get("importance"), f"{at}.importance")
