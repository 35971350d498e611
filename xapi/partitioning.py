"""Partition the statements table by month of ``stored`` (PostgreSQL only, opt-in).

Not applied by any migration: a store of a few million statements does not need it. Past about
100M statements it lets old months be detached, archived or moved to cheaper storage, keeps
each month's indexes small, and lets time-bounded queries skip whole months. docs/scaling.md
says when and how; ``learnpass xapi partition-statements`` runs ``partition_statements``.

What changes, and why (PostgreSQL has no global indexes: every index of a partitioned table is
one index per partition, and a unique one must contain the partition key):

- ``xapi_statement`` becomes a table partitioned by RANGE (stored). The existing table is not
  copied: it is renamed ``xapi_statement_history`` and attached whole as the partition of
  everything stored before the first day of next month. One partition per month follows, and a
  DEFAULT partition so an insert never fails when a month was not created in time.
- Its primary key becomes (seq, stored); ``seq`` keeps counting up from one sequence.
- Statement ids stay unique across the whole LRS through a narrow unpartitioned table,
  ``xapi_statement_key`` (statement_id primary key, seq unique). A BEFORE INSERT trigger claims
  the id there with ON CONFLICT DO NOTHING and skips the row when it is taken, which is exactly
  what the store's INSERT ... ON CONFLICT DO NOTHING expects (xapi/insert_if_absent.py): a
  racing duplicate is skipped, the store compares it and answers 200 or 409.
- The agent and activity index tables point their foreign keys (ON DELETE CASCADE) at
  ``xapi_statement_key.seq``, and an AFTER DELETE trigger removes the key with the statement.

All in one transaction: on any error nothing has changed. The statements table is locked for
its duration (reads and writes wait); the long steps are copying the ids into
``xapi_statement_key`` and building the (seq, stored) index of the old table (see
docs/scaling.md for doing those two ahead of time on a very large store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

# Every name put into the SQL below is a constant of this module and every date one we compute:
# nothing from outside reaches the SQL text (hence the S608 exemptions).

TABLE = "xapi_statement"
HISTORY = "xapi_statement_history"
KEYS = "xapi_statement_key"
SEQUENCE = "xapi_statement_seq_seq"
INDEX_TABLES = ("xapi_statement_agent", "xapi_statement_activity")


class PartitioningError(RuntimeError):
    """The store cannot be partitioned as asked (not PostgreSQL, already partitioned...)."""


@dataclass
class PartitionReport:
    history_rows: int
    cutoff: datetime
    partitions: list[str] = field(default_factory=list)


def month_start(moment: datetime, months_later: int = 0) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months_later
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def is_partitioned(conn: Connection) -> bool:
    found = conn.execute(
        text(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"
        ),
        {"name": TABLE},
    ).first()
    return found is not None


def partition_statements(
    engine: Engine, *, now: datetime | None = None, months_ahead: int = 3
) -> PartitionReport:
    """Turn the statements table into a monthly partitioned one (see the module docstring)."""
    if engine.dialect.name != "postgresql":
        raise PartitioningError("partitioning is for PostgreSQL; SQLite stores stay as they are")
    now = now or datetime.now(UTC)
    cutoff = month_start(now, 1)
    with engine.begin() as conn:
        if is_partitioned(conn):
            raise PartitioningError(f"{TABLE} is partitioned already")
        # Renaming and attaching need the strongest lock anyway: take it first (no upgrade
        # halfway, which could deadlock with a reader). Reads and writes wait until the commit.
        conn.execute(text(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE"))
        latest = conn.execute(text(f"SELECT max(stored) FROM {TABLE}")).scalar()  # noqa: S608
        if latest is not None and latest >= cutoff:
            raise PartitioningError(f"statements stored after {cutoff:%Y-%m-%d}: check the clock")
        _set_aside_history(conn, cutoff)
        _create_partitioned_table(conn)
        rows = _move_uniqueness_to_key_table(conn)
        # The parent's key (seq, stored) replaces the old one; ATTACH builds it on the old table.
        for (name,) in conn.execute(
            text(
                "SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u') "
                "AND conrelid = CAST(:h AS regclass)"
            ),
            {"h": HISTORY},
        ).all():
            conn.execute(text(f'ALTER TABLE {HISTORY} DROP CONSTRAINT "{name}"'))
        conn.execute(
            text(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {HISTORY} "
                f"FOR VALUES FROM (MINVALUE) TO ('{cutoff.isoformat()}')"
            )
        )
        created = add_month_partitions(conn, start=cutoff, months=months_ahead)
        conn.execute(text(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT"))
    return PartitionReport(rows, cutoff, [HISTORY, *created, f"{TABLE}_default"])


def _set_aside_history(conn: Connection, cutoff: datetime) -> None:
    """Rename the table and its indexes (index names are unique per schema) and give it the
    shape of a partition: no identity of its own, a range CHECK so attaching needs no scan."""
    conn.execute(text(f"ALTER TABLE {TABLE} RENAME TO {HISTORY}"))
    for (name,) in conn.execute(
        text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": HISTORY}
    ).all():
        conn.execute(text(f'ALTER INDEX "{name}" RENAME TO "{name}_history"'))
    identity = conn.execute(
        text(
            "SELECT attidentity FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attname = 'seq'"
        ),
        {"t": HISTORY},
    ).scalar()
    if identity:
        # An identity column's sequence belongs to its table: the parent gets a sequence of
        # its own, counting on from the last seq. (A bigserial's sequence is simply shared.)
        last = conn.execute(
            text(f"SELECT coalesce(max(seq), 0) FROM {HISTORY}")  # noqa: S608
        ).scalar()
        conn.execute(text(f"ALTER TABLE {HISTORY} ALTER COLUMN seq DROP IDENTITY"))
        conn.execute(text(f"CREATE SEQUENCE {SEQUENCE} START WITH {int(last or 0) + 1}"))
        conn.execute(
            text(f"ALTER TABLE {HISTORY} ALTER COLUMN seq SET DEFAULT nextval('{SEQUENCE}')")
        )
    conn.execute(
        text(
            f"ALTER TABLE {HISTORY} ADD CONSTRAINT ck_{HISTORY}_range "
            f"CHECK (stored IS NOT NULL AND stored < '{cutoff.isoformat()}')"
        )
    )


def _create_partitioned_table(conn: Connection) -> None:
    """The new parent, with every index the old table had (each one per partition, so none is
    unique except the primary key, which now includes ``stored``)."""
    conn.execute(
        text(
            f"CREATE TABLE {TABLE} (LIKE {HISTORY} INCLUDING DEFAULTS) PARTITION BY RANGE (stored)"
        )
    )
    conn.execute(text(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.seq"))
    conn.execute(text(f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (seq, stored)"))
    indexes = conn.execute(
        text(
            "SELECT i.relname AS name, ix.indisunique AS is_unique, ix.indisprimary AS is_pk, "
            "pg_get_indexdef(ix.indexrelid) AS definition "
            "FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid "
            "JOIN pg_class t ON t.oid = ix.indrelid WHERE t.relname = :t"
        ),
        {"t": HISTORY},
    ).all()
    for index in indexes:
        if index.is_pk:
            continue
        name = index.name.removesuffix("_history")
        columns = index.definition[index.definition.index(" USING ") :]
        # A unique index (the statement id) cannot stay unique per partition only: it becomes
        # a plain index here and xapi_statement_key keeps the id unique.
        conn.execute(text(f'CREATE INDEX "{name}" ON {TABLE} {columns}'))


def _move_uniqueness_to_key_table(conn: Connection) -> int:
    conn.execute(
        text(
            f"CREATE TABLE {KEYS} (statement_id varchar(36) PRIMARY KEY, "
            f"seq bigint NOT NULL CONSTRAINT uq_{KEYS}_seq UNIQUE)"
        )
    )
    rows = conn.execute(
        text(f"INSERT INTO {KEYS} (statement_id, seq) SELECT statement_id, seq FROM {HISTORY}")  # noqa: S608
    ).rowcount
    conn.execute(
        text(
            f"""
            CREATE FUNCTION {KEYS}_claim() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {KEYS} (statement_id, seq) VALUES (NEW.statement_id, NEW.seq)
                ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN
                    RETURN NULL;  -- the id is taken: skip the row, as ON CONFLICT DO NOTHING
                END IF;
                RETURN NEW;
            END $$;
            CREATE FUNCTION {KEYS}_release() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM {KEYS} WHERE statement_id = OLD.statement_id;
                RETURN OLD;
            END $$;
            CREATE TRIGGER {TABLE}_claim_id BEFORE INSERT ON {TABLE}
                FOR EACH ROW EXECUTE FUNCTION {KEYS}_claim();
            CREATE TRIGGER {TABLE}_release_id AFTER DELETE ON {TABLE}
                FOR EACH ROW EXECUTE FUNCTION {KEYS}_release();
            """  # noqa: S608
        )
    )
    for table in INDEX_TABLES:
        for (name,) in conn.execute(
            text(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = CAST(:t AS regclass) AND confrelid = CAST(:h AS regclass)"
            ),
            {"t": table, "h": HISTORY},
        ).all():
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
            conn.execute(
                text(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY (seq) '
                    f"REFERENCES {KEYS} (seq) ON DELETE CASCADE"
                )
            )
    return int(rows or 0)


def add_month_partitions(conn: Connection, *, start: datetime, months: int) -> list[str]:
    """Create the monthly partitions from ``start`` on that do not exist yet (run it monthly,
    ahead of time, so the DEFAULT partition stays empty)."""
    created: list[str] = []
    for offset in range(months):
        begin, end = month_start(start, offset), month_start(start, offset + 1)
        name = f"{TABLE}_{begin:%Y_%m}"
        exists = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
        if exists:
            continue
        conn.execute(
            text(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{begin.isoformat()}') TO ('{end.isoformat()}')"
            )
        )
        created.append(name)
    return created
