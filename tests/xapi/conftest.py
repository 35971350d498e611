"""Fixtures for the xAPI tests."""

from __future__ import annotations

from typing import Any

import pytest

from .builders import make_client


@pytest.fixture
def headers(app: Any) -> dict[str, str]:
    """HTTP headers (Basic auth + version) of an LRS client with the ``all`` scope."""
    return make_client(app, ["all"])
