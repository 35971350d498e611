"""Blended learning: paths that mix online and classroom steps, sessions with booking and
attendance, and one progress picture across both.

Importing the package registers its tables, its Deep Linking placements, its step kinds and its
home links; the launch layer never imports it.
"""

from __future__ import annotations

from . import (  # noqa: F401  (routes, placements, step kind, after-launch callback)
    attendance_export_routes,
    attendance_risks,
    attendance_routes,
    checkin_routes,
    session_calendar_routes,
    session_links,
    session_risks,
    session_routes,
)
from . import path_builder as _path_builder  # noqa: F401  (the trainer's builder pages)
from . import path_erasure as _path_erasure  # noqa: F401  (what an erase removes)
from . import path_models as _path_models  # noqa: F401  (registers the paths' tables)
from . import path_routes as _path_routes  # noqa: F401  (the paths' pages)
from .blueprint import bp
from .path_kinds import register_path_kinds
from .path_placements import register_path_placements
from .path_results import register_path_results

register_path_kinds()
register_path_placements()
register_path_results()

__all__ = ["bp"]
