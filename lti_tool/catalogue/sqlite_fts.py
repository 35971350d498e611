"""SQLite's FTS5 index of the search rows: a virtual table over ``catalogue_offer_search`` (an
external-content table, so the text is stored once) and three triggers that keep it in step with
every insert, update and delete of a search row, whoever writes it. It keeps prefix indexes of 3
to 8 letters: a word searched as the start of a stem ("veil"*) then reads one list instead of
merging the lists of every stem that starts with it (the whole catalogue, for a common start).

SQLAlchemy's metadata cannot declare a virtual table, so it is created after the search table
(``create_all``) and by the migration from the same statements. On PostgreSQL nothing of this
exists: the search rows carry a ``tsvector`` column with a GIN index instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, event

from .models import CatalogueOfferSearch

FTS_TABLE = "catalogue_offer_fts"

CREATE = [
    # ``filter_terms``: the filters' values as reserved words (``search_terms``); no search
    # ranks by FTS5's own rank, so the column weighs nothing in any order.
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_offer_fts USING fts5(language, "
    "title_stems, stems, filter_terms, content='catalogue_offer_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2',"
    " prefix='3 4 5 6 7 8')",
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_ai AFTER INSERT ON "
    "catalogue_offer_search BEGIN INSERT INTO catalogue_offer_fts(rowid, language, "
    "title_stems, stems, filter_terms) VALUES (new.id, new.language, new.title_stems, "
    "new.stems, new.filter_terms); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_ad AFTER DELETE ON "
    "catalogue_offer_search BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, "
    "rowid, language, title_stems, stems, filter_terms) VALUES ('delete', old.id, "
    "old.language, old.title_stems, old.stems, old.filter_terms); END",
    # Only when an indexed column changes: the filters' values (``search_filters``) are
    # written alone when seats change, and index the row again only if its terms changed.
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_au AFTER UPDATE OF language, "
    "title_stems, stems, filter_terms ON catalogue_offer_search BEGIN INSERT INTO "
    "catalogue_offer_fts(catalogue_offer_fts, rowid, language, title_stems, stems, "
    "filter_terms) VALUES ('delete', old.id, old.language, old.title_stems, old.stems, "
    "old.filter_terms); INSERT INTO catalogue_offer_fts(rowid, language, title_stems, "
    "stems, filter_terms) VALUES (new.id, new.language, new.title_stems, new.stems, "
    "new.filter_terms); END",
]
DROP = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]


def is_fts_table(name: str) -> bool:
    """The virtual table and the shadow tables FTS5 keeps beside it (``_data``, ``_idx``...)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


def install_fts(table: Any, create: list[str], drop: list[str]) -> None:
    """Make the FTS5 statements run on SQLite after ``table`` is created (``create``) or
    dropped (``drop``)."""
    for statement in create:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in drop:
        event.listen(table, "after_drop", DDL(statement).execute_if(dialect="sqlite"))


install_fts(CatalogueOfferSearch.__table__, CREATE, DROP)
