"""SCORM content: the admin's import page, the learner's player, and the run-time endpoints.

The parsing, storage and attempt logic live in the ``learning_packages`` library; this package is
its HTTP face.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..main import HomeLink, register_home_link
from . import aicc as _aicc  # noqa: F401  (the AICC HACP endpoint, on the content origin)
from . import erasure as _erasure  # noqa: F401  (registers what an erase removes)
from . import placements as _placements  # noqa: F401  (registers what Deep Linking can place)
from . import refusals as _refusals  # noqa: F401  (a refusal in the reader's language)
from . import runtime_api as _runtime_api  # noqa: F401  (the run-time's JSON endpoints)
from .blueprint import bp
from .files import bp as files_bp
from .routes import bp as _pages  # noqa: F401  (admin, player and cmi5 pages)

register_home_link(
    HomeLink(
        "content.admin",
        lambda: _("SCORM packages"),
        lambda: _("Import e-learning packages for the courses"),
        role="admin",
    )
)

__all__ = ["bp", "files_bp"]
