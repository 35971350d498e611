"""Training types and competence frameworks belong to a platform or to the organisation.

Platform A is the seeded demo platform, B a second registration (tests/security/conftest.py).
The demo seeds five organisation-wide types and the organisation-wide framework LP-SITE.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports import entries, services
from lti_tool.passports.frameworks import MOODLE_HEADERS
from lti_tool.passports.models import (
    Competence,
    CompetenceFramework,
    PassportEntry,
    RequiredTraining,
    TrainingType,
)
from tests.security.conftest import csrf_token, launch_as, sign_in


def _admin(app: Any, platform: str) -> Any:
    client = app.test_client()
    sign_in(client, launch_as(app, platform=platform, role="admin", sub=f"{platform}-admin"))
    return client


def _type(app: Any, code: str, platform_id: Any = "any") -> TrainingType | None:
    with app.app_context():
        query = select(TrainingType).where(TrainingType.code == code)
        if platform_id != "any":
            query = query.where(
                TrainingType.platform_id.is_(None)
                if platform_id is None
                else TrainingType.platform_id == platform_id
            )
        found = db.session.scalars(query).first()
        if found is not None:
            db.session.expunge(found)
        return found


def _save_type(client: Any, code: str, name: str, months: str, **extra: str) -> Any:
    return client.post(
        "/passport/admin/training-types",
        data={
            "csrf_token": csrf_token(client, "/passport/admin/"),
            "code": code,
            "name": name,
            "validity_months": months,
            **extra,
        },
    )


def _listed_codes(client: Any) -> dict[str, str]:
    doc = html.fromstring(client.get("/passport/admin/").get_data(as_text=True))
    return {
        li.xpath("string(code)"): li.get("data-owner")
        for li in doc.xpath('//*[@data-testid="training-type"]')
    }


def test_a_platforms_own_type_is_invisible_to_other_platforms(passport_app: Any) -> None:
    a, b = _admin(passport_app, "demo"), _admin(passport_app, "other")
    assert _save_type(a, "CRANE", "Crane operator", "60").status_code == 303
    crane = _type(passport_app, "CRANE")
    assert crane is not None and crane.platform_id is not None and crane.validity_months == 60
    assert _listed_codes(a)["CRANE"] == "platform"
    assert _listed_codes(a)["VCA-BASIC"] == "organisation"
    assert "CRANE" not in _listed_codes(b) and "VCA-BASIC" in _listed_codes(b)

    # B's trainer forms and matrix do not offer A's type.
    b_learner = launch_as(passport_app, platform="other", role="learner", sub="b-learner")
    b_trainer = passport_app.test_client()
    sign_in(b_trainer, launch_as(passport_app, platform="other", role="instructor", sub="b-tr"))
    form = b_trainer.get(f"/passport/trainer/learners/{b_learner.user_id}/entries/new")
    assert "Crane operator" not in form.get_data(as_text=True)
    assert "VCA basic safety" in form.get_data(as_text=True)
    assert "Crane operator" not in b_trainer.get("/passport/trainer/matrix").get_data(as_text=True)

    # B may have a type with the same code: its own, and A's stays as it was.
    assert _save_type(b, "CRANE", "Kraanmachinist", "24").status_code == 303
    assert _type(passport_app, "CRANE", crane.platform_id).name == "Crane operator"
    with passport_app.app_context():
        assert db.session.scalar(select(func.count()).where(TrainingType.code == "CRANE")) == 2


def test_an_organisation_wide_type_is_not_changed_from_a_platform(passport_app: Any) -> None:
    before = _type(passport_app, "VCA-BASIC")
    admin = _admin(passport_app, "other")
    for extra in ({}, {"confirm": "anything"}):
        response = _save_type(admin, "VCA-BASIC", "VCA made easy", "1", **extra)
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert 'data-testid="catalogue-refused"' in page and "VCA basic safety" in page
    after = _type(passport_app, "VCA-BASIC")
    assert (after.name, after.validity_months, after.platform_id) == (
        before.name,
        before.validity_months,
        None,
    )
    with passport_app.app_context():
        assert db.session.scalar(select(func.count()).where(TrainingType.code == "VCA-BASIC")) == 1


def test_changing_an_own_type_shows_what_changes_and_needs_a_second_post(
    passport_app: Any,
) -> None:
    admin = _admin(passport_app, "demo")
    assert _save_type(admin, "CRANE", "Crane operator", "60").status_code == 303
    crane = _type(passport_app, "CRANE")
    learner = launch_as(passport_app, platform="demo", role="learner", sub="crane-learner")
    trainer = launch_as(passport_app, platform="demo", role="instructor", sub="crane-trainer")
    with passport_app.app_context():
        entry = entries.add_entry(
            db.session(),
            user_id=learner.user_id,
            actor_id=trainer.user_id,
            data=entries.EntryInput(
                title="Crane course",
                completed_on=dt.date(2026, 1, 15),
                training_type_id=crane.id,
            ),
            platform_id=trainer.platform_id,
        )
        assert str(entry.valid_until) == "2031-01-15"
        entry_id = entry.id

    response = _save_type(admin, "CRANE", "Mobile crane operator", "36")
    assert response.status_code == 200
    doc = html.fromstring(response.get_data(as_text=True))
    changes = doc.xpath('string(//*[@data-testid="type-changes"])')
    assert "Crane operator → Mobile crane operator" in changes
    assert "60 months → 36 months" in " ".join(changes.split())
    affects = " ".join(doc.xpath('string(//*[@data-testid="type-affects"])').split())
    assert "1 training in the passports uses this type, of 1 learner." in affects
    unchanged = _type(passport_app, "CRANE")
    assert (unchanged.name, unchanged.validity_months) == ("Crane operator", 60)

    # A confirmation for another change does not apply this one.
    confirm = doc.xpath('//input[@name="confirm"]/@value')[0]
    stale = _save_type(admin, "CRANE", "Tower crane operator", "12", confirm=confirm)
    assert stale.status_code == 200 and "Tower crane operator" in stale.get_data(as_text=True)
    assert _type(passport_app, "CRANE").name == "Crane operator"

    fields = {i.name: i.value for i in doc.xpath("//form")[-1].inputs if i.name}
    assert admin.post("/passport/admin/training-types", data=fields).status_code == 303
    changed = _type(passport_app, "CRANE")
    assert (changed.name, changed.validity_months) == ("Mobile crane operator", 36)
    with passport_app.app_context():
        # A certificate keeps the validity it was granted.
        assert str(db.session.get(PassportEntry, entry_id).valid_until) == "2031-01-15"


def test_trainers_cannot_use_another_platforms_type_or_competence(passport_app: Any) -> None:
    b_admin = _admin(passport_app, "other")
    assert _save_type(b_admin, "B-ONLY", "Only at B", "12").status_code == 303
    b_type = _type(passport_app, "B-ONLY")
    framework_csv = (
        ",".join(f'"{h}"' for h in MOODLE_HEADERS)
        + "\n"
        + '"","B-FW","B framework","","1","","","","","","","","1",""\n'
        + '"","B-FW-1","B skill","","1","","","","","","","","0",""\n'
    )
    response = b_admin.post(
        "/passport/admin/frameworks",
        data={
            "csrf_token": csrf_token(b_admin, "/passport/admin/"),
            "framework": (io.BytesIO(framework_csv.encode()), "b.csv"),
        },
    )
    assert response.status_code == 303
    with passport_app.app_context():
        b_skill = db.session.scalars(
            select(Competence).where(Competence.idnumber == "B-FW-1")
        ).one()
        assert b_skill.framework.platform_id == b_type.platform_id
        b_skill_id = b_skill.id

    a_learner = launch_as(passport_app, platform="demo", role="learner", sub="a-learner")
    a_trainer = passport_app.test_client()
    ctx = sign_in(
        a_trainer, launch_as(passport_app, platform="demo", role="instructor", sub="a-trainer")
    )
    path = f"/passport/trainer/learners/{a_learner.user_id}/entries/new"
    page = a_trainer.get(path).get_data(as_text=True)
    assert "Only at B" not in page and "B skill" not in page
    token = csrf_token(a_trainer, path)
    base = {"csrf_token": token, "title": "Sneaky", "completed_on": "2026-02-01", "hours": "1"}
    response = a_trainer.post(path, data={**base, "training_type_id": str(b_type.id)})
    assert response.status_code == 400 and "Unknown training type" in response.get_data(
        as_text=True
    )
    with passport_app.app_context():
        assert db.session.scalar(select(func.count()).where(PassportEntry.title == "Sneaky")) == 0
    assert a_trainer.post(path, data={**base, "competence_ids": str(b_skill_id)}).status_code == 303
    with passport_app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == "Sneaky")
        ).one()
        assert entry.competences == []

    # Required trainings: B's type id is dropped, A's visible ones are kept.
    vca = _type(passport_app, "VCA-BASIC")
    response = a_trainer.post(
        f"/passport/trainer/courses/{ctx.course_id}/required",
        data={
            "csrf_token": csrf_token(a_trainer, "/passport/trainer/matrix"),
            "training_type_ids": [str(b_type.id), str(vca.id)],
        },
    )
    assert response.status_code == 303
    with passport_app.app_context():
        required = set(
            db.session.scalars(
                select(RequiredTraining.training_type_id).where(
                    RequiredTraining.course_id == ctx.course_id
                )
            )
        )
        assert required == {vca.id}

    # Feeds look codes up in the learner's platform's catalogue only.
    with passport_app.app_context():
        try:
            services.record_completion(
                db.session(),
                user_id=a_learner.user_id,
                title="Fed",
                provider="",
                modality="online",
                started_on=None,
                completed_on=None,
                hours=1,
                result="",
                competences=["B-FW-1"],
                source="test",
                source_ref="fed-1",
                training_type="B-ONLY",
            )
        except services.PassportError as exc:
            assert "B-ONLY" in str(exc)
        else:
            raise AssertionError("a code of another platform was accepted")


def test_frameworks_belong_to_their_platform(passport_app: Any) -> None:
    a, b = _admin(passport_app, "demo"), _admin(passport_app, "other")
    with passport_app.app_context():
        shared = db.session.scalars(
            select(CompetenceFramework).where(CompetenceFramework.idnumber == "LP-SITE")
        ).one()
        assert shared.platform_id is None
        names = {c.idnumber: c.shortname for c in shared.competences}
    hijack = (
        ",".join(f'"{h}"' for h in MOODLE_HEADERS)
        + "\n"
        + '"","LP-SITE","Renamed by B","","1","","","","","","","","1",""\n'
        + '"","LP-SAFETY","Nothing to see","","1","","","","","","","","0",""\n'
    )
    response = b.post(
        "/passport/admin/frameworks",
        data={
            "csrf_token": csrf_token(b, "/passport/admin/"),
            "framework": (io.BytesIO(hijack.encode()), "site.csv"),
        },
    )
    assert response.status_code == 403
    assert "Safe work on site" in response.get_data(as_text=True)
    with passport_app.app_context():
        shared = db.session.scalars(
            select(CompetenceFramework).where(CompetenceFramework.idnumber == "LP-SITE")
        ).one()
        assert shared.shortname == "Safe work on site"
        assert {c.idnumber: c.shortname for c in shared.competences} == names
        assert (
            db.session.scalar(select(func.count()).where(CompetenceFramework.idnumber == "LP-SITE"))
            == 1
        )
    own = hijack.replace("LP-SITE", "B-SITE")
    response = b.post(
        "/passport/admin/frameworks",
        data={
            "csrf_token": csrf_token(b, "/passport/admin/"),
            "framework": (io.BytesIO(own.encode()), "site.csv"),
        },
        follow_redirects=True,
    )
    assert "Framework Renamed by B imported" in response.get_data(as_text=True)
    assert "Renamed by B" not in a.get("/passport/admin/").get_data(as_text=True)


def test_the_command_line_changes_organisation_types_after_confirmation(
    passport_app: Any,
) -> None:
    runner = passport_app.test_cli_runner()
    args = ["passport", "add-training-type", "--code", "FORKLIFT", "--name", "Forklift"]
    result = runner.invoke(args=[*args, "--months", "36"], input="n\n")
    assert result.exit_code != 0
    assert re.search(r"validity_months: 60 -> 36", result.output), result.output
    assert _type(passport_app, "FORKLIFT").validity_months == 60
    result = runner.invoke(args=[*args, "--months", "36", "--yes"])
    assert result.exit_code == 0, result.output
    assert _type(passport_app, "FORKLIFT").validity_months == 36

    # A code a platform already uses is not taken for the whole organisation.
    assert _save_type(_admin(passport_app, "demo"), "CRANE", "Crane", "60").status_code == 303
    result = runner.invoke(args=["passport", "add-training-type", "--code", "CRANE", "--name", "C"])
    assert result.exit_code != 0 and "already have their own" in result.output


def test_upgrade_makes_the_existing_catalogue_organisation_wide(app: Any) -> None:
    """Rows from before the migration are the organisation's; an entry whose credential an
    administrator revoked (and that has no current copy) stays revoked."""
    from alembic import command
    from sqlalchemy import text

    from lti_tool.cli import alembic_config, upgrade_database

    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(), "99b3a23bdff0")  # the revision before this one
        now = "CURRENT_TIMESTAMP"
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO passport_training_type (code, name, validity_months, description)"
                    " VALUES ('VCA', 'VCA', 120, '')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO passport_competence_framework"
                    " (idnumber, shortname, description, imported_at)"
                    f" VALUES ('FW', 'Framework', '', {now})"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO lp_user (issuer, sub, name, given_name, family_name, email,"
                    f" locale, created_at) VALUES ('https://lms', 'u1', '', '', '', '', '', {now})"
                )
            )
            for title in ("revoked", "corrected", "current"):
                conn.execute(
                    text(
                        "INSERT INTO passport_entry (user_id, title, provider, modality, hours,"
                        " result, status, source, evidence_note, decision_note, added_at)"
                        " VALUES ((SELECT id FROM lp_user), :t, '', 'external', 1, '',"
                        f" 'approved', 'manual', '', '', {now})"
                    ),
                    {"t": title},
                )
            for n, (title, revoked, reason) in enumerate(
                [
                    ("revoked", True, "Exam fraud"),
                    ("corrected", True, "Replaced after a correction of the training's details."),
                    ("corrected", False, ""),
                    ("current", False, ""),
                ]
            ):
                conn.execute(
                    text(
                        "INSERT INTO passport_credential (public_id, kind, digest, entry_id,"
                        " achievement_name, issued_at, valid_from, kid, token, revoked_at,"
                        " revoke_reason)"
                        " VALUES (:p, 'entry', '', (SELECT id FROM passport_entry WHERE title = :t),"
                        f" :t, {now}, {now}, 'k', '', " + (now if revoked else "NULL") + ", :r)"
                    ),
                    {"p": f"public-{n}", "t": title, "r": reason},
                )
        upgrade_database()
        with db.engine.connect() as conn:
            owners = conn.execute(
                text(
                    "SELECT platform_id FROM passport_training_type UNION ALL"
                    " SELECT platform_id FROM passport_competence_framework"
                )
            ).all()
            revoked = dict(
                conn.execute(
                    text("SELECT title, credential_revoked_at IS NOT NULL FROM passport_entry")
                ).all()
            )
    assert owners == [(None,), (None,)]
    assert {title: bool(flag) for title, flag in revoked.items()} == {
        "revoked": True,
        "corrected": False,
        "current": False,
    }
