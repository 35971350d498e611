"""The running totals (lti_tool/surveys/totals.py) give the gap table, the heat map and the group
counts exactly as the GROUP BY over every answer row did (``scan_reference``), on random data of
two rounds (each round, and every round summed), after erasing people and after deleting a
company; a submission counts in its own transaction; the migration fills them from the answers
already there; two submissions at once both count (PostgreSQL). SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.models import Platform, User
from lti_tool.passports.companies import delete_company
from lti_tool.passports.erasure import erase_learner
from lti_tool.passports.models import Company
from lti_tool.surveys import analysis, totals
from lti_tool.surveys.analysis import COMPANY, SELF_KINDS, Scope
from lti_tool.surveys.erasure import erase_survey_data
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyGapTotal,
    SurveyGroupCount,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)
from tests.migration_fill import run_migration_function

from . import scan_reference
from .helpers import import_survey
from .test_answering import identified
from .test_erasure import _submit

MIGRATION = "4db8b7385829_survey_totals.py"  # the migration that adds and fills the totals
DAY = SurveyResponse.started_on.type.python_type(2026, 12, 1)
DEPARTMENTS = ("workshop", "office", "sales")
ROLES = ("lead", "staff")
# key: (kind, importance asked)
QUESTIONS = {"c1": ("competence", True), "c2": ("competence", True), "c3": ("competence", False)}


def _version(survey: Survey, number: int) -> SurveyVersion:
    version = SurveyVersion(survey=survey, number=number, definition={})
    for position, key in enumerate([*QUESTIONS, "s1"]):
        version.questions.append(
            SurveyQuestion(
                key=key,
                section_key="s",
                position=position,
                kind=QUESTIONS[key][0] if key in QUESTIONS else "single",
                text={"en": key},
            )
        )
    db.session.add(version)
    db.session.flush()
    return version


def _answers(rng: random.Random, version: SurveyVersion, response_id: int) -> list[SurveyAnswer]:
    rows = []
    for question in version.questions:
        if question.kind != "competence":
            rows.append(
                SurveyAnswer(response_id=response_id, question_id=question.id, option_key="a")
            )
            continue
        if rng.random() < 0.1:
            continue  # not answered
        asked = QUESTIONS[question.key][1]
        rows.append(
            SurveyAnswer(
                response_id=response_id,
                question_id=question.id,
                current_level=rng.randrange(5),
                required_level=None if rng.random() < 0.08 else rng.randrange(5),
                importance=rng.randint(1, 5) if asked and rng.random() < 0.85 else None,
            )
        )
    return rows


def seed_random(seed: int, *, count: bool = True) -> dict[str, Any]:
    """Two versions of a survey answered in two rounds by random people of three companies (and
    of none), some identified, some drafts; each submitted response counted as a submission counts it
    (``count``: False leaves the totals to the migration)."""
    rng = random.Random(seed)
    platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
    assert platform is not None
    companies = [Company(platform_id=platform.id, name=f"Totals {n}") for n in range(3)]
    users = [
        User(issuer="https://lms.example", sub=f"totals-{n}", platform_id=platform.id)
        for n in range(5)
    ]
    survey = Survey(platform_id=platform.id, title={"en": "Totals"}, status="open")
    db.session.add_all([*companies, *users, survey])
    db.session.flush()
    versions = [_version(survey, 1), _version(survey, 2)]
    for version in versions:
        for _ in range(rng.randint(50, 80)):
            person = rng.choice(users) if rng.random() < 0.4 else None
            submitted = rng.random() > 0.1
            response = SurveyResponse(
                survey_id=survey.id,
                version_id=version.id,
                round_number=rng.choice((1, 2)),
                kind=rng.choice(("learner", "invitee", "invitee", "manager")),
                status="submitted" if submitted else "draft",
                anonymous=person is None,
                respondent_id=person.id if person else None,
                company_id=rng.choice([*(c.id for c in companies), None]),
                started_on=DAY,
                submitted_on=DAY if submitted else None,
            )
            db.session.add(response)
            db.session.flush()
            if rng.random() < 0.9:
                db.session.add(
                    SurveyResponseAttribute(
                        response_id=response.id, name="department", value=rng.choice(DEPARTMENTS)
                    )
                )
            if rng.random() < 0.6:
                db.session.add(
                    SurveyResponseAttribute(
                        response_id=response.id, name="role", value=rng.choice(ROLES)
                    )
                )
            if submitted:
                db.session.add_all(_answers(rng, version, response.id))
            db.session.flush()
            if submitted and count:
                totals.add_response(db.session(), response.id)
    db.session.commit()
    return {
        "versions": [v.id for v in versions],
        "companies": [c.id for c in companies],
        "users": [u.id for u in users],
    }


def _scopes(versions: list[int], companies: list[int]) -> list[Scope]:
    """Each grouping, kind of respondent and round, for each version and minimum group, with the
    company taken in turn so that every one (and none) meets every grouping, kind and round: a
    quarter of the whole product's scopes, which took 35 s of CPU a test on PostgreSQL to go
    through the same code paths."""
    whom = (None, *companies)
    blocks = [(version, min_group) for version in versions for min_group in (1, 4)]
    triples = [
        (group_by, kinds, round_number)
        for group_by in (None, COMPANY, "department", "role")
        for kinds in (SELF_KINDS, ("manager",))
        for round_number in (None, 1, 2)
    ]
    return [
        Scope(version, min_group, whom[(b + t) % len(whom)], group_by, kinds, round_number)
        for b, (version, min_group) in enumerate(blocks)
        for t, (group_by, kinds, round_number) in enumerate(triples)
    ]


def assert_same_figures(data: dict[str, Any]) -> None:
    session = db.session()
    shown = 0
    # Every query is a round trip to the database, so the reference's group counts, the same
    # for both minimums, are counted once a scope, and its heat map takes the groups just
    # compared instead of counting them again.
    counts: dict[Scope, list[tuple[Any, int]]] = {}
    scopes = _scopes(data["versions"], data["companies"])
    for scope in scopes:
        every = replace(scope, min_group=1)
        if every not in counts:
            counts[every] = scan_reference.group_counts(session, every)
        reference = scan_reference.groups(session, scope, counts[every])
        assert analysis.groups(session, scope) == reference, scope
        assert analysis.gap_table(session, scope) == scan_reference.gap_table(session, scope), scope
        heat = analysis.heat_map(session, scope)
        assert heat == scan_reference.heat_map(session, scope, reference), scope
        shown += bool(heat.cells)
    # The data has figures to compare, not only empty tables (some 70 of the 96 scopes do).
    assert shown > len(scopes) // 2
    for version in data["versions"]:  # both rounds have responses; every round is their sum
        each = [analysis.groups(session, Scope(version, 1, round_number=n)) for n in (1, 2)]
        assert all(g.responses > 0 for g in each)
        every = analysis.groups(session, Scope(version, 1))
        assert every.responses == sum(g.responses for g in each)


def _rows() -> tuple[list[Any], list[Any]]:
    session = db.session()
    return (
        sorted(tuple(r) for r in session.execute(select(*SurveyGroupCount.__table__.c))),
        sorted(tuple(r) for r in session.execute(select(*SurveyGapTotal.__table__.c))),
    )


def assert_totals_as_rebuilt() -> None:
    """What submissions and erases left is what the rows give when counted afresh."""
    kept = _rows()
    totals.rebuild(db.session())
    db.session.commit()
    assert _rows() == kept


@pytest.mark.parametrize("seed", [1, 2])
def test_totals_give_the_figures_of_the_answer_rows(app: Any, seed: int) -> None:
    with app.app_context():
        data = seed_random(seed)
        assert_same_figures(data)
        assert_totals_as_rebuilt()
        # Two people with identified responses are erased: their responses leave the totals.
        for user_id in data["users"][:2]:
            user = db.session.get(User, user_id)
            assert user is not None
            erase_survey_data(db.session(), user)
        db.session.commit()
        assert_same_figures(data)
        assert_totals_as_rebuilt()
        # A company is deleted: its responses count for no company, in the totals too.
        company = db.session.get(Company, data["companies"][0])
        assert company is not None
        delete_company(db.session(), company)
        db.session.expire_all()
        orphaned = db.session.scalar(
            select(func.count()).where(
                SurveyResponse.company_id.is_(None), SurveyResponse.status == "submitted"
            )
        )
        assert orphaned and orphaned > 0
        data["companies"] = data["companies"][1:]
        assert_same_figures(data)
        assert_totals_as_rebuilt()
        db.session.remove()


def test_a_submission_and_an_erase_change_the_totals_in_their_transaction(
    app: Any, client: Any
) -> None:
    survey_id = import_survey(app, client, identified())
    _submit(app, client, survey_id, "learner")
    _submit(app, client, survey_id, "learner2")
    with app.app_context():
        version_id = db.session.scalars(
            select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_id)
        ).one()
        whole = Scope(version_id, min_group=1)
        assert analysis.groups(db.session(), whole).responses == 2
        gaps = analysis.gap_table(db.session(), whole)
        assert gaps == scan_reference.gap_table(db.session(), whole)
        assert [(g.responses, g.current, g.required, g.importance) for g in gaps] == [
            (2, 1.0, 3.0, 5.0)  # both sent the same skills page: mig 1 -> 3, importance 5
        ]
        assert_totals_as_rebuilt()
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        trainer = db.session.scalars(select(User).where(User.sub == "demo-trainer-1")).one()
        erase_survey_data(db.session(), lena)
        assert analysis.groups(db.session(), whole).responses == 1  # in the erase's transaction
        db.session.rollback()  # not committed: the totals keep her response
        assert analysis.groups(db.session(), whole).responses == 2
        erase_learner(  # commits
            db.session(), lena.id, actor_id=trainer.id, base_url=app.config["LEARNPASS"].base_url
        )
        assert analysis.groups(db.session(), whole).responses == 1
        assert analysis.gap_table(db.session(), whole)[0].responses == 1
        assert_totals_as_rebuilt()
        db.session.remove()


def test_the_migration_fills_the_totals_from_the_answers_there(app: Any) -> None:
    with app.app_context():
        db.session.add(
            Platform(
                issuer="https://lms.example", client_id="c", auth_login_url="x", auth_token_url="x"
            )
        )
        db.session.commit()
        data = seed_random(3, count=False)
        db.session.remove()
        assert _rows() == ([], [])  # nothing counted at submission: left to the migration
        db.session.remove()
        run_migration_function(MIGRATION)
        assert _rows()[0]  # filled
        assert_same_figures(data)
        assert_totals_as_rebuilt()
        db.session.remove()


def _waiting_for_a_lock(conn: Any) -> bool:
    return bool(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
        ).scalar()
    )


def test_two_submissions_at_once_both_count(app: Any) -> None:
    """The second submission's upsert waits for the first's row and adds to what it committed."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":  # type: ignore[union-attr]
            pytest.skip("SQLite takes one writer at a time: nothing runs at once there")
        data = seed_random(4, count=False)
        version_id = data["versions"][0]
        # Two responses with rows of the totals in common (the same company and round), or
        # the second has nothing to wait for; in the order made, whatever order the database
        # keeps them in.
        by_group: dict[tuple[Any, Any], list[int]] = {}
        for response_id, company_id, round_number in db.session.execute(
            select(SurveyResponse.id, SurveyResponse.company_id, SurveyResponse.round_number)
            .where(
                SurveyResponse.version_id == version_id,
                SurveyResponse.status == "submitted",
                SurveyResponse.kind == "invitee",
            )
            .order_by(SurveyResponse.id)
        ):
            by_group.setdefault((company_id, round_number), []).append(response_id)
        two = next(ids[:2] for ids in by_group.values() if len(ids) >= 2)
        db.session.remove()
        engine = db.engine
        first = Session(engine)
        totals.add_response(first, two[0])  # rows locked until it commits
        errors: list[BaseException] = []

        def second() -> None:
            with Session(engine) as session:
                try:
                    totals.add_response(session, two[1])
                    session.commit()
                except BaseException as exc:  # noqa: BLE001 (reported to the test)
                    errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        with engine.connect() as watch:
            deadline = time.monotonic() + 60
            while not _waiting_for_a_lock(watch):  # the condition: the second one waits
                assert time.monotonic() < deadline, "the second submission never waited"
                watch.rollback()
        first.commit()
        first.close()
        thread.join(timeout=120)
        assert not thread.is_alive() and errors == []
        competence = (
            select(func.count(), func.sum(SurveyAnswer.current_level))
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(
                SurveyAnswer.response_id.in_(two),
                SurveyQuestion.kind == "competence",
                SurveyAnswer.current_level.is_not(None),
                SurveyAnswer.required_level.is_not(None),
            )
        )
        whole = (SurveyGroupCount.version_id == version_id, SurveyGroupCount.dimension == "")
        assert db.session.scalar(select(func.sum(SurveyGroupCount.responses)).where(*whole)) == 2
        assert tuple(
            db.session.execute(
                select(
                    func.sum(SurveyGapTotal.answers), func.sum(SurveyGapTotal.current_sum)
                ).where(SurveyGapTotal.version_id == version_id, SurveyGapTotal.dimension == "")
            ).one()
        ) == tuple(db.session.execute(competence).one())
        db.session.remove()
