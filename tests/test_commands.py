"""The README's commands as processes: `learnpass demo --no-run` and `learnpass serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PG_URL, free_port

LEARNPASS = str(Path(sys.executable).parent / "learnpass")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _command_line(pid: int) -> bytes:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes()


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    env.update({"LEARNPASS_DATA_DIR": str(tmp_path), **extra})
    return env


@pytest.mark.one_database("sqlite")  # no test database: tests/passes.py
def test_demo_sets_up_database_keys_and_demo_platform(tmp_path):
    r = subprocess.run(
        [LEARNPASS, "demo", "--no-run", "--port", "5999"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "http://127.0.0.1:5999/demo/" in r.stdout
    # Short progress steps, one line each: database, keys and demo data, ready.
    steps = [line for line in r.stdout.splitlines() if line.startswith("learnpass demo: ")]
    assert [s.split(" ", 3)[2] for s in steps[:3]] == ["preparing", "making", "ready."]
    listing = subprocess.run(
        [LEARNPASS, "platform", "list"],
        env=_env(tmp_path, LEARNPASS_DEMO="true", LEARNPASS_BASE_URL="http://127.0.0.1:5999"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "http://127.0.0.1:5999/demo" in listing.stdout
    assert (tmp_path / "learnpass.db").is_file()


def test_serve_runs_gunicorn_and_jobs_and_stops_cleanly(tmp_path):
    port = free_port()
    env = _env(
        tmp_path,
        LEARNPASS_SECRET_KEY="k" * 32,
        LEARNPASS_BASE_URL=f"http://127.0.0.1:{port}",
        # Another host name for the same server, as a reverse proxy sends both hosts to it.
        LEARNPASS_CONTENT_URL=f"http://localhost:{port}",
    )
    if PG_URL:
        env["LEARNPASS_DATABASE_URL"] = PG_URL
    proc = subprocess.Popen(
        [LEARNPASS, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15)
                break
            except (requests.ConnectionError, requests.ReadTimeout):
                assert proc.poll() is None, "".join(lines)
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.3)
        assert r.json() == {"status": "ok"}
        assert (
            requests.get(f"http://127.0.0.1:{port}/demo/", timeout=5).status_code == 404
        )  # demo off
        assert requests.get(f"http://127.0.0.1:{port}/lti/jwks.json", timeout=5).json()["keys"]
        # The jobs runner is a process of its own; it may start after gunicorn answers.
        while not any("running jobs: grades" in line for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "the jobs runner did not start within 60 s"
            time.sleep(0.2)
        # Each request has an app context (and ``g``) of its own, not the one the command ran
        # in: two visitors get a session and a form token each.
        tokens = set()
        for _ in range(4):
            page = requests.get(f"http://127.0.0.1:{port}/surveys/i", timeout=15)
            assert page.status_code == 200 and "session" in page.cookies
            tokens.add(re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1))
        assert len(tokens) == 4
        # The two workers and the runner are forks of serve (its app built once), not new
        # Python processes that import learnpass again (docs/deployment.md).
        # (gunicorn forks its second worker a moment after the first may answer)
        children = _children(proc.pid)
        while len(children) < 3:
            assert time.monotonic() < deadline, f"serve has {children} as children"
            time.sleep(0.2)
            children = _children(proc.pid)
        assert len(children) == 3, children
        assert {_command_line(pid) for pid in children} == {_command_line(proc.pid)}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    out = "".join(lines)
    assert "jobs stopped" in out  # the runner finished its tick and stopped on SIGTERM
    assert "Shutting down: Master" in out


@pytest.mark.one_database("sqlite")  # no test database: tests/passes.py
def test_serve_refuses_to_start_without_a_secret(tmp_path):
    r = subprocess.run(
        [LEARNPASS, "serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2
    assert "LEARNPASS_SECRET_KEY" in r.stderr


@pytest.mark.one_database("sqlite")  # no test database: tests/passes.py
def test_help_lists_the_commands_without_configuration(tmp_path):
    r = subprocess.run(
        [LEARNPASS, "--help"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    for command in (
        "demo",
        "serve",
        "check",
        "db",
        "platform",
        "keys",
        "jobs",
        "scorm",
        "lrs",
        "xapi",
        "passport",
    ):
        assert f"  {command} " in r.stdout or f"  {command}\n" in r.stdout, command
