"""Load benchmark: learnpass's LRS and Ralph side by side, on the same machine, in one run.

    .venv/bin/python bench/xapi_load.py [--statements 100000] [--database-url postgresql://...]

Starts learnpass (gunicorn, fresh database, an LRS client) and Ralph (``ralph-malph`` in its own
venv, fs backend; see tests/xapi/ralph_peer.py) on loopback, loads both with the same statements
in batches of 100, then measures single POSTs and filtered GETs against the full store. Prints
statements/s for the batched load, p50/p95 of single POST and of filtered GET, for both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
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
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}


def make_statement(rng: random.Random) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "account": {
                "homePage": "https://lms.example.org",
                "name": f"user-{rng.randrange(500)}",
            },
        },
        "verb": {"id": rng.choice(VERBS)},
        "object": {
            "objectType": "Activity",
            "id": f"https://tool.example.org/activities/{rng.randrange(2000)}",
        },
        "result": {"success": rng.random() < 0.7, "score": {"scaled": round(rng.random(), 2)}},
        "context": {"registration": str(uuid.UUID(int=rng.getrandbits(128), version=4))},
        "timestamp": "2026-01-15T10:00:00.000Z",
    }


class Target:
    def __init__(self, name: str, base: str, auth: tuple[str, str]) -> None:
        self.name, self.base = name, base.rstrip("/") + "/"
        self.http = requests.Session()
        self.http.auth = auth
        self.http.headers.update(HEADERS)

    def post(self, body: Any) -> None:
        response = self.http.post(self.base + "statements", data=json.dumps(body), timeout=120)
        if response.status_code != 200:
            raise RuntimeError(
                f"{self.name}: POST answered {response.status_code}: {response.text[:300]}"
            )

    def get(self, params: dict[str, str]) -> None:
        response = self.http.get(self.base + "statements", params=params, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(
                f"{self.name}: GET answered {response.status_code}: {response.text[:300]}"
            )


def start_learnpass(
    folder: Path, database_url: str | None
) -> tuple[subprocess.Popen[bytes], Target]:
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
        from lti_tool import create_app
        from lti_tool.extensions import db
        from xapi import auth

        app = create_app()
        with app.app_context():
            db.drop_all()
            db.create_all()
            auth.add_client(db.session(), "bench", ["all"], "bench", "bench-secret")
            db.session.commit()
        """
    )
    subprocess.run([python, "-c", setup], env=env, check=True, cwd=ROOT)  # noqa: S603
    log = open(folder / "learnpass.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            python,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--threads",
            "2",
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
    for _ in range(200):
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


def measure(target: Target, total: int, seed: int, samples: int) -> dict[str, float]:
    rng = random.Random(seed)
    start = time.perf_counter()
    loaded = 0
    while loaded < total:
        batch = [make_statement(rng) for _ in range(min(100, total - loaded))]
        target.post(batch)
        loaded += len(batch)
        if loaded % 10_000 == 0:
            print(
                f"  {target.name}: {loaded} stored "
                f"({loaded / (time.perf_counter() - start):.0f}/s)",
                flush=True,
            )
    batch_rate = total / (time.perf_counter() - start)
    single = timed(lambda: target.post(make_statement(rng)), samples)
    queries = [
        {"verb": rng.choice(VERBS), "limit": "10"},
        {
            "agent": json.dumps(
                {
                    "objectType": "Agent",
                    "account": {
                        "homePage": "https://lms.example.org",
                        "name": f"user-{rng.randrange(500)}",
                    },
                }
            ),
            "limit": "10",
        },
        {"activity": f"https://tool.example.org/activities/{rng.randrange(2000)}", "limit": "10"},
    ]
    filtered = timed(lambda: target.get(rng.choice(queries)), samples)
    return {
        "batch_statements_per_s": batch_rate,
        "single_post_p50_ms": percentile(single, 50),
        "single_post_p95_ms": percentile(single, 95),
        "filtered_get_p50_ms": percentile(filtered, 50),
        "filtered_get_p95_ms": percentile(filtered, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--statements", type=int, default=100_000, help="statements loaded into each LRS"
    )
    parser.add_argument(
        "--samples", type=int, default=200, help="single POSTs and filtered GETs timed"
    )
    parser.add_argument(
        "--database-url", default=None, help="learnpass database (default: SQLite in a temp folder)"
    )
    parser.add_argument("--skip-ralph", action="store_true")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="xapi-bench-") as tmp:
        folder = Path(tmp)
        process, learnpass = start_learnpass(folder, args.database_url)
        try:
            print(f"learnpass: loading {args.statements} statements", flush=True)
            results["learnpass"] = measure(learnpass, args.statements, 1, args.samples)
        finally:
            process.terminate()
            process.wait(20)
        if not args.skip_ralph:
            if not ralph_available():
                print("ralph-malph is not installed (LEARNPASS_TEST_RALPH_PYTHON): skipped")
            else:
                peer = RalphPeer(folder / "ralph").start()
                try:
                    print(f"ralph: loading {args.statements} statements", flush=True)
                    results["ralph"] = measure(
                        Target("ralph", peer.url, (USER, PASSWORD)),
                        args.statements,
                        1,
                        args.samples,
                    )
                finally:
                    peer.stop()

    names = list(results)
    print()
    print(
        f"{'figure (' + str(args.statements) + ' stored)':<34}" + "".join(f"{n:>14}" for n in names)
    )
    for key, label in [
        ("batch_statements_per_s", "batched POST of 100, statements/s"),
        ("single_post_p50_ms", "single POST p50, ms"),
        ("single_post_p95_ms", "single POST p95, ms"),
        ("filtered_get_p50_ms", "filtered GET p50, ms"),
        ("filtered_get_p95_ms", "filtered GET p95, ms"),
    ]:
        print(f"{label:<34}" + "".join(f"{results[n][key]:>14.1f}" for n in names))


if __name__ == "__main__":
    main()
