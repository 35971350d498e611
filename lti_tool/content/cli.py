"""``learnpass scorm ...``: import packages and list them from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from scorm_import.errors import PackageRefused
from scorm_import.package import import_package

from ..extensions import db
from . import services


@click.group("scorm")
def scorm_group() -> None:
    """SCORM, cmi5 and AICC packages."""


@scorm_group.command("import")
@click.argument("package", type=click.Path(exists=True, dir_okay=False))
@click.option("--title", default=None, help="Use this title instead of the package's own")
@click.option(
    "--package-id", type=int, default=None, help="Add the upload as a new version of this package"
)
@with_appcontext
def scorm_import(package: str, title: str | None, package_id: int | None) -> None:
    """Import PACKAGE.zip and print what was found."""
    try:
        result = import_package(
            db.session(), services.storage(), package, title=title, package_id=package_id
        )
    except PackageRefused as exc:
        raise click.ClickException(f"not imported: {exc.message}") from exc
    for line in services.summarize(result).lines():
        click.echo(line)


@scorm_group.command("list")
@with_appcontext
def scorm_list() -> None:
    """List imported packages."""
    packages = services.list_packages(db.session())
    if not packages:
        click.echo("no packages")
    for p in packages:
        click.echo(f"{p.id}\t{p.kind}\tversion {p.latest_version}\t{p.title}")
