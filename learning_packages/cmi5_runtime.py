"""cmi5 at run time, the LMS side: launch sessions, launch data, the LMS's own statements, the
rules an AU's statements must follow, and moveOn (which AUs, blocks and the course are satisfied).

Section numbers refer to the cmi5 specification (AICC/CMI-5_Spec_Current, ``cmi5_spec.md``).
Statements are built here as plain xAPI dicts; storing them is the caller's (the tool owns the
LRS). The registration is the SCORM attempt's: one per learner and course enrolment, kept across
launch sessions so an AU can resume, and renewed only when the learner starts a new attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from xapi import clock
from xapi.vocab import ActivityType, Category, Extension, Verb

from .attempts import duration_seconds
from .tables import cmi5_satisfied, cmi5_sessions, sco_states, utcnow

# ---------------------------------------------------------------- vocabulary (section 9)

# The IRIs themselves live in the one vocabulary, xapi/vocab.py; these are cmi5's names for them.
LAUNCHED = Verb.LAUNCHED
INITIALIZED = Verb.INITIALIZED
COMPLETED = Verb.COMPLETED
PASSED = Verb.PASSED
FAILED = Verb.FAILED
TERMINATED = Verb.TERMINATED
VOIDED = Verb.VOIDED
ABANDONED = Verb.ABANDONED
WAIVED = Verb.WAIVED
SATISFIED = Verb.SATISFIED
AU_VERBS = {INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED}
LMS_VERBS = {LAUNCHED, ABANDONED, WAIVED, SATISFIED}

CATEGORY_CMI5 = Category.CMI5
CATEGORY_MOVEON = Category.CMI5_MOVEON
EXT_SESSION = Extension.CMI5_SESSION_ID
EXT_MASTERY = Extension.CMI5_MASTERY_SCORE
EXT_LAUNCH_MODE = Extension.CMI5_LAUNCH_MODE
EXT_LAUNCH_URL = Extension.CMI5_LAUNCH_URL
EXT_MOVE_ON = Extension.CMI5_MOVE_ON
EXT_LAUNCH_PARAMETERS = Extension.CMI5_LAUNCH_PARAMETERS
EXT_REASON = Extension.CMI5_REASON
TYPE_BLOCK = ActivityType.CMI5_BLOCK
TYPE_COURSE = ActivityType.CMI5_COURSE

LAUNCH_DATA_STATE = "LMS.LaunchData"
# 10.2.2: Normal records satisfaction; Browse and Review must not (initialized, terminated only).
LAUNCH_MODES = ("Normal", "Browse", "Review")
# 9.5.5.2: the reasons an LMS gives for waiving an AU.
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")
MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_PARAMETER_NAMES = ("endpoint", "fetch", "actor", "registration", "activityId")
SESSION_LIFETIME = dt.timedelta(hours=4)  # the auth-token lives as long as the session (8.2.1)


# ---------------------------------------------------------------- activity ids (8.1.5, 9.4)


def course_activity_id(base_url: str, package_id: int) -> str:
    """The package's activity, as SCORM statements use it; never the publisher's course id."""
    return f"{base_url.rstrip('/')}/content/packages/{package_id}"


def au_activity_id(base_url: str, package_id: int, au_identifier: str) -> str:
    """Stable for the AU across registrations and versions, and never the publisher's AU id."""
    return f"{course_activity_id(base_url, package_id)}/aus/{quote(au_identifier, safe='')}"


def block_activity_id(base_url: str, package_id: int, block_identifier: str) -> str:
    return f"{course_activity_id(base_url, package_id)}/blocks/{quote(block_identifier, safe='')}"


# ---------------------------------------------------------------- the course structure


def organization(structure: dict[str, Any]) -> dict[str, Any]:
    orgs = structure["organizations"]
    return next(
        (o for o in orgs if o["identifier"] == structure.get("default_organization")), orgs[0]
    )


def find_au(structure: dict[str, Any], identifier: str) -> dict[str, Any] | None:
    def walk(items: list[dict[str, Any]]) -> dict[str, Any] | None:
        for item in items:
            if item["identifier"] == identifier and item.get("scorm_type") == "au":
                return item
            found = walk(item.get("children", []))
            if found is not None:
                return found
        return None

    return walk(organization(structure)["items"])


