"""The ``learnpass`` command's entry point.

Most commands need the web app (``lti_tool.cli``), and building it takes about a second: Flask, the
models, every feature's routes. A command that only reads a few rows answers from here instead, with
the settings and one database connection, in a fraction of that. Its output is the app's command's
output: both call the same function (``list_packages_command`` for ``scorm list``).
"""

from __future__ import annotations

import sys
from typing import Any

import click
from sqlalchemy import Connection, column, select, table
from sqlalchemy.orm import Session

from learning_packages.listing import list_packages, package_line

from .engine import make_engine
from .settings import Settings, SettingsError

# The platform registrations, as far as a listing needs them (``models.Platform``'s table).
_platform = table("platform", column("issuer"))


def list_packages_command(db: Session | Connection, issuer: str | None) -> None:
    """``learnpass scorm list [--platform ISSUER]``: the packages, and the platform of each."""
    if issuer is not None:
        known = db.execute(select(_platform.c.issuer).where(_platform.c.issuer == issuer)).first()
        if known is None:
            # A typo would hide every package: say so instead of printing an empty list.
            raise click.ClickException(
                f"no platform with issuer {issuer} is registered; see the issuers with "
                "'learnpass platform list' (the issuer must match exactly)"
            )
    packages = list_packages(db, tenant=issuer)
    if not packages:
        click.echo("no packages")
    for package in packages:
        click.echo(package_line(package))


@click.group()
def quick() -> None:
    """The commands answered without the web app."""


@quick.group("scorm")
def _scorm() -> None:
    """SCORM, cmi5 and AICC packages."""


@_scorm.command("list")
@click.option(
    "--platform", "issuer", default=None, help="Only what this platform sees (its issuer)"
)
def _scorm_list(issuer: str | None) -> None:
    """List imported packages and the platform each belongs to."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        click.echo(f"learnpass: configuration error: {exc}", err=True)
        sys.exit(2)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            list_packages_command(connection, issuer)
    finally:
        engine.dispose()


QUICK_COMMANDS: set[tuple[str, ...]] = {("scorm", "list")}


def is_quick(args: list[str]) -> bool:
    """A quick command, asked for by name (help screens are the app's: they list every command)."""
    return tuple(args[:2]) in QUICK_COMMANDS and not {"--help", "-h"} & set(args)


def main(args: list[str] | None = None) -> Any:
    args = sys.argv[1:] if args is None else args
    if is_quick(args):
        return quick.main(args=args, prog_name="learnpass")
    from .cli import main as app_main

    return app_main()
