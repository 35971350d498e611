"""SQLite's FTS5 index of the knowledge base's search rows, made as the offers' is
(``sqlite_fts``): a virtual table over ``catalogue_material_search`` (external content: the text
is stored once), prefix indexes of 3 to 8 letters, and three triggers that keep it in step with
every insert, update and delete of a search row. Unlike the offers' table it holds no language
column: the language codes "de" and "en" are Dutch words too, so a ``language : de`` in MATCH
reads the lists of every Dutch text; the search checks the row's language instead.

It is created after the search table (``create_all``) and by the migration from the same
statements. On PostgreSQL nothing of this exists: the rows carry a ``tsvector`` with a GIN index.
"""

from __future__ import annotations

from .material_search_index import CatalogueMaterialSearch
from .sqlite_fts import install_fts

MATERIAL_FTS = "catalogue_material_fts"

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_material_fts USING fts5("
    "title_stems, stems, content='catalogue_material_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6 7 8')",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_ai"
    " AFTER INSERT ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts(rowid, title_stems, stems)"
    " VALUES (new.id, new.title_stems, new.stems); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_ad"
    " AFTER DELETE ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts"
    "(catalogue_material_fts, rowid, title_stems, stems)"
    " VALUES ('delete', old.id, old.title_stems, old.stems); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_material_fts_au"
    " AFTER UPDATE ON catalogue_material_search"
    " BEGIN INSERT INTO catalogue_material_fts"
    "(catalogue_material_fts, rowid, title_stems, stems)"
    " VALUES ('delete', old.id, old.title_stems, old.stems);"
    " INSERT INTO catalogue_material_fts(rowid, title_stems, stems)"
    " VALUES (new.id, new.title_stems, new.stems); END",
]
DROP = ["DROP TABLE IF EXISTS catalogue_material_fts"]


def is_material_fts_table(name: str) -> bool:
    """The virtual table and the shadow tables FTS5 keeps beside it (``_data``, ``_idx``...)."""
    return name == MATERIAL_FTS or name.startswith(MATERIAL_FTS + "_")


install_fts(CatalogueMaterialSearch.__table__, CREATE, DROP)