def aus_by_identifier(structure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every AU of the course structure, by the publisher's id (one walk for large courses)."""
    found: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("scorm_type") == "au":
                found[item["identifier"]] = item
            walk(item.get("children", []))

    walk(organization(structure)["items"])
    return found


def move_on_of(au: dict[str, Any]) -> str:
    value = str((au.get("cmi5") or {}).get("moveOn") or "NotApplicable")
    return value if value in MOVE_ON_VALUES else "NotApplicable"


def move_on_met(move_on: str, completed: bool, passed: bool) -> bool:
    """Section 13.1.4, moveOn: when the LMS considers the AU satisfied."""
    return {
        "Passed": passed,
        "Completed": completed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }.get(move_on, True)


@dataclass
class Satisfaction:
    """Which blocks and whether the course are satisfied, given the satisfied AUs."""

    blocks: list[dict[str, Any]]  # the block items (identifier, title)
    course: bool


def satisfaction(structure: dict[str, Any], satisfied_aus: set[str]) -> Satisfaction:
    """A block is satisfied when every AU in it (nested blocks included) is; the course when every
    AU is (13.1.4, moveOn usage)."""
    blocks: list[dict[str, Any]] = []

    def all_satisfied(item: dict[str, Any]) -> bool:
        if item.get("scorm_type") == "au":
            return item["identifier"] in satisfied_aus
        results = [all_satisfied(child) for child in item.get("children", [])]
        done = bool(results) and all(results)
        if done:
            blocks.append(item)
        return done

    items = organization(structure)["items"]
    results = [all_satisfied(item) for item in items]
    return Satisfaction(blocks=blocks, course=bool(results) and all(results))


# ---------------------------------------------------------------- launch (8.1, 10)


def launch_url(au_url: str, params: dict[str, str]) -> str:
    """The AU's URL with the cmi5 launch parameters appended (its own query string kept)."""
    head, hash_mark, fragment = au_url.partition("#")
    separator = "&" if "?" in head else "?"
    query = urlencode(params, quote_via=quote)
    return f"{head}{separator}{query}{hash_mark}{fragment}"


def context_template(session_id: str, publisher_id: str) -> dict[str, Any]:
    """10.2.1: the session id extension and the publisher id grouping activity."""
    return {
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
        "extensions": {EXT_SESSION: session_id},
    }


def launch_data(
    au: dict[str, Any],
    *,
    session_id: str,
    mastery_score: float | None,
    return_url: str,
    launch_mode: str = "Normal",
) -> dict[str, Any]:
    """The ``LMS.LaunchData`` state document (section 10.2)."""
    meta = au.get("cmi5") or {}
    data: dict[str, Any] = {
        "contextTemplate": context_template(session_id, au["identifier"]),
        "launchMode": launch_mode,
        "moveOn": move_on_of(au),
        "returnURL": return_url,
    }
    if meta.get("launchParameters"):
        data["launchParameters"] = meta["launchParameters"]
    if mastery_score is not None:
        data["masteryScore"] = mastery_score
    if meta.get("entitlementKey"):
        data["entitlementKey"] = {"courseStructure": meta["entitlementKey"]}
    return data


def _timestamp(moment: dt.datetime | None = None) -> str:
    moment = moment or clock.utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(
    *,
    actor: dict[str, Any],
    verb: str,
    object_id: str,
    registration: str,
    session_id: str,
    publisher_id: str,
    object_type: str | None = None,
    object_name: str = "",
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    moveon: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {"objectType": "Activity", "id": object_id}
    definition: dict[str, Any] = {}
    if object_type:
        definition["type"] = object_type
    if object_name:
        definition["name"] = {"en": object_name}
    if definition:
        obj["definition"] = definition
    categories = [CATEGORY_CMI5, CATEGORY_MOVEON] if moveon else [CATEGORY_CMI5]
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[-1]}},
        "object": obj,
        "context": {
            "registration": registration,
            "contextActivities": {
                "category": [{"objectType": "Activity", "id": c} for c in categories],
                "grouping": [{"objectType": "Activity", "id": publisher_id}],
            },
            "extensions": {EXT_SESSION: session_id, **(extensions or {})},
        },
        "timestamp": _timestamp(),
        "version": "1.0.3",
    }
    if result:
        statement["result"] = result
    return statement


