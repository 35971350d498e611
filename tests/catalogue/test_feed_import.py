"""A provider's feed read into the catalogue for real: served by a web server on loopback, fetched
through the guarded session by the jobs runner's function or the "read now" button, its offers
published and withdrawn as it says, and never a withdrawal from a feed that failed or refused a
row. Two instances never read one feed twice in a turn."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.catalogue import providers
from lti_tool.catalogue.feed_import import (
    FeedSettingRefused,
    read_due_feeds,
    run_feed,
    set_feed,
    take,
)
from lti_tool.catalogue.models import CatalogueFeedRun, CatalogueOffer, CatalogueProvider
from lti_tool.extensions import db
from lti_tool.models import User, utcnow
from tests.security.conftest import csrf_token, launch_as, sign_in

from ..conftest import free_port, seeded_app
from .helpers import offer, provider

HEADER = "offer_ref,provider,format,title_nl,title_de,languages,hours,status\n"
TWO = (
    "LAS-1,Somebody Else,classroom,Lassen,Schweißen,nl|de,16,published\n"
    "HEF-2,Somebody Else,online,Heftruck,Gabelstapler,nl,4,published\n"
)
REFUSED_ROW = "BAD-3,Somebody Else,spaceship,Ruimtevaart,,nl,1,published\n"


class Feeds:
    """The provider's web server: each path answers what the test put there, with an ETag."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[int, bytes, str]] = {}
        self.hits: list[dict[str, str]] = []
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def put(self, path: str, body: str, status: int = 200, kind: str = "text/csv") -> str:
        self.bodies[path] = (status, body.encode("utf-8"), kind)
        return f"http://127.0.0.1:{self.port}{path}"

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append({"path": request.path, **{k.lower(): v for k, v in request.headers}})
        status, body, kind = self.bodies.get(request.path, (404, b"gone", "text/plain"))
        response = Response(body, status=status, content_type=kind)
        if status == 200:
            response.add_etag()
            response = response.make_conditional(request)
        return response(environ, start_response)


@pytest.fixture(scope="module")
def feeds() -> Iterator[Feeds]:
    running = Feeds()
    yield running
    running.server.shutdown()
    running.thread.join(5)


def _mine(app: Any) -> int:
    with app.app_context():
        session = db.session()
        made = provider(session)
        session.commit()
        return int(made.id)


def _offers(app: Any) -> dict[str, str]:
    with app.app_context():
        return {
            o.ref or f"form:{o.titles.get('nl')}": o.status
            for o in db.session.scalars(select(CatalogueOffer))
        }


def _due_again(app: Any, provider_id: int) -> None:
    with app.app_context():
        found = db.session.get(CatalogueProvider, provider_id)
        assert found is not None
        found.feed_next_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()


def _runs(app: Any, provider_id: int) -> list[CatalogueFeedRun]:
    with app.app_context():
        found = db.session.scalars(
            select(CatalogueFeedRun)
            .where(CatalogueFeedRun.provider_id == provider_id)
            .order_by(CatalogueFeedRun.id)
        ).all()
        db.session.expunge_all()
        return list(found)


def test_the_job_reads_a_feed_publishes_its_offers_and_asks_again_conditionally(
    app: Any, feeds: Feeds
) -> None:
    mine = _mine(app)
    url = feeds.put("/a.csv", HEADER + TWO)
    with app.app_context():
        session = db.session()
        found = session.get(CatalogueProvider, mine)
        set_feed(session, found, url, 24)
        # An offer made with the form has no key: a feed never touches it.
        offer(session, found, {"nl": "Eigen cursus"})
        session.commit()
    with app.app_context():
        assert read_due_feeds() == 1
        assert read_due_feeds() == 0  # read for today: next turn in 24 hours
    assert _offers(app) == {
        "LAS-1": "published",
        "HEF-2": "published",
        "form:Eigen cursus": "published",
    }
    _due_again(app, mine)
    with app.app_context():
        assert read_due_feeds() == 1
    runs = _runs(app, mine)
    assert [(r.rows_read, r.created, r.updated, r.not_modified) for r in runs] == [
        (2, 2, 0, False),
        (0, 0, 0, True),
    ]
    assert feeds.hits[-1]["if-none-match"]  # the second reading was conditional
    with app.app_context():
        found = db.session.get(CatalogueProvider, mine)
        assert found is not None and found.feed_next_at is not None
        assert found.feed_next_at > utcnow() + dt.timedelta(hours=23)


