"""Catalogue search: the words of the search rows, so that a word's start is asked as its words

Revision ID: e6a2c8f4b1d7
Revises: d5f1a7c3e9b2
Create Date: 2026-12-05 00:15:00.000000

``catalogue_search_lexeme`` holds each page language's words of the offers' search rows
(``tsvector`` lexemes), kept by a trigger on ``catalogue_offer_search`` (PostgreSQL): a search
looks a visitor's word start up there and asks the index for the few words it matches
(``lti_tool/catalogue/search_lexemes.py``). Filled here from the rows already written (about 10
to 20 seconds per 100,000 offers). On SQLite the table is made and stays empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e6a2c8f4b1d7"
down_revision = "d5f1a7c3e9b2"
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when the module does.
_ADD_LEXEMES = """
CREATE OR REPLACE FUNCTION catalogue_search_lexemes_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO catalogue_search_lexeme (language, lexeme)
    SELECT DISTINCT n.language, u.lexeme FROM new_rows AS n, unnest(n.tsv) AS u
    WHERE n.tsv IS NOT NULL AND NOT EXISTS (SELECT 1 FROM catalogue_search_lexeme AS k
      WHERE k.language = n.language AND k.lexeme = u.lexeme);
  ELSE
    INSERT INTO catalogue_search_lexeme (language, lexeme)
    SELECT DISTINCT n.language, u.lexeme
    FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id, unnest(n.tsv) AS u
    WHERE n.tsv IS NOT NULL AND n.tsv IS DISTINCT FROM o.tsv
      AND NOT EXISTS (SELECT 1 FROM catalogue_search_lexeme AS k
        WHERE k.language = n.language AND k.lexeme = u.lexeme);
  END IF;
  RETURN NULL;
END $$
"""
TRIGGERS = [
    _ADD_LEXEMES,
    "CREATE TRIGGER catalogue_search_lexemes_inserted AFTER INSERT ON catalogue_offer_search"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION catalogue_search_lexemes_added()",
    "CREATE TRIGGER catalogue_search_lexemes_updated AFTER UPDATE ON catalogue_offer_search"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION catalogue_search_lexemes_added()",
]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    lexeme = sa.Text(collation="C") if postgresql else sa.Text()
    op.create_table(
        "catalogue_search_lexeme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("lexeme", lexeme, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_catalogue_search_lexeme", "catalogue_search_lexeme", ["language", "lexeme"])
    if not postgresql:
        return
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute(
        "INSERT INTO catalogue_search_lexeme (language, lexeme)"
        " SELECT DISTINCT s.language, u.lexeme FROM catalogue_offer_search AS s, unnest(s.tsv) AS u"
        " WHERE s.tsv IS NOT NULL"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER catalogue_search_lexemes_updated ON catalogue_offer_search")
        op.execute("DROP TRIGGER catalogue_search_lexemes_inserted ON catalogue_offer_search")
        op.execute("DROP FUNCTION catalogue_search_lexemes_added()")
    op.drop_table("catalogue_search_lexeme")
