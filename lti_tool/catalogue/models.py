"""The network catalogue's tables: providers and their people, offers with their competences,
languages, dates and status history, and the search rows of published offers.

Texts shown to people are kept per language (``{"nl": ..., "fr": ..., "de": ..., "en": ...}``, as
the passport's names are). Only published offers have search rows (``CatalogueOfferSearch``), one
per page language, so the public search can never reach a draft or a withdrawn offer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

LANGUAGES = ("nl", "fr", "de", "en")
OFFER_FORMATS = ("online", "classroom", "blended")
OFFER_STATUSES = ("draft", "published", "withdrawn")
DATE_KINDS = ("session", "own", "self_paced")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CatalogueProvider(Base):
    """An organisation of the network that owns offers; managed by the network admin (CLI).

    It may be an LTI platform already registered (its people then launch from there), or an
    organisation without one whose people launch from another member's platform."""

    __tablename__ = "catalogue_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the admin types on the command line: short, stable, unique.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    website: Mapped[str] = mapped_column(String(1024), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The provider's offer feed (CSV or JSON-LD at a URL), read by the jobs runner every
    # ``feed_every_hours``; the validators of the last good fetch make the next one conditional.
    feed_url: Mapped[str] = mapped_column(String(1024), default="")
    feed_every_hours: Mapped[int] = mapped_column(Integer, default=24)
    feed_next_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None, index=True)
    feed_etag: Mapped[str] = mapped_column(String(512), default="")
    feed_last_modified: Mapped[str] = mapped_column(String(64), default="")


