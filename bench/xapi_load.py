"""Load benchmark: learnpass's LRS on SQLite and PostgreSQL (and Ralph) in one run.

    .venv/bin/python bench/xapi_load.py [--statements 1000000] [--postgres postgresql://...]

Starts learnpass (gunicorn, fresh database, an LRS client) on loopback, loads it with statements
in batches of 100 (with a few hundred voided along the way, so every filtered GET meets
StatementRefs), then times single POSTs and GETs against the full store: agent, verb, activity
with related_activities, a since / until window (both orders), verb + since, and the default
page. The same run measures the floor: the same batches parsed and inserted into a plain indexed
SQLite table, nothing else, each batch right after the LRS took it (both timed under the same
load of the machine). PostgreSQL runs when a URL is given (``--postgres`` or
LEARNPASS_BENCH_POSTGRES; its tables are dropped and made again), Ralph when it is installed
(see tests/xapi/ralph_peer.py) and not ``--skip-ralph``.

Beside each GET's wall time (over HTTP, from this process), its time in the database server:
PostgreSQL's EXPLAIN ANALYZE execution time of the SELECTs a page runs, and on SQLite the CPU
time of StatementReader.query in this process (SQLite has no server); a shared machine's load
shows in the wall times far more than in these.

``--reuse-sqlite FILE`` / ``--reuse-postgres URL`` measure an already loaded store without
loading it (nor dropping anything): learnpass starts on it, the since / until moments are read
from the store (stored moments spread through it), then the same single POSTs (they add a few
statements) and GETs are timed and the same table printed. ``--folder DIR`` keeps the run's
files (the SQLite store is DIR/bench.db) instead of a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.xapi.ralph_peer import PASSWORD, USER, RalphPeer, free_port, ralph_available  # noqa: E402

VERBS = [
    f"http://adlnet.gov/expapi/verbs/{v}"
    for v in (
        "completed",
        "passed",
        "failed",
        "attempted",
        "experienced",
        "answered",
        "launched",
        "progressed",
        "scored",
        "terminated",
    )
]
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
BATCH = 100
USERS, ACTIVITIES, COURSES = 500, 2000, 40


def user(n: int) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": "https://lms.example.org", "name": f"user-{n}"},
    }


def activity_id(n: int) -> str:
    return f"https://tool.example.org/activities/{n}"


def course_id(n: int) -> str:
    return f"https://tool.example.org/courses/{n}"


def make_statement(rng: random.Random) -> dict[str, Any]:
    """A statement as a SCORM / cmi5 player sends it: the object and its course with definitions
    (the same ones again and again, as real tools do)."""
    n = rng.randrange(ACTIVITIES)
    course = n % COURSES
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": user(rng.randrange(USERS)),
        "verb": {"id": rng.choice(VERBS)},
        "object": {
            "objectType": "Activity",
            "id": activity_id(n),
            "definition": {
                "name": {"en-US": f"Lesson {n}"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "result": {"success": rng.random() < 0.7, "score": {"scaled": round(rng.random(), 2)}},
        "context": {
            "registration": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "contextActivities": {
                "parent": [
                    {
                        "id": course_id(course),
                        "definition": {
                            "name": {"en-US": f"Course {course}"},
                            "type": "http://adlnet.gov/expapi/activities/course",
                        },
                    }
                ]
            },
        },
        "timestamp": "2026-01-15T10:00:00.000Z",
    }


def batches(total: int, seed: int, voided: int) -> Iterator[list[dict[str, Any]]]:
    """The statements in batches; every so often a batch also voids a statement sent before."""
    rng = random.Random(seed)
    every = max(1, total // max(1, voided))
    sent: list[str] = []
    loaded = 0
    while loaded < total:
        batch = [make_statement(rng) for _ in range(min(BATCH, total - loaded))]
        for statement in list(batch):
            loaded += 1
            if len(sent) < 1000:
                sent.append(statement["id"])
            else:
                sent[rng.randrange(1000)] = statement["id"]
            if voided and loaded % every == 0 and len(sent) > 1:
                target = sent.pop(rng.randrange(len(sent) - 1))
                batch.append(
                    {
                        "actor": user(0),
                        "verb": {"id": VOIDED},
                        "object": {"objectType": "StatementRef", "id": target},
                    }
                )
        yield batch


FLOOR_SCHEMA = """
CREATE TABLE statement (seq INTEGER PRIMARY KEY, statement_id TEXT NOT NULL UNIQUE,
    stored TEXT NOT NULL, verb_id TEXT NOT NULL, actor TEXT, object_id TEXT,
    registration TEXT, payload TEXT NOT NULL);
