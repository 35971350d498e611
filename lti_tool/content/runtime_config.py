"""What the SCORM run-time frame needs to run one attempt, built from the attempt alone (the frame
is on the content origin, with no session): the SCOs and their file URLs, the starting CMI data,
scorm-again's sequencing settings, and where to commit on the tool's origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app, url_for
from sqlalchemy.orm import Session

from learning_packages import attempts as runtime
from learning_packages.errors import PackageRefused
from learning_packages.sequencing_settings import has_sequencing, sequencing_settings
from learning_packages.structure import EDITION_12, SCORM_2004, SUSPEND_DATA_LIMIT

from ..content_origin import app_path, tool_origin
from ..models import User
from . import services


def runtime_config(
    session: Session, attempt: Any, user: User, requested_sco: int | None
) -> dict[str, Any] | None:
    """The frame's configuration for ``user``'s ``attempt``; None when the version has no SCO."""
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    scos = services.version_scos(session, version.id, version.default_organization)
    if not scos:
        return None
    states = runtime.states_by_sco(session, attempt.id)
    current = (
        next((s for s in scos if s.id == requested_sco), None)
        or next((s for s in scos if s.identifier == attempt.current_sco), None)
        or scos[0]
    )
    token = services.file_token(version.id, attempt.id, user.id, user.issuer)
    config: dict[str, Any] = {
        "edition": version.edition,
        "api": "API" if version.edition == EDITION_12 else "API_1484_11",
        "suspendDataLimit": SUSPEND_DATA_LIMIT.get(version.edition),
        "attemptToken": services.attempt_token(attempt.id, user.id, user.issuer),
        "toolOrigin": tool_origin(),
        "toolBase": current_app.config["LEARNPASS"].base_url,
        # Paths on the tool's origin (the frame puts toolBase before them).
        "stateUrl": _with_sco_placeholder(
            app_path(url_for("content.sco_state", attempt_id=attempt.id, sco_id=0))
        ),
        "commitUrl": _with_sco_placeholder(
            app_path(url_for("content.commit", attempt_id=attempt.id, sco_id=0))
        ),
        "scos": [
            {
                "id": s.id,
                "identifier": s.identifier,
                "title": s.title,
                "url": sco_url(token, s.launch_url),
            }
            for s in scos
        ],
        "current": current.id,
        "navigation": navigation(version),
        "cmi": runtime.starting_cmi(
            version.edition, current, states.get(current.id), user.sub, user.name or ""
        ),
    }
    sequencing = sequencing_settings_of(version)
    if sequencing is not None:
        # scorm-again's engine decides what is delivered; the frame persists its state.
        config["sequencing"] = sequencing
        config["sequencingState"] = attempt.sequencing_state
        config["sequencingRevision"] = attempt.sequencing_revision
        # A new attempt on an activity (a retry, remediation) starts from empty data; only a
        # suspended one resumes with what it saved (the frame asks the state URL for that).
        config["freshCmi"] = {
            s.id: runtime.starting_cmi(version.edition, s, None, user.sub, user.name or "")
            for s in scos
        }
        config["sequencingUrl"] = app_path(
            url_for("content.sequencing_state", attempt_id=attempt.id)
        )
    return config


def sequencing_settings_of(version: Any) -> dict[str, Any] | None:
    """scorm-again's sequencing settings from the stored manifest, for a SCORM 2004 package
    that declares sequencing; None otherwise (plain flow/choice navigation, as before)."""
    if version.kind != SCORM_2004 or not has_sequencing(
        version.structure, version.default_organization
    ):
        return None
    path = services.storage().find_file(version.storage_path, version.descriptor)
    if path is None:
        current_app.logger.error("SCORM version %s: %s is missing", version.id, version.descriptor)
        return None
    try:
        return sequencing_settings(path.read_bytes(), version.default_organization)
    except PackageRefused:
        current_app.logger.exception("SCORM version %s: sequencing not read", version.id)
        return None


def navigation(version: Any) -> dict[str, bool]:
    """What the learner may do besides the SCO's own requests: pick from the table of contents
    (``choice``) and step with Previous / Next (``flow``), from the organization's control mode.
    SCORM 1.2 has no sequencing: both, as LMSs have always offered."""
    if version.edition == EDITION_12:
        return {"choice": True, "flow": True}
    org = next(
        (
            o
            for o in version.structure["organizations"]
            if o["identifier"] == version.default_organization
        ),
        version.structure["organizations"][0],
    )
    sequencing = org.get("sequencing") or {}
    return {
        "choice": bool(sequencing.get("choice", True)),
        "flow": bool(sequencing.get("flow", False)),
    }


def hidden_lms_ui(version: Any, sequencing: dict[str, Any] | None) -> dict[str, list[str]]:
    """The LMS controls each item hides (adlnav ``hideLMSUI``: continue, previous, exit...), by
    item identifier: from the manifest's reading and, when the sequencing settings carry them
    (``hideLmsUi`` on an activity), from those too."""
    found: dict[str, list[str]] = {}

    def add(identifier: str, tokens: Any) -> None:
        if isinstance(tokens, list):
            for token in tokens:
                value = token.get("value") if isinstance(token, dict) else token
                if isinstance(value, str) and value and value not in found.get(identifier, []):
                    found.setdefault(identifier, []).append(value)

    def walk_items(items: list[dict[str, Any]]) -> None:
        for item in items:
            add(str(item.get("identifier", "")), item.get("hide_lms_ui"))
            walk_items(item.get("children") or [])

    def walk_activity(activity: dict[str, Any]) -> None:
        add(str(activity.get("id", "")), activity.get("hideLmsUi"))
        for child in activity.get("children") or []:
            walk_activity(child)

    for org in version.structure.get("organizations", []):
        if org.get("identifier") == version.default_organization:
            walk_items(org.get("items") or [])
    if sequencing and isinstance(sequencing.get("activityTree"), dict):
        walk_activity(sequencing["activityTree"])
    return found


def _with_sco_placeholder(url: str) -> str:
    head, _, tail = url.rpartition("/scos/0")
    return f"{head}/scos/{{sco}}{tail}"


def sco_url(token: str, launch_url: str) -> str:
    """A SCO's launch URL: a path on the content origin (the frame's own), or the package's
    absolute URL as it is."""
    if "://" in launch_url:
        return launch_url
    base = url_for("content_files.sco_file", token=token, member="x")[: -len("x")]
    return base + sco_url_tail(launch_url)


def sco_url_tail(launch_url: str) -> str:
    split = min(
        (i for i in (launch_url.find("?"), launch_url.find("#")) if i >= 0), default=len(launch_url)
    )
    # Launch paths are stored decoded ("unit 1/café.html"); URLs need them percent-encoded.
    return quote(launch_url[:split], safe="/") + launch_url[split:]
