"""Taking a person out of the LRS: their account replaced by a pseudonym in every stored statement.

Voiding hides statements from queries, but xAPI keeps voided rows and their payloads. After an
erasure the statements must still count (totals, voiding, references between statements) while
no longer saying who did them: each mention of the person's account becomes one random account
that means nothing outside this LRS. Their state and agent-profile documents are deleted, since
those are keyed by the person and hold nothing anyone else needs. Clients bound to the person
(a cmi5 session's token) are revoked and bound to the pseudonym instead.

Nothing here commits: the caller (an erasure) owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from . import tables
from .clock import utcnow
from .documents import AGENT_PROFILE, STATE
from .models import agent_key
from .queue import store_all_queued
from .store import _declared_hashes

CHUNK = 500


@dataclass
class Pseudonymised:
    """What ``pseudonymise_account`` changed, for the erasure's audit record."""

    pseudonym: dict[str, Any]
    statements: int
    queued: int
    documents: int
    clients: int = 0
    attachments: int = 0

    def as_counts(self) -> dict[str, int]:
        # Not the pseudonym: an audit record found by the person's id must not lead back to it.
        return {
            "statements_pseudonymised": self.statements,
            "outbox_pseudonymised": self.queued,
            "agent_documents_deleted": self.documents,
            "lrs_clients_revoked": self.clients,
            "attachments_deleted": self.attachments,
        }


def pseudonym_account(pseudonym_home_page: str) -> dict[str, Any]:
    """A fresh Agent with a random opaque name: nothing links it back to the person."""
    return {
        "objectType": "Agent",
        "account": {"homePage": pseudonym_home_page, "name": uuid.uuid4().hex},
    }


def account_key(home_page: str, name: str) -> str:
    return f"account:{home_page}|{name}"


def person_keys(home_page: str, name: str, email: str = "") -> set[str]:
    """The agent keys a person is known by in this LRS: their account, and the mailbox forms of
    their e-mail address (``mbox`` and ``mbox_sha1sum``) that another client may have used."""
    keys = {account_key(home_page, name)}
    if email:
        mbox = "mailto:" + email
        keys.add(agent_key({"mbox": mbox}) or "")
        for spelled in {mbox, mbox.lower()}:
            # xAPI's own mailbox hash (Data 2.4.2.3), not a protection.
            digest = hashlib.sha1(spelled.encode(), usedforsecurity=False).hexdigest()
            keys.add(agent_key({"mbox_sha1sum": digest}) or "")
    return keys


def _is_person(value: Any, keys: set[str]) -> bool:
    if not isinstance(value, dict):
        return False
    if not any(ifi in value for ifi in ("account", "mbox", "mbox_sha1sum", "openid")):
        return False
    return agent_key(value) in keys


def replace_agents(value: Any, keys: set[str], pseudonym: dict[str, Any]) -> Any:
    """``value`` with every Agent (or identified Group) known by one of ``keys`` replaced by the
    pseudonym.

    The whole tree is walked, not only the places xAPI names (actor, object, context.instructor,
    context.team, authority, group members, sub-statements): a client may put an agent in an
    extension too. The display name goes with the account; a Group keeps its other members.
    """
    if isinstance(value, list):
        return [replace_agents(item, keys, pseudonym) for item in value]
    if not isinstance(value, dict):
        return value
    if _is_person(value, keys):
        replaced: dict[str, Any] = {
            "objectType": value.get("objectType", "Agent"),
            "account": dict(pseudonym["account"]),
        }
        if "member" in value:
            replaced["member"] = replace_agents(value["member"], keys, pseudonym)
        return replaced
    return {key: replace_agents(item, keys, pseudonym) for key, item in value.items()}


def replace_account(value: Any, home_page: str, name: str, pseudonym: dict[str, Any]) -> Any:
    """``replace_agents`` for one account (``home_page``, ``name``)."""
    return replace_agents(value, {account_key(home_page, name)}, pseudonym)


