"""Report data with offers (tests/surveys/analysis_data.py's surveys, plus): a framework whose
MIG welding and Reading drawings are the surveys' competence items, a learning path of the
course, a training type naming MIG welding, a published catalogue offer covering it and a draft
that must never show; the rated learners of the identified survey are the course's learners,
except rated-3 (who needs MIG welding)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_tool.blended.path_models import BlendedPath
from lti_tool.catalogue import offers as catalogue_offers
from lti_tool.catalogue import providers
from lti_tool.extensions import db
from lti_tool.models import Enrolment, User
from lti_tool.passports.models import Competence, CompetenceFramework, TrainingType
from lti_tool.surveys.models import SurveyQuestion

from .analysis_data import seed_manager_pairs, seed_report_data


def seed_matching() -> Any:
    """Call inside an app context of the seeded (demo) app."""
    seeded = seed_report_data()
    seed_manager_pairs(seeded)
    framework = CompetenceFramework(
        platform_id=seeded.platform_id, idnumber="WELD", shortname="Welding"
    )
    mig = Competence(framework=framework, idnumber="MIG", shortname="MIG welding")
    draw = Competence(framework=framework, idnumber="DRAW", shortname="Reading drawings")
    db.session.add_all([framework, mig, draw])
    db.session.flush()
    for question in db.session.scalars(select(SurveyQuestion)):
        question.competence_id = {"c1": mig.id, "c2": draw.id}.get(question.key)
    path = BlendedPath(
        platform_id=seeded.platform_id,
        course_id=seeded.course_id,
        title={"en": "Welding path", "nl": "Lastraject"},
    )
    own_type = TrainingType(
        platform_id=seeded.platform_id, code="MIG-1", name="MIG basics", competence_id=mig.id
    )
    db.session.add_all([path, own_type])
    # Catalogue: a published offer covering MIG welding, and a draft that must not show.
    provider, _made = providers.add_provider(
        db.session(), providers.ProviderInput("ocg", "Opleidingscentrum Gent")
    )
    published = catalogue_offers.create_offer(
        db.session(),
        provider.id,
        catalogue_offers.OfferInput(titles={"en": "MIG course"}, competence_ids=[mig.id]),
        user_id=None,
    )
    catalogue_offers.publish_offer(db.session(), published, user_id=None)
    catalogue_offers.create_offer(
        db.session(),
        provider.id,
        catalogue_offers.OfferInput(titles={"en": "Draft MIG"}, competence_ids=[mig.id]),
        user_id=None,
    )
    # The rated learners are the course's learners (the group takes only those).
    for user in db.session.scalars(select(User).where(User.sub.like("rated-%"))):
        if user.sub != "rated-3":  # one who needs it is not in the course
            db.session.add(Enrolment(course_id=seeded.course_id, user_id=user.id, role="learner"))
    db.session.commit()
    seeded.mig, seeded.draw, seeded.path = mig.id, draw.id, path.id
    seeded.published = published.id
    return seeded
