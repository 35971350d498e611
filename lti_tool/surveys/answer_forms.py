"""A section's answers from its HTML form, in the shape ``answers.check_answers`` reads.

Field names are ``q:<question>`` (single, multiple, likert, numeric, text), ``q:<question>:<row>``
(matrix), ``q:<question>:<option>`` (ranking: the option's place) and
``q:<question>:current`` / ``:required`` / ``:importance`` (competence); ``a:<attribute>`` for an
attribute. A field for a question outside the section, or of a shape the question does not have,
is refused: a page of ours never sends it.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from learning_packages.errors import N_

from .answers import AnswerRefused, Answers
from .definition import Attribute, Question, Section

COMPETENCE_PARTS = ("current", "required", "importance")


def field_name(question: Question, part: str = "") -> str:
    return f"q:{question.key}:{part}" if part else f"q:{question.key}"


def section_answers(section: Section, form: MultiDict[str, str]) -> tuple[Answers, set[str]]:
    """(answers, the keys of questions that got an answer) of the section's form."""
    questions = {q.key: q for q in section.questions}
    for name in form:
        if not name.startswith("q:"):
            continue
        key, _, part = name[2:].partition(":")
        question = questions.get(key)
        if question is None or not _has_part(question, part):
            raise AnswerRefused(
                key[:64],
                N_("The form sent an answer this page does not ask (%(key)s)."),
                key=key[:64],
            )
    answers: Answers = {}
    for question in section.questions:
        answers[question.key] = _answer(question, form)
    return answers, {k for k, v in answers.items() if v is not None}


def _has_part(question: Question, part: str) -> bool:
    if question.type == "matrix":
        return part in {r.key for r in question.rows}
    if question.type == "ranking":
        return part in {o.key for o in question.options}
    if question.type == "competence":
        return part in COMPETENCE_PARTS
    return part == ""


def _number(question: Question, raw: str) -> float | str:
    text = raw.strip().replace(",", ".")  # "3,5" as nl / fr / de write it
    try:
        return float(text)
    except ValueError:
        raise AnswerRefused(
            question.key, N_("Question '%(key)s': give a number."), key=question.key
        ) from None


def _answer(question: Question, form: MultiDict[str, str]) -> Any:
    name = field_name(question)
    kind = question.type
    if kind == "multiple":
        chosen = [v for v in form.getlist(name) if v]
        return chosen or None
    if kind == "matrix":
        cells = {r.key: form.get(field_name(question, r.key), "") for r in question.rows}
        return {r: c for r, c in cells.items() if c} or None
    if kind == "ranking":
        places = {
            o.key: form.get(field_name(question, o.key), "").strip() for o in question.options
        }
        if not any(places.values()):
            return None
        try:
            ranked = sorted(places, key=lambda k: int(places[k]))
        except ValueError:
            raise AnswerRefused(
                question.key,
                N_("Question '%(key)s': give every option its own place."),
                key=question.key,
            ) from None
        if sorted(int(p) for p in places.values()) != list(range(1, len(places) + 1)):
            raise AnswerRefused(
                question.key,
                N_("Question '%(key)s': give every option its own place."),
                key=question.key,
            )
        return ranked
    if kind == "competence":
        parts = {p: form.get(field_name(question, p), "").strip() for p in COMPETENCE_PARTS}
        if not any(parts.values()):
            return None
        out: dict[str, Any] = {}
        for part, raw in parts.items():
            if raw:
                value = _number(question, raw)
                out[part] = int(value) if isinstance(value, float) and value.is_integer() else value
        return out
    raw = form.get(name, "")
    if kind == "text":
        return raw if raw.strip() else None
    if not raw.strip():
        return None
    if kind in ("likert", "numeric"):
        return _number(question, raw)
    return raw


def attribute_values(
    attributes: tuple[Attribute, ...], form: MultiDict[str, str]
) -> dict[str, str]:
    """The attributes chosen on the form; an unknown option is refused."""
    out = {}
    for attribute in attributes:
        value = form.get(f"a:{attribute.key}", "")
        if not value:
            continue
        if value not in {o.key for o in attribute.options}:
            raise AnswerRefused(
                attribute.key,
                N_("'%(key)s': that is not one of its options."),
                key=attribute.key,
            )
        out[attribute.key] = value
    return out
