"""learnpass as a package: a wheel built from a clean checkout, installed in a fresh venv, works.

The wheel is built from the checkout's own files (what git tracks or would track: no
node_modules, no compiled catalogues, no instance/), by pip through the build backend, as a
packager would. It is installed with its dependencies in a new venv that sees nothing of this
checkout, and run from another folder: ``learnpass check``, ``learnpass db upgrade`` (PostgreSQL
when LEARNPASS_TEST_POSTGRES is set), ``learnpass serve`` with a content origin, and a launch from
the demo platform over HTTP, in Dutch, with the SCORM player's scorm-again file served.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, free_port
from tests.lti.flows import launch

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def clean_checkout(target: Path) -> Path:
    """The files git tracks or would track: what a fresh clone holds (plus uncommitted work)."""
    listed = run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


# bin/test runs the suite twice (SQLite and PostgreSQL, side by side) on the same checkout: it
# names a folder here, where the pass that comes first leaves the wheel and the venv it built for
# the other (a minute). The two passes take turns through a lock on the folder: the second waits
# for the first to finish building, then finds it built.
SHARED = os.environ.get("LEARNPASS_TEST_WHEEL_DIR", "")


@contextlib.contextmanager
def _turn(folder: Path | None) -> Iterator[None]:
    """Hold the shared folder's lock (nothing to hold without a shared folder)."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _made_in(folder: Path | None, name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if folder is None:
        return tmp_path_factory.mktemp(name)
    (folder / name).mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.fixture(scope="module")
def shared() -> Path | None:
    return Path(SHARED) if SHARED else None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, shared: Path | None) -> Path:
    with _turn(shared):
        return _wheel(tmp_path_factory, shared)


def _wheel(tmp_path_factory: pytest.TempPathFactory, shared: Path | None) -> Path:
    if shared is not None and (shared / "dist" / "built").is_file():
        (built,) = (shared / "dist").glob("learnpass-*.whl")
        return built
    source = clean_checkout(tmp_path_factory.mktemp("checkout"))
    assert not (source / "node_modules").exists()
    assert not list(source.glob("lti_tool/translations/*/LC_MESSAGES/*.mo"))
    dist = _made_in(shared, "dist", tmp_path_factory)
    for stale in dist.glob("learnpass-*.whl"):  # left by a pass stopped half-way
        stale.unlink()
    started = time.monotonic()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)])
    print(f"wheel built in {time.monotonic() - started:.1f} s")
    (built,) = dist.glob("learnpass-*.whl")
    (dist / "built").touch()  # a wheel a pass stopped half-way is built again
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory, shared: Path | None) -> Path:
    """A fresh venv (no access to this one's packages) with the wheel and its dependencies, which
    pip takes from its cache after the first run."""
    with _turn(shared):
        return _venv(wheel, tmp_path_factory, shared)


