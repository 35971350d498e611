"""A survey's definition: plain dataclasses, read from and written to JSON (docs/surveys.md,
"Survey format").

``parse_definition(data)`` checks everything and raises ``DefinitionError`` with one
``Problem`` per mistake (where, and what is wrong, as a translatable template), so an author
fixes a file in one go. ``dump_definition(survey)`` gives the JSON back; parse(dump(x)) == x.

No Flask here: templates and a script read definitions too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from learning_packages.errors import N_, english

FORMAT = "learnpass-survey/1"
LANGUAGES = ("nl", "fr", "de", "en")
QUESTION_TYPES = (
    "single",
    "multiple",
    "likert",
    "numeric",
    "text",
    "ranking",
    "matrix",
    "competence",
)
CHOICE_TYPES = ("single", "multiple", "ranking")
MAX_KEY = 64
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_WORDING = 2000  # characters of one wording in one language
MAX_TEXT_LENGTH = 10_000  # the most a text question may allow
DEFAULT_TEXT_LENGTH = 2000
MAX_OPTIONS = 100
MAX_QUESTIONS = 500
MAX_POINTS = 11  # likert points
IMPORTANCE = (1, 5)  # the optional importance of a competence item, 1 (low) to 5 (high)

Wording = dict[str, str]  # {"nl": ..., "fr": ..., "de": ..., "en": ...}; at least one


@dataclass(frozen=True)
class Problem:
    """One mistake: ``where`` (``sections[0].questions[2].options``), and a template with its
    parameters (translated at display time: ``gettext(problem.template, **problem.params)``)."""

    where: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The problem in English (logs, the command line, tests)."""
        return english(self.template, self.params)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DefinitionError(ValueError):
    """The definition cannot be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Option:
    key: str
    label: Wording


@dataclass(frozen=True)
class Point:
    """A likert point, or a level of a competence scale (with what the level means)."""

    value: int
    label: Wording
    description: Wording = field(default_factory=dict)


@dataclass(frozen=True)
class Scale:
    """The levels competence items are rated on (current and required), e.g. 0 "none" to 4
    "expert". The passport's frameworks hold no levels, so a definition brings its own."""

    key: str
    levels: tuple[Point, ...]


@dataclass(frozen=True)
class Condition:
    """Show the question when ``question`` (an earlier one) has one of ``values``: an option key
    (single, multiple: any chosen), or a number (likert, numeric)."""

    question: str
    values: tuple[str | float, ...]


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: Wording
    help: Wording = field(default_factory=dict)
    required: bool = False
    show_if: Condition | None = None
    # single, multiple, ranking: the options; matrix: its columns
    options: tuple[Option, ...] = ()
    # matrix: its rows (one answer per row)
    rows: tuple[Option, ...] = ()
    # likert: its points, labelled
    points: tuple[Point, ...] = ()
    # numeric
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: Wording = field(default_factory=dict)
    # text
    max_length: int = DEFAULT_TEXT_LENGTH
    multiline: bool = True
    # multiple: how many may be chosen (None: no limit)
    min_choices: int | None = None
    max_choices: int | None = None
    # competence: the framework (ID number) and competence (ID number or ESCO URI), its scale
    framework: str = ""
    competence: str = ""
    scale: str = ""
    importance: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: Wording
    description: Wording = field(default_factory=dict)
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Attribute:
    """What groups responses in reports (department, role...), asked at the start unless an
    invitation fixes it. Chosen from ``options`` so groups are countable, never free text."""

    key: str
    label: Wording
    options: tuple[Option, ...]
    required: bool = False


@dataclass(frozen=True)
class SurveyDefinition:
    title: Wording
    sections: tuple[Section, ...]
    description: Wording = field(default_factory=dict)
    anonymous: bool = False
    attributes: tuple[Attribute, ...] = ()
    scales: tuple[Scale, ...] = ()

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions() if q.key == key), None)

    def scale(self, key: str) -> Scale | None:
        return next((s for s in self.scales if s.key == key), None)


