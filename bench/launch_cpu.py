"""learnpass's own CPU per launch, in one process (Flask test client), without the platform's,
beside the plain pylti1p3 tool's (bench/plain_tool.py) measured the same way.

Each launch is a new browser: the demo platform's start and authorize steps run untimed; the
tool's login, launch post and landing page are timed with ``time.process_time`` (CPU of this
process). The platform's key set is fetched once over loopback (a server thread of the same
app), as the first launch of every server does; the launches measured come after it.

The plain tool (``--tool plain`` or ``both``, the default) gets the same demo platform, the same
tokens and the same three timed steps; its Flask app runs in this process too, under its own test
client (its cookies apart from the platform's). With ``both`` the rounds alternate between the
two tools, so a change in the machine's load falls on both, and the ratio is printed.

    .venv/bin/python bench/launch_cpu.py [--launches 100] [--rounds 3] [--profile out.prof]
                                         [--tool both|learnpass|plain]
    LEARNPASS_BENCH_POSTGRES=postgresql://... (a database made and dropped for the run, named
    with LEARNPASS_BENCH_DB_PREFIX if set)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
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
sys.path.insert(0, str(Path(__file__).resolve().parent))  # launch.py, plain_tool.py

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
    app: Any,
    cpu: dict[str, float],
    user: str = "learner",
    profiler: Any = None,
    tool_app: Any = None,
) -> None:
    """One launch by a new browser; adds the tool's CPU seconds of each step to ``cpu`` (and
    profiles the tool's steps alone when given a profiler). The tool is learnpass itself (the
    app serving the demo platform) unless ``tool_app`` is given (the plain tool)."""
    platform = app.test_client()
    client = tool_app.test_client() if tool_app is not None else platform
    on = profiler.enable if profiler else (lambda: None)
    off = profiler.disable if profiler else (lambda: None)
    r = platform.get("/demo/start", query_string={"user": user})
    assert r.status_code == 302, r.text
    # learnpass's cookie check page is passed as a browser with scripts does (as in launch.py).
    login = local(r.headers["Location"]) + ("&lti1p3_new_window=1" if tool_app is None else "")
    started = time.process_time()
    on()
    r = client.get(login)
    off()
    cpu["login"] += time.process_time() - started
    assert r.status_code == 302, r.text
    r = platform.get(local(r.headers["Location"]))
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


def plain_tool_app(port: int, data_dir: Path) -> Any:
    """bench/plain_tool.py's Flask app, registered with the demo platform served on ``port``
    (configured as launch.py configures it: the module reads its settings when imported)."""
    from launch import plain_env

    os.environ.update(plain_env(data_dir / "plain", port, port))
    import plain_tool

    return plain_tool.app


def run_rounds(app: Any, tool_app: Any, launches: int, store_statements: bool) -> dict[str, float]:
    cpu = dict.fromkeys(STEPS, 0.0)
    wall = time.perf_counter()
    for _ in range(launches):
        one_launch(app, cpu, tool_app=tool_app)
    cpu["wall"] = time.perf_counter() - wall
    cpu["stored"] = cpu["job"] = 0.0
    if store_statements:
        # The launches' queued statements, stored as the jobs runner does: the tool's work too,
        # moved out of the launch, so it is measured beside it.
        with app.app_context():
            started = time.process_time()
            cpu["stored"] = store_queued_statements()
            cpu["job"] = time.process_time() - started
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="report the median round")
    parser.add_argument("--profile", help="write a cProfile of one more round here")
    parser.add_argument("--tool", choices=("both", "learnpass", "plain"), default="both")
    args = parser.parse_args()
    tools = ["learnpass", "plain"] if args.tool == "both" else [args.tool]

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
    # learnpass is the demo platform for both tools; the plain tool answers on the same base URL.
    tool_apps = {
        "learnpass": None,
        "plain": plain_tool_app(port, tmp) if "plain" in tools else None,
    }
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rounds: dict[str, list[dict[str, float]]] = {tool: [] for tool in tools}
    try:
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
        for tool in tools:
            warm = dict.fromkeys(STEPS, 0.0)
            for _ in range(5):  # fills the key cache, compiles the statements
                one_launch(app, warm, tool_app=tool_apps[tool])
        with app.app_context():
            store_queued_statements()
        for _ in range(args.rounds):
            for tool in tools:  # alternated: a change of load falls on both tools
                rounds[tool].append(
                    run_rounds(app, tool_apps[tool], args.launches, tool == "learnpass")
                )
        if args.profile:
            profiler = cProfile.Profile()
            cpu = dict.fromkeys(STEPS, 0.0)
            for _ in range(args.launches):
                one_launch(app, cpu, profiler=profiler, tool_app=tool_apps[tools[0]])
            profiler.dump_stats(args.profile)
    finally:
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)  # the SQLite file, the keys, the plain tool's

    def per_launch(seconds: float) -> str:
        return f"{1000 * seconds / args.launches:5.2f} ms"

    print(f"{'sqlite' if not pg else 'postgresql'}, {args.launches} launches per round")
    medians: dict[str, dict[str, float]] = {}
    for tool in tools:
        for i, cpu in enumerate(rounds[tool]):
            total = sum(cpu[s] for s in STEPS)
            parts = ", ".join(f"{s} {per_launch(cpu[s])}" for s in STEPS)
            jobs = (
                f"; jobs runner: {int(cpu['stored'])} queued statements stored, "
                f"{per_launch(cpu['job'])} per launch"
                if tool == "learnpass"
                else ""
            )
            print(
                f"{tool} round {i + 1}: tool CPU {per_launch(total)} per launch ({parts}); "
                f"wall {per_launch(cpu['wall'])} per whole launch (with the platform's steps)"
                + jobs
            )
        medians[tool] = {s: statistics.median(c[s] for c in rounds[tool]) for s in STEPS}
        medians[tool]["total"] = statistics.median(sum(c[s] for s in STEPS) for c in rounds[tool])
    # The figure the smoke test reads: the first tool's median (learnpass unless --tool plain).
    print(f"median tool CPU per launch: {per_launch(medians[tools[0]]['total'])} ({tools[0]})")
    if len(tools) == 2:
        print(f"{'median per launch':<18} {'learnpass':>10} {'plain':>10} {'ratio':>6}")
        for s in (*STEPS, "total"):
            lp, pl = medians["learnpass"][s], medians["plain"][s]
            ratio = f"{lp / pl:5.2f}x" if pl else "   -  "
            print(f"{s:<18} {per_launch(lp):>10} {per_launch(pl):>10} {ratio:>6}")
        print(
            "learnpass / plain CPU ratio: "
            f"{medians['learnpass']['total'] / medians['plain']['total']:.2f}x"
            " (below 1: learnpass spends less)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
