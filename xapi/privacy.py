"""Taking a person out of the LRS: their account replaced by a pseudonym in every stored statement.

Voiding hides statements from queries, but xAPI keeps voided rows and their payloads. After an
erasure the statements must still count (totals, voiding, references between statements) while
no longer saying who did them: each mention of the person's account becomes one random account
that means nothing outside this LRS. Their state and agent-profile documents are deleted, since
those are keyed by the person and hold nothing anyone else needs.

Nothing here commits: the caller (an erasure) owns the transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from . import tables
from .documents import AGENT_PROFILE, STATE
from .models import agent_key

CHUNK = 500


@dataclass
class Pseudonymised:
    """What ``pseudonymise_account`` changed, for the erasure's audit record."""

    pseudonym: dict[str, Any]
    statements: int
    queued: int
    documents: int

    def as_counts(self) -> dict[str, int]:
        # Not the pseudonym: an audit record found by the person's id must not lead back to it.
        return {
            "statements_pseudonymised": self.statements,
            "outbox_pseudonymised": self.queued,
            "agent_documents_deleted": self.documents,
        }


def pseudonym_account(pseudonym_home_page: str) -> dict[str, Any]:
    """A fresh Agent with a random opaque name: nothing links it back to the person."""
    return {
        "objectType": "Agent",
        "account": {"homePage": pseudonym_home_page, "name": uuid.uuid4().hex},
    }


def _is_account(value: Any, home_page: str, name: str) -> bool:
    account = value.get("account") if isinstance(value, dict) else None
    return (
        isinstance(account, dict)
        and account.get("homePage") == home_page
        and account.get("name") == name
    )


def replace_account(value: Any, home_page: str, name: str, pseudonym: dict[str, Any]) -> Any:
    """``value`` with every Agent (or identified Group) of that account replaced by the pseudonym.

    The whole tree is walked, not only the places xAPI names (actor, object, context.instructor,
    context.team, authority, group members, sub-statements): a client may put an agent in an
    extension too. The display name goes with the account; a Group keeps its other members.
    """
    if isinstance(value, list):
        return [replace_account(item, home_page, name, pseudonym) for item in value]
    if not isinstance(value, dict):
        return value
    if _is_account(value, home_page, name):
        replaced: dict[str, Any] = {
            "objectType": value.get("objectType", "Agent"),
            "account": dict(pseudonym["account"]),
        }
        if "member" in value:
            replaced["member"] = replace_account(value["member"], home_page, name, pseudonym)
        return replaced
    return {key: replace_account(item, home_page, name, pseudonym) for key, item in value.items()}


def _like_pattern(text: str) -> str:
    # The name as it is spelled inside a JSON string, with LIKE's wildcards taken literally.
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return "%" + inner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pseudonymise_account(
    session: Session, *, home_page: str, name: str, pseudonym_home_page: str
) -> Pseudonymised:
    """Replace the account (``home_page``, ``name``) everywhere in the stored statements, their
    agent index and the forwarding outbox, and delete the agent's state and profile documents.

    The statements to rewrite are those the agent index lists for the account plus any whose
    JSON contains the name (an agent in an extension is not indexed); each is rewritten only if
    it really holds the account, so a name that happens to occur in some text is left alone.
    """
    if not home_page or not name:
        raise ValueError("an account needs a homePage and a name")
    pseudonym = pseudonym_account(pseudonym_home_page)
    old_key = f"account:{home_page}|{name}"
    new_key = agent_key(pseudonym)
    s = tables.statements.c
    sa = tables.statement_agents.c
    indexed = select(sa.seq).where(sa.agent_key == old_key)
    candidates = list(
        session.scalars(
            select(s.seq).where(
                or_(s.seq.in_(indexed), s.payload.like(_like_pattern(name), escape="\\"))
            )
        )
    )
    rewritten: dict[str, str] = {}
    # Payloads in chunks: a short user id can match many statements' text.
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        for row in session.execute(
            select(s.seq, s.statement_id, s.payload).where(s.seq.in_(chunk))
        ).all():
            statement = json.loads(row.payload)
            changed = replace_account(statement, home_page, name, pseudonym)
            if changed == statement:
                continue
            payload = json.dumps(changed, separators=(",", ":"), ensure_ascii=False)
            rewritten[row.statement_id] = payload
            session.execute(
                update(tables.statements)
                .where(s.seq == row.seq)
                .values(payload=payload, actor_key=agent_key(changed.get("actor") or {}))
            )
    # One index row per statement and agent: the pseudonym is new, so no key can collide.
    session.execute(
        update(tables.statement_agents).where(sa.agent_key == old_key).values(agent_key=new_key)
    )
    queued = _rewrite_outbox(session, rewritten)
    d = tables.documents.c
    deleted = session.execute(
        delete(tables.documents).where(d.agent_key == old_key, d.kind.in_((STATE, AGENT_PROFILE)))
    )
    return Pseudonymised(
        pseudonym=pseudonym,
        statements=len(rewritten),
        queued=queued,
        documents=int(getattr(deleted, "rowcount", 0) or 0),
    )


def _rewrite_outbox(session: Session, rewritten: dict[str, str]) -> int:
    """Copies waiting to be forwarded (or kept after it) must not carry the old identity either."""
    if not rewritten:
        return 0
    o = tables.outbox.c
    count = 0
    ids = list(rewritten)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in session.execute(select(o.id, o.statement_id).where(o.statement_id.in_(chunk))):
            session.execute(
                update(tables.outbox)
                .where(o.id == row.id)
                .values(payload=rewritten[row.statement_id])
            )
            count += 1
    return count
