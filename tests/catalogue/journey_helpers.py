"""Helpers of the catalogue's end-to-end journey in Chromium (test_catalogue_journey_browser.py and
test_catalogue_journey2_browser.py): the people of the journey (two providers' people, HR of a
company), the providers and their people made with the network admin's CLI, the competences the
offers and the needs analysis share, a provider's feed served on loopback, and the jobs runner's
turn of the feed job."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.jobs import registered_jobs
from lti_tool.passports.models import Competence, CompetenceFramework
from tests.browser.conftest import VIEWPORTS, watch_csp

from ..conftest import free_port

WAIT = 30_000
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

# Two people of the demo platform besides the demo's own: provider B's person and a company's HR.
PEOPLE = {
    "provider-b": {
        "sub": "demo-provider-b",
        "name": "Marie Lambert",
        "given_name": "Marie",
        "family_name": "Lambert",
        "email": "marie@example.org",
        "roles": [INSTRUCTOR],
    },
    "hr": {
        "sub": "demo-hr-1",
        "name": "Eva Maes",
        "given_name": "Eva",
        "family_name": "Maes",
        "email": "eva@example.org",
        "roles": [LEARNER],
    },
}

# Provider A (the demo trainer, Tom Peeters, publishes by form) and provider B (Marie Lambert:
# a CSV file through the import page, and a feed).
PROVIDER_A = ("ocg", "Opleidingscentrum Gent")
PROVIDER_B = ("vca", "Vormingscentrum Antwerpen")
WEBSITE_B = "https://vorming.example"


def add_people(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo platform launches the journey's extra people too (for this test only)."""
    for key, person in PEOPLE.items():
        monkeypatch.setitem(demo.USERS, key, person)


def cli(runner: Any, *args: str) -> str:
    """Run a ``learnpass`` command as the network admin does; its output."""
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return str(result.output)


def add_provider(runner: Any, provider: tuple[str, str], user: str, *options: str) -> None:
    """The network admin adds the provider (``options``: more of ``provider add``'s options) and
    names the demo user ``user`` (who has launched once) one of its people, with the documented
    commands."""
    code, name = provider
    added = cli(runner, "catalogue", "provider", "add", "--code", code, "--name", name, *options)
    assert "added provider" in added
    with runner.app.app_context():
        issuer = demo.issuer()
    sub = demo.USERS[user]["sub"]
    cli(runner, "catalogue", "member", "add", "--provider", code, "--issuer", issuer, "--sub", sub)


def seed_competences() -> dict[str, int]:
    """A framework of the passport that every provider sees (no platform of its own): MIG welding
    and Reading drawings, the competences of the offers and of the needs analysis. Call inside an
    app context."""
    framework = CompetenceFramework(idnumber="WELD", shortname="Welding")
    mig = Competence(framework=framework, idnumber="MIG", shortname="MIG welding")
    draw = Competence(framework=framework, idnumber="DRAW", shortname="Reading drawings")
    db.session.add_all([framework, mig, draw])
    db.session.commit()
    return {"MIG": mig.id, "DRAW": draw.id}


def new_page(browser: Any, base_url: str, viewport: str, locale: str = "en-GB") -> Any:
    """A fresh browser context (one person's browser) at the named screen size."""
    context = browser.new_context(base_url=base_url, locale=locale, **VIEWPORTS[viewport])
    context.set_default_timeout(WAIT)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = viewport
    return page


def launch(page: Any, user: str) -> None:
    """``user`` opens learnpass from the demo platform (its start page)."""
    page.goto(f"/demo/start?user={user}")
    page.wait_for_url(re.compile(r"/home$"))


def offer_jsonld(page: Any) -> dict[str, Any]:
    """The schema.org data the offer page embeds for search engines."""
    script = page.locator('script[type="application/ld+json"]')
    found: dict[str, Any] = json.loads(script.text_content() or "{}")
    return found


def run_feed_job(app: Any) -> None:
    """One turn of the jobs runner's catalogue feed job, in an app context as ``run_due`` runs it
    (``learnpass jobs run``)."""
    job = next(j for j in registered_jobs() if j.name == "catalogue-feeds")
    with app.app_context():
        try:
            assert job.run() == 1  # the one feed that is due was read
        finally:
            db.session.remove()


class FeedServer:
    """Provider B's own web site on loopback: serves the feed the test puts there."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.paths: list[str] = []
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def put(self, path: str, body: str, kind: str) -> str:
        self.bodies[path] = (body.encode("utf-8"), kind)
        return f"http://127.0.0.1:{self.port}{path}"

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.paths.append(request.path)
        body, kind = self.bodies.get(request.path, (b"not here", "text/plain"))
        status = 200 if request.path in self.bodies else 404
        response = Response(body, status=status, content_type=kind)
        if status == 200:
            response.add_etag()
            response = response.make_conditional(request)
        return response(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()
