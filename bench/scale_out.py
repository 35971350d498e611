# ruff: noqa: E402 (the path is set before the project is imported)
"""Several learnpass instances on one PostgreSQL: throughput per instance count, and whether
any background job (grades, xAPI forwarding, mail) is lost or done twice when one instance dies.

    .venv/bin/python bench/scale_out.py [--database-url postgresql://...] [--instances 1,2,4]
        [--seconds 60] [--threads 8] [--workers 2] [--drain-seconds 90] [--small]

For each instance count it makes a fresh database on the server, then starts that many
``learnpass serve`` processes (gunicorn and its jobs runner each, on their own port, sharing the
database, the data folder and the content origin) behind a small round-robin reverse proxy on
loopback. Client threads drive, through the proxy:

- complete LTI launches from the demo platform (served by the instances themselves, as in
  bench/launch.py),
- xAPI statement POSTs to the built-in LRS with Basic credentials,
- SCORM commits with a changing score from a learner's player (the attempt token, as the
  run-time frame sends them); each changed score is a grade in the grade outbox.

The jobs runners deliver the grades (the proxy answers the demo platform's score URL itself and
counts what arrives), forward every statement to a second loopback LRS that counts statement ids,
and send mails (queued by this script through ``lti_tool.mail.enqueue``, as a feature does: no
page sends mail yet) to an aiosmtpd server that counts Message-IDs. Halfway through a run one
instance is killed with SIGKILL, its gunicorn and jobs runner with it (with one instance, it is
started again a second later, as a process manager would). When the clients stop, the script
waits until the outboxes drain, then prints per instance count: requests/s per kind, errors,
and lost / duplicated grades, forwarded statements and mails. "lost" is what was due and was
neither received nor still queued; a job the killed instance had leased (grades and mails keep
a 5-minute lease) is "waiting", not lost: it goes out when its lease ends.

The database: a URL as argument, else LEARNPASS_BENCH_POSTGRES or LEARNPASS_TEST_POSTGRES (the
server's maintenance database, e.g. postgresql://postgres@127.0.0.1:55432/postgres; a database
per run is made and dropped). To start a throw-away server as bin/test does
(``start_test_postgres`` in bin/_setup.sh; as root, prefix both with ``runuser -u postgres --``
and give the folder to postgres)::

    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    $bin/initdb -D /tmp/lp-pg -U postgres --auth=trust -E UTF8
    $bin/pg_ctl -D /tmp/lp-pg -l /tmp/lp-pg.log -w start \
        -o "-c listen_addresses=127.0.0.1 -p 55432 -k /tmp -c max_connections=200"
    .venv/bin/python bench/scale_out.py \
        --database-url postgresql://postgres@127.0.0.1:55432/postgres

Each instance holds a few connections per gunicorn worker and one for its jobs runner:
4 instances x 2 workers fit well within PostgreSQL's default 100.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the project root goes first, so that the
# project's own packages are the ones imported.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any

import requests
from sqlalchemy import create_engine, text

REQUEST_TIMEOUT = 60
KINDS = ("launch", "lrs", "scorm")
MAIL_FROM = "learnpass@bench.example"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- the reverse proxy


def run_proxy(port: int, backends: list[int], ready: Any) -> None:
    """Round-robin over the instances (each its own port); a refused connection (a dead
    instance) tries the next one, as nginx's proxy_next_upstream does. It also plays the
    platform's gradebook: score POSTs are counted here and answered 204 (GET /__bench/scores
    hands the count back). Runs in its own process, so its work never shares the clients' GIL."""
    turn = count()
    lock = threading.Lock()
    scores: list[list[Any]] = []
    local = threading.local()

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up (its timeout): nothing to tell it
                self.close_connection = True

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path
            if self.command == "GET" and path == "/__bench/scores":
                with lock:
                    data = json.dumps(scores).encode()
                self._answer(200, [("Content-Type", "application/json")], data)
                return
            if self.command == "POST" and path.startswith("/demo/lineitems/"):
                if path.split("?")[0].endswith("/scores"):
                    score = json.loads(body or b"{}")
                    with lock:
                        scores.append(
                            [score.get("userId"), score.get("timestamp"), score.get("scoreGiven")]
                        )
                    self._answer(204, [], b"")
                    return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            http = getattr(local, "http", None)
            if http is None:
                http = local.http = requests.Session()
            last_error: Exception | None = None
            for _ in range(len(backends)):
                backend = backends[next(turn) % len(backends)]
                try:
                    r = http.request(
                        self.command,
                        f"http://127.0.0.1:{backend}{path}",
                        headers=headers,
                        data=body,
                        allow_redirects=False,
                        stream=True,
                        timeout=REQUEST_TIMEOUT,
                    )
                    data = r.raw.read(decode_content=False)
                except requests.ConnectionError as exc:
                    last_error = exc
                    if "NewConnectionError" in repr(exc) or "refused" in str(exc):
                        continue  # nothing was sent: the next instance takes it
                    break
                out = [(k, v) for k, v in r.raw.headers.iteritems() if k.lower() not in HOP_BY_HOP]
                self._answer(r.status_code, out, data)
                return
            self._answer(502, [("Content-Type", "text/plain")], f"{last_error}".encode())

        do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = _relay

    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
    server.daemon_threads = True
    ready.set()
    server.serve_forever()


