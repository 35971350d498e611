"""The ``learnpass`` command: demo, serve, check, db, platform, keys (and the features' groups)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .checks import check_command
from .extensions import db
from .resources import migrations_dir
from .settings import SettingsError


def _create_app() -> Flask:
    from . import create_app

    try:
        return create_app()
    except SettingsError as exc:
        click.echo(f"learnpass: configuration error: {exc}", err=True)
        sys.exit(2)


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """learnpass: LTI 1.3 tool for workforce training."""


# It builds its own settings, so it also reports what stops the app from starting.
cli.add_command(check_command)


def main() -> None:
    """Entry point. ``learnpass demo`` switches demo defaults on before the app is first built."""
    args = sys.argv[1:]
    if not args or "--help" in args or "-h" in args:
        # Listing commands builds the app; a help screen must not need production settings.
        os.environ.setdefault("LEARNPASS_SECRET_KEY", "help-only")
        os.environ.setdefault("LEARNPASS_CONTENT_URL", "http://content.invalid")
    if args[:1] == ["demo"]:
        host, port = "127.0.0.1", "5000"
        for flag, value in zip(args, args[1:], strict=False):
            if flag == "--host":
                host = value
            elif flag == "--port":
                port = value
        os.environ.setdefault("LEARNPASS_DEMO", "true")
        os.environ.setdefault("LEARNPASS_SECURE_COOKIES", "false")
        # The demo platform lives on this machine: the tool has to call it on loopback.
        os.environ.setdefault("LEARNPASS_OUTGOING_ALLOW_PRIVATE", "true")
        os.environ.setdefault("LEARNPASS_BASE_URL", f"http://{host}:{port}")
    cli()


def register_commands(app: Flask) -> None:
    """Bind every command group to the app (also for ``app.test_cli_runner()``)."""
    from .catalogue.cli import catalogue_group
    from .content.cli import scorm_group
    from .jobs import jobs_group
    from .lrs.cli import lrs_group, xapi_group
    from .mail.cli import mail_group
    from .passports.cli import passport_group

    for command in (
        db_group,
        platform_group,
        keys_group,
        jobs_group,
        lrs_group,
        xapi_group,
        passport_group,
        scorm_group,
        mail_group,
        catalogue_group,
    ):
        if command.name not in app.cli.commands:
            app.cli.add_command(command)


# ---------------------------------------------------------------- db


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option(
        "sqlalchemy.url", current_app.config["LEARNPASS"].database_url.replace("%", "%%")
    )
    return cfg


def upgrade_database() -> None:
    from alembic import command

    url = current_app.config["LEARNPASS"].database_url
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(), "head")


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    upgrade_database()
    click.echo("database is up to date")


# ---------------------------------------------------------------- platform


@click.group("platform")
def platform_group() -> None:
    """Register learning platforms by hand."""


@platform_group.command("add")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, help="May be given several times")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication URL")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token URL")
@click.option("--key-set-url", default=None, help="The platform's public key set (JWKS) URL")
@click.option("--key-set-file", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--auth-audience", default=None)
@click.option("--name", default="")
@click.option(
    "--sub-per-deployment",
    is_flag=True,
    help="The platform's user ids are only unique within one deployment: keep people apart "
    "per deployment too",
)
@with_appcontext
def platform_add(deployment_ids: tuple[str, ...], key_set_file: str | None, **options: Any) -> None:
    """Register a platform (issuer + client id) with its deployments."""
    from .lti.services import (
        PlatformInput,
        RegistrationError,
        add_platform,
        other_registrations,
        registration_of,
    )

    key_set = json.loads(Path(key_set_file).read_text()) if key_set_file else None
    data = PlatformInput(deployment_ids=deployment_ids, key_set=key_set, **options)
    already = registration_of(db.session(), data.issuer, data.client_id)
    try:
        platform = add_platform(db.session(), data)
    except RegistrationError as exc:
        raise click.ClickException(str(exc)) from exc
    if already is not None:
        # Run twice with the same values (a provisioning script, a retry): not an error.
        click.echo(
            f"platform {platform.id}: {platform.issuer} (client id {platform.client_id}) is "
            "already registered with these values; nothing changed"
        )
        return
    click.echo(
        f"registered platform {platform.id}: {platform.issuer} (client id {platform.client_id})"
    )
    others = other_registrations(db.session(), platform)
    if others:
        clients = ", ".join(p.client_id for p in others)
        click.echo(
            f"Warning: issuer {platform.issuer} was already registered (client id {clients}).\n"
            "  The two registrations do not share people: someone who opens learnpass from each\n"
            "  gets two separate passports, even with the same user id. If they are the same\n"
            "  person, join them with\n"
            f"  learnpass passport link-identities --issuer {platform.issuer} --client-id "
            f"{others[0].client_id} --sub USER_ID --linked-issuer {platform.issuer} "
            f"--linked-client-id {platform.client_id} --linked-sub USER_ID",
            err=True,
        )


@platform_group.command("list")
@with_appcontext
def platform_list() -> None:
    """List registered platforms."""
    from .lti.services import list_platforms

    platforms = list_platforms(db.session())
    if not platforms:
        click.echo("no platforms registered")
    for p in platforms:
        deployments = ", ".join(d.deployment_id for d in p.deployments) or "-"
        scope = "\tuser ids per deployment" if p.sub_per_deployment else ""
        click.echo(f"{p.id}\t{p.issuer}\tclient id {p.client_id}\tdeployments {deployments}{scope}")


@platform_group.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@with_appcontext
def platform_remove(issuer: str, client_id: str | None, yes: bool) -> None:
    """Remove a platform registration."""
    from .lti.services import RegistrationError, find_platform, remove_platform

    try:
        platform = find_platform(db.session(), issuer, client_id)
    except RegistrationError as exc:
        raise click.ClickException(str(exc)) from exc
    if not yes:
        click.confirm(f"Remove {platform.issuer} (client id {platform.client_id})?", abort=True)
    remove_platform(db.session(), platform)
    click.echo("removed")


@platform_group.command("invite")
@click.option(
    "--hours",
    type=float,
    default=None,
    help="How long the address works (default LEARNPASS_REGISTRATION_INVITE_HOURS, 72)",
)
@with_appcontext
def platform_invite(hours: float | None) -> None:
    """Print a one-time Dynamic Registration address to paste into the platform."""
    from .lti.registration import create_invite, invite_url

    token = create_invite(hours)
    click.echo("Paste this address into the platform's LTI Advantage / Dynamic Registration field.")
    click.echo("It works once, for one platform:")
    click.echo(invite_url(token))


@platform_group.command("add-deployment")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None)
@click.option("--deployment-id", required=True)
@with_appcontext
def platform_add_deployment(issuer: str, client_id: str | None, deployment_id: str) -> None:
    """Add a deployment id to a registered platform."""
    from .lti.services import RegistrationError, add_deployment, find_platform

    try:
        add_deployment(db.session(), find_platform(db.session(), issuer, client_id), deployment_id)
    except RegistrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added deployment {deployment_id}")


@platform_group.command("show-config")
@with_appcontext
def platform_show_config() -> None:
    """Print the URLs to paste into the learning platform."""
    base = current_app.config["LEARNPASS"].base_url
    click.echo(f"Tool URL / target link URI:  {base}/lti/launch")
    click.echo(f"Initiate login URL:          {base}/lti/login")
    click.echo(f"Redirection URI(s):          {base}/lti/launch")
    click.echo(f"Public keyset URL (JWKS):    {base}/lti/jwks.json")
    click.echo("Dynamic Registration URL:    run 'learnpass platform invite' (one-time address)")
    click.echo(
        "Services: Assignment and Grade Services, Names and Role Provisioning; Deep Linking: yes"
    )


# ---------------------------------------------------------------- keys


@click.group("keys")
def keys_group() -> None:
    """The tool's signing keys."""


