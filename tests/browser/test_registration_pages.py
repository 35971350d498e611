"""The page a person meets when Dynamic Registration fails: plain, translated, accessible."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from lti_tool.lti.registration import create_invite

from ..conftest import free_port
from .conftest import check_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "learnpass could not be registered"), ("de", "learnpass konnte nicht registriert")],
)
def test_a_failed_registration_says_what_to_do(
    app: Any, page: Any, lang: str, heading: str
) -> None:
    with app.app_context():
        invite = create_invite()
    query = {
        "invite": invite,
        "openid_configuration": f"http://127.0.0.1:{free_port()}/config",  # nobody listens
        "lang": lang,
    }
    response = page.goto("/lti/register?" + urlencode(query))
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading, timeout=30_000)
    expect(page.get_by_role("alert")).to_contain_text("platform invite", timeout=30_000)
    check_page(page, f"register-failed-{lang}")