# ---------------------------------------------------------------- the receivers


class ForwardReceiver:
    """A second LRS on loopback that only counts the statement ids it is sent."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: Counter[str] = Counter()
        lock = threading.Lock()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _store(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                statements = body if isinstance(body, list) else [body]
                ids = [str(s.get("id")) for s in statements]
                with lock:
                    received.update(ids)
                answer = json.dumps(ids).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = _store

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailReceiver:
    """An SMTP server on loopback (aiosmtpd) that counts the Message-IDs it is sent."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received: Counter[str] = Counter()
        received = self.received

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes, policy

                message = message_from_bytes(envelope.content, policy=policy.default)
                received[str(message["Message-ID"]).strip()] += 1
                return "250 Message accepted for delivery"

        self.controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=30
        )
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# ---------------------------------------------------------------- instances


@dataclass
class Deployment:
    database_url: str
    data_dir: Path
    proxy_port: int
    forward_url: str
    smtp_port: int
    secret: str = field(default_factory=lambda: "bench-" + uuid.uuid4().hex)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def content(self) -> str:
        # The content origin: the same proxy reached by another host name.
        return f"http://localhost:{self.proxy_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
        env.pop("DATABASE_URL", None)
        env.update(
            LEARNPASS_DATABASE_URL=self.database_url,
            LEARNPASS_DATA_DIR=str(self.data_dir),
            LEARNPASS_SECRET_KEY=self.secret,
            LEARNPASS_BASE_URL=self.base,
            LEARNPASS_CONTENT_URL=self.content,
            LEARNPASS_DEMO="true",  # the demo platform plays the LMS, as in bench/launch.py
            LEARNPASS_SECURE_COOKIES="false",
            LEARNPASS_OUTGOING_ALLOW_PRIVATE="true",  # the platform and receivers are on loopback
            LEARNPASS_XAPI_FORWARD_URL=self.forward_url,
            LEARNPASS_SMTP_HOST="127.0.0.1",
            LEARNPASS_SMTP_PORT=str(self.smtp_port),
            LEARNPASS_SMTP_SECURITY="none",
            LEARNPASS_MAIL_FROM=MAIL_FROM,
        )
        return env


