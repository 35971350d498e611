# ruff: noqa: E402 (the path is set before the project is imported)
"""Render times of the passport pages: one learner with 1,000 entries (page, JSON, PDF), the
trainer matrix (page, filtered by state, training and name, CSV, XLSX) of a course of 10,000
learners and of one of all 100,000, each with 20 required trainings, and the administrator's
page of a platform with those 100,000 people.

    .venv/bin/python bench/passport.py [--database-url URL] [--repeat N] [--learners N]
                                       [--course-learners N] [--trainings N] [--entries N]
                                       [--small] [--keep] [--no-downloads] [--no-big]

Uses a throw-away SQLite database unless a URL is given (a PostgreSQL URL: its tables are
dropped and made again); prints the median and fastest of N runs. ``--keep`` keeps the seeded
data for the next run (a SQLite URL then names a file) and reuses it when it is already there,
so 100,000 learners are seeded once; ``--no-downloads`` skips the CSV and XLSX, ``--no-big``
the course of every learner. ``--small`` is a smoke run of
a few seconds (tests/test_benches.py runs it so the script never rots).
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, text

from bench.bench_app import bench_app, fresh_app
from lti_tool.extensions import db
from lti_tool.lti.context import LaunchContext
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports import matrix_cells, matrix_learners
from lti_tool.passports.models import (
    Competence,
    MatrixLearner,
    PassportEntry,
    RequiredTraining,
    TrainingType,
    entry_competence,
)

ISSUER = "https://lms.bench.example"
CLIENT_ID = "bench"


def build_app(database_url: str, data_dir: str, keep: bool = False) -> Any:
    if keep:
        app = bench_app(database_url, data_dir, demo=True)
        with app.app_context():
            if _seeded(app) is not None:
                _add_matrix_learners(app)
                return app
            db.drop_all()
            db.create_all()
    else:
        app = fresh_app(database_url, data_dir, demo=True)
    with app.app_context():
        from lti_tool.demo.seed import seed_demo

        seed_demo()  # training types and the demo competence framework
    return app


def _add_matrix_learners(app: Any) -> None:
    """Data kept from before the matrix's learner rows: the table is made and filled as the
    migration and the daily ``refresh-matrix`` do (the time it takes is printed)."""
    with app.app_context():
        db.create_all()  # the tables missing only
        session = db.session()
        if session.scalar(select(MatrixLearner.user_id).limit(1)) is not None:
            return
        start, start_cpu = time.perf_counter(), time.process_time()
        count = matrix_learners.refresh_all(session)
        session.commit()
        print(
            f"{count} matrix learner rows written in {time.perf_counter() - start:.1f} s "
            f"(CPU {time.process_time() - start_cpu:.1f} s)",
            flush=True,
        )


@dataclass
class Seeded:
    platform_id: int
    course_id: int  # the course of every learner
    part_course_id: int  # the course of the first --course-learners of them
    heavy_id: int  # the learner with many entries
    trainer_id: int
    admin_id: int
    training_id: int  # one required training, for the matrix's training filter


def _seeded(app: Any) -> Seeded | None:
    """The ids of a kept bench database, or None when it holds none."""
    with app.app_context():
        try:
            platform = db.session.scalar(select(Platform).where(Platform.issuer == ISSUER))
        except Exception:  # no tables yet
            db.session.rollback()
            return None
        if platform is None:
            return None

        def one(query: Any) -> int:
            return int(db.session.scalar(query))

        def person(sub: str) -> int:
            return one(select(User.id).where(User.platform_id == platform.id, User.sub == sub))

        types = list(
            db.session.scalars(
                select(TrainingType.id)
                .where(TrainingType.platform_id == platform.id)
                .order_by(TrainingType.id)
            )
        )
        return Seeded(
            platform.id,
            one(select(Course.id).where(Course.context_id == "bench-course")),
            one(select(Course.id).where(Course.context_id == "bench-part")),
            person("learner-0"),
            person("trainer"),
            person("admin"),
            types[len(types) // 2],
        )


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed(
    app: Any, learners: int, course_learners: int, trainings: int, entries_for_one: int
) -> Seeded:
    """Rows written with Core executemany in batches (no ORM objects per row): 100,000
    learners and their 1.6 million entries in minutes."""
    rng = random.Random(7)
    today = dt.date.today()
    with app.app_context():
        session = db.session()
        platform = Platform(
            issuer=ISSUER,
            client_id=CLIENT_ID,
            auth_login_url="https://x/a",
            auth_token_url="https://x/t",
            key_set_url="https://x/k",
        )
        session.add(platform)
        session.flush()
        course = Course(platform_id=platform.id, context_id="bench-course", title="Bench course")
        part = Course(platform_id=platform.id, context_id="bench-part", title="Part of them")
        person = {"issuer": ISSUER, "client_id": CLIENT_ID, "platform_id": platform.id}
        trainer = User(**person, sub="trainer", name="Bench Trainer")
        admin = User(**person, sub="admin", name="Bench Admin")
        session.add_all([course, part, trainer, admin])
        session.flush()
        for c in (course, part):
            session.add(Enrolment(course_id=c.id, user_id=trainer.id, role="instructor"))
        types = [
            TrainingType(
                code=f"BENCH-{i}",
                name=f"Training {i:02d}",
                validity_months=rng.choice([None, 12, 24, 36]),
                platform_id=platform.id,
            )
            for i in range(trainings)
        ]
        session.add_all(types)
        session.flush()
        session.execute(
            insert(RequiredTraining),
            [{"course_id": c.id, "training_type_id": t.id} for c in (course, part) for t in types],
        )
        connection = session.connection()
        users = User.__table__.insert()
        for chunk in _chunks(
            [
                {**person, "sub": f"learner-{i}", "account_name": f"learner-{i}",
                 "name": f"Learner {i:06d}", "family_name": f"{i:06d}"}
                for i in range(learners)
            ]
        ):  # fmt: skip
            connection.execute(users, chunk)
        learner_ids = list(
            session.scalars(select(User.id).where(User.sub.like("learner-%")).order_by(User.id))
        )
        enrolments = Enrolment.__table__.insert()
        for chunk in _chunks(
            [
                {"course_id": c, "user_id": uid, "role": "learner", "lti_roles": []}
                for c, ids in ((course.id, learner_ids), (part.id, learner_ids[:course_learners]))
                for uid in ids
            ]
        ):
            connection.execute(enrolments, chunk)
        entries = PassportEntry.__table__.insert()
        added_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = []
        for uid in learner_ids:
            for t in types:
                if rng.random() < 0.8:
                    done = today - dt.timedelta(days=rng.randint(0, 1400))
                    until = (
                        None
                        if t.validity_months is None
                        else done + dt.timedelta(days=30 * t.validity_months)
                    )
                    rows.append(_entry(uid, t.name, done, until, t.id, added_at))
            if len(rows) >= 20_000:
                connection.execute(entries, rows)
                rows = []
        heavy = learner_ids[0]
        for i in range(entries_for_one):
            done = today - dt.timedelta(days=rng.randint(0, 3650))
            t = rng.choice(types)
            until = (
                None
                if t.validity_months is None
                else done + dt.timedelta(days=30 * t.validity_months)
            )
            rows.append(
                _entry(heavy, f"Course {i}", done, until, t.id if i % 3 == 0 else None, added_at)
            )
        for chunk in _chunks(rows):
            connection.execute(entries, chunk)
        competence_ids = list(session.scalars(select(Competence.id)))
        heavy_entries = list(
            session.scalars(select(PassportEntry.id).where(PassportEntry.user_id == heavy))
        )
        links = [
            {"entry_id": e, "competence_id": c}
            for e in heavy_entries
            for c in rng.sample(competence_ids, min(2, len(competence_ids)))
        ]
        for chunk in _chunks(links):
            connection.execute(entry_competence.insert(), chunk)
        # Bulk rows pass no ORM event: the matrix's stored cells are filled as the app keeps them.
        start, start_cpu = time.perf_counter(), time.process_time()
        matrix_cells.refresh(session, learner_ids)
        session.commit()  # the matrix's learner rows follow the cells at commit
        print(
            f"matrix cells filled in {time.perf_counter() - start:.1f} s "
            f"(CPU {time.process_time() - start_cpu:.1f} s)",
            flush=True,
        )
        # Plans as a database that has lived a while (PostgreSQL's statistics, SQLite's
        # sqlite_stat1).
        session.execute(text("ANALYZE"))
        session.commit()
        return Seeded(
            platform.id, course.id, part.id, heavy, trainer.id, admin.id, types[len(types) // 2].id
        )


def _entry(
    uid: int,
    title: str,
    done: dt.date,
    until: dt.date | None,
    type_id: int | None,
    added_at: dt.datetime,
) -> dict[str, Any]:
    return {
        "user_id": uid,
        "title": title,
        "provider": "Bench",
        "modality": "online",
        "started_on": done,
        "completed_on": done,
        "hours": Decimal("2.50"),
        "result": "passed",
        "training_type_id": type_id,
        "valid_until": until,
        "status": "approved",
        "source": "bench",
        "source_ref": None,
        "added_at": added_at,
    }


def signed_in_client(app: Any, seeded: Seeded, user_id: int, role: str) -> Any:
    """A browser with a launch in its session, as /lti/launch leaves it."""
    client = app.test_client()
    ctx = LaunchContext(
        launch_id="bench",
        user_id=user_id,
        platform_id=seeded.platform_id,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        deployment_id="d",
        sub=f"user-{user_id}",
        account_name=f"user-{user_id}",
        role=role,
        course_id=seeded.course_id,
    )
    with client.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    return client


def timed(label: str, repeat: int, call: Callable[[], Any]) -> None:
    """Median and fastest wall time, and the median CPU time this process spent (the page's
    Python, and SQLite's work, which runs in the process; not PostgreSQL's): on a loaded
    machine the wall time is mostly waiting for a core."""
    call()  # warm-up: templates compiled, caches filled
    times, cpu = [], []
    size = 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        size = len(response.data)
    median, fastest = statistics.median(times) * 1000, min(times) * 1000
    print(
        f"{label:<46} median {median:8.1f} ms   min {fastest:8.1f} ms   "
        f"cpu {statistics.median(cpu) * 1000:7.1f} ms   {size / 1024:6.0f} KiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--course-learners", type=int, default=10_000)
    parser.add_argument("--trainings", type=int, default=20)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--small", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--keep", action="store_true", help="keep and reuse the seeded data")
    parser.add_argument("--no-downloads", action="store_true", help="skip the CSV and XLSX")
    parser.add_argument("--no-big", action="store_true", help="skip the course of everyone")
    args = parser.parse_args()
    if args.small:
        args.learners, args.course_learners, args.trainings = 60, 30, 5
        args.entries, args.repeat = 50, 1
    args.course_learners = min(args.course_learners, args.learners)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or "sqlite:///" + str(Path(tmp) / "bench.db")
        app = build_app(url, tmp, keep=args.keep)
        start = time.perf_counter()
        kept = _seeded(app) if args.keep else None
        seeded = kept or seed(
            app, args.learners, args.course_learners, args.trainings, args.entries
        )
        took = time.perf_counter() - start
        print(
            ("reused the kept data: " if kept else "")
            + f"seeded {args.learners} learners x {args.trainings} trainings (a course of all of "
            f"them and one of {args.course_learners}), and {args.entries} entries for one "
            f"learner, in {took:.1f} s on {url.split(':')[0]}; load average "
            + " ".join(f"{v:.1f}" for v in os.getloadavg()),
            flush=True,
        )
        learner = signed_in_client(app, seeded, seeded.heavy_id, "learner")
        trainer = signed_in_client(app, seeded, seeded.trainer_id, "instructor")
        admin = signed_in_client(app, seeded, seeded.admin_id, "admin")
        repeat, slow = args.repeat, max(1, args.repeat // 2)
        timed(f"passport page, {args.entries} entries", repeat, lambda: learner.get("/passport/"))
        timed("passport JSON export", repeat, lambda: learner.get("/passport/export.json"))
        timed("passport PDF export", slow, lambda: learner.get("/passport/export.pdf"))
        courses = [(seeded.part_course_id, args.course_learners)]
        if not args.no_big:
            courses.append((seeded.course_id, args.learners))
        for course_id, size in courses:
            matrix = f"{size} x {args.trainings}"
            page = f"/passport/trainer/matrix?course={course_id}"
            timed(f"trainer matrix page, {matrix}", repeat, lambda p=page: trainer.get(p))
            timed(
                "  filtered by state (expired)",
                repeat,
                lambda p=page: trainer.get(p + "&state=expired"),
            )
            timed(
                "  filtered by training and state (missing)",
                repeat,
                lambda p=page: trainer.get(p + f"&training={seeded.training_id}&state=missing"),
            )
            timed(
                "  by name",
                repeat,
                lambda p=page: trainer.get(p + "&q=Learner+000042"),
            )
            timed(
                "  page 50",
                repeat,
                lambda p=page: trainer.get(p + "&page=50"),
            )
            if args.no_downloads:
                continue
            csv = f"{MATRIX_CSV}?course={course_id}"
            timed(f"trainer matrix CSV, {matrix}", slow, lambda c=csv: trainer.get(c))
            if size <= 10_000:  # a spreadsheet of 2 million cells takes minutes to write
                xlsx = f"{MATRIX_XLSX}?course={course_id}"
                timed(f"trainer matrix XLSX, {matrix}", slow, lambda x=xlsx: trainer.get(x))
        timed("trainer home", repeat, lambda: trainer.get("/passport/trainer/"))
        timed(
            f"trainer: one learner's passport ({args.entries} entries)",
            repeat,
            lambda: trainer.get(f"/passport/trainer/learners/{seeded.heavy_id}"),
        )
        people = f"{args.learners + 2} people"
        timed(f"admin page, {people}", repeat, lambda: admin.get("/passport/admin/"))
        timed(
            "admin page, a name search",
            repeat,
            lambda: admin.get("/passport/admin/?q=learner+04"),
        )
        timed("admin page, page 100", repeat, lambda: admin.get("/passport/admin/?page=100"))
        print("load average at the end: " + " ".join(f"{v:.1f}" for v in os.getloadavg()))


MATRIX_CSV = "/passport/trainer/matrix.csv"
MATRIX_XLSX = "/passport/trainer/matrix.xlsx"


if __name__ == "__main__":
    main()
