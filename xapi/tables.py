"""The LRS tables, declared on the library's own MetaData (no Flask, no lti_tool).

Statements keep their JSON as received (plus what the LRS fills in) and, beside it, the columns
the query filters need. Agent and activity filters (with ``related_*``) go through two narrow
index tables so a filtered GET is an index range scan ordered by ``seq`` even at millions of rows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

statements = Table(
    "xapi_statement",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("statement_id", String(36), nullable=False, unique=True),
    Column("stored", DateTime(timezone=True), nullable=False),
    Column("timestamp", DateTime(timezone=True), nullable=False),
    Column("verb_id", Text, nullable=False),
    Column("actor_key", Text),
    Column("object_type", String(16), nullable=False),
    Column("object_id", Text),
    Column("ref_target", String(36)),
    Column("registration", String(36)),
    Column("voided", Boolean, nullable=False, default=False),
    Column("client_key", String(64)),
    # The platform issuer whose learners/context the statement is about; NULL = organisation-wide.
    Column("tenant", String(255)),
    Column("payload", Text, nullable=False),
)
# since / until: the least and greatest seq of a window are read from this index alone.
Index("ix_xapi_statement_stored_seq", statements.c.stored, statements.c.seq)
Index("ix_xapi_statement_verb_seq", statements.c.verb_id, statements.c.seq)
Index("ix_xapi_statement_registration_seq", statements.c.registration, statements.c.seq)
Index("ix_xapi_statement_ref_target", statements.c.ref_target)
# The statements that target another (StatementRef), in seq order: a filtered page follows only
# those within its own span.
Index(
    "ix_xapi_statement_referrer_seq",
    statements.c.seq,
    postgresql_where=text("ref_target IS NOT NULL"),
    sqlite_where=text("ref_target IS NOT NULL"),
)
Index("ix_xapi_statement_client_seq", statements.c.client_key, statements.c.seq)
# A client bound to one platform reads its newest page with one backward range scan.
Index("ix_xapi_statement_tenant_seq", statements.c.tenant, statements.c.seq)

# Saves that took longer than QUICK_LAG from their stored moment to their insert (and statements
# found out of that order when this table came): around their moments a since / until window's
# seq bounds are read from a scan of STORED_LAG, elsewhere of QUICK_LAG (xapi/stored_order.py).
slow_saves = Table(
    "xapi_slow_save",
    metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("stored", DateTime(timezone=True), nullable=False),
)
Index("ix_xapi_slow_save_stored", slow_saves.c.stored)

statement_agents = Table(
    "xapi_statement_agent",
    metadata,
    Column("seq", SeqType, ForeignKey("xapi_statement.seq", ondelete="CASCADE"), primary_key=True),
    Column("agent_key", Text, primary_key=True),
    # direct: the actor or the object; otherwise authority, instructor, team, members, substatement.
    Column("direct", Boolean, nullable=False),
)
Index("ix_xapi_statement_agent_key_seq", statement_agents.c.agent_key, statement_agents.c.seq)

statement_activities = Table(
    "xapi_statement_activity",
    metadata,
    Column("seq", SeqType, ForeignKey("xapi_statement.seq", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", Text, primary_key=True),
    # direct: the object; otherwise a context activity or the substatement's object.
    Column("direct", Boolean, nullable=False),
)
Index(
    "ix_xapi_statement_activity_id_seq",
    statement_activities.c.activity_id,
    statement_activities.c.seq,
)

attachments = Table(
    "xapi_attachment",
    metadata,
    # The platform issuer of the statements that carried it; "" (not NULL, it is part of the key)
    # for organisation-wide ones. Kept per tenant so that declaring a known hash (with a fileUrl,
    # no part) never hands one platform the file another platform sent.
    Column("tenant", String(255), primary_key=True, default="", server_default=""),
    Column("sha2", String(128), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

activities = Table(
    "xapi_activity",
    metadata,
    Column("activity_id", Text, primary_key=True),
    # The platform issuer whose statements gave the definition; "" (not NULL, it is part of the
    # key) for organisation-wide ones. Kept per tenant so that one platform's statement about
    # another's activity id neither reads nor changes that platform's definition
    # (xapi/activities.py). The key starts with the id: the merged view reads one id's rows.
    Column("tenant", String(255), primary_key=True, default="", server_default=""),
    Column("definition", Text, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "xapi_document",
    metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    # "state", "activity_profile" or "agent_profile"; unused key parts are "" (not NULL)
    # so the unique key works.
    Column("kind", String(20), nullable=False),
    Column("activity_id", Text, nullable=False, default=""),
    Column("agent_key", Text, nullable=False, default=""),
    Column("registration", String(36), nullable=False, default=""),
    Column("document_id", Text, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    # The platform issuer of the client that wrote it; "" (not NULL, like the key parts above)
    # for organisation-wide clients, so each tenant has its own documents under the same key.
    Column("tenant", String(255), nullable=False, default="", server_default=""),
    UniqueConstraint(
        "tenant",
        "kind",
        "activity_id",
        "agent_key",
        "registration",
        "document_id",
        name="uq_xapi_document_key",
    ),
)

clients = Table(
    "xapi_client",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("key", String(64), nullable=False, unique=True),
    Column("secret_hash", String(255), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    # The platform issuer this client is bound to; NULL = an organisation-wide client.
    Column("tenant", String(255)),
    # The one agent (its agent key) whose documents this client may use, e.g. a cmi5 session
    # token; NULL = any agent.
    Column("agent_key", Text),
    # The xAPI version this client speaks ("1.0.3" or "2.0.0"): the version the LRS names in
    # its answer to a request that carries no X-Experience-API-Version header (a 400 either
    # way; requests with the header are answered in the version they name).
    Column("xapi_version", String(10), nullable=False, default="1.0.3", server_default="1.0.3"),
)

# Failed authentications per client key or address, counted in a window (see auth_failures.py).
auth_failures = Table(
    "xapi_auth_failure",
    metadata,
    Column("subject", String(120), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_ends", DateTime(timezone=True), nullable=False, index=True),
)

outbox = Table(
    "xapi_outbox",
    metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("statement_id", String(36), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
)
# Only undelivered rows are ever scanned by the worker.
Index(
    "ix_xapi_outbox_pending",
    outbox.c.next_attempt_at,
    outbox.c.id,
    postgresql_where=text("sent_at IS NULL"),
    sqlite_where=text("sent_at IS NULL"),
)

# Statements built and validated by the tool, waiting to be stored in the LRS tables above by
# a job (xapi/queue.py): a launch writes its statement here as one row instead of storing it.
statement_queue = Table(
    "xapi_statement_queue",
    metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("queued_at", DateTime(timezone=True), nullable=False, index=True),
    Column("tenant", String(255)),
    Column("authority", Text, nullable=False),
    Column("payload", Text, nullable=False),
)