def launched_statement(
    session_row: Row[Any], au: dict[str, Any], *, launch_url_without_params: str
) -> dict[str, Any]:
    """9.3.1 with the extensions 9.6.3 asks of a "launched" statement."""
    meta = au.get("cmi5") or {}
    extensions: dict[str, Any] = {
        EXT_LAUNCH_MODE: session_row.launch_mode,
        EXT_LAUNCH_URL: launch_url_without_params,
        EXT_MOVE_ON: session_row.move_on,
    }
    if meta.get("launchParameters"):
        extensions[EXT_LAUNCH_PARAMETERS] = meta["launchParameters"]
    if session_row.mastery_score is not None:
        extensions[EXT_MASTERY] = session_row.mastery_score
    return _statement(
        actor=session_row.actor,
        verb=LAUNCHED,
        object_id=session_row.activity_id,
        object_name=au.get("title", ""),
        registration=session_row.registration,
        session_id=session_row.session_id,
        publisher_id=session_row.au_identifier,
        extensions=extensions,
    )


def abandoned_statement(session_row: Row[Any]) -> dict[str, Any]:
    """9.3.6; the duration runs from the launch to the AU's last statement (9.5.4.2)."""
    end = session_row.last_statement_at or session_row.launched_at
    seconds = max(0.0, (end - session_row.launched_at).total_seconds())
    return _statement(
        actor=session_row.actor,
        verb=ABANDONED,
        object_id=session_row.activity_id,
        registration=session_row.registration,
        session_id=session_row.session_id,
        publisher_id=session_row.au_identifier,
        result={"duration": f"PT{seconds:.2f}S"},
    )


def waived_statement(
    *,
    actor: dict[str, Any],
    activity_id: str,
    title: str,
    publisher_id: str,
    registration: str,
    session_id: str,
    reason: str,
) -> dict[str, Any]:
    """9.3.7: the AU object, a session id of its own, success and completion true (9.5.2,
    9.5.3, hence the moveon category, 9.6.2.2) and the reason extension (9.5.5.2)."""
    if reason not in WAIVE_REASONS:
        raise ValueError(f"{reason!r} is not a cmi5 waive reason")
    return _statement(
        actor=actor,
        verb=WAIVED,
        object_id=activity_id,
        object_name=title,
        registration=registration,
        session_id=session_id,
        publisher_id=publisher_id,
        result={"success": True, "completion": True, "extensions": {EXT_REASON: reason}},
        moveon=True,
    )


def satisfied_statement(
    *,
    actor: dict[str, Any],
    object_id: str,
    object_type: str,
    title: str,
    publisher_id: str,
    registration: str,
    session_id: str,
) -> dict[str, Any]:
    """9.3.9: the block or course object, the session that caused it."""
    return _statement(
        actor=actor,
        verb=SATISFIED,
        object_id=object_id,
        object_type=object_type,
        object_name=title,
        registration=registration,
        session_id=session_id,
        publisher_id=publisher_id,
    )


# ---------------------------------------------------------------- sessions (table cmi5_session)


