"""Answers checked against the definition, and turned into typed rows.

An answer is refused (``AnswerRefused``, a translatable reason naming the question) when it is
out of range, names an unknown option, goes to a question the survey does not have, or to one
its condition hides. Conditions are evaluated here, on the server, whatever the page showed.
No Flask here.
"""

from __future__ import annotations

import math
from typing import Any

from learning_packages.errors import N_

from ..passports.errors import Refusal
from .definition import IMPORTANCE, Question, SurveyDefinition

Answers = dict[str, Any]


class AnswerRefused(Refusal):
    """An answer the survey cannot take; ``question`` is its key ("" for the whole response)."""

    def __init__(self, question: str, template: str, **params: Any) -> None:
        self.question = question
        super().__init__(template, **params)


def visible_keys(definition: SurveyDefinition, answers: Answers) -> set[str]:
    """The questions shown with these answers: a question whose condition's question is hidden,
    unanswered or has another value is hidden too."""
    shown: set[str] = set()
    for question in definition.questions():
        cond = question.show_if
        if cond is None or (
            cond.question in shown and _matches(answers.get(cond.question), cond.values)
        ):
            shown.add(question.key)
    return shown


def _matches(answer: Any, values: tuple[str | float, ...]) -> bool:
    if answer is None:
        return False
    if isinstance(answer, list):
        return any(v in answer for v in values)
    if isinstance(answer, str):
        return answer in values
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return float(answer) in values
    return False


def check_answers(
    definition: SurveyDefinition, answers: Answers, *, sent: set[str] | None = None
) -> Answers:
    """The answers, each checked and in its normal form (see ``check_answer``).

    ``sent``: the keys the respondent sent now; one of them hidden by its condition is refused.
    Earlier answers a changed condition now hides are dropped, not refused (the respondent
    changed their mind about the question that shows them)."""
    known = {q.key: q for q in definition.questions()}
    for key in answers:
        if key not in known:
            raise AnswerRefused(key, N_("The survey has no question '%(key)s'."), key=key[:64])
    checked = {
        key: check_answer(definition, known[key], value)
        for key, value in answers.items()
        if value is not None
    }
    shown = visible_keys(definition, checked)
    for key in sent or set():
        if key in checked and key not in shown:
            raise AnswerRefused(
                key,
                N_(
                    "Question '%(key)s' is not asked with your other answers; its answer is refused."
                ),
                key=key,
            )
    return {key: value for key, value in checked.items() if key in shown and value is not None}


def missing_required(definition: SurveyDefinition, answers: Answers) -> list[Question]:
    """Required questions shown with these answers and not (fully) answered."""
    shown = visible_keys(definition, answers)
    return [
        q
        for q in definition.questions()
        if q.required and q.key in shown and answers.get(q.key) is None
    ]


def check_answer(definition: SurveyDefinition, question: Question, value: Any) -> Any:
    """One answer in its normal form; ``AnswerRefused`` says what is wrong."""
    if question.type == "competence":
        scale = definition.scale(question.scale)
        levels = frozenset(p.value for p in scale.levels) if scale is not None else frozenset()
        return _competence(question, value, levels)
    return _CHECKS[question.type](question, value)


def _refuse(question: Question, template: str, **params: Any) -> AnswerRefused:
    return AnswerRefused(question.key, template, key=question.key, **params)


def _option(question: Question, value: Any, options: Any = None) -> str:
    keys = {o.key for o in (options if options is not None else question.options)}
    if not isinstance(value, str) or value not in keys:
        raise _refuse(question, N_("Question '%(key)s': that is not one of its options."))
    return value


def _single(question: Question, value: Any) -> str:
    return _option(question, value)


