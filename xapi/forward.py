"""Forwarding: send the outbox to an external LRS in batches, with retries and backoff.

Delivery is at-least-once and made exactly-once at the far end by the statement ids: a resent
statement that the other LRS already has is answered 204 (same content) or 409 (kept as is),
and both count as delivered. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several workers (one per instance) never send the same row at the same time; SQLite has one
writer at a time anyway. A delivered row is deleted at once (the statement itself stays in the
LRS); a row that failed stays, with its error, until a later attempt delivers it. What gets
queued at all is decided in xapi/outbox.py.

The HTTP session is given by the caller: learnpass passes its guarded session
(``lti_tool.outgoing``: checked addresses, timeout, size cap); this library opens none itself.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import tables
from .clock import utcnow
from .outbox import pending_count, queue_payloads

__all__ = [
    "DeliveryError",
    "ForwardReport",
    "ForwardSettings",
    "Forwarder",
    "pending_count",
    "queue",
]

log = logging.getLogger(__name__)

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class ForwardSettings:
    url: str
    key: str = ""
    secret: str = ""
    batch_size: int = 100
    timeout: float = 10.0
    base_delay: float = 2.0
    max_delay: float = 600.0
    version: str = "1.0.3"

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


@dataclass
class ForwardReport:
    delivered: int = 0
    failed: int = 0

    def __iadd__(self, other: ForwardReport) -> ForwardReport:
        self.delivered += other.delivered
        self.failed += other.failed
        return self


class DeliveryError(Exception):
    """The batch could not be delivered now (network, 5xx, 429): retry later."""


class Forwarder:
    def __init__(self, settings: ForwardSettings, http: requests.Session) -> None:
        self.settings = settings
        self.http = http
        self.http.headers.update(
            {"X-Experience-API-Version": settings.version, "Content-Type": "application/json"}
        )
        if settings.key:
            self.http.auth = (settings.key, settings.secret)

    # ------------------------------------------------------------ one batch

    def run_once(self, session: Session, now: datetime | None = None) -> ForwardReport:
        """Claim a batch of due rows, send it, record the outcome, commit; HTTP never raises."""
        now = now or utcnow()
        o = tables.outbox.c
        rows = self.claim(session, now)
        if not rows:
            session.commit()
            return ForwardReport()
        report = ForwardReport()
        try:
            problems = self._deliver(rows)
        except DeliveryError as exc:
            log.warning("xAPI forwarding to %s failed, will retry: %s", self.settings.url, exc)
            problems = {row.id: str(exc) for row in rows}
        delivered = [row.id for row in rows if row.id not in problems]
        if delivered:
            session.execute(delete(tables.outbox).where(o.id.in_(delivered)))
        for row in rows:
            if row.id in problems:
                attempts = row.attempts + 1
                session.execute(
                    update(tables.outbox)
                    .where(o.id == row.id)
                    .values(
                        attempts=attempts,
                        next_attempt_at=now + self.backoff(attempts),
                        last_error=problems[row.id][:2000],
                    )
                )
        session.commit()
        report.delivered, report.failed = len(delivered), len(problems)
        return report

    def claim(self, session: Session, now: datetime) -> Sequence[Any]:
        """Lock up to a batch of due rows; rows another worker holds are skipped, not awaited."""
        o = tables.outbox.c
        query = (
            select(o.id, o.statement_id, o.payload, o.attempts)
            .where(o.sent_at.is_(None), o.next_attempt_at <= now)
            .order_by(o.id)
            .limit(self.settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        return session.execute(query).all()

    def backoff(self, attempts: int) -> timedelta:
        """Exponential with jitter, capped: 2 s, 4 s, 8 s ... up to ``max_delay``."""
        delay = min(self.settings.base_delay * (2 ** (attempts - 1)), self.settings.max_delay)
        return timedelta(seconds=delay * (0.5 + random.random() / 2))

    def _deliver(self, rows: Sequence[Any]) -> dict[int, str]:
        """Send the batch; returns {row id: error} for rows that must be retried."""
        body = "[" + ",".join(row.payload for row in rows) + "]"
        try:
            response = self.http.post(
                self.settings.statements_url,
                data=body.encode("utf-8"),
                timeout=self.settings.timeout,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (200, 204):
            return {}
        if response.status_code in RETRY_STATUSES or response.status_code in (401, 403):
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")
        # 409 (some ids exist already) or 400 (one statement refused): go one by one, so one
        # statement never holds back the others and existing ones count as delivered.
        return self._deliver_one_by_one(rows)

    def _deliver_one_by_one(self, rows: Sequence[Any]) -> dict[int, str]:
        problems: dict[int, str] = {}
        for row in rows:
            try:
                response = self.http.put(
                    self.settings.statements_url,
                    params={"statementId": row.statement_id},
                    data=row.payload.encode("utf-8"),
                    timeout=self.settings.timeout,
                )
            except requests.RequestException as exc:
                raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
            if response.status_code in (200, 204, 409):
                if response.status_code == 409:
                    log.info(
                        "statement %s already at %s (409): counted as delivered",
                        row.statement_id,
                        self.settings.url,
                    )
                continue
            if response.status_code in RETRY_STATUSES:
                raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")
            problems[row.id] = f"refused with HTTP {response.status_code}: {response.text[:500]}"
        return problems

    # ------------------------------------------------------------ loops

    def drain(self, session: Session, now: datetime | None = None) -> ForwardReport:
        """Send batches until nothing is due (or a batch fails)."""
        total = ForwardReport()
        while True:
            report = self.run_once(session, now)
            total += report
            if report.delivered == 0 or report.failed:
                return total

    def run_forever(
        self, session_factory: Any, stop: threading.Event, idle_seconds: float = 2.0
    ) -> None:
        while not stop.is_set():
            session = session_factory()
            try:
                report = self.drain(session)
            except Exception:  # the database may be away for a moment: keep the worker alive
                log.exception("xAPI forwarding pass failed")
                session.rollback()
                report = ForwardReport()
            finally:
                session.close()
            if report.delivered == 0:
                stop.wait(idle_seconds)


def queue(session: Session, statement: dict[str, Any]) -> None:
    """Put a stored statement in the outbox (used when forwarding is switched on for old ones)."""
    queue_payloads(session, {statement["id"]: json.dumps(statement, separators=(",", ":"))})
