"""Demo data: training types, a small competence framework, and a passport for the demo learner.

People and their entries are only made for ``learnpass demo`` itself: the test suite's fixture
seeds the demo too, and the foundation's tests count the users a launch creates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select

from ..extensions import db
from ..lti.identity import get_or_create_user
from ..models import Course, Enrolment, Platform, User
from .course_matrix import set_required_trainings
from .frameworks import import_moodle_csv
from .models import TrainingType
from .services import record_completion
from .validity import add_months

DEMO_FRAMEWORK = Path(__file__).with_name("demo_framework.csv")

TRAINING_TYPES = (
    ("VCA-BASIC", "VCA basic safety", 120),
    ("FIRST-AID", "First aid (EHBO)", 24),
    ("HEIGHT", "Working at height", 36),
    ("FIRE-WARDEN", "Fire warden (BHV)", 12),
    ("FORKLIFT", "Forklift driver", 60),
)

# The names a reader of another language sees (an administrator adds them on the names page).
TRAINING_TYPE_NAMES = {
    "VCA-BASIC": {"nl": "VCA basisveiligheid", "fr": "VCA sécurité de base", "de": "SCC Basis"},
    "FIRST-AID": {"nl": "Eerste hulp (EHBO)", "fr": "Premiers secours", "de": "Erste Hilfe"},
    "HEIGHT": {"nl": "Werken op hoogte", "fr": "Travail en hauteur", "de": "Arbeiten in der Höhe"},
    "FIRE-WARDEN": {
        "nl": "Bedrijfshulpverlening (BHV)",
        "fr": "Équipier d'intervention incendie",
        "de": "Brandschutzhelfer",
    },
    "FORKLIFT": {"nl": "Heftruckchauffeur", "fr": "Cariste", "de": "Gabelstaplerfahrer"},
}


def seed_training_types() -> dict[str, TrainingType]:
    """The demo's organisation-wide training types (every platform sees them)."""
    session = db.session()
    found = {
        t.code: t
        for t in session.scalars(select(TrainingType).where(TrainingType.platform_id.is_(None)))
    }
    for code, name, months in TRAINING_TYPES:
        if code not in found:
            found[code] = TrainingType(
                code=code, name=name, validity_months=months, names=TRAINING_TYPE_NAMES[code]
            )
            session.add(found[code])
    session.commit()
    return found


def seed_demo_passport(people: bool | None = None) -> None:
    if not inspect(db.engine).has_table(TrainingType.__tablename__):
        # A database migrated before the passport's tables had a migration: the rest of the
        # demo still starts; the passport appears once `learnpass db upgrade` creates them.
        current_app.logger.warning("passport tables missing: demo passport not seeded")
        return
    seed_training_types()
    import_moodle_csv(db.session(), DEMO_FRAMEWORK.read_text(encoding="utf-8"))
    if people is None:
        people = not current_app.testing
    if people:
        seed_demo_people()


def seed_demo_people(today: dt.date | None = None) -> User:
    """The demo learner with a passport that shows every state: valid, expiring, expired."""
    from ..demo import platform as demo

    session = db.session()
    today = today or dt.date.today()
    platform = session.scalars(select(Platform).where(Platform.issuer == demo.issuer())).first()
    assert platform is not None, "seed the demo platform first"
    course = session.scalars(
        select(Course).where(
            Course.platform_id == platform.id, Course.context_id == demo.COURSE["id"]
        )
    ).first()
    if course is None:
        course = Course(
            platform_id=platform.id,
            context_id=demo.COURSE["id"],
            title=demo.COURSE["title"],
            label=demo.COURSE["label"],
            deployment_id=demo.DEPLOYMENT_ID,
        )
        session.add(course)
    learners = {}
    for key in ("learner", "learner2"):
        info = demo.USERS[key]
        user = get_or_create_user(session, platform, info["sub"], demo.DEPLOYMENT_ID)
        if not user.name:
            user.name, user.email = info["name"], info["email"]
            user.given_name, user.family_name = info["given_name"], info["family_name"]
        learners[key] = user
    session.flush()
    for user in learners.values():
        if not session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course.id, Enrolment.user_id == user.id
            )
        ):
            session.add(
                Enrolment(
                    course_id=course.id,
                    user_id=user.id,
                    role="learner",
                    lti_roles=demo.USERS["learner"]["roles"],
                )
            )
    session.commit()
    types = seed_training_types()
    set_required_trainings(
        session, course.id, [types[c].id for c in ("VCA-BASIC", "FIRST-AID", "HEIGHT")]
    )

    lena = learners["learner"]
    samples = (
        (
            "VCA basic safety",
            "SSVV exam centre",
            "classroom",
            add_months(today, -30),
            16,
            "passed",
            ["LP-SAFETY-RISK"],
            "VCA-BASIC",
        ),
        # Completed 23 months ago with a 24-month validity: expires within the warning window.
        (
            "First aid refresher",
            "Red Cross",
            "classroom",
            add_months(today, -23),
            8,
            "passed",
            ["LP-CARE-AID"],
            "FIRST-AID",
        ),
        (
            "Fire warden",
            "BHV Nederland",
            "blended",
            add_months(today, -14),
            12,
            "passed",
            ["LP-CARE-FIRE"],
            "FIRE-WARDEN",
        ),
        (
            "Ladders and scaffolds (e-learning)",
            "learnpass",
            "online",
            add_months(today, -2),
            3.5,
            "92%",
            ["LP-SAFETY-HEIGHT", "LP-SAFETY-RISK"],
            None,
        ),
        (
            "Safe lifting",
            "learnpass",
            "online",
            add_months(today, -13),
            1.5,
            "completed",
            ["LP-SAFETY-RISK"],
            None,
        ),
    )
    for index, (
        title,
        provider,
        modality,
        done,
        hours,
        result,
        competences,
        training_type,
    ) in enumerate(samples, start=1):
        record_completion(
            session,
            user_id=lena.id,
            title=title,
            provider=provider,
            modality=modality,
            started_on=done,
            completed_on=done,
            hours=hours,
            result=result,
            competences=competences,
            source="demo",
            source_ref=f"demo-{lena.sub}-{index}",
            training_type=training_type,
            commit=False,  # all of them in one commit: the matrix is kept in step once
        )
    record_completion(
        session,
        user_id=learners["learner2"].id,
        title="VCA basic safety",
        provider="SSVV exam centre",
        modality="classroom",
        started_on=add_months(today, -130),
        completed_on=add_months(today, -130),
        hours=16,
        result="passed",
        competences=["LP-SAFETY-RISK"],
        source="demo",
        source_ref=f"demo-{learners['learner2'].sub}-1",
        training_type="VCA-BASIC",
        commit=False,
    )
    session.commit()
    if not any((link.get("custom") or {}).get("target") == "passport" for link in demo.links()):
        demo.add_link("My passport", {"target": "passport"}, None)
    return lena
