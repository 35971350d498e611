"""SQLite's FTS5 index of the knowledge base's search rows, made as the offers' is
(``sqlite_fts``): a virtual table over ``catalogue_material_search`` (external content: the text
is stored once), prefix indexes of 3 to 8 letters, and three triggers that keep it in step with
every insert, update and delete of a search row. Its third column is the row's page language as
a reserved word (``language_term``: ``zzlangde``), not the code itself: the codes "de" and "en"
are Dutch words too, so a ``language : de`` in MATCH would read the lists of every Dutch text.
The index then keeps to the page's language (every row holds every language's text): BM25 is
computed for the page language's matches only, not for those of all four rows of an item. The
column weighs nothing in BM25, and a visitor's words are looked for in the two text columns.

It is created after the search table (``create_all``) and by the migration from the same
statements. On PostgreSQL nothing of this exists: the rows carry a ``tsvector`` with a GIN index.
"""

from __future__ import annotations

from .material_search_index import CatalogueMaterialSearch
from .sqlite_fts import install_fts

MATERIAL_FTS = "catalogue_material_fts"

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_material_fts USING fts5("
    "title_stems, stems, language_term, content='catalogue_material_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6 7 8')",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_ai"
    " AFTER INSERT ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts(rowid, title_stems, stems, language_term)"
    " VALUES (new.id, new.title_stems, new.stems, new.language_term); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_ad"
    " AFTER DELETE ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts"
    "(catalogue_material_fts, rowid, title_stems, stems, language_term)"
    " VALUES ('delete', old.id, old.title_stems, old.stems, old.language_term); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_au"
    " AFTER UPDATE ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts"
    "(catalogue_material_fts, rowid, title_stems, stems, language_term)"
    " VALUES ('delete', old.id, old.title_stems, old.stems, old.language_term);"
    " INSERT INTO catalogue_material_fts(rowid, title_stems, stems, language_term)"
    " VALUES (new.id, new.title_stems, new.stems, new.language_term); END",
]
DROP = ["DROP TABLE IF EXISTS catalogue_material_fts"]


def is_material_fts_table(name: str) -> bool:
    """The virtual table and the shadow tables FTS5 keeps beside it (``_data``, ``_idx``...)."""
    return name == MATERIAL_FTS or name.startswith(MATERIAL_FTS + "_")


install_fts(CatalogueMaterialSearch.__table__, CREATE, DROP)
