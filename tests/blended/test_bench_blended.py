"""bench/blended.py runs end to end (its smoke size) and prints its figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.uses_database  # on LEARNPASS_TEST_POSTGRES when it is set
def test_bench_blended_small_prints_its_figures() -> None:
    env = {k: v for k, v in os.environ.items() if k != "LEARNPASS_TEST_POSTGRES"}
    postgres = os.environ.get("LEARNPASS_TEST_POSTGRES", "")
    args = [sys.executable, str(ROOT / "bench" / "blended.py"), "--small", "--repeat", "2"]
    if postgres:
        args += ["--postgres", postgres]
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    backends = ["sqlite"] + (["postgresql"] if postgres else [])
    for backend in backends:
        assert "seeded 50 learners x 10 steps" in done.stdout
        for what in ("progress view built", "progress page served"):
            line = re.search(
                rf"^{backend}: {what}, 50 x 10 +p50 +([\d.]+) ms +p95 +([\d.]+) ms",
                done.stdout,
                re.M,
            )
            assert line, done.stdout
            assert 0 < float(line.group(1)) <= float(line.group(2))
