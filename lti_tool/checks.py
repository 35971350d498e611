"""``learnpass check``: tell an administrator, in plain words, what is set up wrong and what to do.

Each check looks at one thing (the settings, the two addresses, the database and its schema, the
signing keys, the mail server, the translations, the SCORM player's files, the data folder) and
gives a ``Finding``. The command prints them and ends with a non-zero exit code when one is a
problem. It changes nothing: no migration runs, no key is made (it only creates the data folder
when missing, to see that it can).
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from .resources import SCORM_AGAIN_FILES, migrations_dir, scorm_again_dir, source_checkout
from .resources import translations_dir as default_translations_dir
from .settings import Settings, SettingsError

LOCALES = ("nl", "fr", "de")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Finding:
    topic: str
    ok: bool
    message: str
    advice: str = ""


def problem(topic: str, message: str, advice: str) -> Finding:
    return Finding(topic, False, message, advice)


def fine(topic: str, message: str) -> Finding:
    return Finding(topic, True, message)


# ---------------------------------------------------------------- addresses


def check_base_url(settings: Settings) -> Finding:
    url = urlsplit(settings.base_url)
    if url.scheme == "https":
        return fine("tool address", f"{settings.base_url} uses https")
    if (settings.demo or settings.debug) and url.hostname in LOOPBACK:
        return fine("tool address", f"{settings.base_url}: plain http, fine on this computer only")
    return problem(
        "tool address",
        f"LEARNPASS_BASE_URL is {settings.base_url}, without https. Learning platforms show "
        "learnpass inside their own pages, and browsers only keep its cookies there over https.",
        "Put learnpass behind a reverse proxy with a TLS certificate and set "
        "LEARNPASS_BASE_URL=https://... (docs/deployment.md, Reverse proxy).",
    )


def check_content_url(settings: Settings) -> Finding:
    tool, content = urlsplit(settings.base_url), urlsplit(settings.content_url)
    if not settings.content_url or content.hostname == tool.hostname:
        return problem(
            "content address",
            "LEARNPASS_CONTENT_URL is not set to another host name than the tool's, so course "
            "packages would run with the learners' sessions.",
            "Give course files a host name of their own, e.g. https://content.example.org, "
            "pointing at the same server (docs/deployment.md, Content origin).",
        )
    if tool.scheme == "https" and content.scheme != "https":
        return problem(
            "content address",
            f"LEARNPASS_CONTENT_URL is {settings.content_url}, without https, while the tool "
            "uses https: browsers refuse to show its course packages inside the tool's pages.",
            "Serve the content host name over https too (one certificate with both names, or "
            "one each) and set LEARNPASS_CONTENT_URL=https://...",
        )
    return fine(
        "content address",
        f"course packages and uploads come from {settings.content_url}, another host name "
        "than the tool's",
    )


def check_secret_key(settings: Settings) -> Finding:
    if len(settings.secret_key) < 32:
        return problem(
            "secret key",
            f"LEARNPASS_SECRET_KEY has only {len(settings.secret_key)} characters: it can be "
            "guessed, and with it anyone can forge forms.",
            "Use 64 random hex characters: python3 -c 'import secrets; "
            "print(secrets.token_hex(32))'",
        )
    return fine("secret key", "set")


# ---------------------------------------------------------------- database and keys


def check_database(settings: Settings) -> list[Finding]:
    """Reachable, then migrated to this version's newest schema, then the signing keys."""
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import make_engine

    where = _database_name(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except ModuleNotFoundError as exc:
        return [
            problem(
                "database",
                f"the database driver {exc.name} is not installed, so {where} cannot be reached.",
                "Install learnpass with PostgreSQL support: pip install 'learnpass[postgres]'.",
            )
        ]
    if settings.database_url.startswith("sqlite:///"):
        path = Path(settings.database_url[len("sqlite:///") :])
        if not path.is_file():
            engine.dispose()
            return [
                problem(
                    "database",
                    f"the SQLite database {path} does not exist yet.",
                    "Run learnpass db upgrade (learnpass serve does it when it starts).",
                )
            ]
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    script = ScriptDirectory.from_config(config)
    newest = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
            findings = [fine("database", f"{where} answers")]
            findings.append(_schema_finding(current, newest, known))
            if current == newest:
                findings.append(_keys_finding(connection))
                if connection.dialect.name == "postgresql":
                    findings.append(_name_index_finding(connection))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        findings = [
            problem(
                "database",
                f"learnpass cannot reach {where}: {reason}",
                "Check LEARNPASS_DATABASE_URL (user, password, host, database name), that the "
                "database server runs, and that it lets this machine in.",
            )
        ]
    finally:
        engine.dispose()
    return findings


def _database_name(url: str) -> str:
    parts = urlsplit(url)
    if url.startswith("sqlite"):
        return "the SQLite database " + url.split("///", 1)[-1]
    host = parts.hostname or "localhost"
    return f"the database {parts.path.lstrip('/')} on {host}"


def _schema_finding(current: set[str], newest: set[str], known: set[str]) -> Finding:
    upgrade = "Run learnpass db upgrade (learnpass serve does it when it starts)."
    if current == newest:
        return fine("database schema", "up to date")
    if not current:
        return problem("database schema", "the database has no learnpass tables yet.", upgrade)
    if current - known:
        return problem(
            "database schema",
            "the database was set up by a newer learnpass version than this one.",
            "Install that version again (or restore the backup taken before it).",
        )
    return problem("database schema", "the database schema is older than this version.", upgrade)


def _keys_finding(connection: object) -> Finding:
    from cryptography.hazmat.primitives import serialization
    from sqlalchemy import select
    from sqlalchemy.engine import Connection

    from .models import ToolKey, utcnow

    assert isinstance(connection, Connection)
    rows = connection.execute(
        select(ToolKey.kid, ToolKey.private_pem, ToolKey.public_jwk, ToolKey.expires_at)
    ).all()
    now = utcnow()
    published = [row for row in rows if row.expires_at is None or row.expires_at > now]
    if not published:
        return fine("signing keys", "none yet: learnpass makes one at the first launch")
    for row in published:
        try:
            key = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
            numbers = key.public_key().public_numbers()  # type: ignore[union-attr]
            n = int.from_bytes(_b64(row.public_jwk["n"]), "big")
            readable = numbers.n == n
        except (ValueError, TypeError, KeyError, AttributeError):
            readable = False
        if not readable:
            return problem(
                "signing keys",
                f"the signing key {row.kid} cannot be read, or does not match the public key "
                "platforms get: launches and grade reports fail.",
                "Run learnpass keys rotate (a new key; platforms fetch it themselves).",
            )
    return fine("signing keys", f"{len(published)} published, each readable")


def _name_index_finding(connection: object) -> Finding:
    """Not a problem when missing: the search by name works without it, only slower; a
    server that cannot have pg_trgm must still pass the check (a container start stops on a
    problem)."""
    from sqlalchemy import func, select
    from sqlalchemy.engine import Connection

    from .models import User
    from .name_trigrams import name_index_valid, trigrams_installed

    assert isinstance(connection, Connection)
    if name_index_valid(connection):
        return fine("name search", "people's names have their trigram index (pg_trgm)")
    people = connection.scalar(select(func.count()).select_from(User)) or 0
    missing = (
        "the pg_trgm extension is not installed"
        if not trigrams_installed(connection)
        else "the index ix_lp_user_name_trgm is missing or invalid"
    )
    return fine(
        "name search",
        f"{missing}, so the trainer's matrix searched by name reads all {people:,} people's "
        "names (about 100 ms per 100,000). To have the index, see docs/deployment.md, "
        "PostgreSQL extension.",
    )


def _b64(value: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


# ---------------------------------------------------------------- mail


def check_mail(settings: Settings) -> Finding:
    host, port = settings.smtp_host, settings.smtp_port
    if not host:
        return fine("mail", "LEARNPASS_SMTP_HOST is not set: learnpass sends no e-mail")
    if not settings.mail_enabled:
        return fine(
            "mail", "mail is switched off (LEARNPASS_MAIL_ENABLED): mails wait in the queue"
        )
    try:
        with socket.create_connection((host, port), timeout=min(settings.http_timeout, 10)):
            pass
    except OSError as exc:
        return problem(
            "mail",
            f"the mail server {host}:{port} does not answer ({exc.strerror or exc}): "
            "no e-mail leaves learnpass.",
            "Check LEARNPASS_SMTP_HOST and LEARNPASS_SMTP_PORT, and that the firewall lets this "
            "machine reach the mail server.",
        )
    return fine("mail", f"the mail server {host}:{port} answers")


# ---------------------------------------------------------------- files


def check_translations(directory: Path | None = None) -> Finding:
    from babel.support import Translations

    directory = directory or default_translations_dir()
    # Only a checkout's file times say which is newer (an installer writes files in any order).
    checkout = source_checkout() is not None
    if checkout:
        fix = "Run pybabel compile -d lti_tool/translations (bin/test and bin/demo do it)."
    else:
        fix = "Install learnpass from a wheel built with pip (pip wheel .), which compiles them."
    missing, stale = [], []
    for locale in LOCALES:
        folder = directory / locale / "LC_MESSAGES"
        mo, po = folder / "messages.mo", folder / "messages.po"
        catalog = Translations.load(str(directory), [locale]) if mo.is_file() else None
        if not isinstance(catalog, Translations) or len(catalog._catalog) < 2:
            missing.append(locale)
        elif checkout and po.is_file() and po.stat().st_mtime > mo.stat().st_mtime:
            stale.append(locale)
    if missing:
        return problem(
            "translations",
            f"the {', '.join(missing)} translations are not compiled: everyone sees English.",
            fix,
        )
    if stale:
        return problem(
            "translations",
            f"the compiled {', '.join(stale)} translations are older than their sources: "
            "recent texts show in English.",
            fix,
        )
    return fine("translations", "Dutch, French and German are compiled")


def check_player(directory: Path | None = None) -> Finding:
    directory = directory or scorm_again_dir()
    missing = [
        n for n in SCORM_AGAIN_FILES if n.endswith(".min.js") and not (directory / n).is_file()
    ]
    if missing:
        return problem(
            "SCORM player",
            f"scorm-again ({', '.join(missing)}) is missing from {directory}: SCORM courses "
            "do not play.",
            "Run npm ci in the checkout, or install learnpass from a wheel (it carries them).",
        )
    return fine("SCORM player", "scorm-again is in place")


def check_data_dir(settings: Settings) -> Finding:
    folder = Path(settings.data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return problem(
            "data folder",
            f"learnpass cannot write in {folder} ({exc.strerror or exc}): uploads and course "
            "packages cannot be stored.",
            "Set LEARNPASS_DATA_DIR to a folder the learnpass user may write to.",
        )
    return fine("data folder", f"{folder} can be written")


# ---------------------------------------------------------------- all together


def run_checks(environ: Mapping[str, str] | None = None) -> list[Finding]:
    env = dict(os.environ if environ is None else environ)
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        return [
            problem(
                "settings",
                str(exc),
                "Correct that setting (docs/configuration.md lists them all), then check again.",
            )
        ]
    return [
        fine("settings", "read without error"),
        check_base_url(settings),
        check_content_url(settings),
        check_secret_key(settings),
        check_data_dir(settings),
        *check_database(settings),
        check_mail(settings),
        check_translations(),
        check_player(),
    ]


@click.command("check")
def check_command() -> None:
    """Check the setup (addresses, database, keys, mail, translations) and say what to fix."""
    findings = run_checks()
    for finding in findings:
        label = "OK" if finding.ok else "PROBLEM"
        click.echo(f"{label:8} {finding.topic}: {finding.message}")
        if finding.advice:
            click.echo(f"{'':8} What to do: {finding.advice}")
    problems = sum(not f.ok for f in findings)
    if problems:
        click.echo(f"\n{problems} problem(s) found.")
        raise SystemExit(1)
    click.echo("\nEverything checked is in order.")
