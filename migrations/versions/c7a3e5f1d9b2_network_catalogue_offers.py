"""Network catalogue: providers and their people, offers with competences, languages, dates and
status history, and the search rows of published offers

Revision ID: c7a3e5f1d9b2
Revises: d3e8f5b2a9c4
Create Date: 2026-12-02 14:50:00.000000

On SQLite an FTS5 table over the search rows and the triggers that keep it in step are created
too (lti_tool/catalogue/sqlite_fts.py); on PostgreSQL the search rows carry a tsvector with a GIN
index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "c7a3e5f1d9b2"
down_revision = "d3e8f5b2a9c4"
branch_labels = None
depends_on = None

# The same statements as lti_tool/catalogue/sqlite_fts.py, copied: a migration must not change
# when the module does.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_offer_fts USING fts5("
    "language, title_stems, stems, content='catalogue_offer_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_ai AFTER INSERT ON catalogue_offer_search"
    " BEGIN INSERT INTO catalogue_offer_fts(rowid, language, title_stems, stems)"
    " VALUES (new.id, new.language, new.title_stems, new.stems); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_ad AFTER DELETE ON catalogue_offer_search"
    " BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, rowid, language, title_stems, stems)"
    " VALUES ('delete', old.id, old.language, old.title_stems, old.stems); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_offer_fts_au AFTER UPDATE ON catalogue_offer_search"
    " BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, rowid, language, title_stems, stems)"
    " VALUES ('delete', old.id, old.language, old.title_stems, old.stems);"
    " INSERT INTO catalogue_offer_fts(rowid, language, title_stems, stems)"
    " VALUES (new.id, new.language, new.title_stems, new.stems); END",
]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "catalogue_provider",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("website", sa.String(1024), nullable=False),
        sa.Column("contact_email", sa.String(320), nullable=False),
        sa.Column(
            "platform_id",
            sa.Integer(),
            sa.ForeignKey("platform.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_catalogue_provider_platform_id", "catalogue_provider", ["platform_id"])
    op.create_table(
        "catalogue_provider_member",
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_provider.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_catalogue_provider_member_user_id", "catalogue_provider_member", ["user_id"]
    )
    op.create_table(
        "catalogue_offer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_provider.id", ondelete="CASCADE"),
            nullable=False,
        ),
        *[
            sa.Column(name, sa.JSON(), nullable=False)
            for name in (
                "titles",
                "descriptions",
                "target_groups",
                "prerequisites",
                "credentials",
                "funding_notes",
            )
        ],
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column(
            "path_id",
            sa.Integer(),
            sa.ForeignKey("blended_path.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("funding_eligible", sa.Boolean(), nullable=False),
        sa.Column("contact_url", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            _in("format", ("online", "classroom", "blended")), name="ck_catalogue_offer_format"
        ),
        sa.CheckConstraint(
            _in("status", ("draft", "published", "withdrawn")), name="ck_catalogue_offer_status"
        ),
        sa.CheckConstraint("hours >= 0", name="ck_catalogue_offer_hours"),
        sa.CheckConstraint(
            "price_cents IS NULL OR price_cents >= 0", name="ck_catalogue_offer_price"
        ),
    )
    op.create_index("ix_catalogue_offer_provider", "catalogue_offer", ["provider_id", "status"])
    op.create_index("ix_catalogue_offer_status_format", "catalogue_offer", ["status", "format"])
    op.create_table(
        "catalogue_offer_language",
        sa.Column(
            "offer_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_offer.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("language", sa.String(8), primary_key=True),
    )
    op.create_index(
        "ix_catalogue_offer_language_language",
        "catalogue_offer_language",
        ["language", "offer_id"],
    )
    op.create_table(
        "catalogue_offer_competence",
        sa.Column(
            "offer_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_offer.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "competence_id",
            sa.Integer(),
            sa.ForeignKey("passport_competence.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_catalogue_offer_competence_competence_id",
        "catalogue_offer_competence",
        ["competence_id"],
    )
    op.create_table(
        "catalogue_offer_date",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "offer_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_offer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("blended_session.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(255), nullable=False),
        sa.Column("postcode", sa.String(16), nullable=False),
        sa.Column("city", sa.String(128), nullable=False),
        sa.Column("seats_left", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            _in("kind", ("session", "own", "self_paced")), name="ck_catalogue_offer_date_kind"
        ),
        sa.CheckConstraint(
            "seats_left IS NULL OR seats_left >= 0", name="ck_catalogue_offer_date_seats"
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name="ck_catalogue_offer_date_order",
        ),
    )
    op.create_index(
        "ix_catalogue_offer_date_offer", "catalogue_offer_date", ["offer_id", "starts_on"]
    )
    op.create_index("ix_catalogue_offer_date_starts", "catalogue_offer_date", ["starts_on"])
    op.create_index("ix_catalogue_offer_date_postcode", "catalogue_offer_date", ["postcode"])
    op.create_index("ix_catalogue_offer_date_session_id", "catalogue_offer_date", ["session_id"])
    op.create_table(
        "catalogue_offer_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "offer_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_offer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "by_user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.CheckConstraint(
            _in("status", ("draft", "published", "withdrawn")),
            name="ck_catalogue_offer_event_status",
        ),
    )
    op.create_index("ix_catalogue_offer_event_offer_id", "catalogue_offer_event", ["offer_id"])
    op.create_index("ix_catalogue_offer_event_by_user_id", "catalogue_offer_event", ["by_user_id"])
    op.create_table(
        "catalogue_offer_search",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "offer_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_offer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("title", sa.String(512), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("title_stems", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("tsv", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("offer_id", "language", name="uq_catalogue_offer_search"),
    )
    op.create_index(
        "ix_catalogue_offer_search_language", "catalogue_offer_search", ["language", "starts_on"]
    )
    op.create_index(
        "ix_catalogue_offer_search_tsv",
        "catalogue_offer_search",
        ["tsv"],
        postgresql_using="gin",
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalogue_offer_fts")
    for table in (
        "catalogue_offer_search",
        "catalogue_offer_event",
        "catalogue_offer_date",
        "catalogue_offer_competence",
        "catalogue_offer_language",
        "catalogue_offer",
        "catalogue_provider_member",
        "catalogue_provider",
    ):
        op.drop_table(table)
