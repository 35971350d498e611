"""The one way features record what happened: ``Emitter(session, base_url).emit(...)``.

It builds a full statement (our profile as ``category``), validates it and stores it in the LRS
tables (which queues it for forwarding when forwarding is on, see xapi/outbox.py), all in the
caller's session and without committing: the statement is saved exactly when the user's action
is.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from . import vocab
from .actor import tool_authority
from .clock import utcnow
from .models import format_timestamp, validate_statement
from .queue import queue_statement
from .store import StatementStore, actor_tenant


class Emitter:
    def __init__(self, session: Session, base_url: str) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")

    def activity_id(self, path: str) -> str:
        """An activity id under the tool's base URL (``/passports/3`` -> ``https://tool/passports/3``)."""
        if ":" in path.split("/")[0]:
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def build(
        self,
        *,
        actor: dict[str, Any],
        verb: str,
        object_id: str,
        object_name: str | None = None,
        activity_type: str | None = None,
        result: dict[str, Any] | None = None,
        registration: str | None = None,
        parent: list[str] | None = None,
        grouping: list[str] | None = None,
        instructor: dict[str, Any] | None = None,
        extensions: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        statement_id: str | None = None,
        object_definition: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The statement ``emit`` would store, validated; nothing is written.

        ``object_definition``: more of the activity's definition (an interaction's
        ``interactionType``, ``choices``...), merged after ``name`` and ``type``."""
        verb_id = vocab.verb_iri(verb)
        definition: dict[str, Any] = {}
        if object_name:
            definition["name"] = {"en": object_name}
        if activity_type:
            definition["type"] = vocab.activity_type_iri(activity_type)
        if object_definition:
            definition.update(object_definition)
        obj: dict[str, Any] = {"objectType": "Activity", "id": self.activity_id(object_id)}
        if definition:
            obj["definition"] = definition
        context_activities: dict[str, Any] = {
            "category": [
                {
                    "objectType": "Activity",
                    "id": vocab.PROFILE_IRI,
                    "definition": {"type": vocab.ActivityType.PROFILE},
                }
            ]
        }
        if parent:
            context_activities["parent"] = [
                {"objectType": "Activity", "id": self.activity_id(p)} for p in parent
            ]
        if grouping:
            context_activities["grouping"] = [
                {"objectType": "Activity", "id": self.activity_id(g)} for g in grouping
            ]
        context: dict[str, Any] = {
            "contextActivities": context_activities,
            "platform": "learnpass",
            "language": "en",
        }
        if registration:
            context["registration"] = registration
        if instructor:
            context["instructor"] = instructor
        if extensions:
            context["extensions"] = dict(extensions)
        moment = timestamp or utcnow()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        statement: dict[str, Any] = {
            "id": statement_id or str(uuid.uuid4()),
            "actor": actor,
            "verb": {
                "id": verb_id,
                "display": {"en": vocab.VERB_DISPLAY.get(verb_id, verb_id.rsplit("/", 1)[-1])},
            },
            "object": obj,
            "context": context,
            "timestamp": format_timestamp(moment),
            "version": vocab.XAPI_VERSION,
        }
        if result:
            statement["result"] = result
        validate_statement(statement)
        return statement

    def emit(
        self,
        *,
        actor: dict[str, Any],
        verb: str,
        object_id: str,
        object_name: str | None = None,
        activity_type: str | None = None,
        result: dict[str, Any] | None = None,
        registration: str | None = None,
        parent: list[str] | None = None,
        grouping: list[str] | None = None,
        instructor: dict[str, Any] | None = None,
        extensions: dict[str, Any] | None = None,
        timestamp: datetime | None = None,
        statement_id: str | None = None,
        tenant: str | None = None,
        object_definition: dict[str, Any] | None = None,
        queued: bool = False,
    ) -> str:
        """Build, validate and store (queued when forwarding is on); returns the id. No commit.

        ``tenant``: the platform issuer the statement belongs to (LRS clients bound to that
        platform see it); without it, the actor's account homePage (the issuer) is used.
        ``queued``: written as one row of the statement queue instead, stored in the LRS by a
        job (xapi/queue.py): cheaper for the caller, readable in the LRS a moment later.
        """
        statement = self.build(
            actor=actor,
            verb=verb,
            object_id=object_id,
            object_name=object_name,
            activity_type=activity_type,
            result=result,
            registration=registration,
            parent=parent,
            grouping=grouping,
            instructor=instructor,
            extensions=extensions,
            timestamp=timestamp,
            statement_id=statement_id,
            object_definition=object_definition,
        )
        authority = tool_authority(self.base_url)
        if queued:
            queue_statement(
                self.session,
                statement,
                authority=authority,
                tenant=tenant or actor_tenant(statement),
            )
            return str(statement["id"])
        store = StatementStore(self.session)
        # save() checks everything (validation, id conflicts) before it writes a row.
        (stored_id,) = store.save(
            [statement],
            authority=authority,
            validated=True,
            tenant=tenant or actor_tenant(statement),
        )
        return str(stored_id)