def test_a_complete_feed_withdraws_what_it_no_longer_lists_and_a_refused_row_stops_that(
    app: Any, feeds: Feeds
) -> None:
    mine = _mine(app)
    url = feeds.put("/b.csv", HEADER + TWO)
    with app.app_context():
        session = db.session()
        found = session.get(CatalogueProvider, mine)
        set_feed(session, found, url, 24)
        session.commit()
        run_feed(session, found)
        session.commit()
    # One offer gone and a refused row: the feed is not the whole list, nothing is withdrawn.
    feeds.put("/b.csv", HEADER + TWO.splitlines(keepends=True)[0] + REFUSED_ROW)
    with app.app_context():
        session = db.session()
        run = run_feed(session, session.get(CatalogueProvider, mine))
        session.commit()
        assert (run.updated, run.withdrawn) == (1, 0)
        assert [(e["row"], e["ref"]) for e in run.refused] == [(3, "BAD-3")]
    assert _offers(app) == {"LAS-1": "published", "HEF-2": "published"}
    # The same without the refused row: HEF-2 is withdrawn, not deleted.
    feeds.put("/b.csv", HEADER + TWO.splitlines(keepends=True)[0])
    with app.app_context():
        session = db.session()
        run = run_feed(session, session.get(CatalogueProvider, mine))
        session.commit()
        assert (run.updated, run.withdrawn, run.refused) == (1, 1, [])
    assert _offers(app) == {"LAS-1": "published", "HEF-2": "withdrawn"}


@pytest.mark.parametrize(
    ("status", "body", "kind", "reason"),
    [
        (500, "oops", "text/plain", "the feed answered HTTP 500"),
        (200, "<html>Our courses</html>", "text/html", "neither CSV nor JSON-LD"),
        (200, '{"@type": "Course", ', "application/ld+json", ""),
        (200, HEADER, "text/csv", "the feed holds no offers"),
    ],
)
def test_a_broken_feed_changes_nothing(
    app: Any, feeds: Feeds, status: int, body: str, kind: str, reason: str
) -> None:
    mine = _mine(app)
    url = feeds.put("/c.csv", HEADER + TWO)
    with app.app_context():
        session = db.session()
        found = session.get(CatalogueProvider, mine)
        set_feed(session, found, url, 24)
        run_feed(session, found)
        session.commit()
        etag = found.feed_etag
    feeds.put("/c.csv", body, status, kind)
    with app.app_context():
        session = db.session()
        found = session.get(CatalogueProvider, mine)
        run = run_feed(session, found)
        session.commit()
        assert run.error_template and reason in run.error_template % run.error_params
        assert found.feed_etag == etag  # asked again next time, not skipped as unchanged
    assert _offers(app) == {"LAS-1": "published", "HEF-2": "published"}


def test_a_feed_on_a_private_address_is_refused_unless_the_admin_allows_it(
    database_url: str, tmp_path: Any, feeds: Feeds
) -> None:
    url = feeds.put("/d.csv", HEADER + TWO)
    for app in seeded_app(database_url, tmp_path, outgoing_allow_private=False):
        mine = _mine(app)
        with app.app_context():
            session = db.session()
            found = session.get(CatalogueProvider, mine)
            set_feed(session, found, url, 24)
            run = run_feed(session, found)
            session.commit()
            assert run.error_template.startswith("the feed address is refused")
        assert _offers(app) == {}


def test_two_instances_never_read_one_feed_twice_in_a_turn(app: Any, feeds: Feeds) -> None:
    mine = _mine(app)
    url = feeds.put("/e.csv", HEADER + TWO)
    with app.app_context():
        first = db.session()
        found = first.get(CatalogueProvider, mine)
        set_feed(first, found, url, 6)
        first.commit()
        assert db.engine is not None
        with Session(db.engine) as second:
            seen_by_second = second.get(CatalogueProvider, mine)
            assert seen_by_second is not None
            now = utcnow()
            assert take(first, found, now) is True
            assert take(second, seen_by_second, now) is False


