"""The container image definition: built from the wheel, runs as a non-root user, checks /healthz.

The Dockerfile is read for those properties on every run (CI machines seldom have a Docker
daemon); where ``docker info`` answers, the image is also built and started for real.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments left out."""
    joined, pending = [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    result = []
    for entry in joined:
        word, _, rest = entry.strip().partition(" ")
        result.append((word.upper(), " ".join(rest.split())))
    return result


def stages(path: Path) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(path):
        if instruction[0] == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def test_image_is_built_from_the_wheel_and_runs_unprivileged_with_a_health_check():
    *builders, final = stages(ROOT / "Dockerfile")
    assert any("pip wheel" in args for stage in builders for word, args in stage if word == "RUN")
    assert any("npm ci" in args for stage in builders for word, args in stage if word == "RUN")
    assert final[0][1].startswith("python:") and "slim" in final[0][1]
    runs = [args for word, args in final if word == "RUN"]
    assert any("pip install" in args and ".whl" in args for args in runs)
    # Nothing of the source tree in the final image: only the wheel from the build stage.
    copies = [args for word, args in final if word in ("COPY", "ADD")]
    assert copies and all(args.startswith("--from=wheel /dist/") for args in copies), copies

    users = [args for word, args in final if word == "USER"]
    assert users, "the image must not run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert any(f"--uid {user}" in args for args in runs)  # the user exists in the image
    assert [word for word, _ in final].index("USER") > [word for word, _ in final].index("RUN")

    (health,) = [args for word, args in final if word == "HEALTHCHECK"]
    assert "/healthz" in health and "CMD" in health
    env = " ".join(args for word, args in final if word == "ENV")
    assert "LEARNPASS_DATA_DIR=/var/lib/learnpass" in env
    (entrypoint,) = [json.loads(args) for word, args in final if word == "ENTRYPOINT"]
    (command,) = [json.loads(args) for word, args in final if word == "CMD"]
    assert entrypoint + command[:1] == ["learnpass", "serve"]
    assert "0.0.0.0:8000" in command


def test_build_context_leaves_out_local_state():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    for name in (".git", ".venv", "node_modules", "instance", "config", "**/*.mo"):
        assert name in ignored, name
    # What the wheel is built from stays in.
    for needed in ("README.md", "setup.py", "pyproject.toml", "migrations", "package-lock.json"):
        assert needed not in ignored, needed


def _docker_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "info"], capture_output=True, timeout=60).returncode == 0


@pytest.mark.skipif(not _docker_answers(), reason="no Docker daemon on this machine")
def test_image_builds_starts_and_reports_healthy(tmp_path):
    tag = f"learnpass-test:{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1800)
    port = free_port()
    name = f"learnpass-test-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(
            [
                *("docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8000"),
                *("-e", "LEARNPASS_SECRET_KEY=" + uuid.uuid4().hex * 2),
                *("-e", "LEARNPASS_BASE_URL=https://learnpass.example.org"),
                *("-e", "LEARNPASS_CONTENT_URL=https://content.example.org"),
                *("--health-interval", "2s", "--health-start-period", "5s", tag),
            ],
            check=True,
            timeout=120,
        )
        deadline = time.monotonic() + 180
        status = ""
        while status != "healthy":
            assert time.monotonic() < deadline, f"container health: {status}"
            time.sleep(1)
            status = subprocess.run(
                ["docker", "inspect", "-f", "{{.State.Health.Status}}", name],
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout.strip()
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json() == {
            "status": "ok"
        }
        whoami = subprocess.run(
            ["docker", "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30
        )
        assert whoami.stdout.strip() == "10001"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
