"""The matrix's search by name finds the same learners on SQLite and PostgreSQL, and on
PostgreSQL the same with its trigram index of names (lti_tool/name_trigrams.py) as without:
text of ASCII letters is matched by the database ignoring ASCII letter case only (an accent
is kept: "dupre" does not find "Dupré"), other text by Python ignoring any letter's case; % and
_ are letters like the others; text of one or two letters, which has no trigram, is found too."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from lti_tool.extensions import db
from lti_tool.models import Enrolment, User
from lti_tool.name_trigrams import INDEX, name_index_valid
from lti_tool.passports import course_matrix

from .conftest import enrol_learners

NAMES = [
    "Jan de Vries",
    "JANSEN, Piet",
    "Élodie Dupré",
    "ÉLODIE DUPONT",
    "Zoë O'Brien",
    "Ana 50%_off",
    "Ana 50x off",
    "Bob Marley",
    "Ömer Öztürk",
    "Mia Ng",
]

SEARCHES = {
    "vries": ["Jan de Vries"],
    "JAN": ["Jan de Vries", "JANSEN, Piet"],
    "dupre": [],  # the accent is kept
    "DUPR": ["Élodie Dupré"],
    "élodie": ["Élodie Dupré", "ÉLODIE DUPONT"],  # Python folds É
    "o'b": ["Zoë O'Brien"],
    "50%_": ["Ana 50%_off"],  # not "any letter, any text"
    "0%": ["Ana 50%_off"],
    "ng": ["Mia Ng"],  # two letters: no trigram
    "öztürk": ["Ömer Öztürk"],
    "a 50": ["Ana 50%_off", "Ana 50x off"],
    "marley bob": [],
}


def _ascii_lower(value: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in value)


def _found_as_documented(needle: str, names: list[str]) -> list[str]:
    needle = needle.strip().lower()
    if needle.isascii():
        return sorted(n for n in names if needle in _ascii_lower(n))
    return sorted(n for n in names if needle in n.lower())


def _add_learners(app) -> int:
    return enrol_learners(app, "search", [(name, name.split()[-1]) for name in NAMES])


def _search(course_id: int, needle: str) -> list[str]:
    matrix = course_matrix.training_matrix(db.session(), course_id, name_contains=needle, page=1)
    assert matrix.total == len(matrix.rows)
    return sorted(row.learner.name for row in matrix.rows)


def test_a_name_search_finds_what_the_letters_say(passport_app):
    course_id = _add_learners(passport_app)
    with passport_app.app_context():
        everyone = [
            name
            for name in db.session.scalars(
                select(User.name)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            )
        ]
        assert set(NAMES) <= set(everyone)
        for needle, expected in SEARCHES.items():
            found = _search(course_id, needle)
            assert [n for n in found if n in NAMES] == sorted(expected), needle
            assert found == _found_as_documented(needle, everyone), needle


def _prefer_the_index(session) -> None:
    for setting in ("seqscan", "indexscan", "indexonlyscan", "nestloop"):
        session.execute(text(f"SET LOCAL enable_{setting} = off"))


def test_postgresql_searches_names_by_their_trigram_index_with_the_same_matches(passport_app):
    course_id = _add_learners(passport_app)
    with passport_app.app_context():
        session = db.session()
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("the trigram index is PostgreSQL's")
        assert name_index_valid(session.connection())
        statements: list[tuple[str, object]] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            if "ILIKE" in statement.upper():
                statements.append((statement, parameters))

        engine = session.get_bind()
        for needle in SEARCHES:
            # The few rows of a test make other plans cheapest: the planner is told to read
            # people by the index where it can, then not to, and both find the same learners.
            _prefer_the_index(session)
            event.listen(engine, "before_cursor_execute", keep)
            try:
                with_index = _search(course_id, needle)
            finally:
                event.remove(engine, "before_cursor_execute", keep)
            session.execute(text("SET LOCAL enable_seqscan = on"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            session.execute(text("SET LOCAL enable_indexscan = off"))
            without = _search(course_id, needle)
            session.rollback()
            assert with_index == without, needle
        # The matrix's own statement, for text with trigrams, reads the index.
        statement, parameters = next(s for s in statements if "vries" in str(s[1]).lower())
        _prefer_the_index(session)
        plan = "\n".join(
            row[0]
            for row in session.connection().exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        session.rollback()
        assert INDEX in plan, plan
