"""learnpass: an LTI 1.3 tool for workforce training.

The app is built by ``create_app`` (``lti_tool.app``). It is imported on first use, not with the
package, so that a command which only reads a few rows (``learnpass scorm list``) answers without
importing Flask and every feature (``lti_tool.quick_commands``).
"""

from __future__ import annotations

from typing import Any

_FROM_APP = ("create_app", "select_locale", "SUPPORTED_LOCALES", "_library_metadatas")


def __getattr__(name: str) -> Any:
    if name in _FROM_APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'lti_tool' has no attribute {name!r}")
