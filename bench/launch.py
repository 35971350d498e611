"""How many complete LTI launches per second learnpass serves, beside a plain pylti1p3 tool.

One run measures two tools against the same demo platform, one after the other, on the same
loopback port and with the same gunicorn settings (--workers sync workers):

- learnpass (demo mode, SQLite in a temporary folder);
- bench/plain_tool.py, a Flask tool that does nothing but launch with pylti1p3 (pylti1p3next):
  state and nonce in Flask's cookie session, the platform key set cached in process memory.

The demo platform is a learnpass server of its own (demo mode, its own SQLite and gunicorn), so
both tools get the same peer. Each launch is run as a new browser would, from client threads:

    GET  platform/demo/start      the platform sends the browser to the tool's login
    GET  tool/lti/login           the tool keeps state and nonce, redirects to the platform
    GET  platform/demo/authorize  the platform signs an id_token (RS256) into an auto-submit form
    POST tool/lti/launch          the tool checks signature, nonce, state, deployment; records it
    GET  tool/home                the landing page (checked to greet the right person)

It prints launches per second, p50 / p95 of one whole launch and of each step, for each tool,
and the ratio. The machine may be shared, so it also prints the CPU time each side spent per
launch (read from /proc for each gunicorn's processes, and this client's own): the platform's
share is in both tools' loops, so it bounds the ratio; the tool's own CPU per launch is what a
tool controls. Bounded by --launches and --max-seconds per tool; the servers are always stopped.

    .venv/bin/python bench/launch.py [--launches 200] [--threads 4] [--workers 2]
                                     [--max-seconds 120] [--only learnpass|plain]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from lxml import html

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 30
USERS = {"learner": "Lena de Vries", "learner2": "Karim Benali", "instructor": "Tom Peeters"}


@dataclass
class Results:
    durations: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # CPU seconds spent while measuring: the tool's server, the platform's, this client.
    cpu: dict[str, float] = field(default_factory=dict)


def group_cpu_seconds(group: int) -> float | None:
    """User + system CPU seconds of the live processes of one process group (a gunicorn server
    started in a session of its own: its master and workers), from /proc; None elsewhere."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, port: int, platform_port: int) -> dict[str, str]:
    """A learnpass server on ``port`` whose demo platform is the one on ``platform_port``.

    For the platform server itself, ``port`` is the tool's: the platform sends the browser and
    its signed launches there."""
    data_dir.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        LEARNPASS_DEMO="true",
        LEARNPASS_DATA_DIR=str(data_dir),
        LEARNPASS_DATABASE_URL="sqlite:///" + str(data_dir / "learnpass.db"),
        LEARNPASS_BASE_URL=f"http://127.0.0.1:{port}",
        LEARNPASS_DEMO_PLATFORM_URL=f"http://127.0.0.1:{platform_port}",
        LEARNPASS_SECURE_COOKIES="false",
        # The demo platform is served by the same gunicorn: the tool fetches its keys on loopback.
        LEARNPASS_OUTGOING_ALLOW_PRIVATE="true",
        LEARNPASS_SECRET_KEY="bench-" + os.urandom(16).hex(),
    )
    env.pop("DATABASE_URL", None)
    return env


