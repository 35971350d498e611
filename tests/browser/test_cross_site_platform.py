"""The demo platform at another site than the tool (http://localhost vs http://127.0.0.1), as a
real LMS is: a top-level launch posts across sites and still finds its login cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from lti_tool.extensions import db
from tests.conftest import free_port, make_app, reset_database

pytestmark = pytest.mark.browser


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    port = free_port()
    app = make_app(database_url, tmp_path, port=port, demo_platform_url=f"http://localhost:{port}")
    reset_database(app)
    with app.app_context():
        from lti_tool.demo.seed import seed_demo

        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()


def test_top_level_launch_from_a_platform_on_another_site(page, live_server):
    page.goto(f"http://localhost:{live_server.port}/demo/")
    page.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/home$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lena de Vries")
