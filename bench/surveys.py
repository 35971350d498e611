# ruff: noqa: E402 (the path is set before the project is imported)
"""Time of a survey report over 100,000 responses x 40 competence items: the gap table with
Borich scores, the heat map competences x departments and competences x companies, and the
whole report page's figures (counts, distributions, free text), computed in SQL. The gap table
and the heat map read the running totals (lti_tool/surveys/totals.py): the seeding writes rows
directly, so the totals are then built from them (timed: what the migration's fill costs), and
the cost one submission adds to keep them is timed too.

    .venv/bin/python bench/surveys.py [--responses 100000] [--competences 40] [--repeat 5]
                                      [--database-url postgresql://...] [--small]

Seeds with Core executemany batches into a throw-away SQLite database in a temporary folder, and,
with --database-url (a PostgreSQL server), into a fresh database of its own on that server,
dropped afterwards. Prints the median and the fastest of the runs. The goal is under 1 s.
``--small`` is a smoke run of a few seconds (tests/test_benches.py runs it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0:1] = [str(Path(__file__).resolve().parent.parent)]

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.bench_app import fresh_app
from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.passports.models import Company
from lti_tool.surveys import analysis, report, totals
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)

BATCH = 20_000
COMPANIES = 40
DEPARTMENTS = ("workshop", "office", "sales", "logistics", "service", "board")


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(responses: int, competences: int) -> tuple[int, int, list[int]]:
    """The platform, companies, one survey version with ``competences`` items, and the answers."""
    session = db.session()
    conn = session.connection()
    platform_id = conn.execute(
        insert(Platform).returning(Platform.id),
        {
            "issuer": "https://lms.bench.example",
            "client_id": "bench",
            "auth_login_url": "x",
            "auth_token_url": "x",
            "created_at": dt.datetime(2026, 1, 1),
        },
    ).scalar_one()
    company_ids = [
        conn.execute(
            insert(Company).returning(Company.id),
            {
                "platform_id": platform_id,
                "name": f"Company {n}",
                "created_at": dt.datetime(2026, 1, 1),
            },
        ).scalar_one()
        for n in range(COMPANIES)
    ]
    survey_id = conn.execute(
        insert(Survey).returning(Survey.id),
        {
            "platform_id": platform_id,
            "title": {"en": "Bench"},
            "status": "open",
            "anonymous": True,
            "min_group_size": 5,
            "current_version": 1,
            "created_at": dt.datetime(2026, 1, 1),
            "updated_at": dt.datetime(2026, 1, 1),
        },
    ).scalar_one()
    version_id = conn.execute(
        insert(SurveyVersion).returning(SurveyVersion.id),
        {
            "survey_id": survey_id,
            "number": 1,
            "definition": {},
            "created_at": dt.datetime(2026, 1, 1),
        },
    ).scalar_one()
    question_ids = [
        conn.execute(
            insert(SurveyQuestion).returning(SurveyQuestion.id),
            {
                "version_id": version_id,
                "key": f"c{n}",
                "section_key": "skills",
                "position": n,
                "kind": "competence",
                "text": {"en": f"Competence {n}"},
                "required": True,
                "framework_ref": "F",
                "competence_ref": f"C{n}",
                "scale_min": 0,
                "scale_max": 4,
            },
        ).scalar_one()
        for n in range(competences)
    ]
    rng = random.Random(12)
    day = dt.date(2026, 11, 2)
    response_rows = (
        {
            "id": i,
            "survey_id": survey_id,
            "version_id": version_id,
            "kind": "invitee",
            "status": "submitted",
            "anonymous": True,
            "company_id": company_ids[i % COMPANIES],
            "language": "en",
            "started_on": day,
            "submitted_on": day,
            "draft": {},
        }
        for i in range(1, responses + 1)
    )
    for batch in _batches(response_rows):
        conn.execute(insert(SurveyResponse), batch)
    attribute_rows = (
        {"response_id": i, "name": "department", "value": DEPARTMENTS[rng.randrange(6)]}
        for i in range(1, responses + 1)
    )
    for batch in _batches(attribute_rows):
        conn.execute(insert(SurveyResponseAttribute), batch)
    answer_rows = (
        {
            "response_id": i,
            "question_id": q,
            "item_key": "",
            "current_level": (current := rng.randrange(5)),
            "required_level": min(4, current + rng.randrange(3)),
            "importance": 1 + (q + i) % 5,
        }
        for i in range(1, responses + 1)
        for q in question_ids
    )
    for batch in _batches(answer_rows):
        conn.execute(insert(SurveyAnswer), batch)
    if db.engine.dialect.name == "postgresql":
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('survey_response', 'id'), :n)"),
            {"n": responses},
        )
    session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as c:
            c.execute(text("ANALYZE"))
    return survey_id, version_id, question_ids


def _english(message: str, **values: Any) -> str:
    return message % values if values else message


def timed(label: str, repeat: int, work: Callable[[], object]) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times):.3f} s, fastest {min(times):.3f} s")


def run(database_url: str, data_dir: str, responses: int, competences: int, repeat: int) -> None:
    app = fresh_app(database_url, data_dir, demo=True)
    backend = make_url(database_url).get_backend_name()
    with app.app_context():
        start = time.perf_counter()
        survey_id, version_id, _ = seed(responses, competences)
        print(
            f"{backend}: seeded {responses} responses x {competences} competences "
            f"in {time.perf_counter() - start:.1f} s"
        )
        session = db.session()
        start = time.perf_counter()
        totals.rebuild(session)
        session.commit()
        with db.engine.begin() as c:  # as the migration that fills them does
            c.execute(text("ANALYZE survey_group_count"))
            c.execute(text("ANALYZE survey_gap_total"))
        print(
            f"{backend}: running totals built from the rows in {time.perf_counter() - start:.1f} s"
        )

        def one_submission() -> None:
            # What a submission adds: its response counted into the totals (then undone).
            totals.add_response(session, responses)
            session.rollback()

        timed(f"{backend}: totals of one submission", repeat, one_submission)
        whole = analysis.Scope(version_id, min_group=5)
        by_department = analysis.Scope(version_id, min_group=5, group_by="department")
        by_company = analysis.Scope(version_id, min_group=5, group_by=analysis.COMPANY)

        def gap_report() -> object:
            return analysis.gap_table(session, whole)

        def gap_and_heat_map() -> object:
            return (analysis.gap_table(session, whole), analysis.heat_map(session, by_department))

        timed(f"{backend}: gap report ({competences} competences)", repeat, gap_report)
        timed(
            f"{backend}: heat map by department",
            repeat,
            lambda: analysis.heat_map(session, by_department),
        )
        timed(
            f"{backend}: heat map by company",
            repeat,
            lambda: analysis.heat_map(session, by_company),
        )
        timed(f"{backend}: gap report and heat map", repeat, gap_and_heat_map)
        survey = session.get(Survey, survey_id)
        version = session.get(SurveyVersion, version_id)

        def whole_report() -> object:
            return report.build_report(session, survey, version, by_department, "en", _english)

        timed(f"{backend}: whole report by department", repeat, whole_report)
        session.close()
        db.engine.dispose()


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A throw-away database on the server: never the server's own databases."""
    url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"learnpass_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--competences", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to measure too")
    parser.add_argument("--small", action="store_true", help="a smoke run: 300 x 8")
    args = parser.parse_args()
    if args.small:
        args.responses, args.competences, args.repeat = 300, 8, 2
    with tempfile.TemporaryDirectory() as tmp:
        run(
            "sqlite:///" + str(Path(tmp) / "bench.db"),
            tmp,
            args.responses,
            args.competences,
            args.repeat,
        )
        if args.database_url:
            with postgres_database(args.database_url) as url:
                run(url, tmp, args.responses, args.competences, args.repeat)
        else:
            print("postgresql: not measured (give --database-url postgresql://...)")


if __name__ == "__main__":
    main()
