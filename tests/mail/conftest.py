"""An app on an emptied database whose mail goes to the loopback SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from lti_tool.extensions import db
from lti_tool.models import User
from tests.conftest import make_app, reset_database
from tests.smtp_server import SmtpServer


@pytest.fixture
def mail_app(database_url: str, tmp_path: Any, smtp_server: SmtpServer) -> Iterator[Any]:
    app = make_app(database_url, tmp_path, **smtp_server.settings)
    reset_database(app)
    yield app
    with app.app_context():
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()


def add_person(name: str = "Lena de Vries", email: str = "lena@example.org") -> User:
    """A person the tool knows (committed), as a launch would leave them."""
    user = User(
        issuer="https://lms.example.org",
        client_id="c1",
        sub="sub-" + uuid.uuid4().hex[:8],
        name=name,
        email=email,
        locale="nl",
    )
    db.session.add(user)
    db.session.commit()
    return user
