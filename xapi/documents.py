"""The document resources: State, Activity Profile and Agent Profile (Communication 2.2-2.7).

Each tenant (platform issuer of a bound LRS client; "" for organisation-wide clients) has its own
documents: the same key names a different document in each, and no store sees another's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from . import safe_json, tables
from .clock import utcnow
from .insert_if_absent import insert_if_absent
from .store import _aware

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"


class DocumentError(ValueError):
    """The request cannot be applied to the document (HTTP 400); ``field`` names the part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DocumentRaced(Exception):
    """The document did not exist when the caller looked, and another request created it since
    (two first writes at once). Nothing was written: roll back and decide again, now that the
    document exists (a 412 for If-None-Match: *, a merge for POST...)."""


class PreconditionFailed(Exception):
    """If-Match / If-None-Match did not hold (HTTP 412)."""


@dataclass
class DocumentKey:
    kind: str
    document_id: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""


@dataclass
class Document:
    content_type: str
    content: bytes
    etag: str
    updated: datetime

    def is_json(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == "application/json"


def etag_for(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _json_object(content: bytes, field: str) -> dict[str, Any]:
    try:
        value = safe_json.loads(content.decode("utf-8"))
    except safe_json.JsonTooDeep as exc:
        raise DocumentError(field, str(exc)) from None
    except (ValueError, UnicodeDecodeError):
        raise DocumentError(field, "must be a JSON object to be merged") from None
    if not isinstance(value, dict):
        raise DocumentError(field, "must be a JSON object to be merged")
    return value


def check_preconditions(
    current: Document | None, if_match: str | None, if_none_match: str | None
) -> None:
    """RFC 7232 for a single-representation resource: strong ETags, ``*`` for any."""
    if if_match is not None:
        tags = {t.strip().strip('"') for t in if_match.split(",")}
        if current is None or ("*" not in tags and current.etag not in tags):
            raise PreconditionFailed()
    if if_none_match is not None:
        tags = {t.strip().strip('"') for t in if_none_match.split(",")}
        if current is not None and ("*" in tags or current.etag in tags):
            raise PreconditionFailed()


class DocumentStore:
    def __init__(self, session: Session, *, tenant: str | None = None) -> None:
        self.session = session
        self.tenant = tenant or ""

    def _where(self, key: DocumentKey) -> Any:
        d = tables.documents.c
        return and_(
            d.tenant == self.tenant,
            d.kind == key.kind,
            d.document_id == key.document_id,
            d.activity_id == key.activity_id,
            d.agent_key == key.agent_key,
            d.registration == key.registration,
        )

    def get(self, key: DocumentKey) -> Document | None:
        d = tables.documents.c
        row = self.session.execute(
            select(d.content_type, d.content, d.etag, d.updated).where(self._where(key))
        ).first()
        if row is None:
            return None
        return Document(row.content_type, bytes(row.content), row.etag, _aware(row.updated))

    def put(self, key: DocumentKey, content_type: str, content: bytes) -> Document:
        """Replace (PUT) the document."""
        document = Document(content_type, content, etag_for(content), utcnow())
        d = tables.documents
        values = {
            "content_type": content_type,
            "content": content,
            "etag": document.etag,
            "updated": document.updated,
        }
        if self.get(key) is None:
            # insert_if_absent: a request racing this one may create the document first.
            created = self.session.execute(
                insert_if_absent(self.session, d)
                .values(**vars(key), **values, tenant=self.tenant)
                .returning(d.c.id)
            ).first()
            if created is None:
                raise DocumentRaced()
        else:
            self.session.execute(update(d).where(self._where(key)).values(**values))
        return document

    def post(self, key: DocumentKey, content_type: str, content: bytes) -> Document:
        """Merge (POST): both JSON objects -> top-level merge; otherwise 400 if one exists."""
        current = self.get(key)
        if current is None:
            if content_type.split(";")[0].strip().lower() == "application/json":
                _json_object(content, "content")
            return self.put(key, content_type, content)
        if (
            not current.is_json()
            or content_type.split(";")[0].strip().lower() != "application/json"
        ):
            raise DocumentError(
                "Content-Type",
                "both the stored and the sent document must be application/json to merge",
            )
        merged = _json_object(current.content, "stored document")
        merged.update(_json_object(content, "content"))
        return self.put(key, "application/json", json.dumps(merged, separators=(",", ":")).encode())

    def delete(self, key: DocumentKey) -> bool:
        result = self.session.execute(delete(tables.documents).where(self._where(key)))
        return bool(getattr(result, "rowcount", 0))

    def delete_all_states(self, activity_id: str, agent_key: str, registration: str) -> None:
        d = tables.documents.c
        self.session.execute(
            delete(tables.documents).where(
                d.tenant == self.tenant,
                d.kind == STATE,
                d.activity_id == activity_id,
                d.agent_key == agent_key,
                d.registration == registration,
            )
        )

    def ids(
        self,
        kind: str,
        *,
        activity_id: str = "",
        agent_key: str = "",
        registration: str | None = "",
        since: datetime | None = None,
    ) -> list[str]:
        d = tables.documents.c
        stmt = select(d.document_id).where(
            d.tenant == self.tenant,
            d.kind == kind,
            d.activity_id == activity_id,
            d.agent_key == agent_key,
        )
        if registration is not None:
            stmt = stmt.where(d.registration == registration)
        if since is not None:
            stmt = stmt.where(d.updated > since)
        return sorted(set(self.session.scalars(stmt.order_by(d.document_id))))
