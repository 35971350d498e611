"""Which tenant (platform issuer) the library stamps on statements written in-process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_tool.extensions import db
from xapi import tables
from xapi.actor import account_actor, tool_authority
from xapi.emitter import Emitter
from xapi.models import agent_key
from xapi.store import StatementQuery, StatementStore

from .builders import agent, new_id, statement

BASE = "https://tool.example.org"
ISSUER_A = "https://lms-a.example.org"
ISSUER_B = "https://lms-b.example.org"


def tenant_of(statement_id: str) -> str | None:
    s = tables.statements.c
    return db.session.execute(select(s.tenant).where(s.statement_id == statement_id)).scalar_one()


def test_the_emitter_stamps_the_actors_platform_or_the_tenant_it_is_given(app: Any) -> None:
    with app.app_context():
        emitter = Emitter(db.session(), BASE)
        derived = emitter.emit(
            actor=account_actor(ISSUER_A, "ann"), verb="completed", object_id="/courses/1"
        )
        explicit = emitter.emit(
            actor=account_actor(ISSUER_A, "ann"),
            verb="completed",
            object_id="/courses/1",
            tenant=ISSUER_B,
        )
        nobody = emitter.emit(actor=agent("eve"), verb="completed", object_id="/courses/1")
        assert tenant_of(derived) == ISSUER_A
        assert tenant_of(explicit) == ISSUER_B
        assert tenant_of(nobody) is None


def test_in_process_voiding_takes_the_tenant_of_what_it_voids(app: Any) -> None:
    with app.app_context():
        store = StatementStore(db.session())
        mine = statement(id=new_id(), actor=account_actor(ISSUER_A, "ann"))
        store.save([mine], authority=tool_authority(BASE))
        assert tenant_of(mine["id"]) == ISSUER_A
        # As the passport's erasure does: the tool is the actor, the target decides the tenant.
        voiding = {
            "id": new_id(),
            "actor": tool_authority(BASE),
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en": "voided"}},
            "object": {"objectType": "StatementRef", "id": mine["id"]},
        }
        store.save([voiding], authority=tool_authority(BASE))
        assert tenant_of(voiding["id"]) == ISSUER_A
        assert StatementStore(db.session(), tenant=ISSUER_A).get(mine["id"], voided=True)


def test_a_bound_store_reads_only_its_tenant(app: Any) -> None:
    with app.app_context():
        org = StatementStore(db.session())
        a = statement(id=new_id(), actor=account_actor(ISSUER_A, "ann"))
        b = statement(id=new_id(), actor=account_actor(ISSUER_B, "bob"))
        org.save([a, b], authority=tool_authority(BASE))
        bound = StatementStore(db.session(), tenant=ISSUER_B)
        assert [s["id"] for s in bound.iterate(StatementQuery())] == [b["id"]]
        assert bound.get(a["id"]) is None and bound.get(b["id"]) is not None
        # An organisation-wide store narrowed by the query (what ``xapi export --platform`` does).
        only_a = org.iterate(StatementQuery(tenant=ISSUER_A))
        assert [s["id"] for s in only_a] == [a["id"]]
        assert {s["id"] for s in org.iterate(StatementQuery())} == {a["id"], b["id"]}
        assert not bound.knows_agent(agent_key(account_actor(ISSUER_A, "ann")) or "")
        assert bound.knows_agent(agent_key(account_actor(ISSUER_B, "bob")) or "")
        assert bound.knows_activity(b["object"]["id"])
        assert not StatementStore(db.session(), tenant="https://other.example.org").knows_activity(
            b["object"]["id"]
        )
