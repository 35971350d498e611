"""Writing search rows, for the offers' search table and the knowledge base's alike: one Core
insert of the batch, then on PostgreSQL each page language's ``tsvector`` made with that
language's text-search configuration (the title weighs A). On SQLite the FTS5 triggers
(``sqlite_fts``, ``material_fts``) index the rows as they are inserted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, cast, func, insert, literal, literal_column, update
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session

from .models import LANGUAGES
from .texts import CONFIGURATIONS


def write_rows(
    session: Session,
    table: Table,
    key: str,
    rows: list[dict[str, Any]],
    blank_on_postgresql: tuple[str, ...] = (),
    terms: str = "",
) -> None:
    """Insert ``rows`` into ``table``; on PostgreSQL fill the ``tsv`` of the rows whose ``key``
    column (the offer's or the item's id) is among theirs. Every language's text of a row is in
    its ``document``, after the page language's own: a visitor finds a text written only in
    German from the Dutch page too, by its German words. ``blank_on_postgresql``: text columns
    emptied once the ``tsv`` is made (only SQLite's FTS5 reads them): narrower rows. ``terms``:
    a column of reserved words added to the ``tsv`` as they are (weight B, ``terms_tsvector``)."""
    if not rows:
        return
    session.execute(insert(table), rows)
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({row[key] for row in rows})
    c = table.c
    for language in LANGUAGES:
        config = cast(literal(CONFIGURATIONS[language]), REGCONFIG)
        tsv = func.setweight(func.to_tsvector(config, c.title), literal_column("'A'")).op("||")(
            func.to_tsvector(config, c.document)
        )
        if terms:
            tsv = tsv.op("||")(terms_tsvector(c[terms]))
        session.execute(
            update(table)
            .where(c.language == language, c[key].in_(ids))
            .values(tsv=tsv, **{name: "" for name in blank_on_postgresql})
        )


def terms_tsvector(words: Any) -> Any:
    """Reserved words (``search_terms``) as a ``tsvector``: the 'simple' configuration keeps
    them as they are, weight B sets them apart from the texts (A and D)."""
    simple = cast(literal("simple"), REGCONFIG)
    return func.setweight(func.to_tsvector(simple, words), literal_column("'B'"))


def without_terms(tsv: Any) -> Any:
    """The ``tsv`` without its reserved words (the texts' weights only)."""
    return func.ts_filter(tsv, literal_column("'{a,d}'::\"char\"[]"))
