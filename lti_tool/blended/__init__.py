"""Blended learning: paths that mix online and classroom steps, sessions with booking and
attendance, and one progress picture across both.

Importing the package registers its tables, its Deep Linking placements, its step kinds and its
home links; the launch layer never imports it.
"""

from __future__ import annotations

from . import (  # noqa: F401  (routes, placements, step kind, after-launch callback)
    attendance_export_routes,
    attendance_routes,
    checkin_routes,
    session_calendar_routes,
    session_links,
    session_routes,
)
from .blueprint import bp

__all__ = ["bp"]