class Instance:
    def __init__(self, deployment: Deployment, workers: int, index: int) -> None:
        self.deployment, self.workers, self.index = deployment, workers, index
        self.port = free_port()
        self.log = deployment.data_dir / f"instance-{index}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [
                    sys.executable,
                    "-m",
                    "lti_tool.cli",
                    "serve",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                ],  # fmt: skip
                env=self.deployment.env(),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole
            )

    def wait_until_up(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise SystemExit(f"instance {self.index} stopped:\n{self.log.read_text()[-3000:]}")
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.3)
        raise SystemExit(f"instance {self.index} did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to gunicorn's master, its workers and the jobs runner: a machine gone."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


# ---------------------------------------------------------------- setting up one database


def create_database(server_url: str) -> tuple[str, Any]:
    name = "learnpass_bench_" + uuid.uuid4().hex[:8]
    admin = create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = server_url.rpartition("/")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def prepare(deployment: Deployment) -> tuple[Any, str]:
    """Migrate, seed the demo, add an LRS client, import a SCORM package and place it in the
    demo course with a line item (what Deep Linking does). Returns the app and the link id."""
    from lti_tool import create_app
    from lti_tool.cli import upgrade_database
    from lti_tool.demo import platform as demo
    from lti_tool.demo.seed import seed_demo
    from lti_tool.extensions import db
    from tests.scorm.builders import single_sco_12
    from xapi import auth

    env = deployment.env()
    config = {k.removeprefix("LEARNPASS_").lower(): v for k, v in env.items() if "LEARNPASS_" in k}
    for flag in ("demo", "secure_cookies", "outgoing_allow_private"):
        config[flag] = config[flag] == "true"
    config["smtp_port"] = int(config["smtp_port"])
    app = create_app(config)
    with app.app_context():
        upgrade_database()
        seed_demo()
        auth.add_client(db.session(), "bench", ["all"], "bench", "bench-secret")
        db.session.commit()
        from learning_packages.package import import_package
        from lti_tool.content import services

        zip_path = single_sco_12(deployment.data_dir / "bench-package.zip")
        result = import_package(db.session(), services.storage(), zip_path, title="Bench course")
        link = demo.add_link(
            "Bench course",
            {"target": f"scorm:{result.package_id}"},
            {"scoreMaximum": 100, "label": "Bench course"},
        )
        db.session.commit()
    return app, str(link["id"])


# ---------------------------------------------------------------- the clients


@dataclass
class Tally:
    done: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, kind: str) -> None:
        with self.lock:
            self.done[kind] += 1

    def fail(self, kind: str, why: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.messages[f"{kind}: {why[:160]}"] += 1


class Learner:
    """One thread's learner at the SCORM player: launches, then commits with its attempt token."""

    def __init__(self, base: str, link: str, user: str, name: str) -> None:
        self.base, self.link, self.user, self.name = base, link, user, name
        self.config: dict[str, Any] | None = None
        self.seq = 0
        self.page = 0

    def open_player(self) -> None:
        from tests.lti.flows import launch
        from tests.scorm.flows import player_config

        with requests.Session() as http:
            page = launch(http, self.base, user=self.user, link=self.link)
            if page.status_code != 200 or "/content/play/" not in page.url:
                raise RuntimeError(f"player launch answered {page.status_code} at {page.url}")
            self.config = player_config(page)
        self.page += 1
        self.seq = 0

    def commit(self, http: requests.Session, rng: random.Random) -> None:
        if self.config is None:
            self.open_player()
        assert self.config is not None
        self.seq += 1
        sco = self.config["scos"][0]["id"]
        cmi = {
            "core": {
                "lesson_location": f"page-{self.seq}",
                "lesson_status": "incomplete",
                "exit": "suspend",
                "session_time": "00:00:05",
                "score": {"raw": str(rng.randint(0, 100)), "min": "0", "max": "100"},
            },
            "suspend_data": f"seq={self.seq}",
            "interactions": {},
        }
        r = http.post(
            self.base + self.config["commitUrl"].replace("{sco}", str(sco)),
            json={"cmi": cmi, "session": f"{self.name}-{self.page}", "seq": self.seq,
                  "trigger": "commit"},
            headers={"X-Attempt-Token": self.config["attemptToken"]},
            timeout=REQUEST_TIMEOUT,
        )  # fmt: skip
        if r.status_code == 403:
            self.config = None  # the token expired: the page is opened again
        if r.status_code != 200:
            raise RuntimeError(f"commit answered {r.status_code}: {r.text[:120]}")


def statement(rng: random.Random) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://lms.bench.example", "name": f"u{rng.randrange(500)}"},
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": f"https://bench.example/activities/{rng.randrange(200)}"},
    }


