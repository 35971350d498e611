"""What one complete launch costs the database: SQL statements and commits, counted on the engine.

The tool's two requests of a launch (OIDC login and the signed launch post) are counted, after a
first launch has filled the platform key cache, as every launch but the first one runs. The demo
platform's own requests (same server, same database) are made outside the counted windows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
from sqlalchemy import event, select

from lti_tool.extensions import db
from lti_tool.models import KeyValue

from .flows import auto_form, launch

# What a launch costs (see docs/lti.md, "Launch cost"); a regression fails here. Before the
# launch became one transaction: 32 statements and 14 commits; before the launch stopped storing
# pylti1p3's launch data and token hash (never read back): 26 statements; before the nonce and
# the state were taken in one statement: 24; before the person, course, enrolment and link rows
# were read in one select: 23; before the platform and the token's deployment were read in
# one select: 20; before the launched statement was queued (one insert instead of eight), the
# state and nonce used up in one statement with the used mark, and the login's state and nonce
# written in one: 19; before the login signed its state and nonce into the state instead of
# writing them (and the launch read the state back): 10.
MAX_STATEMENTS = 8
MAX_COMMITS = 1  # the launch's, of everything it writes; the login writes nothing
# The start page the launch lands on: the session, and one select of the person (erased?) with
# the conditions of every start-page entry that may be shown (it was a query per entry: 5; then
# the person and the conditions apart: 3).
MAX_LANDING_STATEMENTS = 2
# Pooled connections the landing page checks out. On PostgreSQL each checkout costs a liveness
# ping (pool_pre_ping) and a reset: the session is read on the request's own connection there,
# so one (it was two: the session's read had a connection of its own). SQLite pays no ping.
MAX_LANDING_CHECKOUTS = {"postgresql": 1, "sqlite": 2}


@dataclass
class Counter:
    statements: list[str] = field(default_factory=list)
    commits: int = 0
    checkouts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def counting(app) -> Iterator[Counter]:
    counter = Counter()
    with app.app_context():
        engine = db.engine

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        with counter.lock:
            counter.statements.append(statement.split()[0].upper())

    def on_commit(conn):
        with counter.lock:
            counter.commits += 1

    def on_checkout(dbapi_connection, record, proxy):
        with counter.lock:
            counter.checkouts += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
        event.remove(engine.pool, "checkout", on_checkout)


def counted_launch(app, base: str) -> tuple[Counter, requests.Response, Counter]:
    """A new browser's launch; the tool's login and launch requests are counted, and apart from
    them the landing page."""
    with requests.Session() as http:
        r = http.get(base + "/demo/start", params={"user": "learner"}, allow_redirects=False)
        assert r.status_code == 302, r.text
        with counting(app) as counter:
            login = http.get(r.headers["Location"] + "&lti1p3_new_window=1", allow_redirects=False)
        assert login.status_code == 302, login.text
        form = auto_form(http.get(urljoin(base, login.headers["Location"])))
        with counting(app) as launch_counter:
            landed = http.post(form.action, data=form.fields, allow_redirects=False)
        assert landed.status_code == 303, landed.text
        counter.statements += launch_counter.statements
        counter.commits += launch_counter.commits
        with counting(app) as landing:
            home = http.get(urljoin(base, landed.headers["Location"]))
        assert home.status_code == 200 and "Lena de Vries" in home.text
    return counter, landed, landing


def test_a_launch_costs_few_statements_and_commits(app, live_server):
    assert launch(requests.Session(), live_server.url).status_code == 200  # fills the key cache
    counter, _, landing = counted_launch(app, live_server.url)
    kinds = {k: counter.statements.count(k) for k in sorted(set(counter.statements))}
    print(f"launch: {len(counter.statements)} statements {kinds}, {counter.commits} commits")
    assert len(counter.statements) <= MAX_STATEMENTS, kinds
    assert counter.commits <= MAX_COMMITS
    print(
        f"landing page: {len(landing.statements)} statements, {landing.commits} commits, "
        f"{landing.checkouts} connection checkouts"
    )
    assert len(landing.statements) <= MAX_LANDING_STATEMENTS, landing.statements
    with app.app_context():
        dialect = db.engine.dialect.name
    assert landing.checkouts <= MAX_LANDING_CHECKOUTS[dialect]


def test_a_launch_keeps_no_copy_of_the_token(app, live_server):
    """pylti1p3 would store the claims (name, e-mail) under the launch id and the token's hash
    under the state; learnpass never restores a launch, so neither is written."""
    assert launch(requests.Session(), live_server.url).status_code == 200
    with app.app_context():
        keys = list(db.session.scalars(select(KeyValue.key)))
    assert keys and not [k for k in keys if "launch-" in k or k.endswith("-id-token-hash")], keys


def test_the_start_page_select_is_built_once_per_process(app):
    """Every start-page link's condition is the same object at each visit, so the one select of
    them is found built (context.launch_select) instead of built and hashed for SQLAlchemy's statement
    cache at every landing (some 0.1 ms; a feature's condition built afresh would cost it)."""
    from lti_tool.lti.context import LaunchContext, launch_select
    from lti_tool.main import _home_links

    conditional = [link for link in _home_links if link.shown_if is not None]
    assert conditional
    for role in ("learner", "instructor", "admin"):
        for course_id in (None, 1):
            ctx = LaunchContext(
                launch_id="l",
                user_id=1,
                platform_id=1,
                issuer="https://lms.example",
                client_id="c",
                deployment_id="d",
                sub="s",
                role=role,
                account_name="a",
                course_id=course_id,
            )
            first = tuple(link.shown_if(ctx) for link in conditional)
            again = tuple(link.shown_if(ctx) for link in conditional)
            assert all(a is b for a, b in zip(first, again, strict=True)), (role, course_id)
            for checked in (True, False):
                assert launch_select(first, checked=checked) is launch_select(
                    again, checked=checked
                )


def test_the_start_page_still_ends_an_erased_persons_session(app, live_server):
    """The erasure check rides on the start page's select of its conditions: a person whose row
    says erased gets no start page (and no launch) from the session they still hold."""
    from lti_tool.erasure import ERASED_SUB_PREFIX
    from lti_tool.models import User

    with requests.Session() as http:
        home = launch(http, live_server.url)
        assert home.status_code == 200 and "Lena de Vries" in home.text
        with app.app_context():
            user = db.session.scalars(select(User).where(User.name == "Lena de Vries")).one()
            user.sub = ERASED_SUB_PREFIX + "gone"
            db.session.commit()
        again = http.get(home.url)
        assert again.status_code == 401, again.status_code
        assert "Lena de Vries" not in again.text
