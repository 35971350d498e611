"""Paths follow the player: a package finished in the player completes its step (and the path,
when it was the last required one) in the same request, without waiting for the learner to open
the path page. The player tells its listeners (content.results); paths register one here, so the
player never imports blended.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content.results import ResultRecorded, on_result_recorded
from .path_completion import settle
from .path_models import BlendedPath, BlendedStep


def paths_with_package(
    session: Session, package_id: int, platform_id: int | None
) -> list[BlendedPath]:
    """The paths of the learner's platform with a step for this package."""
    if platform_id is None:
        return []
    holding = select(BlendedStep.path_id).where(
        BlendedStep.kind == "package", BlendedStep.ref == str(package_id)
    )
    return list(
        session.scalars(
            select(BlendedPath)
            .where(BlendedPath.id.in_(holding), BlendedPath.platform_id == platform_id)
            .order_by(BlendedPath.id)
        )
    )


def follow_package_result(session: Session, event: ResultRecorded) -> None:
    """Settle each path holding the package for that learner: step statements once, and the
    path's completion (grade, passport entry, statements) exactly once (path_completion)."""
    if not event.completed:
        return
    settings = current_app.config["LEARNPASS"]
    for path in paths_with_package(session, event.package_id, event.user.platform_id):
        settle(session, settings.base_url, settings.tool_title, path, [event.user])


def register_path_results() -> None:
    on_result_recorded(follow_package_result)