def client(
    index: int,
    deployment: Deployment,
    link: str,
    warmed: threading.Barrier,
    stop: threading.Event,
    tally: Tally,
) -> None:
    from tests.lti.flows import launch

    rng = random.Random(index)
    user = ("learner", "learner2")[index % 2]
    learner = Learner(deployment.base, link, user, f"t{index}-{uuid.uuid4().hex[:6]}")
    lrs = requests.Session()
    lrs.auth = ("bench", "bench-secret")
    lrs.headers.update({"X-Experience-API-Version": "1.0.3"})
    commits = requests.Session()
    try:
        learner.open_player()  # before the clock starts, as a learner who is already playing
    except Exception as exc:  # noqa: BLE001 - counted; the loop opens it again
        tally.fail("scorm", f"{type(exc).__name__}: {exc}")
    warmed.wait()
    while not stop.is_set():
        kind = rng.choices(KINDS, weights=(1, 4, 4))[0]
        try:
            if kind == "launch":
                with requests.Session() as http:
                    r = launch(http, deployment.base, user=rng.choice(["learner", "instructor"]))
                if r.status_code != 200:
                    raise RuntimeError(f"launch ended with {r.status_code}")
            elif kind == "lrs":
                r = lrs.post(deployment.base + "/xapi/statements", json=statement(rng), timeout=60)
                if r.status_code != 200:
                    raise RuntimeError(f"statement POST answered {r.status_code}")
            else:
                learner.commit(commits, rng)
        except Exception as exc:  # noqa: BLE001 - count every failure and keep going
            tally.fail(kind, f"{type(exc).__name__}: {exc}")
            continue
        tally.ok(kind)


def mail_feeder(app: Any, stop: threading.Event, per_second: float, keys: list[str]) -> None:
    """Queues mails as a feature would (its own transaction, an idempotency key per event)."""
    from lti_tool.extensions import db
    from lti_tool.mail import enqueue

    n = 0
    while not stop.wait(1 / per_second):
        n += 1
        key = f"bench:{uuid.uuid4().hex}"
        with app.app_context():
            enqueue(
                db.session(),
                key=key,
                to=f"learner{n}@bench.example",
                subject=f"Bench mail {n}",
                text="A mail of the scale-out benchmark.",
            )
            db.session.commit()
        keys.append(key)


# ---------------------------------------------------------------- one run


@dataclass
class RunResult:
    instances: int
    seconds: float
    done: Counter[str]
    errors: Counter[str]
    messages: Counter[str]
    jobs: dict[str, dict[str, int]]
    drained_in: float
    server_errors: list[str] = field(default_factory=list)


def outbox_state(app: Any, proxy: str, forward: ForwardReceiver, mail: MailReceiver) -> Any:
    """Expected, received (Counter) and still queued, per job kind."""
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.mail.models import OutboxMail
    from lti_tool.mail.transport import message_id
    from lti_tool.models import GradeOutbox, User
    from xapi import tables

    with app.app_context():
        session = db.session()
        grades = session.execute(
            select(
                User.sub, GradeOutbox.timestamp, GradeOutbox.score_given, GradeOutbox.sent_at
            ).join(User, User.id == GradeOutbox.user_id)
        ).all()
        grades = [(sub, stamp, score, sent is None) for sub, stamp, score, sent in grades]
        statement_ids = session.scalars(select(tables.statements.c.statement_id)).all()
        forward_pending = session.execute(
            select(tables.outbox.c.statement_id).where(tables.outbox.c.sent_at.is_(None))
        ).all()
        mails = session.execute(select(OutboxMail.idempotency_key, OutboxMail.status)).all()
        session.rollback()
    received_scores = requests.get(proxy + "/__bench/scores", timeout=30).json()

    def grade_key(sub: str, stamp: Any, score: Any) -> str:
        stamp = stamp.replace(tzinfo=dt.UTC).isoformat(timespec="milliseconds")
        return f"{sub}|{stamp.replace('+00:00', 'Z')}|{None if score is None else float(score)}"

    return {
        "grades": (
            Counter(grade_key(*g[:3]) for g in grades),
            Counter(f"{u}|{s}|{None if v is None else float(v)}" for u, s, v in received_scores),
            {grade_key(*g[:3]) for g in grades if g[3]},
        ),
        "forwarded": (
            Counter(str(i) for i in statement_ids),
            forward.received,
            {str(r[0]) for r in forward_pending},
        ),
        "mails": (
            Counter(message_id(k, MAIL_FROM) for k, _ in mails),
            mail.received,
            {message_id(k, MAIL_FROM) for k, s in mails if s in ("queued", "sending")},
        ),
    }


