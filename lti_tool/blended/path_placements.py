"""Learning paths in the course: Deep Linking places ``path:<id>`` (graded, a line item per path),
the launch opens the learner's path (trainers land on the builder), and the start page links to
the learner's paths and the trainer's list."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import LaunchContext, current_launch
from ..lti.placements import Placement, register_provider, register_target
from ..main import HomeLink, register_home_link
from .paths import localized, paths_of_course


def path_placements(ctx: LaunchContext) -> list[Placement]:
    if not ctx.is_instructor or ctx.course_id is None:
        return []
    locale = (ctx.locale or "en")[:2]
    return [
        Placement(
            target=f"path:{path.id}",
            title=localized(path.title, locale),
            description=_("Learning path: online and classroom steps"),
            graded=True,
            score_maximum=100.0,
        )
        for path in paths_of_course(db.session(), ctx.course_id)
    ]


def _path_url(rest: str) -> str:
    if not rest.isdigit():
        return url_for("blended.my_paths")
    ctx = current_launch()
    if ctx is not None and ctx.is_instructor:
        return url_for("blended.edit_path", path_id=int(rest))
    return url_for("blended.my_path", path_id=int(rest))


def register_path_placements() -> None:
    register_provider(path_placements)
    register_target("path", _path_url)
    register_home_link(
        HomeLink(
            "blended.my_paths",
            lambda: _("My learning paths"),
            lambda: _("Your steps online and in the classroom, and what comes next"),
        )
    )
    register_home_link(
        HomeLink(
            "blended.path_list",
            lambda: _("Learning paths"),
            lambda: _("Build paths of online and classroom steps, follow your learners"),
            role="instructor",
        )
    )
