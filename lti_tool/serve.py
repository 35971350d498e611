"""`learnpass serve`: gunicorn and the jobs runner, started from the process that built the app.

The web workers and the jobs runner are forks of the `learnpass serve` process, which has
migrated the database and built the app: each starts with learnpass imported and its app made.
They used to be new Python processes (gunicorn's master and workers from ``python -m gunicorn``,
the runner from ``python -m lti_tool.cli jobs run``), each importing learnpass and building the
app again: some 1.5 to 2 s of CPU and its own memory a process, at every start and every worker
gunicorn replaces. The database connections the migration opened are closed before the forks,
so no two processes share one.

Gunicorn's settings come as from its own command: ``GUNICORN_CMD_ARGS`` and a
``gunicorn.conf.py`` in the working folder (or the file ``--config`` names there), then the
``--bind`` and ``--workers`` that `learnpass serve` was given.
"""

from __future__ import annotations

import contextvars
import os
import signal
import sys
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import Application
from gunicorn.config import get_default_config_file

from .extensions import db
from .jobs import run_until_signalled

# How long the jobs runner may take to finish the job at hand once the web server stopped.
JOBS_GRACE_SECONDS = 30


class WebServer(Application):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn serving ``app``, an app this process built (its workers are forks of it)."""

    def __init__(self, app: Flask, settings: dict[str, Any]) -> None:
        self.application = app
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        parser = self.cfg.parser()
        from_env = parser.parse_args(self.cfg.get_cmd_args_from_env())
        config_file = from_env.config or get_default_config_file()
        if config_file:
            self.load_config_from_file(config_file)
        for name, value in vars(from_env).items():
            if value is not None and name != "args":
                self.cfg.set(name.lower(), value)
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self.application


def start_jobs(app: Flask) -> int:
    """The jobs runner in a fork of this process; its process id."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        run_until_signalled(app)
    except BaseException:  # noqa: BLE001 - the fork must never return into the caller
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def stop_jobs(pid: int) -> None:
    """Ask the jobs runner to stop after the job at hand and wait for it; after the grace time
    it is killed (its transaction rolls back with it, and a runner takes the job again: jobs
    are claimed, sends are idempotent)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + JOBS_GRACE_SECONDS
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # gunicorn's master reaped it (it waits for any child)
            return
        if done:
            return
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        time.sleep(0.05)


def serve(app: Flask, bind: str, workers: int) -> None:
    """Run the web server and the jobs runner until a signal stops the web server.

    Both run outside the app context the command runs in: a request pushes an app context of
    its own only when none of its app is pushed, and would otherwise share ``g`` (and what
    extensions keep there, such as the form's CSRF token) with every request of the worker.
    """
    assert db.engine is not None
    db.session.remove()
    db.engine.dispose()  # no connection of this process goes into a fork
    jobs = contextvars.Context().run(start_jobs, app)
    try:
        web = WebServer(app, {"bind": [bind], "workers": workers, "accesslog": "-"})
        contextvars.Context().run(web.run)
    finally:
        stop_jobs(jobs)
