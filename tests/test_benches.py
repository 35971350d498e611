"""Every script in bench/ runs at a small size and prints its figures: a benchmark no test runs
rots (bench/passport.py answered 404 for months after the tenancy change)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_URL = os.environ.get("LEARNPASS_TEST_POSTGRES", "")

# Each script, its smoke-size arguments, and a line its figures must print.
RUNS = {
    "activity_migration.py": (["--statements", "500"], "statements per second"),
    "catalogue.py": (["--small"], "search p50"),
    "checkin.py": (["--small"], "check-ins per second"),
    # One gunicorn worker a server: a worker starting costs 2 s CPU or more, and three launches
    # one after the other need no second one.
    "launch.py": (["--launches", "3", "--threads", "1", "--workers", "1"], "launches per second"),
    "launch_cpu.py": (["--launches", "3", "--rounds", "1"], "learnpass / plain CPU ratio"),
    "passport.py": (["--small"], "admin page"),
    "scorm_import.py": (["--mb", "2", "--files", "40", "--runs", "1"], "learnpass scorm list"),
    "xapi_load.py": (
        ["--statements", "200", "--samples", "5", "--skip-ralph", "--workers", "1"],
        "filtered GET",
    ),
    "xapi_ingest_cpu.py": (["--statements", "600", "--warm", "2"], "CPU ratio to the floor"),
    "scale_out.py": (["--small"], "speed-up 2 vs 1"),
    "offer_import.py": (["--small"], "rows per second"),
    "surveys.py": (["--small"], "gap report and heat map"),
}


def run(script: str, args: list[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    if script == "scale_out.py":
        env["LEARNPASS_BENCH_POSTGRES"] = PG_URL
    return subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# Scripts whose smoke run is a test of their own feature (it reads their figures more closely).
OWN_TEST = {"blended.py": "tests/blended/test_bench_blended.py"}
# Not benches of their own: a script a bench runs (the plain pylti1p3 tool launch.py measures)
# and the module the benches build their app with (surveys.py and three others).
PART_OF = {"plain_tool.py": "launch.py", "bench_app.py": "surveys.py"}


def test_every_bench_script_has_a_smoke_run() -> None:
    assert sorted(p.name for p in BENCH.glob("*.py")) == sorted([*RUNS, *OWN_TEST, *PART_OF])
    assert set(PART_OF.values()) <= set(RUNS)
    for test in OWN_TEST.values():
        assert (ROOT / test).is_file()


@pytest.mark.parametrize("script", sorted(RUNS))
def test_bench_runs_small_and_prints_its_figures(script: str) -> None:
    if script == "scale_out.py" and not PG_URL:
        pytest.skip("scale_out.py needs PostgreSQL: set LEARNPASS_TEST_POSTGRES to run it")
    if script != "scale_out.py" and PG_URL:
        # The others make their own SQLite database whatever the pass: the run on SQLite (bin/test
        # runs both) already ran the same script with the same arguments.
        pytest.skip(f"{script} runs in the pass on SQLite: it makes its own SQLite database")
    args, figure = RUNS[script]
    done = run(script, args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert figure in done.stdout, done.stdout[-3000:]


def test_xapi_load_measures_a_store_it_did_not_load(app: Any, database_url: str) -> None:
    """``--reuse-sqlite`` / ``--reuse-postgres``: a store that holds statements already (this
    test's database, SQLite or PostgreSQL) is measured as it is: nothing loaded or dropped."""
    from lti_tool.extensions import db
    from tests.xapi.builders import statement
    from xapi.store import StatementStore

    with app.app_context():
        StatementStore(db.session()).save([statement() for _ in range(30)], authority=None)
        db.session.commit()
    flag = "--reuse-sqlite" if database_url.startswith("sqlite") else "--reuse-postgres"
    where = database_url.removeprefix("sqlite:///")
    again = run("xapi_load.py", [flag, where, "--samples", "2"])
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "measured on the stores as they were" in again.stdout, again.stdout[-3000:]
    assert "loading" not in again.stdout
    assert "in database: filtered GET p95" in again.stdout, again.stdout[-3000:]
    with app.app_context():
        # The 30 statements are still there, with the two single POSTs the run times.
        assert StatementStore(db.session()).count() == 32
