"""Feeds fetched for real from a web server on loopback, through the guarded session."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.catalogue_feed import FEED_MAX_BYTES, feed_policy, fetch_feed
from lti_tool.outgoing import OutgoingPolicy, parse_networks
from offer_formats.csv_format import write_csv
from offer_formats.feed import FeedReport, parse_feed, sniff_format
from offer_formats.jsonld_write import jsonld_document
from offer_formats.records import Provider

from ..conftest import free_port
from .samples import all_offers

LOCAL = parse_networks("127.0.0.1/32")  # the test server, and nothing else on loopback
POLICY = OutgoingPolicy(allow_networks=LOCAL, timeout=5, max_bytes=1_000_000)
CSV_BODY = write_csv(all_offers()).encode("utf-8")
JSONLD_BODY = json.dumps(jsonld_document(all_offers())).encode("utf-8")
LAST_MODIFIED = "Wed, 01 Dec 2027 10:00:00 GMT"


class FeedServer:
    """A provider's web server: feeds with validators, and the ways a feed goes wrong."""

    def __init__(self) -> None:
        self.port = free_port()
        self.hits: list[dict[str, str]] = []
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append({"path": request.path, **{k.lower(): v for k, v in request.headers}})
        response: Response
        if request.path == "/offers.csv":
            response = Response(CSV_BODY, mimetype="text/csv")
            response.set_etag("v1")
            response = response.make_conditional(request)
        elif request.path == "/offers.json":
            if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
                response = Response(status=304)
            else:
                response = Response(JSONLD_BODY, content_type="application/ld+json")
                response.headers["Last-Modified"] = LAST_MODIFIED
        elif request.path == "/vague":  # no useful Content-Type: the body decides
            body = JSONLD_BODY if request.args.get("kind") == "json" else CSV_BODY
            response = Response(body, content_type="application/octet-stream")
        elif request.path == "/forever":

            def endless() -> Iterator[bytes]:
                while True:
                    yield b"offer_ref,provider,format,title_nl\n" * 1000

            response = Response(endless(), mimetype="text/csv")
        elif request.path == "/to-private":
            response = Response(status=302, headers={"Location": "http://169.254.169.254/latest/"})
        elif request.path == "/to-loopback":
            response = Response(status=301, headers={"Location": "http://127.0.0.2:1/offers.csv"})
        elif request.path == "/page":
            response = Response("<html><body>Our courses</body></html>", mimetype="text/html")
        elif request.path == "/bad-rows":
            response = Response(
                b"offer_ref,provider,format,title_nl\nA,P,online,Goed\nB,P,spaceship,Fout\n",
                mimetype="text/csv",
            )
            response.set_etag("bad-rows")
        elif request.path == "/all-bad":
            response = Response(
                b"offer_ref,provider,format,title_nl\nB,P,spaceship,Fout\n", mimetype="text/csv"
            )
            response.set_etag("all-bad")
        elif request.path == "/empty":
            response = Response(b"offer_ref,provider,format,title_nl\n", mimetype="text/csv")
        elif request.path == "/broken-json":
            response = Response(b'{"@type": "Course", ', content_type="application/json")
            response.set_etag("broken")
        else:
            response = Response("gone", status=500)
        return response(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="module")
def running_server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


@pytest.fixture
def server(running_server: FeedServer) -> FeedServer:
    running_server.hits.clear()
    return running_server


def test_a_csv_feed_is_fetched_and_read(server: FeedServer) -> None:
    result = fetch_feed(server.url("/offers.csv"), policy=POLICY)
    assert result.records == all_offers()
    report = result.report
    assert (report.fetched, report.not_modified, report.error) == (True, False, None)
    assert (report.format, report.rows_read, report.refused) == ("csv", 4, [])
    assert report.etag == '"v1"' and report.complete
    assert "text/csv" in server.hits[0]["accept"]


def test_a_jsonld_feed_is_fetched_and_read(server: FeedServer) -> None:
    result = fetch_feed(server.url("/offers.json"), policy=POLICY)
    assert result.records == all_offers() and result.report.format == "jsonld"
    assert result.report.last_modified == LAST_MODIFIED


@pytest.mark.parametrize(("kind", "expected"), [("json", "jsonld"), ("csv", "csv")])
def test_a_vague_content_type_is_decided_by_the_body(
    server: FeedServer, kind: str, expected: str
) -> None:
    result = fetch_feed(server.url(f"/vague?kind={kind}"), policy=POLICY)
    assert result.report.format == expected and len(result.records) == 4


def test_an_unchanged_feed_answers_304_and_nothing_is_read(server: FeedServer) -> None:
    first = fetch_feed(server.url("/offers.csv"), policy=POLICY).report
    again = fetch_feed(server.url("/offers.csv"), etag=first.etag, policy=POLICY)
    assert server.hits[-1]["if-none-match"] == '"v1"'
    assert again.records == []
    assert again.report.not_modified and not again.report.fetched and again.report.error is None
    assert again.report.etag == '"v1"' and not again.report.complete
    by_date = fetch_feed(server.url("/offers.json"), last_modified=LAST_MODIFIED, policy=POLICY)
    assert by_date.report.not_modified and by_date.records == []


