"""Background jobs: small functions run periodically beside the web workers.

Features register a job with ``register_job``; ``learnpass jobs run`` (started by ``learnpass
serve``, and as a thread by ``learnpass demo``) runs them in a loop. Every job must be safe to run
in several processes at once (row leases / ``SKIP LOCKED``), since instances scale out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask
from flask.cli import with_appcontext

from .extensions import db

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[], object]
    every_seconds: float


_jobs: dict[str, Job] = {}


def register_job(name: str, run: Callable[[], object], every_seconds: float) -> None:
    _jobs[name] = Job(name, run, every_seconds)


def registered_jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(last_run: dict[str, float], now: float) -> None:
    for job in registered_jobs():
        if now - last_run.get(job.name, 0.0) < job.every_seconds:
            continue
        last_run[job.name] = now
        try:
            job.run()
        except Exception:  # a failing job must not stop the others
            log.exception("job %s failed", job.name)
            db.session.rollback()
        finally:
            db.session.remove()


def run_forever(app: Flask, stop: threading.Event | None = None, tick: float = 1.0) -> None:
    stop = stop or threading.Event()
    last_run: dict[str, float] = {}
    while not stop.is_set():
        with app.app_context():
            run_due(last_run, time.monotonic())
        stop.wait(tick)


def start_in_thread(app: Flask) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_forever, args=(app, stop), name="learnpass-jobs", daemon=True
    ).start()
    return stop


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (grade delivery, xAPI forwarding, mail, clean-up)."""


@jobs_group.command("run")
@click.option("--once", is_flag=True, help="Run every job once and exit")
@with_appcontext
def jobs_run(once: bool) -> None:
    from flask import current_app

    if once:
        run_due({}, time.monotonic())
        click.echo("jobs ran once: " + ", ".join(j.name for j in registered_jobs()))
        return
    run_until_signalled(current_app._get_current_object())  # type: ignore[attr-defined]


def run_until_signalled(app: Flask) -> None:
    """Run the jobs until SIGTERM or SIGINT, finishing the job at hand (the signal comes from
    `learnpass serve` or the process manager)."""
    import signal
    import sys

    click.echo("running jobs: " + ", ".join(j.name for j in registered_jobs()))
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(app, stop)
    click.echo("jobs stopped")


def _deliver_grades() -> object:
    from .lti.grades import deliver_due

    return deliver_due(db.session())


def _purge_expired() -> object:
    from .shared_store import SharedStore

    return SharedStore(db.session()).purge_expired()


register_job("grades", _deliver_grades, every_seconds=5)
register_job("purge-expired", _purge_expired, every_seconds=600)
