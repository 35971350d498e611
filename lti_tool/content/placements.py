"""Imported packages as Deep Linking placements: a trainer adds one to a course as a graded link."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from learning_packages.listing import list_packages
from learning_packages.structure import AICC, CMI5, SCORM_12, SCORM_2004

from ..extensions import db
from ..lti.context import LaunchContext
from ..lti.placements import Placement, register_provider, register_target

# The kinds the player plays (routes.play). A kind that imports but cannot play yet is never
# offered: a trainer would place a link that shows learners an error page.
PLAYABLE_KINDS = frozenset({SCORM_12, SCORM_2004, CMI5, AICC})


def scorm_placements(ctx: LaunchContext) -> list[Placement]:
    if not ctx.is_instructor:
        return []
    return [
        Placement(
            target=f"scorm:{package.id}",
            title=package.title,
            description=_("E-learning package (%(kind)s)", kind=package.kind),
            graded=True,
            score_maximum=100.0,
        )
        # Only the trainer's platform's packages and the organisation-wide ones.
        for package in list_packages(db.session(), tenant=ctx.issuer)
        if package.kind in PLAYABLE_KINDS
    ]


def _player_url(rest: str) -> str:
    if not rest.isdigit():
        return url_for("main.home")
    return url_for("content.play", package_id=int(rest))


register_provider(scorm_placements)
register_target("scorm", _player_url)
