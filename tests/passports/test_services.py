from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import course_matrix, identities, overview, roster, services, validity
from lti_tool.passports.models import EntryRevision, PassportEntry, TrainingType

from .conftest import OTHER_COURSE, OUTSIDER, launch_context

TODAY = dt.date(2026, 6, 15)


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert validity.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert validity.add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert validity.add_months(dt.date(2024, 5, 10), -6) == dt.date(2023, 11, 10)
    assert validity.add_months(dt.date(2020, 2, 29), 36) == dt.date(2023, 2, 28)


@pytest.mark.parametrize(
    ("until", "state"),
    [
        (None, "valid"),
        (dt.date(2026, 6, 14), "expired"),
        (dt.date(2026, 6, 15), "expiring"),
        (dt.date(2026, 8, 14), "expiring"),
        (dt.date(2026, 8, 15), "valid"),
    ],
)
def test_expiry_state_with_a_sixty_day_warning(until, state):
    assert validity.expiry_state(until, TODAY, 60) == state


def _learner(app, who="learner"):
    return launch_context(app, who).user_id


def _feed(user_id, ref, **overrides):
    values = dict(
        user_id=user_id,
        title="First aid",
        provider="Red Cross",
        modality="classroom",
        started_on=dt.date(2025, 1, 10),
        completed_on=dt.date(2025, 1, 10),
        hours=8,
        result="passed",
        competences=["LP-CARE-AID"],
        source="scorm",
        source_ref=ref,
        training_type="FIRST-AID",
    )
    values.update(overrides)
    return services.record_completion(db.session(), **values)


def test_record_completion_is_idempotent_and_keeps_history_of_changes(passport_app):
    user_id = _learner(passport_app)
    with passport_app.app_context():
        first = _feed(user_id, "attempt-1")
        again = _feed(user_id, "attempt-1")
        assert again.id == first.id
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(PassportEntry)
                .where(PassportEntry.source == "scorm")
            )
            == 1
        )
        assert db.session.scalar(select(func.count()).select_from(EntryRevision)) == 0
        assert first.valid_until == dt.date(2027, 1, 10)  # FIRST-AID: 24 months
        assert [c.idnumber for c in first.competences] == ["LP-CARE-AID"]

        changed = _feed(user_id, "attempt-1", hours=9.5)
        assert changed.hours == Decimal("9.50")
        revision = db.session.scalars(select(EntryRevision)).one()
        assert revision.changes["hours"] == ["8.00", "9.50"]


def test_record_completion_refuses_another_learners_reference(passport_app):
    lena = _learner(passport_app)
    karim = _learner(passport_app, "learner2")
    with passport_app.app_context():
        _feed(lena, "attempt-7")
        with pytest.raises(services.PassportError):
            _feed(karim, "attempt-7")


def test_record_completion_finds_competences_by_esco_uri(passport_app):
    user_id = _learner(passport_app)
    with passport_app.app_context():
        from lti_tool.passports.models import Competence

        competence = db.session.scalars(
            select(Competence).where(Competence.idnumber == "LP-MACHINE-FORKLIFT")
        ).one()
        competence.uri = "http://data.europa.eu/esco/skill/test-forklift"
        db.session.commit()
        entry = _feed(
            user_id,
            "path-3",
            competences=["http://data.europa.eu/esco/skill/test-forklift"],
            training_type=None,
        )
        assert [c.idnumber for c in entry.competences] == ["LP-MACHINE-FORKLIFT"]
        assert entry.valid_until is None


