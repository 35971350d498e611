"""``learnpass catalogue``: the network admin's commands for providers and their people.

Each command can run twice with the same values (a provisioning script, a retry): the second run
says nothing changed, as ``learnpass platform add`` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask.cli import with_appcontext

from ..extensions import db
from .postcode_cli import postcodes_group
from .providers import (
    ProviderError,
    ProviderInput,
    add_member,
    add_provider,
    find_person,
    find_provider,
    list_providers,
    members,
    remove_member,
)


@click.group("catalogue")
def catalogue_group() -> None:
    """The network catalogue: providers and who edits their offers."""


@catalogue_group.group("provider")
def provider_group() -> None:
    """Providers of the network (organisations that publish offers)."""


@provider_group.command("add")
@click.option("--code", required=True, help="Short unique name, e.g. vdab-gent")
@click.option("--name", required=True)
@click.option("--website", default="")
@click.option("--contact-email", default="")
@click.option("--platform-issuer", default=None, help="Its registered LTI platform, if any")
@click.option("--platform-client-id", default=None)
@with_appcontext
def provider_add(
    code: str,
    name: str,
    website: str,
    contact_email: str,
    platform_issuer: str | None,
    platform_client_id: str | None,
) -> None:
    """Add a provider, or change an existing one (same code) to these values."""
    session = db.session()
    data = ProviderInput(code, name, website, contact_email, platform_issuer, platform_client_id)
    try:
        before = find_provider(session, code.strip())
        old = (before.name, before.website, before.contact_email, before.platform_id)
    except ProviderError:
        old = None
    try:
        provider, created = add_provider(session, data)
    except ProviderError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    new = (provider.name, provider.website, provider.contact_email, provider.platform_id)
    session.commit()
    if created:
        click.echo(f"added provider {provider.code}: {provider.name}")
    elif old == new:
        click.echo(f"provider {provider.code} is already there with these values; nothing changed")
    else:
        click.echo(f"changed provider {provider.code}: {provider.name}")


@provider_group.command("list")
@with_appcontext
def provider_list() -> None:
    """List the providers and how many people edit their offers."""
    session = db.session()
    providers = list_providers(session)
    if not providers:
        click.echo("no providers yet (add one with 'learnpass catalogue provider add')")
    for p in providers:
        platform = f"\tplatform {p.platform_id}" if p.platform_id else ""
        click.echo(f"{p.code}\t{p.name}\t{len(members(session, p))} people{platform}")


@catalogue_group.group("member")
def member_group() -> None:
    """People who may draft, publish and withdraw a provider's offers."""


def _person_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--provider", "code", required=True, help="The provider's code"),
            click.option("--issuer", required=True, help="The platform the person launches from"),
            click.option("--sub", required=True, help="Their LTI user id there"),
            click.option("--client-id", default=None, help="When the issuer has several"),
        ]
    ):
        command = option(command)
    return command


def _provider_and_person(
    session: Any, code: str, issuer: str, sub: str, client_id: str | None
) -> tuple[Any, Any]:
    """The provider and the person a member command names, or a plain error."""
    try:
        return find_provider(session, code), find_person(session, issuer, sub, client_id)
    except ProviderError as exc:
        raise click.ClickException(str(exc)) from exc


@member_group.command("add")
@_person_options
@with_appcontext
def member_add(code: str, issuer: str, sub: str, client_id: str | None) -> None:
    """Let a person (who has launched learnpass once) edit the provider's offers."""
    session = db.session()
    provider, person = _provider_and_person(session, code, issuer, sub, client_id)
    added = add_member(session, provider, person)
    session.commit()
    if added:
        click.echo(f"{issuer} {sub} now edits the offers of {provider.code}")
    else:
        click.echo(f"{issuer} {sub} already edits the offers of {provider.code}; nothing changed")


@member_group.command("remove")
@_person_options
@with_appcontext
def member_remove(code: str, issuer: str, sub: str, client_id: str | None) -> None:
    """Take a person off the provider's people."""
    session = db.session()
    provider, person = _provider_and_person(session, code, issuer, sub, client_id)
    removed = remove_member(session, provider, person)
    session.commit()
    click.echo("removed" if removed else "not among the provider's people; nothing changed")


@member_group.command("list")
@click.option("--provider", "code", required=True)
@with_appcontext
def member_list(code: str) -> None:
    """The people who edit the provider's offers."""
    session = db.session()
    try:
        provider = find_provider(session, code)
    except ProviderError as exc:
        raise click.ClickException(str(exc)) from exc
    people = members(session, provider)
    if not people:
        click.echo("nobody yet")
    for person in people:
        click.echo(f"{person.issuer}\t{person.sub}\t{person.name}")


catalogue_group.add_command(postcodes_group)
