"""A survey's definition: plain dataclasses, read from and written to JSON (docs/surveys.md,
"Survey format").

``parse_definition(data)`` checks everything and raises ``DefinitionError`` with one
``Problem`` per mistake (where, and what is wrong, as a translatable template), so an author
fixes a file in one go. ``dump_definition(survey)`` gives the JSON back; parse(dump(x)) == x.

One module per concern: ``model`` (the dataclasses and limits), ``reader`` (reading pieces and
collecting problems), ``parse`` (the whole definition), ``conditions`` (``show_if``), ``dump``.
No Flask here: templates and a script read definitions too.
"""

from __future__ import annotations

from .dump import dump_definition
from .model import (
    CHOICE_TYPES,
    DEFAULT_TEXT_LENGTH,
    FORMAT,
    IMPORTANCE,
    KEY,
    LANGUAGES,
    MAX_KEY,
    MAX_OPTIONS,
    MAX_POINTS,
    MAX_QUESTIONS,
    MAX_TEXT_LENGTH,
    MAX_WORDING,
    QUESTION_TYPES,
    Attribute,
    Condition,
    DefinitionError,
    Option,
    Point,
    Problem,
    Question,
    Scale,
    Section,
    SurveyDefinition,
    Wording,
    wording,
)
from .parse import parse_definition

__all__ = [
    "CHOICE_TYPES",
    "DEFAULT_TEXT_LENGTH",
    "FORMAT",
    "IMPORTANCE",
    "KEY",
    "LANGUAGES",
    "MAX_KEY",
    "MAX_OPTIONS",
    "MAX_POINTS",
    "MAX_QUESTIONS",
    "MAX_TEXT_LENGTH",
    "MAX_WORDING",
    "QUESTION_TYPES",
    "Attribute",
    "Condition",
    "DefinitionError",
    "Option",
    "Point",
    "Problem",
    "Question",
    "Scale",
    "Section",
    "SurveyDefinition",
    "Wording",
    "dump_definition",
    "parse_definition",
    "wording",
]