def _like_pattern(text: str) -> str:
    # The name as it is spelled inside a JSON string, with LIKE's wildcards taken literally.
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return "%" + inner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def pseudonymise_account(
    session: Session,
    *,
    home_page: str,
    name: str,
    pseudonym_home_page: str,
    email: str = "",
) -> Pseudonymised:
    """Replace the account (``home_page``, ``name``), and the mailbox of ``email`` if given,
    everywhere in the stored statements, their agent index and the forwarding outbox, delete the
    agent's state and profile documents, and revoke the clients bound to the agent (their
    ``agent_key`` becomes the pseudonym's).

    The statements to rewrite are those the agent index lists for the person plus any whose
    JSON contains the name or e-mail (an agent in an extension is not indexed); each is rewritten
    only if it really holds the person as an agent, so a name in some text is left alone.
    """
    if not home_page or not name:
        raise ValueError("an account needs a homePage and a name")
    # A queued statement of the person (a launch's) would be stored after this, unchanged.
    store_all_queued(session)
    pseudonym = pseudonym_account(pseudonym_home_page)
    old_keys = person_keys(home_page, name, email)
    new_key = agent_key(pseudonym) or ""
    s = tables.statements.c
    sa = tables.statement_agents.c
    indexed = select(sa.seq).where(sa.agent_key.in_(old_keys))
    texts = [s.payload.like(_like_pattern(text), escape="\\") for text in (name, email) if text]
    candidates = list(session.scalars(select(s.seq).where(or_(s.seq.in_(indexed), *texts))))
    rewritten: dict[str, str] = {}
    own_hashes: set[str] = set()
    # Payloads in chunks: a short user id can match many statements' text.
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        for row in session.execute(
            select(s.seq, s.statement_id, s.payload).where(s.seq.in_(chunk))
        ).all():
            statement = json.loads(row.payload)
            if _is_person(statement.get("actor"), old_keys):
                own_hashes.update(_declared_hashes(statement))
            changed = replace_agents(statement, old_keys, pseudonym)
            if changed == statement:
                continue
            payload = json.dumps(changed, separators=(",", ":"), ensure_ascii=False)
            rewritten[row.statement_id] = payload
            session.execute(
                update(tables.statements)
                .where(s.seq == row.seq)
                .values(payload=payload, actor_key=agent_key(changed.get("actor") or {}))
            )
    _reindex(session, old_keys, new_key)
    queued = _rewrite_outbox(session, rewritten)
    d = tables.documents.c
    deleted = session.execute(
        delete(tables.documents).where(
            d.agent_key.in_(old_keys), d.kind.in_((STATE, AGENT_PROFILE))
        )
    )
    attachments = _delete_own_attachments(session, own_hashes, new_key)
    c = tables.clients.c
    session.execute(
        update(tables.clients)
        .where(c.agent_key.in_(old_keys), c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    clients = session.execute(
        update(tables.clients).where(c.agent_key.in_(old_keys)).values(agent_key=new_key)
    )
    return Pseudonymised(
        pseudonym=pseudonym,
        statements=len(rewritten),
        queued=queued,
        documents=int(getattr(deleted, "rowcount", 0) or 0),
        clients=int(getattr(clients, "rowcount", 0) or 0),
        attachments=attachments,
    )


def _reindex(session: Session, old_keys: set[str], new_key: str) -> None:
    """The agent index rows of the person's keys become the pseudonym's. One row per statement
    and agent: where a statement named the person by two keys (account and mailbox), one row
    stays, direct if either was."""
    sa = tables.statement_agents.c
    for old in sorted(old_keys):
        taken = select(tables.statement_agents.c.seq).where(sa.agent_key == new_key)
        direct = select(sa.seq).where(sa.agent_key == old, sa.direct.is_(True))
        session.execute(
            update(tables.statement_agents)
            .where(sa.agent_key == new_key, sa.seq.in_(direct.scalar_subquery()))
            .values(direct=True)
        )
        session.execute(
            delete(tables.statement_agents).where(
                sa.agent_key == old, sa.seq.in_(taken.scalar_subquery())
            )
        )
        session.execute(
            update(tables.statement_agents).where(sa.agent_key == old).values(agent_key=new_key)
        )


def _delete_own_attachments(session: Session, hashes: set[str], pseudonym_key: str) -> int:
    """Attachments of the person's own statements (a report, a photo) are theirs: deleted unless
    a statement of someone else carries the same content. The statements keep declaring them."""
    s = tables.statements.c
    a = tables.attachments.c
    deleted = 0
    for sha2 in sorted(hashes):
        # A sha2 is hexadecimal: nothing in it is a LIKE wildcard.
        # The person's statements already carry the pseudonym as their actor.
        elsewhere = select(s.seq).where(
            s.payload.like(f"%{sha2}%"),
            or_(s.actor_key.is_(None), s.actor_key != pseudonym_key),
        )
        if session.execute(elsewhere.limit(1)).first() is not None:
            continue
        result = session.execute(delete(tables.attachments).where(a.sha2 == sha2))
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


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
