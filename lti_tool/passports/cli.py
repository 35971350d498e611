"""``learnpass passport ...``: framework import, training types, daily expiry statements."""

from __future__ import annotations

from pathlib import Path
from types import EllipsisType

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from .models import Competence, CompetenceFramework


@click.group("passport")
def passport_group() -> None:
    """Training passports: competences, training types, expiry."""


@passport_group.command("import-framework")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_framework(csv_file: Path) -> None:
    """Import a competency framework exported from Moodle (CSV), for the whole organisation.

    Platforms' administrators import their own frameworks on the passport's administration page.
    """
    from .catalogue import CatalogueError
    from .frameworks import FrameworkImportError, import_moodle_csv

    try:
        framework = import_moodle_csv(db.session(), csv_file.read_text(encoding="utf-8-sig"))
    except (FrameworkImportError, CatalogueError, UnicodeDecodeError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"imported {framework.shortname}: {len(framework.competences)} competences")


@passport_group.command("add-training-type")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option(
    "--months",
    type=click.IntRange(1, 1200),
    default=None,
    help="How long it stays valid; none = forever",
)
@click.option(
    "--competence",
    default=None,
    help="ID number of an organisation-wide competence that also proves it ('' for none)",
)
@click.option("--yes", is_flag=True, help="Change an existing type without asking")
@with_appcontext
def add_training_type(
    code: str, name: str, months: int | None, competence: str | None, yes: bool
) -> None:
    """Add or change an organisation-wide training type (every platform sees it).

    A change of an existing type says what changes and how many entries use it, and asks first.
    """
    from .catalogue import CatalogueError, apply_training_type, plan_training_type

    session = db.session()
    competence_id: int | None | EllipsisType = ...
    if competence == "":
        competence_id = None
    elif competence is not None:
        found = session.scalars(
            select(Competence.id)
            .join(CompetenceFramework, CompetenceFramework.id == Competence.framework_id)
            .where(Competence.idnumber == competence, CompetenceFramework.platform_id.is_(None))
        ).first()
        if found is None:
            raise click.ClickException(f"no organisation-wide competence {competence}")
        competence_id = found
    try:
        plan = plan_training_type(
            session,
            platform_id=None,
            code=code,
            name=name,
            months=months,
            competence_id=competence_id,
        )
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from exc
    if plan.existing is not None and not plan.changes:
        click.echo(f"training type {code}: nothing to change")
        return
    if plan.needs_confirmation:
        for field, (before, after) in plan.changes.items():
            click.echo(f"{field}: {before} -> {after}")
        click.echo(
            f"{plan.entries} entries of {plan.learners} learners use it; "
            f"{plan.courses} courses require it; recorded expiry dates stay as they are."
        )
        if not yes:
            click.confirm("Change it?", abort=True)
    apply_training_type(session, plan)
    click.echo(
        f"training type {code}: {name}, " + (f"valid {months} months" if months else "no expiry")
    )


@passport_group.command("record-expiries")
@with_appcontext
def record_expiries() -> None:
    """Send an 'expired' statement for each credential whose validity ended (run daily)."""
    from .recording import record_expiries as run

    count = run(db.session(), current_app.config["LEARNPASS"].base_url)
    click.echo(f"{count} expired credential(s) recorded")


@passport_group.command("refresh-matrix")
@with_appcontext
def refresh_matrix() -> None:
    """Write every learner row of the trainer matrices again from the cells (run daily)."""
    from .matrix_learners import refresh_all

    session = db.session()
    count = refresh_all(session)
    session.commit()
    click.echo(f"{count} matrix row(s) written")


@passport_group.command("link-identities")
@click.option("--issuer", required=True, help="Platform issuer of the person's first identity")
@click.option("--sub", required=True, help="LTI user id there")
@click.option(
    "--client-id", default=None, help="Client id there (needed when the issuer has several)"
)
@click.option("--linked-issuer", required=True, help="Platform issuer of the second identity")
@click.option("--linked-sub", required=True, help="LTI user id there")
@click.option("--linked-client-id", default=None, help="Client id of the second identity")
@with_appcontext
def link_identities(
    issuer: str,
    sub: str,
    client_id: str | None,
    linked_issuer: str,
    linked_sub: str,
    linked_client_id: str | None,
) -> None:
    """One passport for one person on two platforms (or two registrations of one issuer).

    An administrator in the LMS links identities of their own platform only; joining two
    platforms' people is for whoever runs the installation, so it is done here.
    """
    from ..models import User
    from .errors import PassportError
    from .identities import link_identities as link

    session = db.session()

    def person(iss: str, user_sub: str, client: str | None) -> User:
        query = select(User).where(User.issuer == iss, User.sub == user_sub)
        if client:
            query = query.where(User.client_id == client)
        found = list(session.scalars(query.limit(2)))
        if not found:
            raise click.ClickException(
                f"nobody with user id {user_sub!r} has launched from {iss}"
                + (f" (client id {client})" if client else "")
            )
        if len(found) > 1:
            raise click.ClickException(
                f"several registrations of {iss} have a person with user id {user_sub!r}; "
                "say which with --client-id / --linked-client-id (see 'learnpass platform list')"
            )
        return found[0]

    primary = person(issuer, sub, client_id)
    linked = person(linked_issuer, linked_sub, linked_client_id)
    try:
        link(session, primary.id, linked.id, actor_id=None)
    except PassportError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"linked {linked_issuer} {linked_sub} to {issuer} {sub}: one passport")
