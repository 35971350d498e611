"""What the catalogue's browser tests share: a phone-size context that watches the content
security policy, and the demo trainer made a person of the provider "ocg"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_tool.catalogue import providers
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from tests.browser.conftest import VIEWPORTS, watch_csp

from .helpers import provider

TIMEOUT = 30_000


def phone_context(browser: Any, live_server: Any, locale: str) -> Any:
    context = browser.new_context(base_url=live_server.url, locale=locale, **VIEWPORTS["phone"])
    context.set_default_timeout(TIMEOUT)
    watch_csp(context)
    return context


def make_member(app: Any) -> None:
    """The demo trainer (Tom Peeters) becomes one of the people of Opleidingscentrum Gent."""
    with app.app_context():
        session = db.session()
        person = session.scalar(select(User).where(User.sub == demo.USERS["instructor"]["sub"]))
        assert person is not None
        providers.add_member(session, provider(session), person)
        session.commit()