def _multiple(question: Question, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise _refuse(question, N_("Question '%(key)s': choose one or more options."))
    chosen = [_option(question, v) for v in value]
    if len(set(chosen)) != len(chosen):
        raise _refuse(question, N_("Question '%(key)s': an option is chosen twice."))
    if question.min_choices is not None and len(chosen) < question.min_choices:
        raise _refuse(
            question, N_("Question '%(key)s': choose at least %(n)s."), n=question.min_choices
        )
    if question.max_choices is not None and len(chosen) > question.max_choices:
        raise _refuse(
            question, N_("Question '%(key)s': choose at most %(n)s."), n=question.max_choices
        )
    order = [o.key for o in question.options]
    return sorted(chosen, key=order.index)


def _number(question: Question, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(question, N_("Question '%(key)s': give a number."))
    return float(value)


def _likert(question: Question, value: Any) -> int:
    number = _number(question, value)
    if number not in {float(p.value) for p in question.points}:
        raise _refuse(question, N_("Question '%(key)s': that is not one of its points."))
    return int(number)


def _numeric(question: Question, value: Any) -> float | int:
    number = _number(question, value)
    low, high = question.minimum, question.maximum
    if low is not None and high is not None and not low <= number <= high:
        raise _refuse(
            question,
            N_("Question '%(key)s': give a number from %(low)s to %(high)s."),
            low=f"{low:g}",
            high=f"{high:g}",
        )
    if question.integer:
        if number != int(number):
            raise _refuse(question, N_("Question '%(key)s': give a whole number."))
        return int(number)
    return number


def _text(question: Question, value: Any) -> str | None:
    if not isinstance(value, str):
        raise _refuse(question, N_("Question '%(key)s': give a text."))
    if len(value) > question.max_length:
        raise _refuse(
            question,
            N_("Question '%(key)s': the text is longer than %(n)s characters."),
            n=question.max_length,
        )
    if "\x00" in value:
        raise _refuse(
            question, N_("Question '%(key)s': the text holds a character that is not allowed.")
        )
    return value.strip() or None


def _ranking(question: Question, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _refuse(question, N_("Question '%(key)s': put the options in order."))
    order = [_option(question, v) for v in value]
    if sorted(order) != sorted(o.key for o in question.options):
        raise _refuse(question, N_("Question '%(key)s': give every option its own place."))
    return order


def _matrix(question: Question, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise _refuse(question, N_("Question '%(key)s': choose a column for the rows."))
    rows = {r.key for r in question.rows}
    out = {}
    for row, column in value.items():
        if row not in rows:
            raise _refuse(question, N_("Question '%(key)s': that is not one of its rows."))
        out[row] = _option(question, column)
    if question.required and len(out) != len(rows):
        raise _refuse(question, N_("Question '%(key)s': choose a column for every row."))
    return {r.key: out[r.key] for r in question.rows if r.key in out}


def _competence(question: Question, value: Any, levels: frozenset[int]) -> dict[str, int]:
    if not isinstance(value, dict) or not {"current", "required"} <= value.keys():
        raise _refuse(question, N_("Question '%(key)s': give the level now and the level needed."))
    allowed = (
        {"current", "required", "importance"} if question.importance else {"current", "required"}
    )
    if not value.keys() <= allowed:
        raise _refuse(question, N_("Question '%(key)s': unexpected parts in the answer."))
    out = {}
    for part in ("current", "required"):
        level = value[part]
        if isinstance(level, bool) or not isinstance(level, int | float) or level not in levels:
            raise _refuse(question, N_("Question '%(key)s': that is not one of the levels."))
        out[part] = int(level)
    if "importance" in value:
        importance = value["importance"]
        low, high = IMPORTANCE
        if isinstance(importance, bool) or importance not in range(low, high + 1):
            raise _refuse(
                question,
                N_("Question '%(key)s': importance is from %(low)s to %(high)s."),
                low=low,
                high=high,
            )
        out["importance"] = int(importance)
    elif question.importance and question.required:
        raise _refuse(question, N_("Question '%(key)s': say how important it is."))
    return out


_CHECKS = {
    "single": _single,
    "multiple": _multiple,
    "likert": _likert,
    "numeric": _numeric,
    "text": _text,
    "ranking": _ranking,
    "matrix": _matrix,
}


def answer_rows(definition: SurveyDefinition, answers: Answers) -> list[dict[str, Any]]:
    """The ``survey_answer`` rows (without response and question ids: ``question`` is the key)
    of checked answers, as docs/surveys.md "How answers are stored" lists them."""
    rows: list[dict[str, Any]] = []
    for question in definition.questions():
        value = answers.get(question.key)
        if value is None:
            continue
        row = {"question": question.key, "item_key": ""}
        kind = question.type
        if kind == "single":
            rows.append(row | {"option_key": value})
        elif kind == "multiple":
            rows.extend(row | {"item_key": v, "option_key": v} for v in value)
        elif kind in ("likert", "numeric"):
            rows.append(row | {"numeric_value": float(value)})
        elif kind == "text":
            rows.append(row | {"text": value})
        elif kind == "ranking":
            rows.extend(
                row | {"item_key": v, "numeric_value": float(n)} for n, v in enumerate(value, 1)
            )
        elif kind == "matrix":
            rows.extend(row | {"item_key": r, "option_key": c} for r, c in value.items())
        elif kind == "competence":
            rows.append(
                row
                | {
                    "current_level": value["current"],
                    "required_level": value["required"],
                    "importance": value.get("importance"),
                }
            )
    return rows
