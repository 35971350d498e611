"""Searching the knowledge base, behind the same kind of interface as the offers' search.

``search_material(session, MaterialQuery(...))`` answers a page of active items the reader may see
(public ones; the network's too for a member). The words match in the page's language as the
offers' do (``search_match``): on SQLite against the Snowball stems in the FTS5 table
(``material_fts``), on PostgreSQL against the ``tsvector`` with the language's configuration; a
word of three letters or more matches as the start of a stem ("lassen" finds "Laswerk").
With words, items whose title has every word come first, then by BM25 (SQLite, titles weigh ten
times the rest) or ``ts_rank`` (PostgreSQL, titles weigh A); without words, the newest first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import Select

from .material import LICENCES, CatalogueMaterial, CatalogueMaterialCompetence
from .material_fts import MATERIAL_FTS
from .material_search_index import CatalogueMaterialSearch, language_term
from .models import LANGUAGES
from .search import QueryRefused
from .search_match import Term, query_terms
from .texts import CONFIGURATIONS

MAX_PER_PAGE = 50
MAX_PAGE = 500
MAX_WORDS = 12
MAX_TEXT = 200
_QUERY_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# BM25's weight of each FTS column (title stems, stems, language term): the title counts ten
# times, the language nothing.
_BM25 = f"bm25({MATERIAL_FTS}, 10.0, 1.0, 0.0)"


@dataclass(frozen=True)
class MaterialQuery:
    language: str = "en"  # the page's
    text: str = ""
    member: bool = False  # came through a launch: sees the network's items too
    platform_id: int | None = None  # the launch's platform: sees the items shown to it alone
    item_language: str | None = None
    competence_id: int | None = None
    licence: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class MaterialPage:
    items: list[CatalogueMaterial]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def check_material_query(query: MaterialQuery) -> None:
    if query.language not in LANGUAGES:
        raise QueryRefused("lang")
    if query.item_language is not None and query.item_language not in LANGUAGES:
        raise QueryRefused("language")
    if query.licence is not None and query.licence not in LICENCES:
        raise QueryRefused("licence")
    if len(query.text) > MAX_TEXT:
        raise QueryRefused("q")
    if not 1 <= query.page <= MAX_PAGE:
        raise QueryRefused("page")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryRefused("per_page")


def _int(args: Any, name: str, default: int | None) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise QueryRefused(name)
    return int(raw)


def material_query_from_args(
    args: Any, language: str, member: bool, platform_id: int | None = None, per_page: int = 20
) -> MaterialQuery:
    """The list page's ``?q=...&language=...&competence=...&licence=...&page=...``, checked."""
    query = MaterialQuery(
        language=language,
        text=(args.get("q") or "").strip(),
        member=member,
        platform_id=platform_id if member else None,
        item_language=(args.get("language") or "").strip() or None,
        competence_id=_int(args, "competence", None),
        licence=(args.get("licence") or "").strip() or None,
        page=_int(args, "page", 1) or 0,
        per_page=_int(args, "per_page", per_page) or 0,
    )
    check_material_query(query)
    return query


def _terms(raw: str, language: str) -> list[Term]:
    words = [w.lower() for w in _QUERY_WORD.findall(raw or "")][:MAX_WORDS]
    terms = query_terms(words, language)
    return terms if any(t.stem for t in terms) else []


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _tsquery(language: str, terms: list[Term], weight: str = "") -> Any:
    config = literal_column(f"'{CONFIGURATIONS[language]}'", REGCONFIG)
    suffix = f":*{weight}"
    parts = [
        f"{t.word}{suffix}" if t.prefix else f"{t.word}{':' + weight if weight else ''}"
        for t in terms
    ]
    return func.to_tsquery(config, " & ".join(parts))


def _fts_match(language: str, terms: list[Term], title_only: bool = False) -> Any:
    """The words in the texts (the title alone: ``title_only``), in the rows of ``language``
    (its reserved word: the index keeps to the page's rows)."""
    words = " AND ".join(f'"{t.stem}"*' if t.prefix else f'"{t.stem}"' for t in terms if t.stem)
    columns = "{title_stems}" if title_only else "{title_stems stems}"
    match = f'language_term : "{language_term(language)}" AND {columns} : ({words})'
    return text(f"{MATERIAL_FTS} MATCH :match").bindparams(bindparam("match", match, unique=True))