class CatalogueFeedRun(Base):
    """One reading of a provider's feed: what came in, what changed, what was refused and why.

    No person is in it: a run is the provider's, started by the jobs runner or by a member's
    "read now" (which member is not kept)."""

    __tablename__ = "catalogue_feed_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_provider.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(1024))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    not_modified: Mapped[bool] = mapped_column(default=False)
    format: Mapped[str] = mapped_column(String(8), default="")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": .., "ref": .., "template": .., "params": {..}}, ...] (translated when shown)
    refused: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error_template: Mapped[str] = mapped_column(Text, default="")
    error_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CatalogueProviderMember(Base):
    """A person who may draft, edit, publish and withdraw the provider's offers."""

    __tablename__ = "catalogue_provider_member"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_provider.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CatalogueOffer(Base):
    """A training offer of a provider: texts per language, format, hours, price, funding, dates."""

    __tablename__ = "catalogue_offer"
    __table_args__ = (
        CheckConstraint(_in("format", OFFER_FORMATS), name="ck_catalogue_offer_format"),
        CheckConstraint(_in("status", OFFER_STATUSES), name="ck_catalogue_offer_status"),
        CheckConstraint("hours >= 0", name="ck_catalogue_offer_hours"),
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="ck_catalogue_offer_price"),
        Index("ix_catalogue_offer_provider", "provider_id", "status"),
        Index("ix_catalogue_offer_status_format", "status", "format"),
        Index("uq_catalogue_offer_provider_ref", "provider_id", "ref", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_provider.id", ondelete="CASCADE")
    )
    # The provider's own key (CSV ``offer_ref``): an import with the same key updates the offer.
    # None for offers made by form.
    ref: Mapped[str | None] = mapped_column(String(200), default=None)
    titles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    target_groups: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prerequisites: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credentials: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    funding_notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    format: Mapped[str] = mapped_column(String(16), default="classroom")
    # The learnpass path behind the offer, when there is one.
    path_id: Mapped[int | None] = mapped_column(
        ForeignKey("blended_path.id", ondelete="SET NULL"), default=None
    )
    # A package of ``learning_packages`` (its own metadata, so no foreign key across the two).
    package_id: Mapped[int | None] = mapped_column(Integer, default=None)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    # None: price on request.
    price_cents: Mapped[int | None] = mapped_column(Integer, default=None)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    funding_eligible: Mapped[bool] = mapped_column(default=False)
    contact_url: Mapped[str] = mapped_column(String(1024), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[CatalogueProvider] = relationship()
    dates: Mapped[list[CatalogueOfferDate]] = relationship(
        back_populates="offer",
        cascade="all, delete-orphan",
        order_by="CatalogueOfferDate.starts_on",
        passive_deletes=True,
    )
    languages: Mapped[list[CatalogueOfferLanguage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    competences: Mapped[list[CatalogueOfferCompetence]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class CatalogueOfferLanguage(Base):
    """A language the offer is taught in (a row each, so the filter uses an index)."""

    __tablename__ = "catalogue_offer_language"
    __table_args__ = (Index("ix_catalogue_offer_language_language", "language", "offer_id"),)

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_offer.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)


class CatalogueOfferCompetence(Base):
    """A framework competence the offer covers (its ESCO URI, where known, is the competence's)."""

    __tablename__ = "catalogue_offer_competence"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_offer.id", ondelete="CASCADE"), primary_key=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CatalogueOfferDate(Base):
    """When and where: a blended session of the provider's platform (its date and place copied
    here when linked, for the filters), dates of the provider's own, or "self-paced"."""

    __tablename__ = "catalogue_offer_date"
    __table_args__ = (
        CheckConstraint(_in("kind", DATE_KINDS), name="ck_catalogue_offer_date_kind"),
        CheckConstraint(
            "seats_left IS NULL OR seats_left >= 0", name="ck_catalogue_offer_date_seats"
        ),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name="ck_catalogue_offer_date_order",
        ),
        Index("ix_catalogue_offer_date_offer", "offer_id", "starts_on"),
        Index("ix_catalogue_offer_date_starts", "starts_on"),
        Index("ix_catalogue_offer_date_postcode", "postcode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("catalogue_offer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="own")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("blended_session.id", ondelete="SET NULL"), default=None, index=True
    )
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    place: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    city: Mapped[str] = mapped_column(String(128), default="")
    # None: not limited (or not told).
    seats_left: Mapped[int | None] = mapped_column(Integer, default=None)

    offer: Mapped[CatalogueOffer] = relationship(back_populates="dates")


class CatalogueOfferEvent(Base):
    """The offer's status history: every draft, publication and withdrawal, by whom and when."""

    __tablename__ = "catalogue_offer_event"
    __table_args__ = (
        CheckConstraint(_in("status", OFFER_STATUSES), name="ck_catalogue_offer_event_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_offer.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )


# The columns PostgreSQL's index of a language's rows by date carries beside its key (``INCLUDE``).
SEARCH_FILTER_COLUMNS = [
    "id",
    "format",
    "funding",
    "postcodes",
    "first_on",
    "last_on",
    "self_paced",
    "free_until",
    "free_undated",
    "dates_exact",
]


class CatalogueOfferSearch(Base):
    """One published offer as searched in one page language: its title and text in that
    language, their Snowball stems (what SQLite's FTS5 table ``catalogue_offer_fts`` indexes,
    kept in step by triggers: ``sqlite_fts``), the ``tsvector`` PostgreSQL searches (written with
    the language's configuration by ``search_index``), and the sort keys."""

    __tablename__ = "catalogue_offer_search"
    __table_args__ = (
        UniqueConstraint("offer_id", "language", name="uq_catalogue_offer_search"),
        # On PostgreSQL it also holds the id and the filters' values: a search with filters and
        # no words reads the language's rows in date order from the index alone.
        Index(
            "ix_catalogue_offer_search_language",
            "language",
            "starts_on",
            "offer_id",
            postgresql_include=SEARCH_FILTER_COLUMNS,
        ),
        # PostgreSQL's GIN indexes on ``tsv``, one per page language: ``search_indexes``.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("catalogue_offer.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(512), default="")
    document: Mapped[str] = mapped_column(Text, default="")
    title_stems: Mapped[str] = mapped_column(Text, default="")
    stems: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[Any] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), nullable=True, default=None
    )
    # The first date still to come (None: self-paced or none), and when it was published.
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # What the filters read, copied from the offer and its dates (``search_filters``), so a
    # search checks them on the row it matched instead of reading the offer and its dates.
    format: Mapped[str] = mapped_column(String(16), default="")
    funding: Mapped[bool] = mapped_column(default=False)
    postcodes: Mapped[str] = mapped_column(Text, default="")  # "|9000|2000": each date's
    first_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # of every date
    last_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    self_paced: Mapped[bool] = mapped_column(default=False)
    free_until: Mapped[dt.date | None] = mapped_column(Date, default=None)  # last date with seats
    free_undated: Mapped[bool] = mapped_column(default=False)  # an undated date with seats
    # True: the offer has at most one date, so the values above are that date's own and the
    # date filters are answered by them alone (else they only rule offers out).
    dates_exact: Mapped[bool] = mapped_column(default=True)
    # The values above as reserved words of the word index (``search_terms``): SQLite's FTS5
    # table indexes them in a column of their own, PostgreSQL's ``tsv`` holds them (weight B).
    filter_terms: Mapped[str] = mapped_column(Text, default="")


class CatalogueOfferInterest(Base):
    """That someone wants an offer: a learner for themselves (``people`` 1), or HR for N people
    of their company (``company_id``), without names. One mark per person and offer (a new one
    replaces it). Providers see only sums per offer (``demand``), and "fewer than 3" below 3;
    ``user_id`` is there so a person can change or take back their mark, never shown."""

    __tablename__ = "catalogue_offer_interest"
    __table_args__ = (
        UniqueConstraint("offer_id", "user_id", name="uq_catalogue_offer_interest"),
        CheckConstraint("people BETWEEN 1 AND 10000", name="ck_catalogue_offer_interest_people"),
        Index("ix_catalogue_offer_interest_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("catalogue_offer.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_company.id", ondelete="SET NULL"), default=None, index=True
    )
    people: Mapped[int] = mapped_column(Integer, default=1)
    marked_on: Mapped[dt.date] = mapped_column(Date)
    # The quarter HR wants it in ("2030-Q1"), "" for any time (``demand_regions``).
    wanted_in: Mapped[str] = mapped_column(String(7), default="", server_default="")


class PostcodePlace(Base):
    """A postcode's place and coordinates, loaded by the administrator from a GeoNames postal-code
    file (``learnpass catalogue postcodes load``); the ranking measures distance with them.
    Public reference data: no person."""

    __tablename__ = "postcode_place"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    postcode: Mapped[str] = mapped_column(String(20), primary_key=True)
    place: Mapped[str] = mapped_column(String(180), default="")
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class CatalogueSearchLexeme(Base):
    """A word of the offers' search rows' ``tsvector`` in a page language (PostgreSQL; empty on
    SQLite), kept by a trigger on ``catalogue_offer_search`` (``search_lexemes``): a word's start
    is then asked of the index as the few words it matches. Never deleted: a word no row holds
    any more only matches nothing. Not unique: two writers adding the same new word at once
    each add it (read as one), so no writer ever waits for another's. No person."""

    __tablename__ = "catalogue_search_lexeme"
    __table_args__ = (Index("ix_catalogue_search_lexeme", "language", "lexeme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(2))
    # Compared bytewise on PostgreSQL, so that the words starting with a text are a range.
    lexeme: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"))
