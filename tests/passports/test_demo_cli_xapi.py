from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import credentials, entries, erasure, errors, exports, recording
from lti_tool.passports.demo import seed_demo_passport
from lti_tool.passports.models import Credential, PassportEntry, TrainingType

from .conftest import launch_context

statements = pytest.importorskip("xapi.tables").statements


def test_demo_seeding_is_repeatable_and_gives_the_demo_learner_a_passport(passport_app):
    with passport_app.app_context():
        seed_demo_passport(people=True)
        seed_demo_passport(people=True)
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(PassportEntry)
                .where(PassportEntry.user_id == lena.id)
            )
            == 5
        )
        assert [link["title"] for link in demo.links()].count("My passport") == 1


def test_the_test_fixture_seeds_no_people(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(TrainingType)) == 5


def test_cli_adds_training_types_and_imports_frameworks(passport_app, tmp_path):
    runner = passport_app.test_cli_runner()
    result = runner.invoke(
        args=[
            "passport",
            "add-training-type",
            "--code",
            "CRANE",
            "--name",
            "Crane operator",
            "--months",
            "60",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "valid 60 months" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(args=["passport", "import-framework", str(bad)])
    assert result.exit_code != 0 and "not Moodle" in result.output
    with passport_app.app_context():
        assert (
            db.session.scalars(select(TrainingType).where(TrainingType.code == "CRANE"))
            .one()
            .validity_months
            == 60
        )


def _statements(app, verb):
    with app.app_context():
        rows = (
            db.session.execute(select(statements.c.payload).where(statements.c.verb_id == verb))
            .scalars()
            .all()
        )
        return [json.loads(p) for p in rows]


def test_passport_events_become_xapi_statements(passport_app):
    admin_ctx = launch_context(passport_app, "admin")
    launch_context(passport_app, "learner")
    base = passport_app.config["LEARNPASS"].base_url
    with passport_app.app_context():
        session = db.session()
        lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        fire = session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == lena.id, PassportEntry.title == "Fire warden"
            )
        ).one()
        vca = session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == lena.id, PassportEntry.title == "VCA basic safety"
            )
        ).one()
        expired = credentials.issue_for_entry(session, fire, base_url=base, issuer_name="learnpass")
        current = credentials.issue_for_entry(session, vca, base_url=base, issuer_name="learnpass")
        credentials.revoke(
            session,
            current,
            actor=session.get(User, admin_ctx.user_id),
            reason="test",
            base_url=base,
        )
        assert recording.record_expiries(session, base) == 1
        assert recording.record_expiries(session, base) == 0  # once per credential
        assert session.get(Credential, expired.id).expiry_recorded_at is not None
    earned = _statements(passport_app, recording.VERB_EARNED)
    assert {s["object"]["definition"]["name"]["en"] for s in earned} == {
        "Fire warden",
        "VCA basic safety",
    }
    assert earned[0]["actor"]["account"] == {"homePage": lena.issuer, "name": "demo-learner-1"}
    revoked = _statements(passport_app, recording.VERB_REVOKED)
    assert (
        len(revoked) == 1
        and revoked[0]["context"]["instructor"]["account"]["name"] == "demo-admin-1"
    )
    assert revoked[0]["object"]["id"] == f"{base}/verify/{current.public_id}"
    assert [s["object"]["id"] for s in _statements(passport_app, recording.VERB_EXPIRED)] == [
        f"{base}/verify/{expired.public_id}"
    ]


def test_cli_records_expiries(passport_app):
    with passport_app.app_context():
        session = db.session()
        lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        fire = session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == lena.id, PassportEntry.title == "Fire warden"
            )
        ).one()
        credentials.issue_for_entry(session, fire, base_url="http://x", issuer_name="learnpass")
    result = passport_app.test_cli_runner().invoke(args=["passport", "record-expiries"])
    assert result.exit_code == 0 and "1 expired credential(s) recorded" in result.output


def test_entries_without_an_end_date_get_no_credential(passport_app):
    user_id = launch_context(passport_app, "learner2").user_id
    with passport_app.app_context():
        entry = entries.add_entry(
            db.session(),
            user_id=user_id,
            actor_id=user_id,
            data=entries.EntryInput(title="Ongoing course", started_on=dt.date(2026, 1, 1)),
        )
        with pytest.raises(errors.PassportError):
            credentials.issue_for_entry(
                db.session(), entry, base_url="http://x", issuer_name="learnpass"
            )


def test_erasing_a_learner_voids_their_statements(passport_app):
    from xapi.store import StatementQuery, StatementStore

    admin = launch_context(passport_app, "admin")
    base = passport_app.config["LEARNPASS"].base_url
    with passport_app.app_context():
        session = db.session()
        lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        for title in ("Fire warden", "VCA basic safety"):
            entry = session.scalars(
                select(PassportEntry).where(
                    PassportEntry.user_id == lena.id, PassportEntry.title == title
                )
            ).one()
            credentials.issue_for_entry(session, entry, base_url=base, issuer_name="learnpass")
        karim = session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
        karim_entry = session.scalars(
            select(PassportEntry).where(PassportEntry.user_id == karim.id)
        ).one()
        credentials.issue_for_entry(session, karim_entry, base_url=base, issuer_name="learnpass")
        assert len(_statements(passport_app, recording.VERB_EARNED)) == 3

        mine = exports.personal_data(session, lena.id)["xapi_statements"]
        assert len(mine) == 2 and {s["actor"]["account"]["name"] for s in mine} == {
            "demo-learner-1"
        }

        record = erasure.erase_learner(session, lena.id, actor_id=admin.user_id, base_url=base)
        assert record.details["statements_voided"] == 2
        store = StatementStore(session)
        remaining, _more = store.query(StatementQuery(verb=recording.VERB_EARNED))
        # The voiding statements come along (they target matching statements), the voided do not.
        earned = [s for s in remaining if s["verb"]["id"] == recording.VERB_EARNED]
        assert [s["actor"]["account"]["name"] for s in earned] == ["demo-learner-2"]
        voiding = [s for s in remaining if s["verb"]["id"] == recording.VERB_VOIDED]
        assert len(voiding) == 2 and {s["object"]["objectType"] for s in voiding} == {
            "StatementRef"
        }
        assert (
            erasure.erase_learner(session, lena.id, actor_id=admin.user_id, base_url=base).details[
                "statements_voided"
            ]
            == 0
        )


def test_a_correction_revokes_the_credentials_of_the_old_details(passport_app):
    trainer = launch_context(passport_app, "instructor")
    with passport_app.app_context():
        session = db.session()
        karim = session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
        entry = session.scalars(
            select(PassportEntry).where(PassportEntry.user_id == karim.id)
        ).one()
        old = credentials.issue_for_entry(
            session, entry, base_url="http://x", issuer_name="learnpass"
        )
        data = entries.EntryInput(
            title=entry.title,
            provider=entry.provider,
            modality=entry.modality,
            started_on=entry.started_on,
            completed_on=entry.completed_on,
            hours=entry.hours,
            result="passed with distinction",
            training_type_id=entry.training_type_id,
            competence_ids=[c.id for c in entry.competences],
        )
        entries.correct_entry(session, entry, actor_id=trainer.user_id, data=data, note="typo")
        assert credentials.verify(session, old.public_id).status == "revoked"
        new = credentials.issue_for_entry(
            session, entry, base_url="http://x", issuer_name="learnpass"
        )
        assert new.public_id != old.public_id
        assert "distinction" in json.dumps(credentials.verify(session, new.public_id).document)
