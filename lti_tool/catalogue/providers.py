"""Providers of the network and their people: what the network admin manages (``learnpass
catalogue provider ...``) and who may change a provider's offers."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..lti.context import launch_value
from ..models import Platform, User
from .models import CatalogueProvider, CatalogueProviderMember

MAX_CODE = 64


class ProviderError(ValueError):
    """A refusal with a message the admin can act on."""


@dataclass
class ProviderInput:
    code: str
    name: str
    website: str = ""
    contact_email: str = ""
    platform_issuer: str | None = None
    platform_client_id: str | None = None


def find_provider(session: Session, code: str) -> CatalogueProvider:
    provider = session.scalar(select(CatalogueProvider).where(CatalogueProvider.code == code))
    if provider is None:
        raise ProviderError(
            f"no provider with code {code!r} (see 'learnpass catalogue provider list')"
        )
    return provider


def _platform(session: Session, issuer: str, client_id: str | None) -> Platform:
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise ProviderError(f"no registered platform with issuer {issuer!r}")
    if len(found) > 1:
        raise ProviderError(f"several registrations of {issuer!r}: say which with --client-id")
    return found[0]


def add_provider(session: Session, data: ProviderInput) -> tuple[CatalogueProvider, bool]:
    """Add the provider, or change it to these values; ``(provider, created)``. Not committed."""
    code = data.code.strip()
    name = data.name.strip()
    if not code or len(code) > MAX_CODE or not code.replace("-", "").replace("_", "").isalnum():
        raise ProviderError("the code must be 1-64 letters, digits, '-' or '_'")
    if not name:
        raise ProviderError("the provider needs a name")
    platform_id = None
    if data.platform_issuer:
        platform_id = _platform(session, data.platform_issuer, data.platform_client_id).id
    provider = session.scalar(select(CatalogueProvider).where(CatalogueProvider.code == code))
    created = provider is None
    if provider is None:
        provider = CatalogueProvider(code=code)
        session.add(provider)
    provider.name = name[:255]
    provider.website = data.website.strip()[:1024]
    provider.contact_email = data.contact_email.strip()[:320]
    provider.platform_id = platform_id
    session.flush()
    return provider, created


def list_providers(session: Session) -> list[CatalogueProvider]:
    return list(session.scalars(select(CatalogueProvider).order_by(CatalogueProvider.code)))


def find_person(session: Session, issuer: str, sub: str, client_id: str | None) -> User:
    query = select(User).where(User.issuer == issuer, User.sub == sub)
    if client_id:
        query = query.where(User.client_id == client_id)
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise ProviderError(
            f"nobody with user id {sub!r} has launched from {issuer}: they open learnpass from"
            " their platform once, then you add them"
        )
    if len(found) > 1:
        raise ProviderError(f"several registrations of {issuer} know {sub!r}: give --client-id")
    return found[0]


def add_member(session: Session, provider: CatalogueProvider, user: User) -> bool:
    """Give the person the provider's offers to edit; False when they had them already."""
    if session.get(CatalogueProviderMember, (provider.id, user.id)) is not None:
        return False
    session.add(CatalogueProviderMember(provider_id=provider.id, user_id=user.id))
    session.flush()
    return True


def remove_member(session: Session, provider: CatalogueProvider, user: User) -> bool:
    member = session.get(CatalogueProviderMember, (provider.id, user.id))
    if member is None:
        return False
    session.delete(member)
    return True


def members(session: Session, provider: CatalogueProvider) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(CatalogueProviderMember, CatalogueProviderMember.user_id == User.id)
            .where(CatalogueProviderMember.provider_id == provider.id)
            .order_by(User.id)
        )
    )


def providers_of(session: Session, user_id: int) -> list[CatalogueProvider]:
    """The providers whose offers this person may change."""
    return list(
        session.scalars(
            select(CatalogueProvider)
            .join(
                CatalogueProviderMember, CatalogueProviderMember.provider_id == CatalogueProvider.id
            )
            .where(CatalogueProviderMember.user_id == user_id)
            .order_by(CatalogueProvider.name)
        )
    )


@functools.cache
def is_member_somewhere() -> ColumnElement[bool]:
    """The SQL condition: the launched person may change the offers of one provider at least.
    Built once, on the launch's values (``launch_values`` binds them)."""
    return (
        select(CatalogueProviderMember.user_id)
        .where(CatalogueProviderMember.user_id == launch_value("user_id"))
        .exists()
    )


def is_member(session: Session, provider_id: int, user_id: int) -> bool:
    return session.get(CatalogueProviderMember, (provider_id, user_id)) is not None
