"""A small expiring key-value store in the database, shared by every instance of the tool.

Launch state, nonces, the platform JWKS cache and service access tokens live here rather than
in process memory, so that several ``learnpass serve`` instances behind one proxy agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import KeyValue, utcnow


class SharedStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> Any:
        row = self.session.get(KeyValue, key)
        if row is None:
            return None
        if row.expires_at is not None and row.expires_at <= utcnow():
            return None
        return row.value

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        expires = utcnow() + dt.timedelta(seconds=ttl) if ttl else None
        row = self.session.get(KeyValue, key)
        if row is None:
            self.session.add(KeyValue(key=key, value=value, expires_at=expires))
        else:
            row.value = value
            row.expires_at = expires
        self.session.commit()

    def add_once(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Store ``key`` only if no live value exists; False when another writer got there first."""
        self.purge_key_if_expired(key)
        expires = utcnow() + dt.timedelta(seconds=ttl) if ttl else None
        try:
            with self.session.begin_nested():
                self.session.add(KeyValue(key=key, value=value, expires_at=expires))
            self.session.commit()
            return True
        except IntegrityError:
            self.session.rollback()
            return False

    def take(self, key: str) -> Any:
        """Remove ``key`` and return its live value; only one caller across all instances wins."""
        row = self.session.get(KeyValue, key)
        if row is None:
            return None
        value, expires = row.value, row.expires_at
        result = self.session.execute(delete(KeyValue).where(KeyValue.key == key))
        self.session.commit()
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None  # someone else consumed it between our read and delete
        if expires is not None and expires <= utcnow():
            return None
        return value

    def delete(self, key: str) -> None:
        self.session.execute(delete(KeyValue).where(KeyValue.key == key))
        self.session.commit()

    def purge_key_if_expired(self, key: str) -> None:
        self.session.execute(
            delete(KeyValue).where(KeyValue.key == key, KeyValue.expires_at <= utcnow())
        )

    def purge_expired(self) -> int:
        result = self.session.execute(delete(KeyValue).where(KeyValue.expires_at <= utcnow()))
        self.session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def keys_with_prefix(self, prefix: str) -> list[str]:
        rows = self.session.scalars(select(KeyValue.key).where(KeyValue.key.startswith(prefix)))
        return list(rows)
