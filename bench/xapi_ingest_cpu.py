"""Ingest CPU bench: what a batched POST costs the LRS in CPU time, against the floor.

    .venv/bin/python bench/xapi_ingest_cpu.py [--statements 10000] [--postgres postgresql://...]

Posts the batches bench/xapi_load.py sends (100 statements each, a voiding one now and then)
through Flask's test client in this one process, on a fresh SQLite database (and on PostgreSQL
when a URL is given: its tables are dropped and made again, so give it a database of its own),
and measures the process's CPU time (``time.process_time``) beside the wall time. The floor is
xapi_load.py's: the same batches parsed and inserted into a plain indexed SQLite table, timed
the same way. On a shared machine the wall time is mostly waiting for a CPU; the CPU ratio is
the steadier figure. On PostgreSQL the server's CPU is not in this process's time: compare the
wall times there, on a quiet machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_app import fresh_app  # noqa: E402
from xapi_load import Floor, batches  # noqa: E402

from lti_tool.extensions import db  # noqa: E402
from xapi.auth import add_client  # noqa: E402


def floor_times(bodies: list[str], folder: str) -> tuple[float, float, int]:
    floor = Floor(Path(folder) / "floor.db")
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies:
        floor.add(body)
    return time.process_time() - cpu, time.perf_counter() - wall, floor.count


def lrs_times(url: str, bodies: list[str], warm: int, folder: str) -> tuple[float, float, int]:
    app = fresh_app(url, folder, content_url="http://localhost:5998")
    with app.app_context():
        key, secret = add_client(db.session(), "bench", ["all"])
        db.session().commit()
    client = app.test_client()
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {
        "Authorization": "Basic " + token,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }

    def post(body: str) -> None:
        response = client.post("/xapi/statements", data=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"POST answered {response.status_code}: {response.data[:300]!r}")

    for body in bodies[:warm]:
        post(body)
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[warm:]:
        post(body)
    count = sum(len(json.loads(body)) for body in bodies[warm:])
    return time.process_time() - cpu, time.perf_counter() - wall, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--warm", type=int, default=20, help="batches posted before timing")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL of its own")
    args = parser.parse_args()
    bodies = [json.dumps(batch) for batch in batches(args.statements, 7, args.statements // 3000)]
    warm = min(args.warm, len(bodies) // 2)
    with tempfile.TemporaryDirectory() as folder:
        f_cpu, f_wall, f_count = floor_times(bodies[warm:], folder)
        print(
            f"floor: {f_count} statements, {f_count / f_cpu:,.0f} per CPU second, "
            f"{f_count / f_wall:,.0f} per second (wall)"
        )
        targets = [("SQLite", f"sqlite:///{folder}/lrs.db")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            cpu, wall, count = lrs_times(url, bodies, warm, folder)
            print(
                f"{name} batched POST: {count} statements, {count / cpu:,.0f} per CPU second "
                f"({cpu / count * 1e6:,.0f} us each), {count / wall:,.0f} per second (wall); "
                f"CPU ratio to the floor {f_cpu / f_count / (cpu / count):.2f}, "
                f"wall ratio {f_wall / f_count / (wall / count):.2f}"
            )


if __name__ == "__main__":
    main()