def wording(text: Wording, language: str | None, fallback: str = "en") -> str:
    """``text`` in ``language``, else in ``fallback``, else in the first language it has."""
    for lang in (language, fallback, *LANGUAGES):
        if lang and text.get(lang):
            return text[lang]
    return ""


# ---------------------------------------------------------------- parsing


class _Reader:
    """Collects problems while reading, so every mistake is reported, not just the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Keys of questions left out for a problem of their own: a condition naming one is not
        # reported again.
        self.dropped: set[str] = set()

    def problem(self, where: str, template: str, **params: Any) -> None:
        self.problems.append(Problem(where, template, params))

    def obj(self, value: Any, where: str, known: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, N_("This should be an object ({...})."))
            return None
        for name in value:
            if name not in known:
                self.problem(
                    where,
                    N_("Unknown field '%(name)s' (known: %(known)s)."),
                    name=str(name)[:MAX_KEY],
                    known=", ".join(known),
                )
        return value

    def items(self, value: Any, where: str, *, least: int = 0, most: int = MAX_OPTIONS) -> list:
        if not isinstance(value, list):
            self.problem(where, N_("This should be a list ([...])."))
            return []
        if len(value) < least:
            self.problem(where, N_("This needs at least %(n)s items."), n=least)
        if len(value) > most:
            self.problem(where, N_("This may have at most %(n)s items."), n=most)
            return value[:most]
        return value

    def key(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not KEY.match(value):
            self.problem(
                where,
                N_(
                    "A key is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter "
                    "or digit."
                ),
            )
            return ""
        return value

    def wording(self, value: Any, where: str, *, required: bool = True) -> Wording:
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or (required and not value):
            self.problem(
                where,
                N_('This should be the wording per language: {"nl": ..., "fr": ..., "en": ...}.'),
            )
            return {}
        out: Wording = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.problem(
                    where,
                    N_("Unknown language '%(lang)s' (known: nl, fr, de, en)."),
                    lang=str(lang)[:8],
                )
            elif not isinstance(text, str) or not text.strip():
                self.problem(where, N_("The wording in '%(lang)s' is empty."), lang=lang)
            elif len(text) > MAX_WORDING:
                self.problem(
                    where,
                    N_("The wording in '%(lang)s' is longer than %(n)s characters."),
                    lang=lang,
                    n=MAX_WORDING,
                )
            else:
                out[lang] = text.strip()
        return out

    def boolean(self, value: Any, where: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(where, N_("This should be true or false."))
            return default
        return value

    def number(self, value: Any, where: str, *, integer: bool = False) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, N_("This should be a number."))
            return None
        if integer and value != int(value):
            self.problem(where, N_("This should be a whole number."))
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(where, N_("This should be a number."))
            return None
        return int(value) if integer else float(value)

    def unique(self, keys: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key and key in seen:
                self.problem(
                    where, N_("The %(what)s key '%(key)s' is used twice."), what=what, key=key
                )
            seen.add(key)

    def options(self, value: Any, where: str, *, least: int) -> tuple[Option, ...]:
        out = []
        for i, item in enumerate(self.items(value, where, least=least)):
            at = f"{where}[{i}]"
            data = self.obj(item, at, ("key", "label"))
            if data is None:
                continue
            out.append(
                Option(
                    self.key(data.get("key"), f"{at}.key"),
                    self.wording(data.get("label"), f"{at}.label"),
                )
            )
        self.unique([o.key for o in out], where, "option")
        return tuple(out)

    def points(self, value: Any, where: str, *, least: int, most: int) -> tuple[Point, ...]:
        out = []
        for i, item in enumerate(self.items(value, where, least=least, most=most)):
            at = f"{where}[{i}]"
            data = self.obj(item, at, ("value", "label", "description"))
            if data is None:
                continue
            number = self.number(data.get("value"), f"{at}.value", integer=True)
            if number is None:
                if data.get("value") is None:
                    self.problem(f"{at}.value", N_("A point needs its value (a whole number)."))
                continue
            out.append(
                Point(
                    int(number),
                    self.wording(data.get("label"), f"{at}.label"),
                    self.wording(data.get("description"), f"{at}.description", required=False),
                )
            )
        values = [p.value for p in out]
        if values != sorted(set(values)):
            self.problem(where, N_("The values should rise, each used once."))
        return tuple(out)


_ROOT = ("format", "title", "description", "anonymous", "attributes", "scales", "sections")
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
    r = _Reader()
    root = r.obj(data, "", _ROOT)
    if root is None:
        raise DefinitionError(r.problems)
    if root.get("format", FORMAT) != FORMAT:
        r.problem("format", N_("Unknown format; this tool reads '%(format)s'."), format=FORMAT)
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
    )
    _check_conditions(r, definition)
    if r.problems:
        raise DefinitionError(r.problems)
    return definition


def _attributes(r: _Reader, value: Any) -> tuple[Attribute, ...]:
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


def _scales(r: _Reader, value: Any) -> tuple[Scale, ...]:
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


def _sections(r: _Reader, value: Any, scales: dict[str, Scale]) -> tuple[Section, ...]:
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


def _question(r: _Reader, value: Any, at: str, scales: dict[str, Scale]) -> Question | None:
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
        "show_if": _condition(r, data.get("show_if"), f"{at}.show_if"),
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


def _choices(r: _Reader, data: dict[str, Any], at: str, fields: dict[str, Any]) -> None:
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


def _numeric(r: _Reader, data: dict[str, Any], at: str, fields: dict[str, Any]) -> None:
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
    r: _Reader, data: dict[str, Any], at: str, fields: dict[str, Any], scales: dict[str, Scale]
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


def _condition(r: _Reader, value: Any, at: str) -> Condition | None:
    if value is None:
        return None
    data = r.obj(value, at, ("question", "equals", "any_of"))
    if data is None:
        return None
    question = r.key(data.get("question"), f"{at}.question")
    if ("equals" in data) == ("any_of" in data):
        r.problem(at, N_("Give either 'equals' (one value) or 'any_of' (a list of values)."))
        return None
    raw = [data["equals"]] if "equals" in data else r.items(data["any_of"], f"{at}.any_of", least=1)
    values: list[str | float] = []
    for v in raw:
        if isinstance(v, str) and KEY.match(v):
            values.append(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            values.append(float(v))
        else:
            r.problem(at, N_("A condition's value is an option key or a number."))
    return Condition(question, tuple(values))


def _check_conditions(r: _Reader, definition: SurveyDefinition) -> None:
    """A condition names an earlier question that has such a value."""
    before: dict[str, Question] = {}
    for i, section in enumerate(definition.sections):
        for j, question in enumerate(section.questions):
            cond = question.show_if
            at = f"sections[{i}].questions[{j}].show_if"
            if cond is not None and cond.question and cond.question not in r.dropped:
                source = before.get(cond.question)
                if source is None:
                    r.problem(
                        at,
                        N_(
                            "The condition names '%(key)s', which is not a question before this one."
                        ),
                        key=cond.question,
                    )
                else:
                    for value in cond.values:
                        if not _can_have(source, value):
                            r.problem(
                                at,
                                N_("Question '%(key)s' cannot have the value '%(value)s'."),
                                key=source.key,
                                value=_shown(value),
                            )
            before[question.key] = question


def _can_have(question: Question, value: str | float) -> bool:
    if question.type in ("single", "multiple"):
        return isinstance(value, str) and value in {o.key for o in question.options}
    if question.type == "likert":
        return isinstance(value, float) and value in {float(p.value) for p in question.points}
    if question.type == "numeric":
        return (
            isinstance(value, float)
            and question.minimum is not None
            and question.maximum is not None
            and question.minimum <= value <= question.maximum
        )
    return False  # text, ranking, matrix and competence answers are not conditions


def _shown(value: str | float) -> str:
    return f"{value:g}" if isinstance(value, float) else value


# ---------------------------------------------------------------- dumping


def dump_definition(definition: SurveyDefinition) -> dict[str, Any]:
    """The JSON form (what ``parse_definition`` reads), with defaults left out."""
    out: dict[str, Any] = {"format": FORMAT, "title": dict(definition.title)}
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