def _filters(query: MaterialQuery) -> list[Any]:
    S = CatalogueMaterialSearch
    found: list[Any] = [_visible(query.member, query.platform_id)]
    if query.item_language:
        found.append(S.material_language == query.item_language)
    if query.licence:
        found.append(S.licence == query.licence)
    if query.competence_id is not None:
        found.append(
            exists().where(
                CatalogueMaterialCompetence.material_id == S.material_id,
                CatalogueMaterialCompetence.competence_id == query.competence_id,
            )
        )
    return found


def _matching(session: Session, query: MaterialQuery, terms: list[Term]) -> Select[Any]:
    """The matching rows of the page's language, each with its order keys: ``tier`` (0 when
    the title holds every word) and ``score`` (lower is better)."""
    S = CatalogueMaterialSearch
    if not terms:
        rows = select(S.material_id, literal(0).label("tier"), literal(0.0).label("score"))
        return rows.where(S.language == query.language, *_filters(query))
    if _is_postgresql(session):
        titled = S.tsv.op("@@")(_tsquery(query.language, terms, "A"))
        rank = func.ts_rank(S.tsv, _tsquery(query.language, terms))
        rows = select(
            S.material_id, case((titled, 0), else_=1).label("tier"), (-rank).label("score")
        )
        return rows.where(
            S.language == query.language,
            S.tsv.op("@@")(_tsquery(query.language, terms)),
            *_filters(query),
        )
    # The FTS table drives the query (MATCH runs once) and gives BM25 for each match of the
    # page's language (its reserved word is in MATCH); the language is checked on the search
    # row too. (Were the language's index used first, MATCH would run once per row.)
    fts = table(MATERIAL_FTS, column("rowid"))
    titled_ids = (
        select(column("rowid"))
        .select_from(table(MATERIAL_FTS))
        .where(_fts_match(query.language, terms, title_only=True))
    )
    rows = select(
        S.material_id,
        case((S.id.in_(titled_ids), 0), else_=1).label("tier"),
        literal_column(_BM25).label("score"),
    )
    return (
        rows.select_from(fts)
        .join(S, S.id == fts.c.rowid)
        .where(
            _fts_match(query.language, terms),
            S.language.concat("") == query.language,
            *_filters(query),
        )
    )


def search_material(session: Session, query: MaterialQuery) -> MaterialPage:
    """A page of the items the reader may see that match the query (checked first)."""
    check_material_query(query)
    rows = _matching(session, query, _terms(query.text, query.language)).subquery()
    start = (query.page - 1) * query.per_page
    # The count rides along with the page (a window over every match): the words are matched
    # once. (The order keys are columns of a subquery: FTS5 gives BM25 to no query with a
    # window.) Past the last page no row carries the count, so it is counted apart.
    found = session.execute(
        select(rows.c.material_id, func.count().over().label("total"))
        .order_by(rows.c.tier, rows.c.score, rows.c.material_id.desc())
        .limit(query.per_page)
        .offset(start)
    ).all()
    if found:
        total = found[0].total
    elif start:
        total = session.scalar(select(func.count()).select_from(rows)) or 0
    else:
        total = 0
    return MaterialPage(
        items=_items(session, [row.material_id for row in found]),
        total=total,
        page=query.page,
        per_page=query.per_page,
    )


def _items(session: Session, ids: list[int]) -> list[CatalogueMaterial]:
    if not ids:
        return []
    found = session.scalars(
        select(CatalogueMaterial)
        .where(CatalogueMaterial.id.in_(ids))
        .options(joinedload(CatalogueMaterial.provider))
    )
    by_id = {item.id: item for item in found}
    return [by_id[i] for i in ids if i in by_id]


def _visible(member: bool, platform_id: int | None) -> Any:
    """The rows a reader may see: public ones; the network's too for a member; and those shown
    to one platform, for that platform's people (as ``material.visible_to``)."""
    S = CatalogueMaterialSearch
    if not member:
        return S.visibility == "public"
    shown = S.visibility.in_(("public", "network"))
    if platform_id is None:
        return shown
    return or_(shown, and_(S.visibility == "platform", S.platform_id == platform_id))


def material_competences(
    session: Session, member: bool, platform_id: int | None = None
) -> list[int]:
    """The ids of the competences that items the reader may see serve (the filter's choices)."""
    S, C = CatalogueMaterialSearch, CatalogueMaterialCompetence
    visible = select(S.material_id).where(S.language == "en", _visible(member, platform_id))
    return list(
        session.scalars(
            select(C.competence_id).where(C.material_id.in_(visible)).group_by(C.competence_id)
        )
    )
