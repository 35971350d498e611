"""The training passport: every learner's record of training, its exports and verification.

Importing the package registers its tables (on the tool's ``Base``), its Deep Linking placement,
its pages (one routes module per audience, all on one blueprint) and, through the blueprint, its
demo data.
"""

from __future__ import annotations

from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _

from ..extensions import db
from ..jobs import register_job
from ..lti.context import LaunchContext
from ..lti.placements import Placement, register_provider, register_target
from ..main import HomeLink, register_home_link
from . import (  # noqa: F401  (each attaches its pages to the blueprint)
    admin_routes,
    company_place_routes,
    company_routes,
    display,
    document_routes,
    group_routes,
    hr_routes,
    learner_routes,
    names_routes,
    trainer_routes,
    verify_routes,
)
from .blueprint import bp
from .companies import is_hr_somewhere
from .reminders import run_reminders


def _placements(ctx: LaunchContext) -> list[Placement]:
    return [
        Placement(
            "passport", _("My passport"), _("Every learner's own record of training, with exports")
        )
    ]


register_provider(_placements)
register_home_link(
    HomeLink(
        "passports.my_passport",
        lambda: _("My training passport"),
        lambda: _("All your training, hours and certificates"),
    )
)
register_home_link(
    HomeLink(
        "passports.trainer_home",
        lambda: _("Learners' passports"),
        lambda: _("Who has which training, and what expires"),
        role="instructor",
    )
)
register_home_link(
    HomeLink(
        "passports.admin_home",
        lambda: _("Passport settings"),
        lambda: _("Training types, competences, credentials"),
        role="admin",
    )
)
register_home_link(
    HomeLink(
        "passports.hr_home",
        lambda: _("Our people's training"),
        lambda: _("Your company's people: who has which training, and what expires"),
        shown_if=lambda ctx: is_hr_somewhere(),
    )
)
register_target("passport", lambda _rest: url_for("passports.my_passport"))


@bp.record_once
def _add_demo_seeder(state: BlueprintSetupState) -> None:
    from .demo import seed_demo_passport

    state.app.extensions.setdefault("learnpass_demo_seeders", []).append(seed_demo_passport)


__all__ = ["bp"]

# Expiry reminders by e-mail, each entry once per expiry date (``reminders``).
register_job("passport-expiry-reminders", run_reminders, every_seconds=3600)


def _refresh_matrix() -> object:
    from .matrix_learners import refresh_all

    session = db.session()
    count = refresh_all(session)
    session.commit()
    return count


# The matrix's learner rows written again from the cells each day (``matrix_learners``): a
# repair, and the learners whose trainings expired with time move.
register_job("passport-matrix", _refresh_matrix, every_seconds=24 * 3600)
