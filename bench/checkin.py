# ruff: noqa: E402 (the path is set before the project is imported)
"""QR check-ins per second: a classroom of learners scanning the trainer's code at once.

    .venv/bin/python bench/checkin.py [--learners 200] [--threads 8] [--workers 2]
        [--database-url postgresql://...] [--max-seconds 120] [--small]

It starts ``learnpass serve`` (gunicorn and its jobs runner) on loopback, on SQLite in a
temporary folder, or on a fresh database of the PostgreSQL server given with --database-url
(made and dropped here). It seeds the demo course and one session day open for check-in now
(``tests.blended.attendance_helpers.session_now``), and launches the trainer and N learners
from the demo platform, each with their own cookies as their own phone would (the learners are
extra people of the demo course: their id_tokens are signed by the demo platform's own code and
key in this process, then posted to the tool's real /lti/launch). Then client threads check
every learner in at once: each reads the code the trainer's screen shows now
(``state.json``, as the screen's script does; the code turns every few seconds) and opens the
QR code's address with the learner's cookies.

It prints check-ins per second, the p50 / p95 of one check-in request, how many were refused
(must be 0) and how many learners ended up with more than one check-in in the register
(duplicated, must be 0). Exit status 1 when either is not 0. The server is always stopped.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the project root goes first, so that the
# project's own packages are the ones imported.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

import argparse
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from lxml import html
from sqlalchemy import create_engine, func, select, text

REQUEST_TIMEOUT = 30
CODE_MAX_AGE = 3.0  # seconds before the clients read the trainer's screen again


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


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


def server_env(database_url: str, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    env.pop("DATABASE_URL", None)
    env.update(
        LEARNPASS_DATABASE_URL=database_url,
        LEARNPASS_DATA_DIR=str(data_dir),
        LEARNPASS_SECRET_KEY="bench-" + uuid.uuid4().hex,
        LEARNPASS_BASE_URL=f"http://127.0.0.1:{port}",
        LEARNPASS_CONTENT_URL=f"http://localhost:{port}",
        LEARNPASS_DEMO="true",  # the demo platform plays the LMS, as in bench/launch.py
        LEARNPASS_SECURE_COOKIES="false",
        LEARNPASS_OUTGOING_ALLOW_PRIVATE="true",  # the platform is on loopback
    )
    return env


def make_app(env: dict[str, str]) -> Any:
    """The same app the server runs (same database and keys), to seed and to sign launches."""
    from lti_tool import create_app

    config: dict[str, Any] = {
        k.removeprefix("LEARNPASS_").lower(): v for k, v in env.items() if "LEARNPASS_" in k
    }
    for flag in ("demo", "secure_cookies", "outgoing_allow_private"):
        config[flag] = config[flag] == "true"
    return create_app(config)


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> Any:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own command line
            [
                sys.executable,
                "-m",
                "lti_tool.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],  # fmt: skip
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )


def wait_until_up(base: str, server: Any, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"learnpass serve stopped:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet
            pass
        time.sleep(0.3)
    raise SystemExit(f"learnpass serve did not answer:\n{log.read_text()[-3000:]}")


def stop(server: Any) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def first_form(page: str, url: str) -> tuple[str, dict[str, str]]:
    forms = html.fromstring(page).forms
    if not forms:
        raise RuntimeError(f"no form in the answer to {url}")
    form = forms[0]
    fields = {
        i.name: i.value or "" for i in form.inputs if i.name and getattr(i, "type", "") != "submit"
    }
    return urljoin(url, form.action or url), fields


def launch(app: Any, base: str, user: str) -> requests.Session:
    """A new browser launched as ``user`` (a key of the demo platform's people) into the course.

    The platform's two steps (``/demo/start``, ``/demo/authorize``) run here with the platform's
    own code, so the extra learners exist only in this process; the tool's steps are the
    server's (``/lti/login`` stores state and nonce, ``/lti/launch`` checks the signature)."""
    from lti_tool.demo import routes as demo_routes

    browser = requests.Session()
    with app.test_request_context("/demo/start", query_string={"user": user}):
        to_login = demo_routes.start().headers["Location"]
    r = browser.get(
        to_login + "&lti1p3_new_window=1", timeout=REQUEST_TIMEOUT, allow_redirects=False
    )
    if r.status_code != 302:
        raise RuntimeError(f"/lti/login answered {r.status_code}: {r.text[:300]}")
    to_authorize = urlsplit(urljoin(base, r.headers["Location"]))
    with app.test_request_context("/demo/authorize?" + to_authorize.query):
        answer = demo_routes.authorize()
        form_page = answer.get_data(as_text=True) if hasattr(answer, "get_data") else str(answer)
    action, fields = first_form(form_page, base + "/demo/authorize")
    r = browser.post(action, data=fields, timeout=REQUEST_TIMEOUT, allow_redirects=False)
    if r.status_code != 303:
        raise RuntimeError(f"/lti/launch answered {r.status_code}: {r.text[-1000:]}")
    return browser


def add_learners(count: int) -> list[str]:
    """Extra learners of the demo course, known to the demo platform in this process."""
    from lti_tool.demo import platform as demo

    keys = []
    for index in range(count):
        key = f"bench-learner-{index}"
        demo.USERS[key] = {
            **demo.USERS["learner"],
            "sub": f"bench-learner-{index}",
            "name": f"Learner {index}",
            "given_name": "Learner",
            "family_name": str(index),
            "email": f"learner{index}@example.org",
        }
        keys.append(key)
    return keys


class Screen:
    """The trainer's check-in screen: the address its QR code shows now, read again when old."""

    def __init__(self, trainer: requests.Session, base: str, session_id: int) -> None:
        self.trainer, self.url = trainer, f"{base}/blended/sessions/{session_id}/checkin/state.json"
        self.lock = threading.Lock()
        self.code_url, self.read_at = "", 0.0

    def current(self) -> str:
        with self.lock:
            if time.monotonic() - self.read_at > CODE_MAX_AGE:
                r = self.trainer.get(self.url, timeout=REQUEST_TIMEOUT)
                r.raise_for_status()
                self.code_url, self.read_at = str(r.json()["url"]), time.monotonic()
            return self.code_url


def client(
    screen: Screen, learners: list[requests.Session], next_index: list[int], results: Results
) -> None:
    while True:
        with results.lock:
            if next_index[0] >= len(learners):
                return
            browser = learners[next_index[0]]
            next_index[0] += 1
        url = screen.current()
        started = time.perf_counter()
        try:
            r = browser.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=False)
            ok = r.status_code == 200 and 'data-testid="checkin-ok"' in r.text
            why = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            ok, why = False, type(exc).__name__
        elapsed = time.perf_counter() - started
        with results.lock:
            if ok:
                results.latencies.append(elapsed)
            else:
                results.refused.append(why)