@keys_group.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Add a new signing key; older keys stay in the JWKS for the grace period."""
    from .lti import keys

    settings = current_app.config["LEARNPASS"]
    key = keys.rotate(db.session(), settings.key_rotation_grace_days)
    click.echo(
        f"new signing key {key.kid}; earlier keys stay published for {settings.key_rotation_grace_days} days"
    )


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """List signing keys."""
    from sqlalchemy import select

    from .models import ToolKey

    for key in db.session.scalars(select(ToolKey).order_by(ToolKey.id)):
        state = (
            "current" if key.retired_at is None else f"retired, published until {key.expires_at}"
        )
        click.echo(f"{key.kid}\t{key.created_at:%Y-%m-%d}\t{state}")


# ---------------------------------------------------------------- demo and serve


@cli.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-run", is_flag=True, help="Set up and seed, but do not start the server")
@with_appcontext
def demo(host: str, port: int, no_run: bool) -> None:
    """Start the tool with SQLite, a built-in demo platform and seeded data."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["LEARNPASS"].demo:
        raise click.ClickException(
            "learnpass demo needs LEARNPASS_DEMO=true (it is set for you unless you set it false)"
        )
    click.echo("learnpass demo: preparing the database...")
    with app.app_context():
        upgrade_database()
        from .demo.seed import seed_demo

        click.echo("learnpass demo: making the keys and the demo platform, courses and people...")
        seed_demo()
    settings = app.config["LEARNPASS"]
    click.echo(f"learnpass demo: ready. Open {settings.base_url}/demo/ in a browser")
    click.echo(
        f"learnpass demo: course packages and uploads are served from {settings.content_url}"
    )
    if not no_run:
        import threading
        from urllib.parse import urlsplit

        from werkzeug.serving import run_simple

        from .jobs import start_in_thread

        start_in_thread(app)
        click.echo(
            "learnpass demo: the demo runs Flask's own small web server, which warns below that "
            "it is a 'development server'. That is expected here, on your own machine; for real "
            "use, run learnpass behind gunicorn as docs/deployment.md describes. "
            "Stop the demo with Ctrl+C."
        )
        # The content origin: the same app on its own port (the host name tells them apart).
        content_port = urlsplit(settings.content_url).port or 80
        if content_port != port:
            threading.Thread(
                target=run_simple,
                args=(host, content_port, app),
                kwargs={"threaded": True, "use_reloader": False, "use_debugger": False},
                daemon=True,
            ).start()
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@cli.command("serve")
@click.option("--bind", default="127.0.0.1:8000")
@click.option("--workers", default=2, type=int)
@with_appcontext
def serve(bind: str, workers: int) -> None:
    """Run in production: migrate, then gunicorn with workers (demo off unless configured)."""
    upgrade_database()
    from . import serve as server

    # Gunicorn's workers and the jobs runner beside them are forks of this process (the app is
    # built once); all stop together. More instances may run the same trio (docs/deployment.md).
    server.serve(current_app._get_current_object(), bind, workers)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