def test_summary_totals_and_a_renewal_hides_the_old_expiry(passport_app):
    user_id = _learner(passport_app, "learner2")  # Karim: one old VCA entry from the demo
    with passport_app.app_context():
        _feed(
            user_id, "a", completed_on=dt.date(2023, 3, 1), started_on=dt.date(2023, 3, 1)
        )  # expired 2025-03-01
        _feed(
            user_id,
            "b",
            hours=2,
            competences=["LP-SAFETY-RISK", "LP-SAFETY-HEIGHT"],
            training_type=None,
            completed_on=dt.date(2026, 5, 1),
            started_on=dt.date(2026, 4, 30),
        )
        summary = overview.passport_summary(db.session(), user_id, today=TODAY)
        assert [v.entry.title for v in summary.expired] == ["First aid", "VCA basic safety"]
        assert dict(summary.hours_by_year)[2026] == Decimal("2.00")
        # An entry with two competences of one area counts its hours once for that area.
        assert dict(summary.hours_by_area)["Safety"] == Decimal("18.00")
        renewed = _feed(
            user_id, "c", completed_on=dt.date(2025, 9, 1), started_on=dt.date(2025, 9, 1)
        )
        summary = overview.passport_summary(db.session(), user_id, today=TODAY)
        assert "First aid" not in [v.entry.title for v in summary.expired]
        assert renewed.valid_until == dt.date(2027, 9, 1)


def test_linked_identities_share_one_passport(passport_app):
    lena = _learner(passport_app)
    other = launch_context(
        passport_app,
        {**OUTSIDER, "sub": "lena-on-other-lms", "name": "Lena de Vries"},
        OTHER_COURSE,
    ).user_id
    admin = _learner(passport_app, "admin")
    with passport_app.app_context():
        _feed(other, "elsewhere-1", title="Forklift", training_type="FORKLIFT")
        with pytest.raises(services.PassportError):
            identities.link_identities(db.session(), lena, lena, admin)
        identities.link_identities(db.session(), lena, other, admin)
        for uid in (lena, other):
            titles = [v.entry.title for v in overview.passport_summary(db.session(), uid).entries]
            assert "Forklift" in titles and "VCA basic safety" in titles
        with pytest.raises(services.PassportError):
            identities.link_identities(db.session(), other, lena, admin)


def test_matrix_states_filters_and_trainer_scope(passport_app):
    trainer = launch_context(passport_app, "instructor")
    karim = _learner(passport_app, "learner2")
    outsider = launch_context(passport_app, OUTSIDER, OTHER_COURSE).user_id
    with passport_app.app_context():
        session = db.session()
        matrix = course_matrix.training_matrix(session, trainer.course_id, today=dt.date.today())
        names = [t.code for t in matrix.trainings]
        assert sorted(names) == ["FIRST-AID", "HEIGHT", "VCA-BASIC"]
        by_name = {
            row.learner.name: {t.code: c.state for t, c in zip(matrix.trainings, row.cells)}
            for row in matrix.rows
        }
        assert by_name["Lena de Vries"] == {
            "VCA-BASIC": "valid",
            "FIRST-AID": "expiring",
            "HEIGHT": "missing",
        }
        assert by_name["Karim Benali"]["VCA-BASIC"] == "expired"
        assert "Olga Outsider" not in by_name
        expired_only = course_matrix.training_matrix(session, trainer.course_id, state="expired")
        assert [r.learner.name for r in expired_only.rows] == ["Karim Benali"]
        first_aid = session.scalars(
            select(TrainingType).where(TrainingType.code == "FIRST-AID")
        ).one()
        expiring_first_aid = course_matrix.training_matrix(
            session, trainer.course_id, state="expiring", training_type_id=first_aid.id
        )
        assert [r.learner.name for r in expiring_first_aid.rows] == ["Lena de Vries"]
        assert (
            course_matrix.training_matrix(session, trainer.course_id, name_contains="karim")
            .rows[0]
            .learner.id
            == karim
        )
        assert matrix.counts()["missing"] >= 3
        assert roster.trainer_may_see(session, trainer.user_id, karim)
        assert not roster.trainer_may_see(session, trainer.user_id, outsider)
        lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        assert not roster.trainer_may_see(session, lena.id, karim)  # a learner is nobody's trainer