def settle(state: Any) -> dict[str, dict[str, int]]:
    out = {}
    for kind, (expected, received, pending) in state.items():
        lost = sum(1 for key in expected if received[key] == 0 and key not in pending)
        out[kind] = {
            "expected": sum(expected.values()),
            "received": sum(1 for key in expected if received[key] > 0),
            "waiting": sum(1 for key in expected if received[key] == 0 and key in pending),
            "lost": lost,
            "duplicated": sum(n - 1 for n in received.values() if n > 1),
            "unknown": sum(1 for key in received if key not in expected),
        }
    return out


def one_run(server_url: str, instances: int, args: argparse.Namespace, folder: Path) -> RunResult:
    database_url, drop = create_database(server_url)
    forward, mail = ForwardReceiver(), MailReceiver()
    proxy_process = None
    started: list[Instance] = []
    try:
        data_dir = folder / f"run-{instances}"
        data_dir.mkdir()
        proxy_port = free_port()
        deployment = Deployment(database_url, data_dir, proxy_port, forward.url, mail.port)
        app, link = prepare(deployment)
        started = [Instance(deployment, args.workers, i) for i in range(instances)]
        ready = multiprocessing.Event()
        proxy_process = multiprocessing.Process(
            target=run_proxy, args=(proxy_port, [i.port for i in started], ready), daemon=True
        )
        proxy_process.start()
        ready.wait(30)
        for instance in started:
            instance.start()
        for instance in started:
            instance.wait_until_up()

        tally, stop, keys = Tally(), threading.Event(), []  # type: ignore[var-annotated]
        warmed = threading.Barrier(args.threads + 1)
        threads = [
            threading.Thread(
                target=client, args=(i, deployment, link, warmed, stop, tally), daemon=True
            )
            for i in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        warmed.wait(300)  # every client at its player: the clock starts
        tally.done.clear()
        tally.errors.clear()
        tally.messages.clear()
        feeder = threading.Thread(
            target=mail_feeder, args=(app, stop, args.mails_per_second, keys), daemon=True
        )
        threads.append(feeder)
        begun = time.perf_counter()
        feeder.start()
        stop.wait(args.seconds / 2)
        victim = started[-1]
        victim.kill()
        print(f"  {instances} instance(s): killed instance {victim.index} (SIGKILL)", flush=True)
        if instances == 1:
            time.sleep(1)
            victim.start()
            victim.wait_until_up()
            print("  the only instance was started again", flush=True)
        stop.wait(max(0.0, args.seconds - (time.perf_counter() - begun)))
        stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
        seconds = time.perf_counter() - begun

        # Drain: wait until every job is received, or only leased ones are left, or time is up.
        drain_start = time.perf_counter()
        while True:
            state = outbox_state(app, deployment.base, forward, mail)
            figures = settle(state)
            open_jobs = sum(f["expected"] - f["received"] - f["waiting"] for f in figures.values())
            queued = sum(len(pending) for _, _, pending in state.values())
            if (open_jobs == 0 and queued == 0) or time.perf_counter() - drain_start > max(
                args.drain_seconds, 0
            ):
                break
            if open_jobs == 0 and all(f["waiting"] for f in figures.values() if f["waiting"]):
                # Only rows leased by the dead instance remain; they wait out their lease.
                if time.perf_counter() - drain_start > min(args.drain_seconds, 30):
                    break
            time.sleep(1)
        drained_in = time.perf_counter() - drain_start
        from lti_tool.extensions import db

        with app.app_context():
            db.session.remove()
            assert db.engine is not None
            db.engine.dispose()
        return RunResult(
            instances,
            seconds,
            tally.done,
            tally.errors,
            tally.messages,
            figures,
            drained_in,
            server_errors(started),
        )
    finally:
        for instance in started:
            instance.stop()
        if proxy_process is not None:
            proxy_process.terminate()
            proxy_process.join(10)
        forward.stop()
        mail.stop()
        drop()


def server_errors(instances: list[Instance]) -> list[str]:
    """The last line of each traceback the instances logged (the 500s' causes)."""
    found = []
    for instance in instances:
        lines = instance.log.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                tail = next(
                    (x for x in lines[i + 1 :] if x and not x.startswith((" ", "Traceback"))), ""
                )
                found.append(tail[:200])
    return found


# ---------------------------------------------------------------- the report


def report(results: list[RunResult], args: argparse.Namespace) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(
        f"learnpass scale-out: {args.workers} gunicorn workers per instance, PostgreSQL, "
        f"{args.threads} client threads, {args.seconds:.0f} s per run, one instance SIGKILLed "
        f"halfway; {os.cpu_count()} CPUs here, load average {load}"
    )
    head = (
        f"{'instances':>9} {'launch/s':>9} {'lrs/s':>8} {'scorm/s':>8} {'total/s':>8} {'errors':>7}"
    )
    jobs = "  grades lost/dup  forwarded lost/dup  mails lost/dup  (waiting)"
    print(head + jobs)
    for r in results:
        rates = [r.done[k] / r.seconds for k in KINDS]
        line = (
            f"{r.instances:>9} {rates[0]:>9.1f} {rates[1]:>8.1f} {rates[2]:>8.1f} "
            f"{sum(rates):>8.1f} {sum(r.errors.values()):>7}"
        )
        for kind, width in (("grades", 16), ("forwarded", 19), ("mails", 15)):
            f = r.jobs[kind]
            line += f"{f['lost']:>{width - 4}}/{f['duplicated']:<3}"
        waiting = ",".join(str(r.jobs[k]["waiting"]) for k in ("grades", "forwarded", "mails"))
        print(line + f"  ({waiting})")
    print()
    for r in results:
        counts = "; ".join(
            f"{kind} {f['received']}/{f['expected']} received" for kind, f in r.jobs.items()
        )
        print(f"{r.instances} instance(s): {counts}; drained in {r.drained_in:.0f} s")
        for message, n in r.messages.most_common(4):
            print(f"    {n} x {message}")
        for message, n in Counter(r.server_errors).most_common(3):
            print(f"    server log: {n} x {message}")
    if len(results) > 1:
        first = sum(results[0].done.values()) / results[0].seconds
        for r in results[1:]:
            total = sum(r.done.values()) / r.seconds
            print(f"speed-up {r.instances} vs {results[0].instances}: {total / first:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL server's URL")
    parser.add_argument("--instances", default="1,2,4", help="instance counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=60, help="load per run")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--mails-per-second", type=float, default=5)
    parser.add_argument("--drain-seconds", type=float, default=120)
    parser.add_argument("--small", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    if args.small:
        args.instances, args.seconds, args.threads, args.workers = "1,2", 6, 2, 2
        args.drain_seconds = 45
    server_url = (
        args.database_url
        or os.environ.get("LEARNPASS_BENCH_POSTGRES", "")
        or os.environ.get("LEARNPASS_TEST_POSTGRES", "")
    )
    if not server_url.startswith("postgresql"):
        print("scale_out needs PostgreSQL: give --database-url or LEARNPASS_BENCH_POSTGRES")
        return 2
    counts = [int(n) for n in args.instances.split(",") if n.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="learnpass-scale-") as tmp:
        for n in counts:
            print(f"running with {n} instance(s) for {args.seconds:.0f} s", flush=True)
            results.append(one_run(server_url, n, args, Path(tmp)))
    report(results, args)
    lost = sum(f["lost"] for r in results for f in r.jobs.values())
    return 0 if all(sum(r.done.values()) for r in results) and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