def start_session(
    session: Session,
    *,
    attempt: Row[Any],
    sco: Row[Any],
    au: dict[str, Any],
    activity_id: str,
    actor: dict[str, Any],
    launch_mode: str = "Normal",
    now: dt.datetime | None = None,
) -> Row[Any]:
    """A new launch session for the AU (no commit). The caller abandons open ones first (9.3.6)."""
    if launch_mode not in LAUNCH_MODES:
        raise ValueError(f"{launch_mode!r} is not a cmi5 launch mode")
    now = now or utcnow()
    row_id = session.execute(
        insert(cmi5_sessions)
        .values(
            session_id=str(uuid.uuid4()),
            attempt_id=attempt.id,
            sco_id=sco.id,
            registration=attempt.registration,
            au_identifier=au["identifier"],
            activity_id=activity_id,
            learner=attempt.learner,
            actor=actor,
            launch_mode=launch_mode,
            mastery_score=sco.scaled_passing_score,
            move_on=move_on_of(au),
            verbs=[],
            launched_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        .returning(cmi5_sessions.c.id)
    ).scalar_one()
    return session.execute(select(cmi5_sessions).where(cmi5_sessions.c.id == row_id)).one()


def open_sessions(session: Session, registration: str) -> list[Row[Any]]:
    return list(
        session.execute(
            select(cmi5_sessions).where(
                cmi5_sessions.c.registration == registration, cmi5_sessions.c.ended_at.is_(None)
            )
        )
    )


def expired_sessions(session: Session, now: dt.datetime | None = None) -> list[Row[Any]]:
    now = now or utcnow()
    return list(
        session.execute(
            select(cmi5_sessions)
            .where(cmi5_sessions.c.ended_at.is_(None), cmi5_sessions.c.expires_at < now)
            .with_for_update(skip_locked=True)
            .limit(200)
        )
    )


def end_session(session: Session, row_id: int, reason: str) -> bool:
    """Mark a session ended once (terminated, abandoned or expired); False if it already was."""
    result = session.execute(
        update(cmi5_sessions)
        .where(cmi5_sessions.c.id == row_id, cmi5_sessions.c.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def claim_fetch(session: Session, session_id: str) -> Row[Any] | None:
    """The one allowed fetch (8.2): the session row when this call is the first, else None."""
    result = session.execute(
        update(cmi5_sessions)
        .where(
            cmi5_sessions.c.session_id == session_id,
            cmi5_sessions.c.fetched_at.is_(None),
            cmi5_sessions.c.ended_at.is_(None),
            cmi5_sessions.c.expires_at > utcnow(),
        )
        .values(fetched_at=utcnow())
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.execute(
        select(cmi5_sessions).where(cmi5_sessions.c.session_id == session_id)
    ).one()


def session_for_client(session: Session, client_key: str, *, lock: bool = False) -> Row[Any] | None:
    query = select(cmi5_sessions).where(cmi5_sessions.c.client_key == client_key)
    if lock:
        query = query.with_for_update()
    return session.execute(query).first()


# ---------------------------------------------------------------- AU progress per registration


@dataclass
class AuProgress:
    """What the registration has recorded for one AU (kept in ``scorm_sco_state``)."""

    completed: bool = False
    passed: bool = False
    failed: bool = False
    score_scaled: float | None = None
    seconds: float = 0.0
    waived: bool = False  # an LMS "waived" statement counts as moveOn met (9.3.9)

    def satisfied(self, move_on: str) -> bool:
        return self.waived or move_on_met(move_on, self.completed, self.passed)

    @property
    def recorded(self) -> bool:
        """Whether anything satisfaction-related is on record (what Review looks back at)."""
        return self.waived or self.completed or self.passed or self.failed

    @classmethod
    def from_row(cls, row: Row[Any] | None) -> AuProgress:
        if row is None:
            return cls()
        return cls(
            completed=row.completion_status == "completed",
            passed=row.success_status == "passed",
            failed=row.success_status == "failed",
            score_scaled=row.score_scaled,
            seconds=duration_seconds(row.total_time),
        )


def progress_by_sco(session: Session, attempt_id: int) -> dict[int, AuProgress]:
    rows = session.execute(select(sco_states).where(sco_states.c.attempt_id == attempt_id))
    return {row.sco_id: AuProgress.from_row(row) for row in rows}


def au_progress(session: Session, attempt_id: int, sco_id: int) -> AuProgress:
    row = session.execute(
        select(sco_states).where(
            sco_states.c.attempt_id == attempt_id, sco_states.c.sco_id == sco_id
        )
    ).first()
    return AuProgress.from_row(row)


def save_progress(session: Session, attempt_id: int, sco_id: int, progress: AuProgress) -> None:
    values = {
        "completion_status": "completed" if progress.completed else "incomplete",
        "success_status": "passed" if progress.passed else ("failed" if progress.failed else ""),
        "score_scaled": progress.score_scaled,
        "total_time": f"PT{progress.seconds:.2f}S",
        "updated_at": utcnow(),
    }
    found = session.execute(
        update(sco_states)
        .where(sco_states.c.attempt_id == attempt_id, sco_states.c.sco_id == sco_id)
        .values(commit_count=sco_states.c.commit_count + 1, **values)
    )
    if not getattr(found, "rowcount", 0):
        session.execute(
            insert(sco_states).values(
                attempt_id=attempt_id, sco_id=sco_id, cmi={"cmi5": True}, commit_count=1, **values
            )
        )


def satisfied_objects(session: Session, attempt_id: int) -> set[str]:
    return set(
        session.execute(
            select(cmi5_satisfied.c.object_id).where(cmi5_satisfied.c.attempt_id == attempt_id)
        ).scalars()
    )


def record_satisfied(session: Session, attempt_id: int, object_id: str, statement_id: str) -> None:
    session.execute(
        insert(cmi5_satisfied).values(
            attempt_id=attempt_id,
            object_id=object_id,
            object_key=hashlib.sha256(object_id.encode()).hexdigest(),
            statement_id=statement_id,
        )
    )


# ---------------------------------------------------------------- the AU's statements (7.1, 9)


class Cmi5Refusal(Exception):
    """A statement the LMS rejects (6.3); ``rule`` names the rule, ``message`` explains."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


@dataclass
class SessionView:
    """What the checks need of a session, updated statement by statement within a batch."""

    session_id: str
    registration: str
    activity_id: str
    publisher_id: str
    actor: dict[str, Any]
    mastery_score: float | None
    launch_mode: str
    verbs: list[str] = field(default_factory=list)
    ended: str = ""  # the end reason, "" while open
    expired: bool = False

    @classmethod
    def from_row(cls, row: Row[Any], now: dt.datetime | None = None) -> SessionView:
        return cls(
            session_id=row.session_id,
            registration=row.registration,
            activity_id=row.activity_id,
            publisher_id=row.au_identifier,
            actor=row.actor,
            mastery_score=row.mastery_score,
            launch_mode=row.launch_mode,
            verbs=list(row.verbs or []),
            ended=row.end_reason if row.ended_at is not None else "",
            expired=row.expires_at < (now or utcnow()),
        )


def _ids(context: dict[str, Any], kind: str) -> list[str]:
    activities = context.get("contextActivities") or {}
    found = activities.get(kind) or []
    if isinstance(found, dict):
        found = [found]
    return [str(a.get("id")) for a in found if isinstance(a, dict)]


def _same_account(actor: Any, expected: dict[str, Any]) -> bool:
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return False
    account, wanted = actor.get("account") or {}, expected.get("account") or {}
    return bool(
        isinstance(account, dict)
        and account.get("homePage") == wanted.get("homePage")
        and account.get("name") == wanted.get("name")
    )


def check_statement(view: SessionView, progress: AuProgress, statement: dict[str, Any]) -> None:
    """Refuse a statement the cmi5 rules forbid, then record it in ``view`` and ``progress``.

    Only rules that one statement and the session's record can decide are checked here;
    ordering is by arrival, which for one AU session is the order it sent them in.
    """
    verb = str((statement.get("verb") or {}).get("id", ""))
    context = statement.get("context") or {}
    result = statement.get("result") or {}
    defined = CATEGORY_CMI5 in _ids(context, "category")
    short = verb.rsplit("/", 1)[-1]

    def refuse(rule: str, message: str) -> None:
        raise Cmi5Refusal(rule, message)

    if view.ended:
        refuse(
            "cmi5-session-ended", f"the cmi5 session was {view.ended}; no more statements (9.3.8)"
        )
    if view.expired:
        refuse("cmi5-session-expired", "the cmi5 session expired; launch the AU again (8.2.1)")
    if not _same_account(statement.get("actor"), view.actor):
        refuse("cmi5-actor", "the actor must be the Agent given in the launch URL (9.2)")
    if str(context.get("registration", "")).lower() != view.registration.lower():
        refuse(
            "cmi5-registration", "context.registration must be the launch's registration (9.6.1)"
        )
    if (context.get("extensions") or {}).get(EXT_SESSION) != view.session_id:
        refuse("cmi5-session-id", "context.extensions must carry this session's ID (9.6.3.1)")
    if verb == VOIDED:
        refuse("cmi5-voiding", "an AU may not void statements (6.3)")
    if not view.verbs and not (defined and verb == INITIALIZED):
        refuse(
            "cmi5-initialized-first", "the first statement of a session must be initialized (9.3.2)"
        )
    if not defined:
        view.verbs.append("*")  # a cmi5 allowed statement: it only counts as "not the first"
        return
    if verb in LMS_VERBS or verb not in AU_VERBS:
        refuse("cmi5-verb", f"an AU may not send a cmi5 defined {short!r} statement (9.3)")
    if view.launch_mode != "Normal" and verb not in (INITIALIZED, TERMINATED):
        refuse(
            "cmi5-launch-mode",
            f"in {view.launch_mode} mode only initialized and terminated (10.2.2)",
        )
    obj = statement.get("object") or {}
    if obj.get("id") != view.activity_id:
        refuse("cmi5-object", "the object of a cmi5 defined statement must be the activityId (9.4)")
    if view.publisher_id not in _ids(context, "grouping"):
        refuse(
            "cmi5-context-template", "contextActivities.grouping must keep the publisher id (9.6.2)"
        )
    if verb in view.verbs:
        refuse("cmi5-duplicate-verb", f"{short!r} was already sent in this session (9.3)")
    if verb in (PASSED, FAILED) and ({PASSED, FAILED} & set(view.verbs)):
        refuse("cmi5-passed-or-failed", "a session has at most one of passed and failed (9.3)")
    if verb == COMPLETED and progress.completed:
        refuse("cmi5-completed-once", "this registration already completed the AU (9.3.3)")
    if verb == PASSED and progress.passed:
        refuse("cmi5-passed-once", "this registration already passed the AU (9.3.4)")
    if verb == FAILED and progress.passed:
        refuse("cmi5-failed-after-passed", "failed may not follow passed in a registration (9.3)")
    _check_result(verb, short, result, context, view, refuse)
    # Accepted: record it.
    view.verbs.append(verb)
    score = (result.get("score") or {}).get("scaled")
    if verb == COMPLETED:
        progress.completed = True
    elif verb == PASSED:
        progress.passed, progress.failed = True, False
    elif verb == FAILED:
        progress.failed = True
    if verb in (PASSED, FAILED) and isinstance(score, (int, float)):
        progress.score_scaled = float(score)
    if verb == TERMINATED:
        progress.seconds += duration_seconds(str(result.get("duration", "")))
        view.ended = "terminated"


def _check_result(
    verb: str,
    short: str,
    result: dict[str, Any],
    context: dict[str, Any],
    view: SessionView,
    refuse: Any,
) -> None:
    if "score" in result and verb not in (PASSED, FAILED):
        refuse("cmi5-result", f"a {short!r} statement may not carry a score (9.5.1)")
    if verb == PASSED and result.get("success") is not True:
        refuse("cmi5-result", "passed needs result.success true (9.5.2)")
    if verb == FAILED and result.get("success") is not False:
        refuse("cmi5-result", "failed needs result.success false (9.5.2)")
    if verb not in (PASSED, FAILED) and "success" in result:
        refuse("cmi5-result", f"a {short!r} statement may not carry result.success (9.5.2)")
    if verb == COMPLETED and result.get("completion") is not True:
        refuse("cmi5-result", "completed needs result.completion true (9.5.3)")
    if verb != COMPLETED and "completion" in result:
        refuse("cmi5-result", f"a {short!r} statement may not carry result.completion (9.5.3)")
    if verb in (COMPLETED, PASSED, FAILED, TERMINATED) and not result.get("duration"):
        refuse("cmi5-duration", f"a {short!r} statement needs result.duration (9.5.4)")
    has_moveon = CATEGORY_MOVEON in _ids(context, "category")
    if ("success" in result or "completion" in result) != has_moveon:
        refuse(
            "cmi5-moveon-category",
            "the moveon category goes with, and only with, result success or completion (9.6.2.2)",
        )
    scaled = (result.get("score") or {}).get("scaled")
    if view.mastery_score is not None and isinstance(scaled, (int, float)):
        if verb == PASSED and scaled < view.mastery_score:
            refuse(
                "cmi5-mastery-score", "passed with a scaled score below the masteryScore (9.3.4)"
            )
        if verb == FAILED and scaled >= view.mastery_score:
            refuse(
                "cmi5-mastery-score",
                "failed with a scaled score at or above the masteryScore (9.3.5)",
            )


def check_batch(
    view: SessionView, progress: AuProgress, statements: Iterable[dict[str, Any]]
) -> None:
    for index, statement in enumerate(statements):
        try:
            check_statement(view, progress, statement)
        except Cmi5Refusal as exc:
            raise Cmi5Refusal(exc.rule, f"statement {index}: {exc.message}") from None


def record_session(
    session: Session, row: Row[Any], view: SessionView, progress: AuProgress, now: dt.datetime
) -> None:
    """Store what an accepted batch changed: the verbs seen, the session end, the AU progress."""
    values: dict[str, Any] = {
        "verbs": [v for v in view.verbs if v != "*"],
        "last_statement_at": now,
    }
    if row.initialized_at is None and INITIALIZED in view.verbs:
        values["initialized_at"] = now
    if view.ended == "terminated" and row.ended_at is None:
        values["ended_at"], values["end_reason"] = now, "terminated"
    session.execute(update(cmi5_sessions).where(cmi5_sessions.c.id == row.id).values(**values))
    save_progress(session, row.attempt_id, row.sco_id, progress)
