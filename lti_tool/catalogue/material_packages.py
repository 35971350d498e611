"""Which of the tool's SCORM / cmi5 / AICC packages a provider may point a knowledge-base item at.

The rule is the player's own tenancy (content/services.py ``package_visible``): a package
imported on a platform belongs to that platform, one the admin imported without a platform (the
command line, ``--issuer`` left out) belongs to the whole organisation. A provider linked to a
platform may use that platform's packages and the organisation-wide ones; a provider without a
platform only the organisation-wide ones. Another platform's package does not exist for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from learning_packages import tables as t

from ..content import services
from ..models import Platform
from .models import CatalogueProvider

KIND_NAMES = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "cmi5": "cmi5", "aicc": "AICC"}


def _issuer(session: Session, provider: CatalogueProvider) -> str | None:
    platform = session.get(Platform, provider.platform_id) if provider.platform_id else None
    return platform.issuer if platform is not None else None


def usable_packages(session: Session, provider: CatalogueProvider) -> list[Row[Any]]:
    """The packages the provider may use, by title."""
    issuer = _issuer(session, provider)
    tenancy = t.packages.c.tenant.is_(None)
    if issuer is not None:
        tenancy = or_(tenancy, t.packages.c.tenant == issuer)
    query = select(t.packages).where(tenancy).order_by(t.packages.c.title, t.packages.c.id)
    return list(session.execute(query.limit(500)))


def usable_package(session: Session, provider: CatalogueProvider, package_id: int) -> bool:
    package = services.get_package(session, package_id)
    if package is None:
        return False
    if package.tenant is None:
        return True
    issuer = _issuer(session, provider)
    return issuer is not None and services.package_visible(package, issuer)


def package_row(session: Session, package_id: int | None) -> Row[Any] | None:
    return services.get_package(session, package_id) if package_id is not None else None