def plain_env(data_dir: Path, port: int, platform_port: int) -> dict[str, str]:
    """bench/plain_tool.py registered with the same demo platform, with a key of its own."""
    from lti_tool.demo import platform as demo
    from lti_tool.lti.keys import generate_rsa_private_pem

    data_dir.mkdir(exist_ok=True)
    key = data_dir / "tool-key.pem"
    key.write_text(generate_rsa_private_pem())
    env = dict(os.environ)
    env.update(
        PLAIN_ISSUER=f"http://127.0.0.1:{platform_port}/demo",
        PLAIN_PLATFORM_URL=f"http://127.0.0.1:{platform_port}/demo",
        PLAIN_CLIENT_ID=demo.CLIENT_ID,
        PLAIN_DEPLOYMENT_ID=demo.DEPLOYMENT_ID,
        PLAIN_PRIVATE_KEY=str(key),
        PLAIN_BASE_URL=f"http://127.0.0.1:{port}",
        PLAIN_SECRET_KEY="bench-" + os.urandom(16).hex(),
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Create the tables and seed the demo (platform registration, a course link)."""
    script = (
        "from lti_tool import create_app\n"
        "from lti_tool.extensions import db\n"
        "from lti_tool.demo.seed import seed_demo\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    seed_demo()\n"
        "    db.session.commit()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=PROJECT_ROOT, check=True, timeout=120
    )


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path, app: str = "lti_tool.wsgi:app"
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
        "--pythonpath", str(PROJECT_ROOT / "bench"),
        app,
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own command line
            command,
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_up(
    base: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {seconds:.0f}s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def first_form(response: requests.Response) -> tuple[str, dict[str, str]]:
    forms = html.fromstring(response.text).forms
    if not forms:
        raise RuntimeError(f"no form on {response.url} (HTTP {response.status_code})")
    form = forms[0]
    fields = {
        i.name: i.value or "" for i in form.inputs if i.name and getattr(i, "type", "") != "submit"
    }
    return urljoin(response.url, form.action or response.url), fields


def one_launch(platform: str, user: str, steps: dict[str, float]) -> None:
    """One launch by a new browser (no cookies); fills ``steps`` with each step's seconds."""
    with requests.Session() as browser:

        def timed(name: str, method: str, url: str, **kwargs: object) -> requests.Response:
            started = time.perf_counter()
            response = browser.request(
                method, url, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs
            )
            steps[name] = time.perf_counter() - started
            return response

        r = timed("demo/start", "GET", platform + "/demo/start", params={"user": user})
        if r.status_code != 302:
            raise RuntimeError(f"/demo/start answered {r.status_code}")
        # A browser with scripts passes the tool's cookie check page; this client says so itself.
        r = timed("lti/login", "GET", r.headers["Location"] + "&lti1p3_new_window=1")
        if r.status_code != 302:
            raise RuntimeError(f"/lti/login answered {r.status_code}: {r.text[:200]}")
        r = timed("demo/authorize", "GET", urljoin(platform, r.headers["Location"]))
        if r.status_code != 200:
            raise RuntimeError(f"/demo/authorize answered {r.status_code}: {r.text[:200]}")
        action, fields = first_form(r)
        r = timed("lti/launch", "POST", action, data=fields)
        if r.status_code != 303:
            raise RuntimeError(f"/lti/launch answered {r.status_code}: {r.text[-1500:]}")
        r = timed("landing page", "GET", urljoin(action, r.headers["Location"]))
        if r.status_code != 200 or USERS[user] not in r.text:
            raise RuntimeError(f"landing page answered {r.status_code} without {USERS[user]!r}")


def worker(
    platform: str, next_index: list[int], total: int, deadline: float, results: Results
) -> None:
    users = list(USERS)
    while time.monotonic() < deadline:
        with results.lock:
            if next_index[0] >= total:
                return
            index = next_index[0]
            next_index[0] += 1
        steps: dict[str, float] = {}
        started = time.perf_counter()
        try:
            one_launch(platform, users[index % len(users)], steps)
        except Exception as exc:  # noqa: BLE001 - count every failure, keep going
            with results.lock:
                results.errors.append(str(exc))
            continue
        elapsed = time.perf_counter() - started
        with results.lock:
            results.durations.append(elapsed)
            for name, seconds in steps.items():
                results.steps[name].append(seconds)


def run_threads(items: list[Any], threads: int, step: Callable[[Any], None]) -> list[str]:
    """Call ``step`` on every item from ``threads`` threads; returns the failures' messages."""
    queue = list(reversed(items))
    errors: list[str] = []
    lock = threading.Lock()

    def loop() -> None:
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            try:
                step(item)
            except Exception as exc:  # noqa: BLE001 - count every failure, keep going
                with lock:
                    errors.append(str(exc))

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


@dataclass
class Browser:
    """One new browser's launch, cut into the platform's part and the tool's part."""

    user: str
    http: requests.Session = field(default_factory=requests.Session)
    login_url: str = ""
    authorize_url: str = ""
    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def measure_tool_alone(
    platform: str, launches: int, threads: int, tool_group: int
) -> tuple[Results, float]:
    """The tool's three requests only, the platform's work done before (or between) the timed
    parts: every browser gets its login address from the platform first (untimed); then the
    tool's logins are timed; then the platform signs every id_token (untimed, it needs the nonce
    the tool's login chose); then the tool's launch posts and landing pages are timed. The
    launches per second and CPU are those of the two timed parts together, for the tool alone."""
    users = list(USERS)
    browsers = [Browser(users[i % len(users)]) for i in range(launches)]
    results = Results()
    wall = 0.0
    cpu = 0.0

    def timed_phase(step: Callable[[Browser], None]) -> None:
        nonlocal wall, cpu
        before = group_cpu_seconds(tool_group)
        started = time.perf_counter()
        results.errors.extend(run_threads(browsers, threads, step))
        wall += time.perf_counter() - started
        after = group_cpu_seconds(tool_group)
        if before is not None and after is not None:
            cpu += after - before

    def get(b: Browser, url: str, step: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        r = b.http.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs)
        with results.lock:
            results.steps[step].append(time.perf_counter() - started)
        return r

    def start(b: Browser) -> None:  # the platform, untimed
        r = b.http.get(
            platform + "/demo/start", params={"user": b.user}, timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
        )  # fmt: skip
        if r.status_code != 302:
            raise RuntimeError(f"/demo/start answered {r.status_code}")
        b.login_url = r.headers["Location"] + "&lti1p3_new_window=1"

    def login(b: Browser) -> None:  # the tool, timed
        if not b.login_url:
            return
        r = get(b, b.login_url, "lti/login")
        if r.status_code != 302:
            raise RuntimeError(f"/lti/login answered {r.status_code}: {r.text[:200]}")
        b.authorize_url = urljoin(platform, r.headers["Location"])

    def authorize(b: Browser) -> None:  # the platform signs, untimed
        if not b.authorize_url:
            return
        r = b.http.get(b.authorize_url, timeout=REQUEST_TIMEOUT, allow_redirects=False)
        if r.status_code != 200:
            raise RuntimeError(f"/demo/authorize answered {r.status_code}: {r.text[:200]}")
        b.action, b.fields = first_form(r)

    def launch(b: Browser) -> None:  # the tool, timed
        if not b.action:
            return
        started = time.perf_counter()
        r = b.http.post(b.action, data=b.fields, timeout=REQUEST_TIMEOUT, allow_redirects=False)
        with results.lock:
            results.steps["lti/launch"].append(time.perf_counter() - started)
        if r.status_code != 303:
            raise RuntimeError(f"/lti/launch answered {r.status_code}: {r.text[-1500:]}")
        r = get(b, urljoin(b.action, r.headers["Location"]), "landing page")
        if r.status_code != 200 or USERS[b.user] not in r.text:
            raise RuntimeError(f"landing page answered {r.status_code} without {USERS[b.user]!r}")
        with results.lock:
            results.durations.append(0.0)  # counted; a launch's time is in its steps

    try:
        results.errors.extend(run_threads(browsers, threads, start))
        timed_phase(login)
        results.errors.extend(run_threads(browsers, threads, authorize))
        timed_phase(launch)
    finally:
        for b in browsers:
            b.http.close()
    results.cpu["tool"] = cpu
    return results, wall


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def measure(
    platform: str, launches: int, threads: int, max_seconds: float, servers: dict[str, int]
) -> tuple[Results, float]:
    """``servers``: the process group of each server to count CPU for ("tool", "platform")."""
    # One launch first: it fills the tool's cache of the platform's key set, and shows that the
    # flow works before anything is measured.
    one_launch(platform, "learner", {})
    results = Results()
    next_index = [0]
    deadline = time.monotonic() + max_seconds
    pool = [
        threading.Thread(target=worker, args=(platform, next_index, launches, deadline, results))
        for _ in range(threads)
    ]
    cpu_before = {name: group_cpu_seconds(group) for name, group in servers.items()}
    client_before = time.process_time()
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    results.cpu["client"] = time.process_time() - client_before
    for name, group in servers.items():
        before, after = cpu_before[name], group_cpu_seconds(group)
        if before is not None and after is not None:
            results.cpu[name] = after - before
    return results, wall


def run_tool(
    name: str,
    tmp: Path,
    port: int,
    platform: subprocess.Popen[bytes],
    platform_port: int,
    args: argparse.Namespace,
    threads: int,
) -> tuple[tuple[Results, float], tuple[Results, float]]:
    """Start one tool on ``port``, measure its complete launches then its part alone, stop it."""
    data_dir = tmp / name
    base = f"http://127.0.0.1:{port}"
    if name == "learnpass":
        env = server_env(data_dir, port, platform_port)
        prepare_database(env)
        app = "lti_tool.wsgi:app"
    else:
        env = plain_env(data_dir, port, platform_port)
        app = "plain_tool:app"
    log = data_dir / "gunicorn.log"
    server = start_gunicorn(env, port, args.workers, log, app)
    try:
        wait_until_up(base, server, log)
        platform_url = f"http://127.0.0.1:{platform_port}"
        launches = max(1, min(args.launches, 5000))
        complete = measure(
            platform_url, launches, threads, args.max_seconds,
            {"tool": server.pid, "platform": platform.pid},
        )  # fmt: skip
        alone = measure_tool_alone(platform_url, launches, threads, server.pid)
        return complete, alone
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--launches", type=int, default=200, help="complete launches per tool (at most 5000)"
    )
    parser.add_argument("--threads", type=int, default=4, help="client threads (at most 32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="per tool: stop starting launches after this"
    )
    parser.add_argument(
        "--only", choices=("learnpass", "plain"), help="measure one tool only (default: both)"
    )
    args = parser.parse_args()
    threads = max(1, min(args.threads, 32))
    tools = [args.only] if args.only else ["learnpass", "plain"]

    measured: dict[str, tuple[Results, float]] = {}
    alone: dict[str, tuple[Results, float]] = {}
    with tempfile.TemporaryDirectory(prefix="learnpass-bench-") as name:
        tmp = Path(name)
        port, platform_port = free_port(), free_port()
        # The demo platform: a learnpass server that sends browsers and launches to ``port``.
        platform_env = server_env(tmp / "platform", platform_port, platform_port)
        platform_env["LEARNPASS_BASE_URL"] = f"http://127.0.0.1:{port}"
        prepare_database(platform_env)
        platform_log = tmp / "platform" / "gunicorn.log"
        platform = start_gunicorn(platform_env, platform_port, args.workers, platform_log)
        try:
            wait_until_up(f"http://127.0.0.1:{platform_port}", platform, platform_log)
            for tool in tools:
                measured[tool], alone[tool] = run_tool(
                    tool, tmp, port, platform, platform_port, args, threads
                )
        finally:
            stop(platform)

    print(f"launch benchmark: gunicorn, {args.workers} sync workers per server, SQLite;")
    print("  the demo platform is a learnpass server of its own, the same for both tools")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"client: {threads} threads; {os.cpu_count()} CPUs on this machine, load average {load}")
    for tool, (results, wall) in measured.items():
        report(tool, results, wall)
    rates = {t: len(r.durations) / wall for t, (r, wall) in measured.items() if wall > 0}
    if rates.get("learnpass") and rates.get("plain"):
        ratio = rates["learnpass"] / rates["plain"]
        print(f"learnpass / plain pylti1p3 tool: {ratio:.2f}x the launches per second")
        own = {t: tool_seconds(r) for t, (r, _) in measured.items()}
        if own.get("learnpass"):
            print(
                f"  the tool's own requests: plain {ms(own['plain'])}, learnpass "
                f"{ms(own['learnpass'])} per launch ({own['plain'] / own['learnpass']:.2f}x)"
            )
        compare_cpu(measured["learnpass"][0], measured["plain"][0])
    print(
        "the tool alone (the platform's start and signed id_tokens made before each timed part;"
        " login, launch, landing page timed):"
    )
    for tool, (results, wall) in alone.items():
        report_alone(tool, results, wall)
    alone_rates = {t: len(r.durations) / wall for t, (r, wall) in alone.items() if wall > 0}
    if alone_rates.get("learnpass") and alone_rates.get("plain"):
        print(
            "learnpass / plain pylti1p3 tool, the tool alone: "
            f"{alone_rates['learnpass'] / alone_rates['plain']:.2f}x the launches per second"
        )
        own = {t: cpu_per_launch(r, "tool") for t, (r, _) in alone.items()}
        if own.get("learnpass") and own.get("plain"):
            print(
                f"  the tool's own CPU per launch: plain {ms(own['plain'] or 0)}, learnpass "
                f"{ms(own['learnpass'] or 0)} (plain / learnpass "
                f"{(own['plain'] or 0) / (own['learnpass'] or 1):.2f}x)"
            )
    failed = any(r.errors or not r.durations for r, _ in [*measured.values(), *alone.values()])
    return 1 if failed else 0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


