"""``learnpass scorm ...``: import packages and list them from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from learning_packages.errors import PackageRefused
from learning_packages.listing import platform_label
from learning_packages.package import import_package

from ..command import list_packages_command
from ..extensions import db
from ..models import Platform
from . import services
from .import_summary import summarize


@click.group("scorm")
def scorm_group() -> None:
    """SCORM, cmi5 and AICC packages."""


@scorm_group.command("import")
@click.argument("package", type=click.Path(exists=True, dir_okay=False))
@click.option("--title", default=None, help="Use this title instead of the package's own")
@click.option(
    "--package-id", type=int, default=None, help="Add the upload as a new version of this package"
)
@click.option(
    "--platform",
    "issuer",
    default=None,
    help="The package belongs to this registered platform (its issuer) and only its people see "
    "it; without it the package is organisation-wide: every platform sees it",
)
@with_appcontext
def import_command(
    package: str, title: str | None, package_id: int | None, issuer: str | None
) -> None:
    """Import PACKAGE.zip and print what was found."""
    session = db.session()
    if issuer is not None:
        _require_platform(issuer)
        existing = services.get_package(session, package_id) if package_id is not None else None
        if existing is not None and existing.tenant != issuer:
            raise click.ClickException(
                f"not imported: package {package_id} belongs to "
                f"{platform_label(existing.tenant)}; a new version keeps its package's platform "
                "(leave out --platform)"
            )
    try:
        result = import_package(
            session, services.storage(), package, title=title, package_id=package_id, tenant=issuer
        )
    except PackageRefused as exc:
        raise click.ClickException(f"not imported: {exc.message}") from exc
    for line in summarize(result).lines():
        click.echo(line)
    # A new version keeps its package's platform, whatever the flag: say which one it is.
    row = services.get_package(session, result.package_id)
    click.echo(f"platform: {platform_label(row.tenant if row else None)}")


@scorm_group.command("list")
@click.option(
    "--platform", "issuer", default=None, help="Only what this platform sees (its issuer)"
)
@with_appcontext
def scorm_list(issuer: str | None) -> None:
    """List imported packages and the platform each belongs to."""
    # Also answered without the app (``lti_tool.command``), with the same function.
    list_packages_command(db.session(), issuer)


def _require_platform(issuer: str) -> None:
    """A package's platform is a registered one, named exactly: a typo would hide the package
    from everyone."""
    known = db.session.execute(select(Platform.id).where(Platform.issuer == issuer)).first()
    if known is None:
        raise click.ClickException(
            f"no platform with issuer {issuer} is registered; see the issuers with "
            "'learnpass platform list' (the issuer must match exactly)"
        )
