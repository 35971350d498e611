"""The parts of a survey's definition: plain frozen dataclasses, the limits of the format, and
the ``Problem`` / ``DefinitionError`` a check reports. No Flask here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from learning_packages.errors import english

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
    # The main language ("" for none): every wording has it (the editor writes in it first).
    language: str = ""

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