TOOL_STEPS = ("lti/login", "lti/launch", "landing page")


def tool_seconds(results: Results) -> float:
    """Mean time of the tool's own requests in one launch (the platform's two left out)."""
    return sum(statistics.fmean(results.steps[s]) for s in TOOL_STEPS if results.steps.get(s))


def cpu_per_launch(results: Results, side: str) -> float | None:
    if side not in results.cpu or not results.durations:
        return None
    return results.cpu[side] / len(results.durations)


def compare_cpu(learnpass: Results, plain: Results) -> None:
    """What the tool controls (its own CPU per launch), and the ratio the shared platform allows."""
    tool = {"learnpass": cpu_per_launch(learnpass, "tool"), "plain": cpu_per_launch(plain, "tool")}
    both = [
        (cpu_per_launch(r, "platform") or 0) + (cpu_per_launch(r, "client") or 0)
        for r in (learnpass, plain)
    ]
    if tool["learnpass"] and tool["plain"]:
        print(
            f"  the tool's own CPU per launch: plain {ms(tool['plain'])}, learnpass "
            f"{ms(tool['learnpass'])} (plain / learnpass {tool['plain'] / tool['learnpass']:.2f}x)"
        )
    if tool["plain"] and all(both):
        # The platform's and the client's CPU are in every launch of both loops: on a CPU-bound
        # machine even a tool that cost nothing would only reach (shared + plain tool) / shared.
        shared = statistics.fmean(both)
        print(
            f"  the demo platform and the client: {ms(shared)} CPU per launch in both loops; a "
            f"tool costing no CPU at all would reach {(shared + tool['plain']) / shared:.2f}x "
            "the plain tool"
        )