def _venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory, shared: Path | None) -> Path:
    if shared is not None and (shared / "venv" / "installed").is_file():
        return shared / "venv"
    target = _made_in(shared, "venv", tmp_path_factory)
    run([sys.executable, "-m", "venv", str(target)])
    started = time.monotonic()
    run(
        [
            str(target / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            f"{wheel}[postgres]",
        ],
        cwd=target,
    )
    print(f"wheel and dependencies installed in {time.monotonic() - started:.1f} s")
    (target / "installed").touch()  # a venv a pass stopped half-way is built again
    return target


def test_wheel_carries_migrations_catalogues_and_player_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for locale in ("nl", "fr", "de"):
        assert f"lti_tool/translations/{locale}/LC_MESSAGES/messages.mo" in names, locale
    assert "lti_tool/migrations/env.py" in names
    assert "lti_tool/migrations/script.py.mako" in names
    for migration in (ROOT / "migrations" / "versions").glob("*.py"):
        assert f"lti_tool/migrations/versions/{migration.name}" in names, migration.name
    for name in ("scorm12.min.js", "scorm2004.min.js", "LICENSE", "VERSION"):
        assert f"lti_tool/content/scorm_again/{name}" in names, name
    version = zipfile.ZipFile(wheel).read("lti_tool/content/scorm_again/VERSION").decode()
    lock = (ROOT / "package-lock.json").read_text()
    assert version.split()[1] in lock  # the version package-lock.json pins
    # The offer formats library, with the CSV template providers download.
    assert {"offer_formats/__init__.py", "offer_formats/template.csv"} <= names
    templates = ROOT / "lti_tool" / "surveys" / "survey_templates"
    for shipped in templates.rglob("*.*"):  # the survey templates and their demo framework
        assert shipped.relative_to(ROOT).as_posix() in names, shipped.name
    assert not any(n.startswith(("tests/", "migrations/", "node_modules/")) for n in names)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path / "data" / "learnpass.db")
        return
    name = "learnpass_wheel_" + uuid.uuid4().hex[:8]
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rpartition("/")[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.one_database  # bin/test: in the PostgreSQL pass only (tests/passes.py)
def test_installed_wheel_checks_migrates_and_serves_a_launch(
    venv: Path, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    base, content = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNPASS_", "PYTHON"))}
    env.update(
        HOME=str(home),
        LEARNPASS_DATABASE_URL=database_url,
        LEARNPASS_DATA_DIR=str(tmp_path / "data"),
        LEARNPASS_SECRET_KEY=uuid.uuid4().hex * 2,
        LEARNPASS_BASE_URL=base,
        LEARNPASS_CONTENT_URL=content,
        # The demo platform plays the LMS inside the same server, on loopback.
        LEARNPASS_DEMO="true",
        LEARNPASS_SECURE_COOKIES="false",
        LEARNPASS_OUTGOING_ALLOW_PRIVATE="true",
    )
    learnpass = str(venv / "bin" / "learnpass")
    where = run(
        [str(venv / "bin" / "python"), "-c", "import lti_tool; print(lti_tool.__file__)"],
        env=env,
        cwd=home,
    ).stdout
    assert where.startswith(str(venv)), where  # the wheel's copy, not this checkout

    before = subprocess.run(
        [learnpass, "check"], env=env, cwd=home, capture_output=True, text=True, timeout=120
    )
    assert before.returncode == 1, before.stdout + before.stderr
    assert "PROBLEM  database" in before.stdout, before.stdout
    assert "OK       translations" in before.stdout and "OK       SCORM player" in before.stdout

    assert "database is up to date" in run([learnpass, "db", "upgrade"], env=env, cwd=home).stdout
    run([learnpass, "demo", "--no-run"], env=env, cwd=home)  # registers the demo platform
    after = run([learnpass, "check"], env=env, cwd=home).stdout
    assert "Everything checked is in order" in after, after

    proc = subprocess.Popen(
        [learnpass, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = requests.get(base + "/healthz", timeout=15)
                break
            except (requests.ConnectionError, requests.ReadTimeout):
                assert proc.poll() is None, "".join(lines)
                assert time.monotonic() < deadline, "serve did not answer within 90 s"
                time.sleep(0.3)
        assert health.json() == {"status": "ok"}

        with requests.Session() as http:
            http.headers["Accept-Language"] = "nl"
            page = launch(http, base, user="learner")
        assert page.status_code == 200, page.text
        assert '<html lang="nl"' in page.text
        assert 'data-testid="role">Cursist<' in page.text  # "Learner" from the compiled catalogue

        runtime = requests.get(content + "/content/frame/runtime/scorm2004.min.js", timeout=15)
        assert runtime.status_code == 200
        assert runtime.headers["Content-Type"].startswith("text/javascript")
        assert b"Scorm2004API" in runtime.content
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)


@pytest.mark.one_database("sqlite")  # its own SQLite file: tests/passes.py
def test_developers_alembic_command_uses_the_settings_database(tmp_path: Path) -> None:
    """``alembic -c migrations/alembic.ini`` in a checkout migrates LEARNPASS_DATABASE_URL."""
    alembic = str(Path(sys.executable).parent / "alembic")
    ini = str(ROOT / "migrations" / "alembic.ini")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPASS_")}
    env["LEARNPASS_DATABASE_URL"] = "sqlite:///" + str(tmp_path / "dev.db")
    heads = run([alembic, "-c", ini, "heads"], env=env, cwd=tmp_path).stdout.split()[0]
    run([alembic, "-c", ini, "upgrade", "head"], env=env, cwd=tmp_path)
    assert run([alembic, "-c", ini, "current"], env=env, cwd=tmp_path).stdout.split()[0] == heads