def register_counts(app: Any, session_id: int) -> tuple[int, int]:
    """Learners checked in with the code, and learners with more than one check-in recorded."""
    from lti_tool.blended.attendance_models import Attendance, AttendanceChange
    from lti_tool.blended.session_models import BlendedSessionDay
    from lti_tool.extensions import db

    with app.app_context():
        session = db.session()
        day_ids = select(BlendedSessionDay.id).where(BlendedSessionDay.session_id == session_id)
        checked = session.scalar(
            select(func.count(Attendance.id)).where(
                Attendance.day_id.in_(day_ids), Attendance.source == "qr"
            )
        )
        per_learner = (
            select(Attendance.user_id)
            .join(AttendanceChange, AttendanceChange.attendance_id == Attendance.id)
            .where(Attendance.day_id.in_(day_ids), AttendanceChange.source == "qr")
            .group_by(Attendance.user_id, Attendance.day_id)
            .having(func.count(AttendanceChange.id) > 1)
        )
        doubled = session.scalar(select(func.count()).select_from(per_learner.subquery()))
        session.close()
    return int(checked or 0), int(doubled or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200, help="learners (at most 2000)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (at most 64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server's maintenance database (default: SQLite in a temporary folder)",
    )
    parser.add_argument("--small", action="store_true", help="10 learners, 2 threads (smoke run)")
    args = parser.parse_args()
    learners_count = 10 if args.small else max(1, min(args.learners, 2000))
    threads = 2 if args.small else max(1, min(args.threads, 64))

    with tempfile.TemporaryDirectory(prefix="learnpass-bench-") as tmp:
        data_dir = Path(tmp)
        drop = None
        if args.database_url:
            database_url, drop = create_database(args.database_url)
            kind = "PostgreSQL"
        else:
            database_url, kind = "sqlite:///" + str(data_dir / "learnpass.db"), "SQLite"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = server_env(database_url, data_dir, port)
        log = data_dir / "serve.log"
        app = make_app(env)
        server = None
        try:
            from lti_tool.cli import upgrade_database
            from lti_tool.demo.seed import seed_demo
            from lti_tool.extensions import db
            from lti_tool.models import User
            from tests.blended.attendance_helpers import session_now

            with app.app_context():
                upgrade_database()
                seed_demo()
                db.session.commit()
            server = start_server(env, port, args.workers, log)
            wait_until_up(base, server, log)
            trainer = launch(app, base, "instructor")
            learners = [launch(app, base, key) for key in add_learners(learners_count)]
            with app.app_context():
                trainer_id = db.session.scalars(
                    select(User.id).where(User.sub == "demo-trainer-1")
                ).one()
                session_id = session_now(db.session(), trainer_id).id
            screen = Screen(trainer, base, session_id)
            screen.current()

            results, next_index = Results(), [0]
            pool = [
                threading.Thread(target=client, args=(screen, learners, next_index, results))
                for _ in range(threads)
            ]
            started = time.perf_counter()
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            wall = time.perf_counter() - started
            checked, doubled = register_counts(app, session_id)
        finally:
            if server is not None:
                stop(server)
            with app.app_context():
                db.session.remove()
                if db.engine is not None:
                    db.engine.dispose()
            if drop is not None:
                drop()

    done = len(results.latencies)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"learnpass QR check-in benchmark: learnpass serve, {args.workers} gunicorn workers, {kind}"
    )
    print(f"client: {threads} threads; {os.cpu_count()} CPUs on this machine, load average {load}")
    print(f"learners: {learners_count}, checked in: {done} in {wall:.2f} s")
    print(f"check-ins per second: {done / wall:.1f}" if wall > 0 else "check-ins per second: -")
    print(
        f"one check-in: p50 {percentile(results.latencies, 50) * 1000:.1f} ms, "
        f"p95 {percentile(results.latencies, 95) * 1000:.1f} ms"
    )
    print(f"in the register: {checked} learners checked in with the code")
    print(f"refused: {len(results.refused)}")
    print(f"duplicated: {doubled}")
    for why in sorted(set(results.refused))[:5]:
        print(f"refusal: {why}")
    return 0 if not results.refused and doubled == 0 and checked == learners_count else 1


if __name__ == "__main__":
    sys.exit(main())
