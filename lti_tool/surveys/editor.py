"""Building a survey in the tool: edits on a definition's JSON document (its title, its
sections and questions, their order), each checked whole by ``parse_definition`` before it is
saved through ``authoring`` (so a survey with answers gets a new version, and a refused edit
saves nothing). No Flask request here: the pages turn forms into these calls.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from . import authoring
from .definition import FORMAT, KEY, LANGUAGES, SurveyDefinition, Wording, parse_definition
from .models import Survey, SurveyVersion

Document = dict[str, Any]


class NotInSurvey(LookupError):
    """The survey has no section or question with this key (a tampered or stale form: 404)."""


def new_document(
    *, language: str, title: Wording, section_title: Wording, question_text: Wording
) -> Document:
    """The smallest survey there is: one section with one open question, in ``language``."""
    return {
        "format": FORMAT,
        "language": language,
        "title": title,
        "anonymous": False,
        "sections": [
            {
                "key": "s1",
                "title": section_title,
                "questions": [{"key": "q1", "type": "text", "text": question_text}],
            }
        ],
    }


def create_survey(
    session: Session,
    document: Document,
    *,
    platform_id: int,
    course_id: int | None,
    user_id: int | None,
) -> Survey:
    """A new survey from ``document``; ``DefinitionError`` when it cannot be used."""
    definition = parse_definition(document)
    return authoring.create_survey(
        session, definition, platform_id=platform_id, course_id=course_id, user_id=user_id
    )


def document_of(session: Session, survey: Survey) -> Document:
    """A copy of the current version's document, to change."""
    return copy.deepcopy(dict(authoring.current_version(session, survey).definition))


def definition_of(session: Session, survey: Survey) -> SurveyDefinition:
    return authoring.definition_of(authoring.current_version(session, survey))


def save(
    session: Session, survey: Survey, document: Document, user_id: int | None
) -> SurveyVersion:
    """Check ``document`` whole (``DefinitionError`` lists what is wrong, nothing is written),
    then replace the current version, or add one when it has answers."""
    definition = parse_definition(document)
    return authoring.change_definition(session, survey, definition, user_id)


def language_of(document: Document) -> str:
    """The language the forms ask first: the survey's main language; for a survey made from a
    file without one, English when its title has it, else the title's first language."""
    language = document.get("language")
    if isinstance(language, str) and language in LANGUAGES:
        return language
    title = document.get("title")
    if isinstance(title, dict) and title and "en" not in title:
        return next((lang for lang in title if lang in LANGUAGES), "en")
    return "en"


def new_key(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def question_keys(document: Document) -> set[str]:
    return {q.get("key") for s in _sections(document) for q in _questions(s)}


# ---------------------------------------------------------------- the survey's own texts


def set_texts(document: Document, title: Wording, description: Wording) -> None:
    document["title"] = title
    _set_optional(document, "description", description)


# ---------------------------------------------------------------- sections


def section_index(document: Document, key: str) -> int:
    for i, section in enumerate(_sections(document)):
        if section.get("key") == key:
            return i
    raise NotInSurvey(key)


def add_section(
    document: Document, title: Wording, description: Wording, first_question: Wording
) -> str:
    """A section at the end, with a first open question (a section is never empty)."""
    sections = _sections(document)
    key = new_key("s", {s.get("key") for s in sections})
    section: Document = {
        "key": key,
        "title": title,
        "questions": [
            {"key": new_key("q", question_keys(document)), "type": "text", "text": first_question}
        ],
    }
    _set_optional(section, "description", description)
    sections.append(section)
    return key


def update_section(document: Document, key: str, title: Wording, description: Wording) -> None:
    section = _sections(document)[section_index(document, key)]
    section["title"] = title
    _set_optional(section, "description", description)


def move_section(document: Document, key: str, step: int) -> None:
    sections = _sections(document)
    i = section_index(document, key)
    j = i + step
    if 0 <= j < len(sections):
        sections[i], sections[j] = sections[j], sections[i]


def delete_section(document: Document, key: str) -> None:
    del _sections(document)[section_index(document, key)]


# ---------------------------------------------------------------- questions


def question_place(document: Document, key: str) -> tuple[int, int]:
    """(section index, question index) of the question ``key``."""
    for i, section in enumerate(_sections(document)):
        for j, question in enumerate(_questions(section)):
            if question.get("key") == key:
                return i, j
    raise NotInSurvey(key)


def question_data(document: Document, key: str) -> Document:
    i, j = question_place(document, key)
    return dict(_questions(_sections(document)[i])[j])


def add_question(document: Document, section_key: str, question: Document) -> tuple[int, int]:
    """``question`` (its key given, or a new one) at the end of the section; its place."""
    i = section_index(document, section_key)
    if not question.get("key"):
        question["key"] = new_key("q", question_keys(document))
    questions = _questions(_sections(document)[i])
    questions.append(question)
    return i, len(questions) - 1


def replace_question(document: Document, key: str, question: Document) -> tuple[int, int]:
    """The question ``key`` becomes ``question`` (same key and type: the form cannot change
    them, so answers and reports keep following it)."""
    i, j = question_place(document, key)
    old = _questions(_sections(document)[i])[j]
    question["key"], question["type"] = old.get("key"), old.get("type")
    _questions(_sections(document)[i])[j] = question
    return i, j


def move_question(document: Document, key: str, step: int) -> None:
    """One place up (-1) or down (+1); past the top or bottom of its section, into the end of
    the section before or the start of the one after."""
    sections = _sections(document)
    i, j = question_place(document, key)
    questions = _questions(sections[i])
    k = j + step
    if 0 <= k < len(questions):
        questions[j], questions[k] = questions[k], questions[j]
    elif k < 0 and i > 0:
        _questions(sections[i - 1]).append(questions.pop(j))
    elif k >= len(questions) and i + 1 < len(sections):
        _questions(sections[i + 1]).insert(0, questions.pop(j))


def delete_question(document: Document, key: str) -> None:
    i, j = question_place(document, key)
    del _questions(_sections(document)[i])[j]


def add_scale(document: Document, scale: Document) -> str:
    """``scale`` among the survey's scales unless one has its key; the key."""
    scales = document.setdefault("scales", [])
    if not any(s.get("key") == scale["key"] for s in scales):
        scales.append(copy.deepcopy(scale))
    return str(scale["key"])


def valid_key(value: str) -> bool:
    return bool(KEY.match(value))


def _sections(document: Document) -> list[Document]:
    sections = document.get("sections")
    if not isinstance(sections, list):
        raise NotInSurvey("sections")
    return sections


def _questions(section: Document) -> list[Document]:
    questions = section.get("questions")
    if not isinstance(questions, list):
        raise NotInSurvey("questions")
    return questions


def _set_optional(target: Document, name: str, text: Wording) -> None:
    if text:
        target[name] = text
    else:
        target.pop(name, None)
