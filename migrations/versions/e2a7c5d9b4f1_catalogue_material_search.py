"""Knowledge-base search: search rows per item and page language, SQLite's FTS5 table over them
(with its triggers), a tsvector with a GIN index on PostgreSQL; existing active items get rows

Revision ID: e2a7c5d9b4f1
Revises: 8ca0c8269a43
Create Date: 2026-12-03 06:20:00.000000

The rows of existing items are written here from their titles, descriptions and provider name,
with the same Snowball stems and text-search configurations as the app; competence names join
them the next time an item is saved (lti_tool/catalogue/material_search_index.py writes them all).
"""

from __future__ import annotations

import json
import re
from typing import Any

import snowballstemmer
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "e2a7c5d9b4f1"
down_revision = "8ca0c8269a43"
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when lti_tool/catalogue/material_fts.py does.
_FTS = [
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
_LANGUAGES = ("nl", "fr", "de", "en")
_CONFIGURATIONS = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}
_WORD = re.compile(r"\w+", re.UNICODE)


def _stems(text: str, language: str) -> str:
    stemmer = snowballstemmer.stemmer(_CONFIGURATIONS[language])
    words = [w.lower() for w in _WORD.findall(text) if not w.isdigit() or len(w) > 1]
    return " ".join(stemmer.stemWord(w) for w in words)


def _in_language(values: dict[str, Any], language: str) -> str:
    for code in (language, "en", *_LANGUAGES):
        text = str(values.get(code) or "").strip()
        if text:
            return text
    return ""


def _as_dict(value: Any) -> dict[str, Any]:
    return (json.loads(value) if isinstance(value, str) else value) or {}


def _backfill(search: sa.Table) -> None:
    bind = op.get_bind()
    items = bind.execute(
        sa.text(
            "SELECT m.id, m.titles, m.descriptions, m.language, m.licence, m.visibility, m.platform_id,"
            " m.updated_at, p.name FROM catalogue_material m"
            " JOIN catalogue_provider p ON p.id = m.provider_id WHERE m.status = 'active'"
        ).columns(
            sa.column("id", sa.Integer),
            sa.column("titles", sa.JSON),
            sa.column("descriptions", sa.JSON),
            sa.column("language", sa.String),
            sa.column("licence", sa.String),
            sa.column("visibility", sa.String),
            sa.column("platform_id", sa.Integer),
            sa.column("updated_at", sa.DateTime),
            sa.column("name", sa.String),
        )
    ).all()
    rows = []
    for item in items:
        titles, descriptions = _as_dict(item.titles), _as_dict(item.descriptions)
        for language in _LANGUAGES:
            title = _in_language(titles, language)
            others = [
                str(value)
                for field in (titles, descriptions)
                for code, value in field.items()
                if code != language and value
            ]
            document = " ".join([_in_language(descriptions, language), item.name, *others])
            rows.append(
                {
                    "material_id": item.id,
                    "language": language,
                    "title": title[:512],
                    "document": document,
                    "title_stems": _stems(title, language),
                    "stems": _stems(document, language),
                    "visibility": item.visibility,
                    "platform_id": item.platform_id,
                    "licence": item.licence,
                    "material_language": item.language,
                    "updated_at": item.updated_at,
                }
            )
    if rows:
        op.bulk_insert(search, rows)
    if bind.dialect.name == "postgresql":
        for language in _LANGUAGES:
            bind.execute(
                sa.text(
                    "UPDATE catalogue_material_search SET tsv ="
                    " setweight(to_tsvector(CAST(:config AS regconfig), title), 'A')"
                    " || to_tsvector(CAST(:config AS regconfig), document)"
                    " WHERE language = :language"
                ),
                {"config": _CONFIGURATIONS[language], "language": language},
            )


def upgrade() -> None:
    search = op.create_table(
        "catalogue_material_search",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "material_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_material.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("title_stems", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("tsv", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("licence", sa.String(16), nullable=False),
        sa.Column("material_language", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("material_id", "language", name="uq_catalogue_material_search"),
    )
    op.create_index(
        "ix_catalogue_material_search_language",
        "catalogue_material_search",
        ["language", "material_id"],
    )
    op.create_index(
        "ix_catalogue_material_search_tsv",
        "catalogue_material_search",
        ["tsv"],
        postgresql_using="gin",
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in _FTS:
            op.execute(statement)
    _backfill(search)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalogue_material_fts")
    op.drop_index("ix_catalogue_material_search_tsv", table_name="catalogue_material_search")
    op.drop_index("ix_catalogue_material_search_language", table_name="catalogue_material_search")
    op.drop_table("catalogue_material_search")
