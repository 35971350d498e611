"""The editor's forms: a posted form turned into a piece of a definition's JSON (left as typed
where it is wrong, so the definition check says what is wrong with it), and the check's
problems put beside the fields they are about, in plain words.

Field names: ``text-nl`` (a wording per language), ``options-2-key`` / ``options-2-fr`` (a
row of options, rows or columns), ``points-0-value``, ``show_if`` (``question=o:key`` or
``question=n:3``). No Flask request here: a form is any mapping of names to strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from learning_packages.errors import N_

from .definition import LANGUAGES, MAX_OPTIONS, Problem, SurveyDefinition, Wording

# The names of the languages, in themselves (a form offers each).
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}
# Which lists of rows each type's form has (name in the form = name in the JSON).
ROWS = {
    "single": ("options",),
    "multiple": ("options",),
    "ranking": ("options",),
    "matrix": ("rows", "columns"),
    "likert": ("points",),
}
EMPTY_ROWS = 2  # blank rows a list offers for new options
CONDITION_TYPES = ("single", "multiple", "likert")
# The check's messages that speak JSON, said for a form.
_PLAIN = {
    'This should be the wording per language: {"nl": ..., "fr": ..., "en": ...}.': N_(
        "Write this text."
    ),
    "This needs at least %(n)s items.": N_("Give at least %(n)s."),
    "This should be a list ([...]).": N_("Give at least one."),
    "A numeric question needs its 'min' and 'max'.": N_("Give the lowest and the highest number."),
    "A point needs its value (a whole number).": N_("Give each point its number."),
}


def wording(form: Mapping[str, str], name: str) -> Wording:
    """The texts of ``name-nl``, ``name-fr``... that are filled in."""
    out: Wording = {}
    for lang in LANGUAGES:
        text = (form.get(f"{name}-{lang}") or "").strip()
        if text:
            out[lang] = text
    return out


def number(value: str | None) -> Any:
    """A typed number (a comma for the decimal point too); "" -> None; else the text as typed,
    which the check refuses as "not a number"."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        result = float(text.replace(",", "."))
    except ValueError:
        return text
    return result if result == result and abs(result) != float("inf") else text


def question_from(
    form: Mapping[str, str], kind: str, *, taken_option_keys: set[str] | None = None
) -> dict[str, Any]:
    """The question JSON of a posted form of a ``kind`` question (its key set by the caller)."""
    question: dict[str, Any] = {"type": kind, "text": wording(form, "text")}
    help_text = wording(form, "help")
    if help_text:
        question["help"] = help_text
    if form.get("required"):
        question["required"] = True
    condition = _condition(form.get("show_if") or "")
    if condition is not None:
        question["show_if"] = condition
    for name in ROWS.get(kind, ()):
        question[name] = _rows(form, name, points=name == "points")
    if kind == "multiple":
        for name in ("min_choices", "max_choices"):
            value = number(form.get(name))
            if value is not None:
                question[name] = value
    elif kind == "numeric":
        question["min"] = number(form.get("min"))
        question["max"] = number(form.get("max"))
        question["integer"] = bool(form.get("integer"))
        unit = wording(form, "unit")
        if unit:
            question["unit"] = unit
    elif kind == "text":
        length = number(form.get("max_length"))
        if length is not None:
            question["max_length"] = length
        question["multiline"] = bool(form.get("multiline"))
    elif kind == "competence":
        question["framework"] = (form.get("framework") or "").strip()
        question["competence"] = (form.get("competence") or "").strip()
        question["scale"] = (form.get("scale") or "").strip()
        question["importance"] = bool(form.get("importance"))
    return {k: v for k, v in question.items() if v is not None}


def _rows(form: Mapping[str, str], name: str, *, points: bool) -> list[dict[str, Any]]:
    """The rows ``name-0-...``, ``name-1-...`` in order; a row left blank is dropped."""
    out: list[dict[str, Any]] = []
    taken = {form.get(f"{name}-{i}-key") or "" for i in range(MAX_OPTIONS + EMPTY_ROWS)}
    for i in range(MAX_OPTIONS + EMPTY_ROWS):
        if f"{name}-{i}-key" not in form and f"{name}-{i}-value" not in form:
            break
        label = wording(form, f"{name}-{i}")
        if points:
            value = number(form.get(f"{name}-{i}-value"))
            if not label and value is None:
                continue
            out.append({"value": value, "label": label})
            continue
        if not label:
            continue
        key = (form.get(f"{name}-{i}-key") or "").strip()
        if not key:
            key = _new_key(taken)
            taken.add(key)
        out.append({"key": key, "label": label})
    return out


