"""SCORM logic for the tool, without request objects: storage, imports, listings, player data."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from learning_packages import tables as t
from learning_packages.package import ImportResult, import_package
from learning_packages.storage import PackageStorage

from ..models import User

# Package file URLs and the run-time frame's URL are bearer links on the content origin (no
# cookie there): short-lived, and the player page issues fresh ones each time it opens.
FILE_TOKEN_AGE = 6 * 3600
ATTEMPT_TOKEN_AGE = 12 * 3600
CMI5_FETCH_TOKEN_AGE = 4 * 3600  # as long as a cmi5 session lives
COPY_CHUNK = 1024 * 1024


def storage() -> PackageStorage:
    return PackageStorage(Path(current_app.config["LEARNPASS"].data_dir) / "scorm")


def import_upload(
    session: Session,
    stream: IO[bytes],
    filename: str,
    title: str | None = None,
    *,
    tenant: str,
) -> ImportResult:
    """Copy an upload to a temporary file in chunks (never whole in memory), then import it as
    a package of the uploader's platform (``tenant``, its issuer)."""
    root = storage().root
    root.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix="upload-", suffix=".zip", dir=root)
    try:
        with os.fdopen(fd, "wb") as sink:
            while chunk := stream.read(COPY_CHUNK):
                sink.write(chunk)
        return import_package(
            session, storage(), temp_name, title=title, source_name=filename, tenant=tenant
        )
    finally:
        os.unlink(temp_name)


# Tenancy: a package belongs to one platform (``tenant`` = its issuer) or, with NULL, to the
# whole organisation. A platform's people see their own platform's packages and the
# organisation-wide ones, never another platform's.


def package_visible(package: Row[Any], tenant: str) -> bool:
    return package.tenant is None or package.tenant == tenant


def get_package(session: Session, package_id: int) -> Row[Any] | None:
    return session.execute(select(t.packages).where(t.packages.c.id == package_id)).first()


def get_version(session: Session, version_id: int) -> Row[Any] | None:
    return session.execute(select(t.versions).where(t.versions.c.id == version_id)).first()


def version_scos(session: Session, version_id: int, organization: str) -> list[Row[Any]]:
    return list(
        session.execute(
            select(t.scos)
            .where(t.scos.c.version_id == version_id, t.scos.c.organization == organization)
            .order_by(t.scos.c.position)
        )
    )


# ---------------------------------------------------------------- signed tokens


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


@dataclass(frozen=True)
class FileGrant:
    """What a signed package file URL names: one version's files, for one person's attempt,
    of one platform (the person's issuer)."""

    version_id: int
    attempt_id: int
    user_id: int
    issuer: str


@dataclass(frozen=True)
class AttemptGrant:
    """What a signed attempt token names: one attempt of one person of one platform."""

    attempt_id: int
    user_id: int
    issuer: str


def file_token(version_id: int, attempt_id: int, user_id: int, issuer: str) -> str:
    """Put in the SCO file URLs' path, so relative links inside a SCO keep it without cookies."""
    return _serializer("scorm-files").dumps([version_id, attempt_id, user_id, issuer])


def read_file_token(token: str) -> FileGrant | None:
    try:
        version_id, attempt_id, user_id, issuer = _serializer("scorm-files").loads(
            token, max_age=FILE_TOKEN_AGE
        )
        return FileGrant(int(version_id), int(attempt_id), int(user_id), str(issuer))
    except (BadSignature, ValueError, TypeError):
        return None


def attempt_token(attempt_id: int, user_id: int, issuer: str) -> str:
    """Lets the run-time commit for this attempt only, also from ``pagehide`` without cookies."""
    return _serializer("scorm-attempt").dumps([attempt_id, user_id, issuer])


def read_attempt_token(token: str) -> AttemptGrant | None:
    try:
        attempt_id, user_id, issuer = _serializer("scorm-attempt").loads(
            token, max_age=ATTEMPT_TOKEN_AGE
        )
        return AttemptGrant(int(attempt_id), int(user_id), str(issuer))
    except (BadSignature, ValueError, TypeError):
        return None


def cmi5_fetch_token(session_id: str) -> str:
    """The path part of a cmi5 fetch URL: the session, signed so it cannot be guessed."""
    return _serializer("cmi5-fetch").dumps(session_id)


def read_cmi5_fetch_token(token: str) -> str | None:
    try:
        session_id = _serializer("cmi5-fetch").loads(token, max_age=CMI5_FETCH_TOKEN_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return session_id if isinstance(session_id, str) else None


def learner_key(user_id: int) -> str:
    return f"user:{user_id}"


def context_key(resource_link_id: int | None, course_id: int | None) -> str:
    if resource_link_id is not None:
        return f"link:{resource_link_id}"
    return f"course:{course_id}" if course_id is not None else "none"


def attempt_context(ctx: Any, package_id: int) -> str:
    """Where a launch's attempt of the package belongs: the course link when the link names
    this package (its scores go to that link's line item), else the course. A package opened
    from a learning path's page comes with the path's link, whose grade is the path's own."""
    named = ctx.target == f"scorm:{package_id}"
    return context_key(ctx.resource_link_id if named else None, ctx.course_id)


def scorm_attempt_context(ctx: Any, package_id: int) -> str:
    """The SCORM player's :func:`attempt_context`, where a trainer's (or admin's) launch is a
    preview: its attempts live in a context of their own (``preview:...``), are never a
    learner's attempt, and record no result (no grade, statement or passport entry; the player
    says so)."""
    context = attempt_context(ctx, package_id)
    return PREVIEW_PREFIX + context if ctx.is_instructor else context


PREVIEW_PREFIX = "preview:"


def is_preview(attempt: Any) -> bool:
    """A trainer's preview attempt: its CMI data is kept while they look, nothing else."""
    return str(attempt.context).startswith(PREVIEW_PREFIX)


# ---------------------------------------------------------------- the player's table of contents


def table_of_contents(
    structure: dict[str, Any], organization: str, sco_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """The organization's items as nested dicts for the template (only visible items)."""
    org = next(
        (o for o in structure["organizations"] if o["identifier"] == organization),
        structure["organizations"][0],
    )

    def node(item: dict[str, Any]) -> dict[str, Any]:
        return {
            "identifier": item["identifier"],
            "title": item["title"],
            "sco_id": sco_ids.get(item["identifier"]),
            "children": [
                node(child) for child in item["children"] if child.get("is_visible", True)
            ],
        }

    return [node(item) for item in org["items"] if item.get("is_visible", True)]


def status_label(state: Row[Any] | None) -> str:
    if state is None:
        return "not attempted"
    return state.success_status or state.completion_status or "incomplete"


def sco_rows_by_identifier(rows: Iterable[Row[Any]]) -> dict[str, int]:
    return {row.identifier: row.id for row in rows}


def granted_attempt(
    session: Session, grant: AttemptGrant | FileGrant
) -> tuple[Row[Any], User] | None:
    """The attempt and person a signed token names, when they still belong together: the person
    exists on the token's platform, the attempt is theirs, and the package is one that platform
    sees. None otherwise (a forged, outdated or mismatched token)."""
    user = session.get(User, grant.user_id)
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == grant.attempt_id)).first()
    if user is None or attempt is None or user.issuer != grant.issuer:
        return None
    if attempt.learner != learner_key(user.id):
        return None
    version = get_version(session, attempt.version_id)
    package = get_package(session, version.package_id) if version is not None else None
    if package is None or not package_visible(package, grant.issuer):
        return None
    return attempt, user
