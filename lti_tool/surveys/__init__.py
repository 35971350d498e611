"""Training-needs surveys: competence self-assessments and company scans, answered by learners in
a course or by invitees in no LMS, identified or anonymous (docs/surveys.md).

Importing the package registers its tables, its Deep Linking placement and its home links; the
launch layer never imports it.
"""

from __future__ import annotations

from . import answer_routes as _answer_routes  # noqa: F401  (a learner answers)
from . import authoring_routes as _authoring_routes  # noqa: F401  (making surveys)
from . import display as _display  # noqa: F401  (template filters)
from . import draft_cleanup as _draft_cleanup  # noqa: F401  (the old-drafts job)
from . import editor_question_routes as _editor_question_routes  # noqa: F401  (questions)
from . import editor_routes as _editor_routes  # noqa: F401  (building a survey in the tool)
from . import erasure as _erasure  # noqa: F401  (what an erase removes)
from . import invitation_routes as _invitation_routes  # noqa: F401  (links for invitees)
from . import manager_routes as _manager_routes  # noqa: F401  (a manager rates a learner)
from . import models as _models  # noqa: F401  (registers the surveys' tables)
from . import offer_links as _offer_links  # noqa: F401  (the tool's offers per competence)
from . import offer_routes as _offer_routes  # noqa: F401  (linking offers, groups for a path)
from . import report_routes as _report_routes  # noqa: F401  (the report pages)
from . import rounds_exports as _rounds_exports  # noqa: F401  (before and after as files)
from . import rounds_routes as _rounds_routes  # noqa: F401  (before and after)
from .blueprint import bp
from .placements import register_survey_placements

register_survey_placements()

__all__ = ["bp"]