@pytest.mark.parametrize(
    ("url", "every", "problem"),
    [
        ("ftp://example.org/offers.csv", 24, "starts with https://"),
        ("https://user:secret@example.org/offers.csv", 24, "user name or password"),
        ("https://example.org/" + "x" * 1100, 24, "too long"),
        ("https://example.org/offers.csv", 5, "from the list"),
    ],
)
def test_feed_settings_refuse_bad_addresses(app: Any, url: str, every: int, problem: str) -> None:
    mine = _mine(app)
    with app.test_request_context():  # the reasons are for the provider's page, translated
        session = db.session()
        with pytest.raises(FeedSettingRefused, match=problem):
            set_feed(session, session.get(CatalogueProvider, mine), url, every)


@pytest.fixture
def people(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    outsider = launch_as(app, platform="demo", role="instructor", sub="outsider-1")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        providers.add_member(session, mine, session.get(User, editor.user_id))
        theirs = provider(session, "other", "Other Provider")
        providers.add_member(session, theirs, session.get(User, outsider.user_id))
        session.commit()
        return {"editor": editor, "outsider": outsider, "provider": mine.id, "other": theirs.id}


def test_the_feed_page_sets_the_feed_reads_it_now_and_shows_the_report(
    app: Any, client: Any, feeds: Feeds, people: dict[str, Any]
) -> None:
    url = feeds.put("/f.csv", HEADER + TWO + REFUSED_ROW)
    page = f"/catalogue/provider/{people['provider']}/feed"
    sign_in(client, people["editor"])
    assert client.get(page).status_code == 200
    # Without the form's token nothing is saved.
    assert client.post(page, data={"url": url, "every": "24"}).status_code == 400
    refused = client.post(
        page,
        data={
            "url": "https://me:pw@example.org/x",
            "every": "24",
            "csrf_token": csrf_token(client, page),
        },
    )
    assert refused.status_code == 400
    assert "user name or password" in refused.get_data(as_text=True)
    saved = client.post(
        page, data={"url": url, "every": "6", "csrf_token": csrf_token(client, page)}
    )
    assert saved.status_code == 302
    read = client.post(page + "/read", data={"csrf_token": csrf_token(client, page)})
    assert read.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "3 offers read: 2 new, 0 updated, 0 withdrawn." not in shown  # one row was refused
    assert "2 offers read: 2 new, 0 updated, 0 withdrawn." in shown
    assert "BAD-3" in shown and "Refused, so nothing was withdrawn" in shown
    assert _offers(app) == {"LAS-1": "published", "HEF-2": "published"}
    # The people of another provider find no such page, and cannot read the feed.
    sign_in(client, people["outsider"])
    assert client.get(page).status_code == 404
    assert (
        client.post(
            page + "/read",
            data={"csrf_token": csrf_token(client, f"/catalogue/provider/{people['other']}/feed")},
        ).status_code
        == 404
    )


def test_a_json_ld_file_imports_as_drafts_and_the_export_reads_back(
    app: Any, client: Any, people: dict[str, Any]
) -> None:
    sign_in(client, people["editor"])
    mine = people["provider"]
    path = f"/catalogue/provider/{mine}/import"
    csv_upload = {"file": (io.BytesIO((HEADER + TWO).encode()), "offers.csv")}
    client.post(path, data={**csv_upload, "csrf_token": csrf_token(client, path)})
    exported = client.get(f"/catalogue/provider/{mine}/offers.jsonld")
    assert exported.status_code == 200 and exported.mimetype == "application/ld+json"
    document = json.loads(exported.get_data(as_text=True))
    assert {course["courseCode"] for course in document["@graph"]} == {"LAS-1", "HEF-2"}
    # Renamed in the JSON-LD and imported again: the same two offers change, no new ones.
    text = exported.get_data(as_text=True).replace("Lassen", "Lassen en snijden")
    upload = {"file": (io.BytesIO(text.encode()), "offers.jsonld")}
    page = client.post(path, data={**upload, "csrf_token": csrf_token(client, path)})
    assert page.status_code == 200
    assert "New drafts: 0. Offers updated: 2." in page.get_data(as_text=True)
    with app.app_context():
        titles = {o.ref: o.titles["nl"] for o in db.session.scalars(select(CatalogueOffer))}
    assert titles == {"LAS-1": "Lassen en snijden", "HEF-2": "Heftruck"}