CREATE INDEX ix_verb ON statement (verb_id, seq);
CREATE INDEX ix_actor ON statement (actor, seq);
CREATE INDEX ix_object ON statement (object_id, seq);
CREATE INDEX ix_registration ON statement (registration, seq);
CREATE INDEX ix_stored ON statement (stored);
"""


class Floor:
    """The same batches parsed from JSON and inserted into a plain indexed SQLite table (one
    transaction per batch): what any LRS on this machine pays at least. Each batch goes in
    right after the LRS took it, so both are timed under the same load of the machine."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + FLOOR_SCHEMA)
        self.count = 0
        self.spent = 0.0

    def add(self, body: str) -> None:
        start = time.perf_counter()
        batch = json.loads(body)
        stored = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        rows = [
            (
                s.get("id") or str(uuid.uuid4()),
                stored,
                s["verb"]["id"],
                json.dumps(s["actor"], sort_keys=True),
                s["object"]["id"],
                s.get("context", {}).get("registration"),
                json.dumps(s),
            )
            for s in batch
        ]
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO statement (statement_id, stored, verb_id, actor, object_id,"
            " registration, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.db.execute("COMMIT")
        self.spent += time.perf_counter() - start
        self.count += len(rows)

    def rate(self) -> float:
        return self.count / self.spent if self.spent else 0.0


class Target:
    def __init__(self, name: str, base: str, auth: tuple[str, str]) -> None:
        self.name, self.base = name, base.rstrip("/") + "/"
        self.http = requests.Session()
        self.http.auth = auth
        self.http.headers.update(HEADERS)

    def post(self, body: Any) -> Any:
        return self.post_text(json.dumps(body))

    def post_text(self, body: str) -> Any:
        response = self.http.post(self.base + "statements", data=body, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(
                f"{self.name}: POST answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def get(self, params: dict[str, str]) -> Any:
        response = self.http.get(self.base + "statements", params=params, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(
                f"{self.name}: GET answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()


def start_learnpass(
    folder: Path, database_url: str | None, *, fresh: bool = True, workers: int = 2
) -> tuple[subprocess.Popen[bytes], Target]:
    """learnpass under gunicorn (``workers`` sync workers of two threads) on ``database_url``
    (``folder``/bench.db if None); ``fresh`` drops and makes the tables, otherwise the store is
    kept and only the client is added."""
    port = free_port()
    env = {
        **os.environ,
        "LEARNPASS_DATA_DIR": str(folder),
        "LEARNPASS_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "LEARNPASS_BASE_URL": f"http://127.0.0.1:{port}",
        # Required outside demo mode; the LRS never serves from it.
        "LEARNPASS_CONTENT_URL": f"http://localhost:{port}",
        "LEARNPASS_DATABASE_URL": database_url or f"sqlite:///{folder}/bench.db",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    setup = textwrap.dedent(
        """
        import sys
        from sqlalchemy import select
        from lti_tool import create_app
        from lti_tool.extensions import db
        from xapi import auth, tables

        app = create_app()
        with app.app_context():
            if sys.argv[1] == "fresh":
                db.drop_all()
                db.create_all()
            c = tables.clients.c
            if not db.session.execute(select(c.id).where(c.key == "bench")).first():
                auth.add_client(db.session(), "bench", ["all"], "bench", "bench-secret")
            db.session.commit()
        """
    )
    subprocess.run(  # noqa: S603
        [python, "-c", setup, "fresh" if fresh else "keep"], env=env, check=True, cwd=ROOT
    )
    log = open(folder / f"learnpass-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            python,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            "2",
            "--timeout",
            "300",
            "--bind",
            f"127.0.0.1:{port}",
            "lti_tool.wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}/xapi/"
    for _ in range(300):
        try:
            requests.get(base + "about", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return process, Target("learnpass", base, ("bench", "bench-secret"))


def timed(action: Callable[[], None], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(target: Target, total: int, seed: int, voided: int, floor: Floor) -> float:
    """Statements/s of the batched load (time spent in the POSTs). Each batch also goes to the
    floor, just after."""
    loaded = 0
    spent = 0.0
    for batch in batches(total, seed, voided):
        body = json.dumps(batch)
        start = time.perf_counter()
        target.post_text(body)
        spent += time.perf_counter() - start
        floor.add(body)
        before, loaded = loaded, loaded + len(batch)
        if loaded // 100_000 != before // 100_000:
            print(
                f"  {target.name}: {loaded} stored ({loaded / spent:.0f}/s,"
                f" floor {floor.rate():.0f}/s, {loaded / spent / floor.rate():.2f}x)",
                flush=True,
            )
    return loaded / spent


def kinds(stored: list[str], seed: int) -> dict[str, Callable[[], dict[str, str]]]:
    """What each timed GET asks for (its query string), drawn afresh for every request.
    ``stored``: stored moments spread through the store, oldest first."""
    rng = random.Random(seed)
    stored = stored or ["2000-01-01T00:00:00Z"]

    def window() -> dict[str, str]:
        # About a tenth of the store (two marks apart), anywhere in it.
        i = rng.randrange(len(stored))
        j = min(len(stored) - 1, i + 2)
        return {"since": stored[i], "until": stored[j]} if j > i else {"since": stored[i]}

    return {
        "agent": lambda: {"agent": json.dumps(user(rng.randrange(USERS))), "limit": "10"},
        "verb": lambda: {"verb": rng.choice(VERBS), "limit": "10"},
        "activity + related": lambda: {
            "activity": course_id(rng.randrange(COURSES)),
            "related_activities": "true",
            "limit": "10",
        },
        "since / until": lambda: {**window(), "limit": "10"},
        "since / until ascending": lambda: {**window(), "limit": "10", "ascending": "true"},
        "verb + since": lambda: {
            "verb": rng.choice(VERBS),
            "since": rng.choice(stored),
            "limit": "10",
        },
        "default page (500)": dict,
    }


def stored_marks(url: str, count: int = 20) -> list[str]:
    """``count`` stored moments spread evenly through the store's seq range, oldest first."""
    from sqlalchemy import create_engine, func, select

    from xapi import tables
    from xapi.models import format_timestamp

    s = tables.statements.c
    engine = create_engine(_driver_url(url))
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(s.seq), func.max(s.seq))).one()
        moments = []
        if first is not None:
            for k in range(count):
                at = first + (last - first) * k // max(1, count - 1)
                moment = conn.execute(
                    select(s.stored).where(s.seq >= at).order_by(s.seq).limit(1)
                ).scalar()
                if moment is not None:
                    moments.append(format_timestamp(moment))
    engine.dispose()
    return sorted(set(moments))


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def server_times(url: str, stored: list[str], seed: int, samples: int) -> dict[str, list[float]]:
    """Per kind of GET, ms spent in the database for each of ``samples`` requests drawn like the
    timed GETs: PostgreSQL's EXPLAIN ANALYZE execution time summed over the SELECTs the page runs;
    on SQLite, the CPU time of StatementReader.query in this process."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import Session

    from xapi.queries import StatementReader, parse_query

    sqlite = url.startswith("sqlite")
    engine = create_engine(_driver_url(url))
    captured: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((sql, params))

    found: dict[str, list[float]] = {}
    with Session(engine) as session:
        for name, params in kinds(stored, seed).items():
            times = found.setdefault(name, [])
            for _ in range(samples):
                q = parse_query(params())
                captured.clear()
                event.listen(engine, "before_cursor_execute", remember)
                try:
                    # CPU time: SQLite works in this process, and a loaded machine's waits
                    # for a core stay out of it (wall time is the HTTP figure).
                    start = time.process_time()
                    StatementReader(session).query(q)
                    spent = (time.process_time() - start) * 1000
                finally:
                    event.remove(engine, "before_cursor_execute", remember)
                if not sqlite:
                    spent = 0.0
                    for sql, bound in list(captured):
                        plan: Any = (
                            session.connection()
                            .exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, bound)
                            .scalar()
                        )
                        spent += float(plan[0]["Execution Time"])
                times.append(spent)
            session.rollback()
    engine.dispose()
    return found


def explain(url: str) -> dict[str, str]:
    """For each kind of GET, whether the SELECTs a page runs sort (EXPLAIN on the database
    itself: SQLite's temporary B-tree, PostgreSQL's Sort nodes) or read in index order.
    BENCH_SHOW_PLANS=1 prints each plan; BENCH_EXPLAIN="EXPLAIN ANALYZE " times them."""
    from sqlalchemy import create_engine, event, func, select
    from sqlalchemy.orm import Session

    from xapi import tables
    from xapi.models import agent_key
    from xapi.queries import StatementQuery, StatementReader

    sqlite = url.startswith("sqlite")
    engine = create_engine(_driver_url(url))
    captured: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((sql, params))

    found: dict[str, str] = {}
    with Session(engine) as session:
        s = tables.statements.c
        first, last = session.execute(select(func.min(s.stored), func.max(s.stored))).one()
        if first is None:
            return found
        middle = first + (last - first) / 2
        tenth = (last - first) / 10
        kinds = {
            "agent": StatementQuery(agent_key=agent_key(user(7)), limit=10),
            "verb": StatementQuery(verb=VERBS[3], limit=10),
            "activity + related": StatementQuery(
                activity=course_id(3), related_activities=True, limit=10
            ),
            "since / until": StatementQuery(since=middle, until=middle + tenth, limit=10),
            "since / until ascending": StatementQuery(
                since=middle, until=middle + tenth, limit=10, ascending=True
            ),
            "verb + since": StatementQuery(verb=VERBS[2], since=middle, limit=10),
            "default page (500)": StatementQuery(),
        }
        for name, q in kinds.items():
            captured.clear()
            event.listen(engine, "before_cursor_execute", remember)
            try:
                StatementReader(session).query(q)
            finally:
                event.remove(engine, "before_cursor_execute", remember)
            sorts = False
            for sql, params in captured:
                prefix = (
                    "EXPLAIN QUERY PLAN " if sqlite else os.environ.get("BENCH_EXPLAIN", "EXPLAIN ")
                )
                rows = session.connection().exec_driver_sql(prefix + sql, params).all()
                plan = "\n".join(str(row[-1]) for row in rows)
                if os.environ.get("BENCH_SHOW_PLANS"):
                    print(name, sql, params, plan, sep="\n", end="\n\n")
                # The page's own scan; the referrers merged in (a WITH query) are sorted, but
                # only those within the page's span whose target matches.
                if not sql.lstrip().upper().startswith("WITH"):
                    sorts = sorts or "TEMP B-TREE" in plan or "Sort" in plan
            found[name] = "sorts" if sorts else "index order"
    engine.dispose()
    return found


def measure(
    target: Target, url: str, seed: int, samples: int, server_samples: int
) -> dict[str, float]:
    """Single POSTs and every kind of GET timed against the store as it is: p50 / p95 by wall
    (HTTP, from this process) and by time in the database (see server_times)."""
    rng = random.Random(seed + 1)
    result: dict[str, float] = {}
    single = timed(lambda: target.post(make_statement(rng)), samples)
    result["single POST p50, ms"] = percentile(single, 50)
    result["single POST p95, ms"] = percentile(single, 95)
    stored = stored_marks(url)
    every: list[float] = []
    for name, params in kinds(stored, seed).items():
        times = timed(lambda params=params: target.get(params()), samples)  # type: ignore[misc]
        if not name.startswith("default"):
            every += times
        result[f"GET {name} p50, ms"] = percentile(times, 50)
        result[f"GET {name} p95, ms"] = percentile(times, 95)
    result["filtered GET p50, ms"] = percentile(every, 50)
    result["filtered GET p95, ms"] = percentile(every, 95)
    every = []
    for name, times in server_times(url, stored, seed, server_samples).items():
        if not name.startswith("default"):
            every += times
        result[f"in database: GET {name} p50, ms"] = percentile(times, 50)
        result[f"in database: GET {name} p95, ms"] = percentile(times, 95)
    result["in database: filtered GET p50, ms"] = percentile(every, 50)
    result["in database: filtered GET p95, ms"] = percentile(every, 95)
    return result


def run_learnpass(
    name: str, folder: Path, url: str | None, args: argparse.Namespace, *, reuse: bool = False
) -> dict[str, Any]:
    """Load a fresh store and measure it, or (``reuse``) measure the store ``url`` holds."""
    url = url or f"sqlite:///{folder}/bench.db"
    process, target = start_learnpass(folder, url, fresh=not reuse, workers=args.workers)
    target.name = name
    result: dict[str, Any] = {}
    try:
        if reuse:
            print(f"{name}: measuring the store as it is", flush=True)
        else:
            print(f"{name}: loading {args.statements} statements", flush=True)
            floor = Floor(folder / f"floor-{name}.db")
            rate = load(target, args.statements, 1, args.voided, floor)
            result["batched POST of 100, statements/s"] = rate
            result["floor, statements/s"] = floor.rate()
            result["batched POST / floor"] = rate / floor.rate()
        result.update(measure(target, url, 1, args.samples, args.server_samples))
    finally:
        process.terminate()
        process.wait(30)
    for kind, how in explain(url).items():
        result[f"plan of GET {kind}"] = how
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--statements", type=int, default=1_000_000, help="statements loaded into each LRS"
    )
    parser.add_argument(
        "--voided", type=int, default=None, help="statements voided during the load (N / 3000)"
    )
    parser.add_argument("--samples", type=int, default=200, help="requests timed per figure")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers of learnpass (1 for a smoke run)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LEARNPASS_BENCH_POSTGRES", ""),
        help="also run on this PostgreSQL database (its tables are dropped and made again)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--explain",
        metavar="URL",
        help="only print whether each kind of GET sorts, on an already loaded database",
    )
    parser.add_argument("--skip-ralph", action="store_true")
    parser.add_argument(
        "--reuse-sqlite", metavar="FILE", help="measure this loaded SQLite store, load nothing"
    )
    parser.add_argument(
        "--reuse-postgres", metavar="URL", help="measure this loaded PostgreSQL store, load nothing"
    )
    parser.add_argument(
        "--server-samples",
        type=int,
        default=None,
        help="queries timed in the database per kind of GET (default: --samples, 50 at most)",
    )
    parser.add_argument(
        "--folder", type=Path, help="keep the run's files here (SQLite store: FOLDER/bench.db)"
    )
    args = parser.parse_args()
    if args.server_samples is None:
        args.server_samples = min(args.samples, 50)
    if args.voided is None:
        args.voided = max(1, args.statements // 3000)
    if args.explain:
        for kind, how in explain(args.explain).items():
            print(f"plan of GET {kind}: {how}")
        return

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="xapi-bench-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.reuse_sqlite or args.reuse_postgres:
            if args.reuse_sqlite:
                url = f"sqlite:///{Path(args.reuse_sqlite).resolve()}"
                results["sqlite"] = run_learnpass("sqlite", folder, url, args, reuse=True)
            if args.reuse_postgres:
                results["postgresql"] = run_learnpass(
                    "postgresql", folder, args.reuse_postgres, args, reuse=True
                )
            args.skip_ralph = True
        else:
            if not args.skip_sqlite:
                results["sqlite"] = run_learnpass("sqlite", folder, None, args)
            if args.postgres:
                results["postgresql"] = run_learnpass("postgresql", folder, args.postgres, args)
        if not args.skip_ralph:
            if not ralph_available():
                print("ralph-malph is not installed (LEARNPASS_TEST_RALPH_PYTHON): skipped")
            else:
                peer = RalphPeer(folder / "ralph").start()
                try:
                    print(f"ralph: loading {args.statements} statements", flush=True)
                    target = Target("ralph", peer.url, (USER, PASSWORD))
                    floor = Floor(folder / "floor-ralph.db")
                    rate = load(target, args.statements, 1, 0, floor)
                    results["ralph"] = {
                        "batched POST of 100, statements/s": rate,
                        "floor, statements/s": floor.rate(),
                        "batched POST / floor": rate / floor.rate(),
                    }
                    # Ralph has no database of ours to read stored moments from: the window
                    # GETs ask from the start of time.
                    rng = random.Random(2)
                    single = timed(lambda: target.post(make_statement(rng)), args.samples)
                    results["ralph"]["single POST p50, ms"] = percentile(single, 50)
                    results["ralph"]["single POST p95, ms"] = percentile(single, 95)
                    every: list[float] = []
                    for name, params in kinds([], 1).items():
                        times = timed(
                            lambda params=params: target.get(params()),  # type: ignore[misc]
                            args.samples,
                        )
                        if not name.startswith("default"):
                            every += times
                        results["ralph"][f"GET {name} p50, ms"] = percentile(times, 50)
                        results["ralph"][f"GET {name} p95, ms"] = percentile(times, 95)
                    results["ralph"]["filtered GET p50, ms"] = percentile(every, 50)
                    results["ralph"]["filtered GET p95, ms"] = percentile(every, 95)
                finally:
                    peer.stop()

    names = list(results)
    print()
    if args.reuse_sqlite or args.reuse_postgres:
        print("measured on the stores as they were (nothing loaded)")
    else:
        print(f"{args.statements} statements stored, {args.voided} of them voided")
        print("floor: the same batches parsed and inserted into a plain indexed SQLite table,")
        print("each right after the LRS took it (so both are timed under the same machine load)")
    print("in database: PostgreSQL's EXPLAIN ANALYZE execution time; SQLite's query CPU time")
    print(f"{'figure':<52}" + "".join(f"{n:>12}" for n in names))
    keys = list(dict.fromkeys(key for n in names for key in results[n]))
    for key in keys:
        cells = [results[n].get(key, "") for n in names]
        print(
            f"{key:<52}"
            + "".join(
                f"{c:>12.2f}"
                if "/ floor" in key
                else f"{c:>12.1f}"
                if isinstance(c, float)
                else f"{c:>12}"
                for c in cells
            )
        )


if __name__ == "__main__":
    main()