def report_alone(tool: str, results: Results, wall: float) -> None:
    done = len(results.durations)
    print(f"{tool}: {done} launches ok, {len(results.errors)} failed, {wall:.1f} s timed")
    if done and wall > 0:
        cpu = cpu_per_launch(results, "tool")
        print(
            f"  launches per second: {done / wall:.1f}; the tool's CPU per launch: "
            + (ms(cpu) if cpu is not None else "n/a")
        )
        for name in TOOL_STEPS:
            values = results.steps.get(name)
            if values:
                print(
                    f"    {name:<15} p50 {ms(percentile(values, 50))}   "
                    f"p95 {ms(percentile(values, 95))}   mean {ms(statistics.fmean(values))}"
                )
    for error in sorted(set(results.errors))[:5]:
        print(f"  error: {error}")


def report(tool: str, results: Results, wall: float) -> None:
    done = len(results.durations)
    print(f"{tool}: {done} complete launches ok, {len(results.errors)} failed, in {wall:.1f} s")
    if done:
        durations = results.durations
        print(f"  launches per second: {done / wall:.1f}")
        print(
            f"  one launch (5 requests): p50 {ms(percentile(durations, 50))}, "
            f"p95 {ms(percentile(durations, 95))}, max {ms(max(durations))}"
        )
        print(f"  the tool's own three requests: mean {ms(tool_seconds(results))} per launch")
        cpu = {side: cpu_per_launch(results, side) for side in ("tool", "platform", "client")}
        print(
            "  CPU per launch: "
            + ", ".join(f"{side} {ms(v) if v is not None else 'n/a'}" for side, v in cpu.items())
        )
        for name, values in results.steps.items():
            print(
                f"    {name:<15} p50 {ms(percentile(values, 50))}   "
                f"p95 {ms(percentile(values, 95))}   mean {ms(statistics.fmean(values))}"
            )
    for error in sorted(set(results.errors))[:5]:
        print(f"  error: {error}")


if __name__ == "__main__":
    sys.exit(main())