def test_bad_rows_are_reported_and_good_offers_kept(server: FeedServer) -> None:
    result = fetch_feed(server.url("/bad-rows"), policy=POLICY)
    assert [r.ref for r in result.records] == ["A"]
    report = result.report
    assert report.rows_read == 1 and report.error is None and not report.complete
    assert [(e.row, e.ref) for e in report.refused] == [(3, "B")]
    assert "spaceship" in report.refused[0].reason


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/all-bad", "no offer in the feed could be read"),
        ("/empty", "the feed holds no offers"),
        ("/broken-json", "the document is not JSON"),
        ("/page", "neither CSV nor JSON-LD"),
        ("/nothing-here", "the feed answered HTTP 500"),
    ],
)
def test_a_broken_feed_gives_an_error_and_no_records(
    server: FeedServer, path: str, reason: str
) -> None:
    result = fetch_feed(server.url(path), etag='"old"', policy=POLICY)
    assert result.records == []
    assert reason in (result.report.error or "")
    assert result.report.rows_read == 0 and not result.report.complete
    # Its validators are not kept: the next run reads the feed again rather than trusting a 304.
    assert result.report.etag == '"old"'


def test_an_oversized_feed_is_refused(server: FeedServer) -> None:
    small = OutgoingPolicy(allow_networks=LOCAL, timeout=5, max_bytes=len(CSV_BODY) - 1)
    result = fetch_feed(server.url("/offers.csv"), policy=small)
    assert result.records == [] and "over" in (result.report.error or "")


def test_a_feed_that_streams_forever_is_cut_off(server: FeedServer) -> None:
    result = fetch_feed(server.url("/forever"), policy=POLICY)
    assert result.records == []
    assert "the feed was refused" in (result.report.error or "")
    assert not result.report.fetched


def test_a_server_that_never_answers_is_given_up() -> None:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        policy = OutgoingPolicy(allow_networks=LOCAL, timeout=0.3)
        result = fetch_feed(f"http://127.0.0.1:{port}/offers.csv", policy=policy)
    assert result.records == []
    assert result.report.error == "the feed could not be fetched: no answer in time"


@pytest.mark.parametrize("path", ["/to-private", "/to-loopback"])
def test_a_redirect_to_a_private_address_is_refused(server: FeedServer, path: str) -> None:
    result = fetch_feed(server.url(path), policy=POLICY)
    assert result.records == []
    assert "the feed address is refused" in (result.report.error or "")
    assert [hit["path"] for hit in server.hits] == [path]


def test_loopback_is_refused_unless_the_administrator_allows_it(server: FeedServer) -> None:
    result = fetch_feed(server.url("/offers.csv"), policy=OutgoingPolicy(timeout=5))
    assert "loopback address" in (result.report.error or "") and server.hits == []


def test_the_apps_settings_give_the_feed_policy(app: Any) -> None:
    with app.app_context():
        policy = feed_policy()
    assert policy.max_bytes == FEED_MAX_BYTES
    assert policy.allow_private == app.config["LEARNPASS"].outgoing_allow_private


def test_sniffing_without_fetching() -> None:
    assert sniff_format(b"\xef\xbb\xbf  [{}]") == "jsonld"
    assert sniff_format(b"offer_ref;provider") == "csv"
    assert sniff_format(b"{}", "text/csv; charset=utf-8") == "csv"
    assert sniff_format(b"a,b", "application/ld+json") == "jsonld"
    assert sniff_format(b"<!doctype html>") is None
    assert sniff_format(b"GIF89a\x00\x00") is None
    assert sniff_format(b"") is None
    assert sniff_format(b"a,b", "text/html") is None


def test_a_jsonld_feed_without_provider_is_read_for_the_feeds_provider() -> None:
    body = json.dumps(
        {
            "@type": "Course",
            "courseCode": "X",
            "name": "N",
            "hasCourseInstance": {"courseMode": "online"},
        }
    ).encode()
    result = parse_feed("https://p.example/feed", body, provider=Provider("Feed owner"))
    assert result.records[0].provider == Provider("Feed owner")
    assert isinstance(result.report, FeedReport) and result.report.complete


def test_the_library_does_not_need_flask() -> None:
    code = (
        "import sys, offer_formats, offer_formats.feed; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'lti_tool', 'requests')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_refusals_are_shown_in_the_readers_language(app: Any, server: FeedServer) -> None:
    from flask_babel import force_locale

    from lti_tool.catalogue_feed import reason_text

    report = fetch_feed(server.url("/bad-rows"), policy=POLICY).report
    (refused,) = report.refused
    broken = fetch_feed(server.url("/nothing-here"), policy=POLICY).report
    with app.test_request_context(), force_locale("nl"):
        assert reason_text(refused.template, refused.params) == (
            "vorm 'spaceship' is niet een van online, classroom, blended"
        )
        assert reason_text(broken.error_template, broken.error_params) == (
            "de feed antwoordde HTTP 500"
        )
    with app.test_request_context(), force_locale("de"):
        assert reason_text(refused.template, refused.params).startswith("das Format 'spaceship'")
