"""Flask's JSON provider with a depth limit, so every ``request.get_json`` in the tool (the SCORM
run-time API, the demo platform) refuses deeply nested bodies with 400 instead of recursing.

``xapi.safe_json.JsonTooDeep`` is a ValueError: ``get_json()`` answers 400 with the reason and
``get_json(silent=True)`` gives None, which the routes already refuse with a reason of their own.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from xapi import safe_json


class DepthLimitedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        safe_json.check_depth(s)
        return super().loads(s, **kwargs)
