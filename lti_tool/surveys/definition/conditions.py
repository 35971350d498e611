"""Conditions (``show_if``): how one is read, and the check that each names an earlier question
that can have its values."""

from __future__ import annotations

from typing import Any

from learning_packages.errors import N_

from .model import KEY, Condition, Question, SurveyDefinition
from .reader import Reader


def read_condition(r: Reader, value: Any, at: str) -> Condition | None:
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


def check_conditions(r: Reader, definition: SurveyDefinition) -> None:
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
