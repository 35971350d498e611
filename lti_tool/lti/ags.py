"""Assignment and Grade Services and Names and Role Provisioning, for a course of any platform.

Built from the stored registration and course endpoints (not from a live launch), so the grade
worker and the trainer pages can call them at any time. Features never call these directly for
grades: they use ``grades.queue_score`` and the worker delivers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from xapi.clock import utcnow

from ..models import Course, Platform
from .adapter import DatabaseToolConf, LearnpassServiceConnector

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = SCOPE + "lineitem"
SCOPE_LINEITEM_READ = SCOPE + "lineitem.readonly"
SCOPE_RESULT_READ = SCOPE + "result.readonly"
SCOPE_SCORE = SCOPE + "score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class ServiceUnavailable(RuntimeError):
    """The course's platform did not offer this service in its launches."""


def _connector(session: Session, platform: Platform) -> LearnpassServiceConnector:
    registration = DatabaseToolConf(session).registration_for(platform)
    return LearnpassServiceConnector(registration)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@dataclass
class GradeService:
    """AGS for one course."""

    session: Session
    course: Course

    def __post_init__(self) -> None:
        if not self.course.ags_lineitems_url:
            raise ServiceUnavailable("The platform offers no gradebook service for this course")
        platform = self.session.get(Platform, self.course.platform_id)
        assert platform is not None
        self.connector = _connector(self.session, platform)

    def line_items(self, **filters: str) -> list[dict[str, Any]]:
        url: str | None = (
            _with_query(self.course.ags_lineitems_url or "", **filters)
            if filters
            else self.course.ags_lineitems_url
        )
        items: list[dict[str, Any]] = []
        for page in self.connector.get_paginated_data(
            [SCOPE_LINEITEM_READ, SCOPE_LINEITEM], url, accept=LINEITEMS_TYPE
        ):
            items.extend(page["body"] or [])  # type: ignore[arg-type]
        return items

    def find_or_create_line_item(
        self,
        *,
        label: str,
        score_maximum: float,
        resource_id: str = "",
        tag: str = "",
        resource_link_id: str = "",
    ) -> dict[str, Any]:
        filters = {
            k: v
            for k, v in {
                "resource_id": resource_id,
                "tag": tag,
                "resource_link_id": resource_link_id,
            }.items()
            if v
        }
        for item in self.line_items(**filters):
            if (not resource_id or item.get("resourceId") == resource_id) and (
                not tag or item.get("tag") == tag
            ):
                return item
        body: dict[str, Any] = {"label": label, "scoreMaximum": score_maximum}
        if resource_id:
            body["resourceId"] = resource_id
        if tag:
            body["tag"] = tag
        if resource_link_id:
            body["resourceLinkId"] = resource_link_id
        response = self.connector.make_service_request(
            [SCOPE_LINEITEM],
            self.course.ags_lineitems_url or "",
            is_post=True,
            data=json.dumps(body),
            content_type=LINEITEM_TYPE,
            accept=LINEITEM_TYPE,
        )
        return dict(response["body"])  # type: ignore[arg-type]

    def update_line_item(self, lineitem_url: str, changes: dict[str, Any]) -> dict[str, Any]:
        current = self.connector.make_service_request(
            [SCOPE_LINEITEM], lineitem_url, accept=LINEITEM_TYPE
        )["body"]
        body = {**dict(current), **changes}  # type: ignore[arg-type]
        response = self.connector.request(
            "PUT",
            [SCOPE_LINEITEM],
            lineitem_url,
            data=json.dumps(body),
            content_type=LINEITEM_TYPE,
            accept=LINEITEM_TYPE,
        )
        return dict(response["body"] or body)  # type: ignore[arg-type]

    def delete_line_item(self, lineitem_url: str) -> None:
        self.connector.request("DELETE", [SCOPE_LINEITEM], lineitem_url)

    def post_score(
        self,
        lineitem_url: str,
        *,
        user_sub: str,
        score_given: float | None,
        score_maximum: float,
        activity_progress: str = "Completed",
        grading_progress: str = "FullyGraded",
        comment: str | None = None,
        timestamp: dt.datetime | None = None,
    ) -> None:
        stamp = (timestamp or utcnow()).replace(tzinfo=dt.UTC)
        body: dict[str, Any] = {
            "userId": user_sub,
            "activityProgress": activity_progress,
            "gradingProgress": grading_progress,
            "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if score_given is not None:
            body["scoreGiven"] = score_given
            body["scoreMaximum"] = score_maximum
        if comment:
            body["comment"] = comment
        scores_url = _scores_url(lineitem_url)
        self.connector.make_service_request(
            [SCOPE_SCORE],
            scores_url,
            is_post=True,
            data=json.dumps(body),
            content_type=SCORE_TYPE,
            accept="application/json",
        )

    def results(self, lineitem_url: str) -> list[dict[str, Any]]:
        url: str | None = _scores_url(lineitem_url, "results")
        rows: list[dict[str, Any]] = []
        for page in self.connector.get_paginated_data(
            [SCOPE_RESULT_READ], url, accept=RESULTS_TYPE
        ):
            rows.extend(page["body"] or [])  # type: ignore[arg-type]
        return rows


def _scores_url(lineitem_url: str, leaf: str = "scores") -> str:
    parts = urlsplit(lineitem_url)
    return urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            parts.path.rstrip("/") + "/" + leaf,
            parts.query,
            parts.fragment,
        )
    )


@dataclass
class RosterService:
    """NRPS for one course: every member, across all pages."""

    session: Session
    course: Course

    def __post_init__(self) -> None:
        if not self.course.nrps_url:
            raise ServiceUnavailable("The platform offers no roster service for this course")
        platform = self.session.get(Platform, self.course.platform_id)
        assert platform is not None
        self.connector = _connector(self.session, platform)

    def members(self) -> Iterator[dict[str, Any]]:
        for page in self.connector.get_paginated_data(
            [SCOPE_NRPS], self.course.nrps_url, accept=MEMBERSHIP_TYPE
        ):
            body = page["body"] or {}
            yield from body.get("members", [])  # type: ignore[union-attr]