def _new_key(taken: set[str]) -> str:
    n = 1
    while f"o{n}" in taken:
        n += 1
    return f"o{n}"


def _condition(value: str) -> dict[str, Any] | None:
    """``question=o:key`` (an option) or ``question=n:3`` (a point); "" for none. A value that
    does not read (``any:``, which only stands for a stored condition) is kept as typed: the
    check refuses it."""
    if not value:
        return None
    question, _, rest = value.partition("=")
    kind, _, raw = rest.partition(":")
    target: Any = raw
    if kind == "n":
        target = number(raw)
    return {"question": question, "equals": target}


def condition_value(question: dict[str, Any]) -> str:
    """The ``show_if`` form value of a question's condition ("" for none)."""
    cond = question.get("show_if")
    if not isinstance(cond, dict):
        return ""
    value = cond.get("equals")
    values = cond.get("any_of")
    if value is None and isinstance(values, list) and len(values) > 1:
        # Several values: no choice of the form says it; kept whole while it is not changed.
        return f"{cond.get('question')}=any:{','.join(str(v) for v in values)}"
    if value is None and isinstance(values, list) and values:
        value = values[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{cond.get('question')}=n:{value:g}"
    return f"{cond.get('question')}=o:{value}"


def condition_choices(
    definition: SurveyDefinition, before: list[str]
) -> list[tuple[str, Wording, Wording]]:
    """What a question may depend on: (form value, question text, answer label) for each answer
    of the questions named in ``before`` (those before the question) that a condition can use."""
    out: list[tuple[str, Wording, Wording]] = []
    for key in before:
        q = definition.question(key)
        if q is None or q.type not in CONDITION_TYPES:
            continue
        if q.type == "likert":
            out.extend((f"{q.key}=n:{p.value}", q.text, p.label) for p in q.points)
        else:
            out.extend((f"{q.key}=o:{o.key}", q.text, o.label) for o in q.options)
    return out


_FIELD = re.compile(r"^\.?([a-z_]+)(?:\[(\d+)\])?")


def field_problems(problems: list[Problem], prefix: str) -> dict[str, list[Problem]]:
    """The problems about the thing at ``prefix`` (``sections[1].questions[0]``, ``sections[1]``
    or "" for the survey's own fields), by form field: ``text``, ``options-2``, ``show_if``..."""
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        if prefix and not problem.where.startswith(prefix):
            continue
        rest = problem.where[len(prefix) :]
        if prefix and rest and rest[0] not in ".[":
            continue  # sections[1] is not the prefix of sections[10]
        match = _FIELD.match(rest)
        if match is None:
            continue
        name, index = match.groups()
        out.setdefault(f"{name}-{index}" if index is not None else name, []).append(problem)
    return out


def plain(problem: Problem) -> Problem:
    """The problem said for a form (no JSON words), where the check's message speaks JSON."""
    if problem.template == "This needs at least %(n)s items.":
        if problem.where == "sections":
            return Problem(problem.where, N_("A survey needs at least one page."))
        if problem.where.endswith(".questions"):
            return Problem(problem.where, N_("A page needs at least one question."))
    template = _PLAIN.get(problem.template)
    return Problem(problem.where, template, problem.params) if template else problem


_PLACE = re.compile(r"^sections\[(\d+)\](?:\.questions\[(\d+)\])?")


def place_of(where: str, document: dict[str, Any]) -> tuple[int | None, Wording | None]:
    """Where a problem is, for a person: (the page's number from 1, the question's wording);
    (None, None) for the survey as a whole."""
    match = _PLACE.match(where)
    if match is None:
        return None, None
    i = int(match.group(1))
    sections = document.get("sections") or []
    if i >= len(sections) or not isinstance(sections[i], dict):
        return None, None
    if match.group(2) is None:
        return i + 1, None
    questions = sections[i].get("questions") or []
    j = int(match.group(2))
    if j >= len(questions) or not isinstance(questions[j], dict):
        return i + 1, None
    text = questions[j].get("text")
    return i + 1, text if isinstance(text, dict) and text else None
