"""Which packages there are, and which a platform sees: read with SQLAlchemy Core alone, so that the
web app and the quick ``learnpass scorm list`` share one query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, or_, select
from sqlalchemy.orm import Session

from . import tables as t


def visible_to(tenant: str) -> ColumnElement[bool]:
    """The packages a person of the platform ``tenant`` may see, place and play."""
    return or_(t.packages.c.tenant == tenant, t.packages.c.tenant.is_(None))


def list_packages(db: Session | Connection, tenant: str | None = None) -> list[Row[Any]]:
    """Every package (the CLI, organisation-wide), or those the platform ``tenant`` sees."""
    query = select(t.packages).order_by(t.packages.c.title, t.packages.c.id)
    if tenant is not None:
        query = query.where(visible_to(tenant))
    return list(db.execute(query))


def platform_label(tenant: str | None) -> str:
    return tenant or "all platforms (organisation-wide)"


def package_line(package: Row[Any]) -> str:
    """One line of ``learnpass scorm list``: id, kind, version, platform, title (tab-separated)."""
    return (
        f"{package.id}\t{package.kind}\tversion {package.latest_version}\t"
        f"{platform_label(package.tenant)}\t{package.title}"
    )
