"""Statement-write guards: features that hand out LRS credentials may vet what those clients write.

A guard is called with the authenticated client and the validated batch before anything is
stored; raising :class:`WriteRefused` refuses the whole batch (403, the rule named in the JSON
error). A guard's optional ``after_store`` runs once the batch is committed, for follow-up work
that must only happen for stored statements (cmi5 moveOn evaluation, grades). Guards that do not
recognise the client return at once, so ordinary LRS clients pay one lookup per guard at most.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xapi.auth import LrsClient

from ..extensions import db

log = logging.getLogger(__name__)

Statements = list[dict[str, Any]]


class WriteRefused(Exception):
    """A guard's refusal: ``rule`` names the rule broken, ``message`` says what to fix."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


@dataclass
class WriteGuard:
    check: Callable[[LrsClient, Statements], None]
    after_store: Callable[[LrsClient, Statements], None] | None = None


_guards: dict[str, WriteGuard] = {}


def register_write_guard(
    name: str,
    check: Callable[[LrsClient, Statements], None],
    after_store: Callable[[LrsClient, Statements], None] | None = None,
) -> None:
    """Register (or replace, by ``name``) a guard; features call this when they are imported."""
    _guards[name] = WriteGuard(check, after_store)


def check_write(client: LrsClient, statements: Statements) -> None:
    """Run every guard; the first refusal stops the batch."""
    for guard in _guards.values():
        guard.check(client, statements)


def after_write(client: LrsClient, statements: Statements) -> None:
    """Follow-up work after the batch is committed; a failure is logged, never the client's."""
    for name, guard in _guards.items():
        if guard.after_store is None:
            continue
        try:
            guard.after_store(client, statements)
        except Exception:
            log.exception("write guard %s: the follow-up after storing statements failed", name)
            db.session.rollback()  # the statements are committed already; leave a clean session
