"""A second LRS on loopback: Ralph (PyPI ``ralph-malph``) in its own venv, for forwarding tests.

Ralph lives in a separate venv (its pins clash with ours): LEARNPASS_TEST_RALPH_PYTHON, default
/work/ralph-venv/bin/python. Tests skip when it is missing. Ralph's ``fs`` backend writes each batch
with a *create* operation, so every write after the first fails; the launcher switches it to
*append* before uvicorn starts (see shared XAPI-NOTES.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

RALPH_PYTHON = os.environ.get("LEARNPASS_TEST_RALPH_PYTHON", "/work/ralph-venv/bin/python")
USER, PASSWORD = "forwarder", "forwarder-secret"

LAUNCHER = """
import json, os, sys
import bcrypt
auth_file = os.environ["RALPH_AUTH_FILE"]
if not os.path.exists(auth_file):
    with open(auth_file, "w") as f:
        json.dump([{
            "agent": {"mbox": "mailto:forwarder@example.org"},
            "scopes": ["all"],
            "hash": bcrypt.hashpw(sys.argv[3].encode(), bcrypt.gensalt()).decode(),
            "username": sys.argv[2],
        }], f)
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def ralph_available() -> bool:
    if not Path(RALPH_PYTHON).exists():
        return False
    check = subprocess.run(
        [RALPH_PYTHON, "-c", "import ralph.backends.lrs.fs, uvicorn, bcrypt"],
        capture_output=True,
        timeout=120,
    )  # noqa: S603
    return check.returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RalphPeer:
    """Start, stop and restart one Ralph process on a fixed port and data folder."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"
        self.process: subprocess.Popen[bytes] | None = None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        (folder / "launcher.py").write_text(LAUNCHER)

    def start(self, wait: float = 60.0) -> RalphPeer:
        env = {
            **os.environ,
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
        }
        log = open(self.folder / "ralph.log", "ab")  # noqa: SIM115 - kept open for the process' lifetime
        self.process = subprocess.Popen(  # noqa: S603
            [RALPH_PYTHON, str(self.folder / "launcher.py"), str(self.port), USER, PASSWORD],
            env=env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"ralph exited: {(self.folder / 'ralph.log').read_text()[-2000:]}"
                )
            try:
                requests.get(self.url.replace("/xAPI/", "/__heartbeat__"), timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("ralph did not start in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.process = None

    def statement_ids(self) -> list[str]:
        """Every statement id Ralph holds (paging through ``more``)."""
        ids: list[str] = []
        url: str | None = self.url + "statements?limit=500"
        while url:
            response = requests.get(
                url,
                auth=(USER, PASSWORD),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=30,
            )
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            ids.extend(s["id"] for s in body["statements"])
            more = body.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return ids


if __name__ == "__main__":  # manual check: python -m tests.xapi.ralph_peer /tmp/ralph
    peer = RalphPeer(Path(sys.argv[1])).start()
    print(peer.url)
    try:
        time.sleep(3600)
    finally:
        peer.stop()
