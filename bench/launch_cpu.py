"""learnpass's own CPU per launch, in one process (Flask test client), without the platform's.

Each launch is a new browser: the demo platform's start and authorize steps run untimed; the
tool's login, launch post and landing page are timed with ``time.process_time`` (CPU of this
process). The platform's key set is fetched once over loopback (a server thread of the same
app), as the first launch of every server does; the launches measured come after it.

    .venv/bin/python bench/launch_cpu.py [--launches 100] [--rounds 3] [--profile out.prof]
    LEARNPASS_BENCH_POSTGRES=postgresql://... (a database made and dropped for the run, named
    with LEARNPASS_BENCH_DB_PREFIX if set)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lti_tool import create_app  # noqa: E402
from lti_tool.demo.seed import seed_demo  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.lrs.queued import store_queued_statements  # noqa: E402

STEPS = ("login", "launch", "landing")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def one_launch(
    app: Any, cpu: dict[str, float], user: str = "learner", profiler: Any = None
) -> None:
    """One launch by a new browser; adds the tool's CPU seconds of each step to ``cpu`` (and
    profiles the tool's steps alone when given a profiler)."""
    client = app.test_client()
    on = profiler.enable if profiler else (lambda: None)
    off = profiler.disable if profiler else (lambda: None)
    r = client.get("/demo/start", query_string={"user": user})
    assert r.status_code == 302, r.text
    started = time.process_time()
    on()
    r = client.get(local(r.headers["Location"]) + "&lti1p3_new_window=1")
    off()
    cpu["login"] += time.process_time() - started
    assert r.status_code == 302, r.text
    r = client.get(local(r.headers["Location"]))
    assert r.status_code == 200, r.text
    form = html.fromstring(r.text).forms[0]
    fields = {i.name: i.value or "" for i in form.inputs if i.name}
    started = time.process_time()
    on()
    r = client.post(local(urljoin("http://x/", form.action)), data=fields)
    off()
    cpu["launch"] += time.process_time() - started
    assert r.status_code == 303, r.text[-1500:]
    started = time.process_time()
    on()
    r = client.get(local(r.headers["Location"]))
    off()
    cpu["landing"] += time.process_time() - started
    assert r.status_code == 200 and "Lena de Vries" in r.text, r.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="report the median round")
    parser.add_argument("--profile", help="write a cProfile of one more round here")
    args = parser.parse_args()

    pg = os.environ.get("LEARNPASS_BENCH_POSTGRES", "")
    tmp = Path(tempfile.mkdtemp(prefix="launch-cpu-"))
    admin = None
    if pg:
        from sqlalchemy import create_engine, text

        # Made and dropped here; LEARNPASS_BENCH_DB_PREFIX names it for whoever shares the server.
        name = (
            os.environ.get("LEARNPASS_BENCH_DB_PREFIX", "launch_cpu_bench_") + uuid.uuid4().hex[:8]
        )
        admin = create_engine(
            pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg.rsplit("/", 1)[0] + "/" + name
    else:
        url = "sqlite:///" + str(tmp / "learnpass.db")
    port = free_port()
    app = create_app(
        {
            "database_url": url,
            "data_dir": str(tmp),
            "secret_key": "bench-" + uuid.uuid4().hex,
            "base_url": f"http://127.0.0.1:{port}",
            "demo": True,
            "secure_cookies": False,
            "outgoing_allow_private": True,
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
        warm = dict.fromkeys(STEPS, 0.0)
        for _ in range(5):  # fills the key cache, compiles the statements
            one_launch(app, warm)
        with app.app_context():
            store_queued_statements()
        rounds: list[dict[str, float]] = []
        for _ in range(args.rounds):
            cpu = dict.fromkeys(STEPS, 0.0)
            wall = time.perf_counter()
            for _ in range(args.launches):
                one_launch(app, cpu)
            cpu["wall"] = time.perf_counter() - wall
            # The launches' queued statements, stored as the jobs runner does: the tool's work
            # too, moved out of the launch, so it is measured beside it.
            with app.app_context():
                started = time.process_time()
                cpu["stored"] = store_queued_statements()
                cpu["job"] = time.process_time() - started
            rounds.append(cpu)
        if args.profile:
            profiler = cProfile.Profile()
            cpu = dict.fromkeys(STEPS, 0.0)
            for _ in range(args.launches):
                one_launch(app, cpu, profiler=profiler)
            profiler.dump_stats(args.profile)
    finally:
        server.shutdown()
        if admin is not None:
            with app.app_context():
                db.engine.dispose()
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))

    def per_launch(seconds: float) -> str:
        return f"{1000 * seconds / args.launches:5.1f} ms"

    print(f"{'sqlite' if not pg else 'postgresql'}, {args.launches} launches per round")
    for i, cpu in enumerate(rounds):
        total = sum(cpu[s] for s in STEPS)
        parts = ", ".join(f"{s} {per_launch(cpu[s])}" for s in STEPS)
        print(
            f"round {i + 1}: tool CPU {per_launch(total)} per launch ({parts}); "
            f"wall {per_launch(cpu['wall'])} per whole launch (with the platform's steps); "
            f"jobs runner: {int(cpu['stored'])} queued statements stored, "
            f"{per_launch(cpu['job'])} per launch"
        )
    median = statistics.median(sum(c[s] for s in STEPS) for c in rounds)
    print(f"median tool CPU per launch: {per_launch(median)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
