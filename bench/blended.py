# ruff: noqa: E402 (the path is set before the project is imported)
"""Time to build the trainer's progress view of a learning path: 1,000 learners x 30 steps of
mixed kinds (packages, LMS activities, documents, assignments, classroom sessions), with marks
and bookings; p50 / p95 over several runs, on SQLite and, when a URL is given, PostgreSQL.

    .venv/bin/python bench/blended.py [--postgres URL] [--repeat N] [--small]

PostgreSQL comes from --postgres or LEARNPASS_TEST_POSTGRES; the bench makes its own database
there and drops it afterwards. --small is a smoke run (50 learners x 10 steps).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path; the project root goes first, so that the
# project's own packages are the ones imported.
sys.path[0:1] = [str(Path(__file__).resolve().parent.parent)]

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bench.bench_app import fresh_app
from lti_tool.blended import progress
from lti_tool.blended.path_models import BlendedPath, BlendedStep, BlendedStepMark
from lti_tool.blended.session_models import BlendedBooking, BlendedSession
from lti_tool.blended.sessions import course_learners
from lti_tool.extensions import db
from lti_tool.lti.context import LaunchContext
from lti_tool.models import Course, Enrolment, Platform, User

ISSUER = "https://lms.bench.example"
KINDS = ["package", "lms_activity", "document", "assignment", "session"]


def seed(app: Any, learners: int, steps: int) -> tuple[int, int, int, int]:
    """Returns the platform, trainer, course and path ids."""
    rng = random.Random(11)
    today = dt.date.today()
    with app.app_context():
        session = db.session()
        platform = Platform(
            issuer=ISSUER,
            client_id="bench",
            auth_login_url="https://x/a",
            auth_token_url="https://x/t",
            key_set_url="https://x/k",
        )
        session.add(platform)
        session.flush()
        course = Course(platform_id=platform.id, context_id="bench-course", title="Bench course")
        trainer = User(issuer=ISSUER, sub="trainer", name="Bench Trainer", platform_id=platform.id)
        session.add_all([course, trainer])
        session.flush()
        session.add(Enrolment(course_id=course.id, user_id=trainer.id, role="instructor"))
        session.execute(
            insert(User),
            [
                {
                    "issuer": ISSUER,
                    "sub": f"learner-{i}",
                    "account_name": f"learner-{i}",
                    "name": f"Learner {i:04d}",
                    "platform_id": platform.id,
                }
                for i in range(learners)
            ],
        )
        learner_ids = list(
            session.scalars(select(User.id).where(User.sub.like("learner-%")).order_by(User.id))
        )
        session.execute(
            insert(Enrolment),
            [
                {"course_id": course.id, "user_id": uid, "role": "learner", "lti_roles": []}
                for uid in learner_ids
            ],
        )
        path = BlendedPath(
            platform_id=platform.id, course_id=course.id, title={"en": "Bench path"}, hours=40
        )
        session.add(path)
        session.flush()
        for position in range(steps):
            kind = KINDS[position % len(KINDS)]
            ref = ""
            if kind == "session":
                blended = BlendedSession(
                    platform_id=platform.id,
                    course_id=course.id,
                    titles={"en": f"Day {position}"},
                    capacity=learners,
                )
                session.add(blended)
                session.flush()
                ref = str(blended.id)
            elif kind == "package":
                ref = str(1000 + position)
            elif kind == "lms_activity":
                ref = f"lms-{position}"
            session.add(
                BlendedStep(
                    path_id=path.id,
                    position=position,
                    kind=kind,
                    ref=ref,
                    title={"en": f"Step {position + 1}"},
                    required=position % 7 != 6,
                    hours=2,
                    classroom=kind == "session",
                    due_on=today - dt.timedelta(days=5) if position % 9 == 0 else None,
                )
            )
        session.flush()
        session.refresh(path)
        marks, bookings = [], []
        for uid in learner_ids:
            reached = rng.randint(0, steps)  # learners get further or less far
            for step in path.steps:
                if step.position < reached:
                    # Stated already: the view is timed in its steady state, not on the
                    # first visit that writes the statements of marks nobody stated yet.
                    marks.append(
                        {
                            "step_id": step.id,
                            "user_id": uid,
                            "source": "trainer",
                            "stated_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        }
                    )
                if step.kind == "session" and rng.random() < 0.7:
                    status = "booked" if rng.random() < 0.85 else "waiting"
                    bookings.append({"session_id": int(step.ref), "user_id": uid, "status": status})
        session.execute(insert(BlendedStepMark), marks)
        if bookings:
            session.execute(insert(BlendedBooking), bookings)
        session.commit()
        return platform.id, trainer.id, course.id, path.id


def signed_in_client(app: Any, platform_id: int, user_id: int, course_id: int) -> Any:
    client = app.test_client()
    ctx = LaunchContext(
        launch_id="bench",
        user_id=user_id,
        platform_id=platform_id,
        issuer=ISSUER,
        client_id="bench",
        deployment_id="d",
        sub="trainer",
        account_name="trainer",
        role="instructor",
        course_id=course_id,
    )
    with client.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    return client


def timed(label: str, repeat: int, call: Callable[[], Any]) -> None:
    call()  # warm-up: templates compiled, caches filled
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    # The process's own CPU time beside the wall time: on a shared machine the wall time also
    # counts the waits for a core (PostgreSQL's own work is in the wall time only).
    print(
        f"{label:<52} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   min {min(times):.1f} ms (wall)   "
        f"cpu p50 {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms   ({repeat} runs)",
        flush=True,
    )


def run(url: str, data_dir: str, learners: int, steps: int, repeat: int) -> None:
    app = fresh_app(url, data_dir, demo=True)
    start = time.perf_counter()
    platform_id, trainer_id, course_id, path_id = seed(app, learners, steps)
    backend = make_url(url).get_backend_name()
    print(
        f"seeded {learners} learners x {steps} steps in {time.perf_counter() - start:.1f} s "
        f"on {backend}",
        flush=True,
    )

    def build() -> progress.CourseProgress:
        with app.test_request_context("/"):
            session = db.session()
            path = session.get(BlendedPath, path_id)
            assert path is not None
            table = progress.course_progress(session, path, course_learners(session, course_id))
            assert len(table.rows) == learners
            db.session.remove()
            return table

    client = signed_in_client(app, platform_id, trainer_id, course_id)

    def page() -> Any:
        response = client.get(f"/blended/paths/{path_id}/progress")
        assert response.status_code == 200, response.status_code
        return response

    timed(f"{backend}: progress view built, {learners} x {steps}", repeat, build)
    timed(f"{backend}: progress page served, {learners} x {steps}", repeat, page)
    with app.app_context():
        db.engine.dispose()


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A throw-away database on the server: never the server's own databases."""
    name = f"learnpass_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("LEARNPASS_TEST_POSTGRES", ""))
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--small", action="store_true", help="a smoke run: 50 learners x 10")
    parser.add_argument(
        "--no-sessions", action="store_true", help="no session steps (their status is per learner)"
    )
    args = parser.parse_args()
    if args.small:
        args.learners, args.steps = 50, 10
    if args.no_sessions:
        KINDS.remove("session")
    repeat = args.repeat or (3 if args.small else 10)
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite:///" + str(Path(tmp) / "bench.db"), tmp, args.learners, args.steps, repeat)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                run(url, tmp, args.learners, args.steps, repeat)
        else:
            print("postgresql: not measured (give --postgres URL or LEARNPASS_TEST_POSTGRES)")


if __name__ == "__main__":
    main()
