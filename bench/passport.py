# ruff: noqa: E402 (the path is set before the project is imported)
"""Render times of the passport: one learner with 1,000 entries, and a trainer matrix of
500 learners x 20 required trainings (also its CSV and XLSX exports).

    .venv/bin/python bench/passport.py [--database-url URL] [--repeat N]

Uses a throw-away SQLite database unless a URL is given; prints the median of N runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/scorm_import.py would hide
# the scorm_import package; the project root takes its place.
sys.path[0:1] = [str(Path(__file__).resolve().parent.parent)]

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.lti.context import LaunchContext
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports.models import (
    Competence,
    PassportEntry,
    RequiredTraining,
    TrainingType,
    entry_competence,
)

ISSUER = "https://lms.bench.example"


def build_app(database_url: str, data_dir: str) -> Any:
    app = create_app(
        {
            "database_url": database_url,
            "data_dir": data_dir,
            "secret_key": "bench",
            "base_url": "http://127.0.0.1:5999",
            "demo": True,
            "secure_cookies": False,
            "TESTING": True,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        from lti_tool.demo.seed import seed_demo

        seed_demo()  # training types and the demo competence framework
    return app


def seed(app: Any, learners: int, trainings: int, entries_for_one: int) -> tuple[int, int, int]:
    rng = random.Random(7)
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
        trainer = User(issuer=ISSUER, sub="trainer", name="Bench Trainer")
        session.add_all([course, trainer])
        session.flush()
        session.add(Enrolment(course_id=course.id, user_id=trainer.id, role="instructor"))
        types = [
            TrainingType(
                code=f"BENCH-{i}",
                name=f"Training {i:02d}",
                validity_months=rng.choice([None, 12, 24, 36]),
            )
            for i in range(trainings)
        ]
        session.add_all(types)
        session.flush()
        session.execute(
            insert(RequiredTraining),
            [{"course_id": course.id, "training_type_id": t.id} for t in types],
        )
        users = [
            {"issuer": ISSUER, "sub": f"learner-{i}", "name": f"Learner {i:04d}"}
            for i in range(learners)
        ]
        session.execute(insert(User), users)
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
                    rows.append(_entry(uid, t.name, done, until, t.id))
        heavy = learner_ids[0]
        for i in range(entries_for_one):
            done = today - dt.timedelta(days=rng.randint(0, 3650))
            t = rng.choice(types)
            until = (
                None
                if t.validity_months is None
                else done + dt.timedelta(days=30 * t.validity_months)
            )
            rows.append(_entry(heavy, f"Course {i}", done, until, t.id if i % 3 == 0 else None))
        session.execute(insert(PassportEntry), rows)
        competence_ids = list(session.scalars(select(Competence.id)))
        heavy_entries = list(
            session.scalars(select(PassportEntry.id).where(PassportEntry.user_id == heavy))
        )
        session.execute(
            insert(entry_competence),
            [
                {"entry_id": e, "competence_id": c}
                for e in heavy_entries
                for c in rng.sample(competence_ids, 2)
            ],
        )
        session.commit()
        return heavy, trainer.id, course.id


def _entry(
    uid: int, title: str, done: dt.date, until: dt.date | None, type_id: int | None
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
    }


def signed_in_client(app: Any, user_id: int, role: str, course_id: int | None) -> Any:
    client = app.test_client()
    ctx = LaunchContext(
        launch_id="bench",
        user_id=user_id,
        platform_id=1,
        issuer=ISSUER,
        client_id="bench",
        deployment_id="d",
        sub="x",
        role=role,
        course_id=course_id,
    )
    with client.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    return client


def timed(label: str, repeat: int, call: Callable[[], Any]) -> None:
    call()  # warm-up: templates compiled, caches filled
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    median, fastest = statistics.median(times) * 1000, min(times) * 1000
    print(f"{label:<44} median {median:8.1f} ms   min {fastest:8.1f} ms   {size / 1024:6.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--trainings", type=int, default=20)
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or "sqlite:///" + str(Path(tmp) / "bench.db")
        app = build_app(url, tmp)
        start = time.perf_counter()
        heavy, trainer, course = seed(app, args.learners, args.trainings, args.entries)
        took = time.perf_counter() - start
        print(
            f"seeded {args.learners} learners x {args.trainings} trainings, and {args.entries} "
            f"entries for one learner, in {took:.1f} s on {url.split(':')[0]}"
        )
        learner_client = signed_in_client(app, heavy, "learner", course)
        trainer_client = signed_in_client(app, trainer, "instructor", course)
        timed(
            f"passport page, {args.entries} entries",
            args.repeat,
            lambda: learner_client.get("/passport/"),
        )
        timed(
            "passport JSON export", args.repeat, lambda: learner_client.get("/passport/export.json")
        )
        timed(
            "passport PDF export",
            max(1, args.repeat // 2),
            lambda: learner_client.get("/passport/export.pdf"),
        )
        timed(
            f"trainer matrix page, {args.learners} x {args.trainings}",
            args.repeat,
            lambda: trainer_client.get("/passport/trainer/matrix"),
        )
        timed(
            "trainer matrix CSV",
            args.repeat,
            lambda: trainer_client.get("/passport/trainer/matrix.csv"),
        )
        timed(
            "trainer matrix XLSX",
            max(1, args.repeat // 2),
            lambda: trainer_client.get("/passport/trainer/matrix.xlsx"),
        )
        timed(
            "trainer matrix filtered (expired only)",
            args.repeat,
            lambda: trainer_client.get("/passport/trainer/matrix?state=expired"),
        )


if __name__ == "__main__":
    main()
