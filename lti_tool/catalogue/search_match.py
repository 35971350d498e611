"""Which search rows the words match, on each engine, and their relevance.

A word matches as the start of a stem ("Schweißen", stem "schweiss", finds "Schweißtechnik")
only when its stem has at least ``MIN_PREFIX`` letters; a shorter one must match a whole stem
("ai" finds "AI", not "aid"): a one- or two-letter start would match most of the catalogue.

On SQLite the words' Snowball stems are matched in the FTS5 table (``sqlite_fts``), on PostgreSQL
the words go through the language's text-search configuration against the ``tsvector``.
``title_only`` matches every word in the title alone (the first candidates of *best match* when
very many offers match).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    any_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.types import UserDefinedType

from .models import CatalogueOfferSearch
from .search_indexes import language_only, title_tsvector
from .search_terms import FilterTerm, reserved
from .sqlite_fts import FTS_TABLE
from .texts import CONFIGURATIONS, stems

MIN_PREFIX = 3
Filters = list[FilterTerm] | tuple[()]


@dataclass(frozen=True)
class Term:
    word: str  # as typed, lower case (PostgreSQL stems it itself)
    stem: str  # its Snowball stem ("" for a lone digit, which SQLite does not index)
    # PostgreSQL: the words of the index the word's start matches, when few (``search_lexemes``):
    # asked as those words, not as a start (the index then skips through their entries).
    lexemes: tuple[str, ...] = ()

    @property
    def prefix(self) -> bool:
        return len(self.stem or self.word) >= MIN_PREFIX


def query_terms(words: list[str], language: str) -> list[Term]:
    found = []
    for word in words:
        stemmed = stems(word, language)
        found.append(Term(word, stemmed[0] if stemmed else ""))
    return found


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def words_tsquery(language: str, terms: list[Term], title_only: bool = False) -> Any:
    """The words as a ``tsquery`` of the language's configuration; ``title_only``: in the
    title's words alone (weight A of the ``tsv``: the same words as the title's own
    ``tsvector``)."""
    config = literal_column(f"'{CONFIGURATIONS[language]}'", REGCONFIG)
    typed = [t for t in terms if not t.lexemes]
    listed = [t for t in terms if t.lexemes]
    found = (
        func.to_tsquery(config, tsquery_text(typed, title_only)) if typed or not listed else None
    )
    if listed:
        # Words of the index as they are: a tsquery's own text, which no configuration changes.
        words = bindparam("lexemes", lexemes_text(listed, title_only), _TsQuery(), unique=True)
        found = words if found is None else found.op("&&")(words)
    return found


def lexemes_text(terms: list[Term], title_only: bool = False) -> str:
    """The text of a ``tsquery`` with any of each term's ``lexemes`` (``title_only``: in the
    title)."""
    label = ":A" if title_only else ""

    def quoted(lexeme: str) -> str:
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" + label

    return " & ".join(_any((quoted(x) for x in t.lexemes), " | ") for t in terms)


def tsquery_text(terms: list[Term], title_only: bool = False) -> str:
    """The text ``to_tsquery`` reads for the words (``words_tsquery``), each as typed."""
    parts = []
    for t in terms:
        if title_only:
            weights = "A"
        else:  # a word that could be a reserved one matches only the texts' weights (A and D)
            weights = "AD" if reserved(t.word) else ""
        label = ("*" if t.prefix else "") + weights
        parts.append(f"{t.word}:{label}" if label else t.word)
    return " & ".join(parts)


def filters_tsquery(filters: Filters) -> Any:
    """The filters' reserved words (``search_terms``) as a ``tsquery`` ('simple')."""
    simple = literal_column("'simple'", REGCONFIG)
    return func.to_tsquery(simple, filters_tsquery_text(filters))


def filters_tsquery_text(filters: Filters) -> str:
    """The text ``to_tsquery`` reads for the filters' reserved words (``filters_tsquery``)."""
    return " & ".join(_any((f"{w}:*" if f.prefix else w for w in f.words), " | ") for f in filters)


def matching_tsquery(
    language: str, terms: list[Term], filters: Filters = (), title_only: bool = False
) -> Any:
    """The words (``title_only``: in the title) and the filters' reserved words, as one
    ``tsquery``."""
    words = words_tsquery(language, terms, title_only=title_only)
    return words.op("&&")(filters_tsquery(filters)) if filters else words


def _any(words: Iterable[str], operator: str) -> str:
    """One word, or several in brackets joined by ``operator`` (any of them matches)."""
    found = list(words)
    return found[0] if len(found) == 1 else "(" + operator.join(found) + ")"


def _fts_match(
    language: str, terms: list[Term], title_only: bool = False, filters: Filters = ()
) -> str:
    def phrase(t: Term) -> str:
        found = f'"{t.stem}"*' if t.prefix else f'"{t.stem}"'
        # A word that could be a reserved one is looked for in the texts only.
        return f"{{title_stems stems}} : {found}" if reserved(t.stem) else found

    words = " AND ".join(phrase(t) for t in terms if t.stem)
    if title_only:
        words = f"{{title_stems}} : ({words})"
    if filters:
        wanted = " AND ".join(
            _any((f'"{w}"*' if f.prefix else f'"{w}"' for w in f.words), " OR ") for f in filters
        )
        words = f"{words} AND filter_terms : ({wanted})"
    # The language is a column of the FTS table too: the index itself keeps to the page's.
    return f"language : {language} AND {words}"


def _match_clause(match: str) -> Any:
    # A bind of its own each time: one statement may hold two matches (title, anywhere).
    return text(f"{FTS_TABLE} MATCH :match").bindparams(bindparam("match", match, unique=True))


def matching_rows(
    session: Session,
    language: str,
    terms: list[Term],
    title_only: bool = False,
    filters: Filters = (),
) -> Select[Any]:
    """``SELECT`` of the search rows of ``language`` matching every term (all rows without);
    with terms, also the reserved words of ``filters`` (``search_terms``: they only rule rows
    out, the filters themselves are still to check). On PostgreSQL ``title_only`` reads the
    title index, which holds the reserved words too."""
    S = CatalogueOfferSearch
    if not terms:
        return select(S.id).where(S.language == language)
    if _is_postgresql(session):
        # A literal language: the planner then knows how many rows it keeps, and may use the
        # language's title index (its condition is the language).
        lang = literal_column(f"'{language}'")
        if title_only:
            # The title's own tsvector, not the A-weighted words of ``tsv``: the same words,
            # found by the title index of the language instead of reading every match again;
            # with the reserved words of the filters, so the index rules out the rows the
            # filters would (a postcode: 770 of the 6,357 titles with "Sicherheit", 7 ms
            # against 20 when each title match was read to check it).
            # The language is compared as an expression ("|| ''"), the title index's own
            # condition (``search_indexes``): the planner cannot add the language's btree index
            # (it combined the title index with a bitmap of all the language's 100,000 rows,
            # about 100 ms), and no other statement can use the title index.
            words = matching_tsquery(language, terms, filters)
            return select(S.id).where(
                language_only(language), title_tsvector(language).op("@@")(words)
            )
        matched = S.tsv.op("@@")(matching_tsquery(language, terms, filters))
        return select(S.id).where(S.language == lang, matched)
    # The FTS table drives the query: MATCH then runs once. Were the language's index used
    # first, MATCH would run once per search row of the language (seconds at 100,000 offers);
    # comparing an expression of the column keeps the planner off that index.
    fts = table(FTS_TABLE, column("rowid"))
    return (
        select(S.id)
        .select_from(fts)
        .join(S, S.id == fts.c.rowid)
        .where(
            _match_clause(_fts_match(language, terms, title_only, filters)),
            S.language.concat("") == language,
        )
    )


def sorted_matching_rows(
    session: Session, language: str, terms: list[Term], filters: Filters = ()
) -> Select[Any]:
    """The same rows, for a query ordered by a column of the search rows (soonest, newest,
    title): the language's index drives it and the words are a condition on each row, so the
    first rows in that order come without reading every match."""
    S = CatalogueOfferSearch
    if not terms or _is_postgresql(session):
        return matching_rows(session, language, terms, filters=filters)
    fts = table(FTS_TABLE, column("rowid"))
    ids = select(fts.c.rowid).where(_match_clause(_fts_match(language, terms, filters=filters)))
    # "+ 0": the row's id is checked against the matches, never the way in (the index is).
    return select(S.id).where(S.language == language, (S.id + 0).in_(ids))


def row_matches(language: str, terms: list[Term], row_id: Any, filters: Filters = ()) -> Any:
    """SQLite: whether the search row ``row_id`` matches every term (and the filters' reserved
    words), one FTS5 lookup of that row: cheap for a few rows, never a way to scan many."""
    fts = table(FTS_TABLE, column("rowid"))
    match = _match_clause(_fts_match(language, terms, filters=filters))
    return select(literal_column("1")).select_from(fts).where(match, fts.c.rowid == row_id).exists()


def read_ids(session: Session, rows: Select[Any]) -> list[int]:
    """The ids a ``SELECT`` of one column gives, read on the session's connection: the ORM's
    loading of 1,001 rows cost 0.7 ms more of this process's CPU, for plain integers."""
    return list(session.connection().execute(rows).scalars().all())


class _TsQuery(UserDefinedType[str]):
    """PostgreSQL: the text of a ``tsquery``, sent as one (``%(x)s::TSQUERY``)."""

    cache_ok = True
    render_bind_cast = True

    def get_col_spec(self, **kw: Any) -> str:
        return "TSQUERY"


class _IdArray(UserDefinedType[list[int]]):
    """PostgreSQL: a list of ids sent as the text of an ``integer[]`` literal (``{1,2,3}``),
    typed by the statement's cast, so the server reads it once as a constant array. (A cast of
    a text parameter in the statement is evaluated again for each row it is compared with.)"""

    cache_ok = True
    render_bind_cast = True

    def get_col_spec(self, **kw: Any) -> str:
        return "INTEGER[]"

    def bind_processor(self, dialect: Any) -> Any:
        return lambda ids: "{" + ",".join(map(str, map(int, ids))) + "}"


def among(session: Session, key: Any, ids: list[int]) -> Any:
    """``key`` is one of ``ids``, sent as one parameter: on PostgreSQL an array (``= ANY``), on
    SQLite a JSON list read by ``json_each``. An ``IN`` list of 1,000 or 2,000 parameters cost
    more of this process's CPU than the search itself (each one rendered and sent apart).
    PostgreSQL's array goes as the text of its literal (``{1,2,3}``), cast by the server: the
    driver's own array of 1,000 integers cost 1.5 ms of this process's CPU (each element
    adapted and checked for quoting), the text 0.2 ms."""
    if _is_postgresql(session):
        return key == any_(bindparam("ids", ids, type_=_IdArray(), unique=True))
    listed = func.json_each(bindparam("ids", json.dumps(ids), unique=True)).table_valued("value")
    return key.in_(select(listed.c.value))


def ranked_rows(
    session: Session, language: str, terms: list[Term], first: list[int], titled: list[int]
) -> tuple[Select[Any], list[Any]]:
    """``SELECT`` of the candidates, the search rows ``first`` and ``titled`` (ids, all matching
    the terms), and its ascending rank: first the rows whose title has every word (``titled``),
    then on PostgreSQL by ``ts_rank`` (titles weigh A), on SQLite the shorter titles first.
    (SQLite's BM25 cannot be asked for a list of rows: FTS5 would run the whole query again for
    each.) ``first`` may be empty when the page lies among the title matches."""
    S = CatalogueOfferSearch
    tier = case((among(session, S.id, titled), 0), else_=1)
    if _is_postgresql(session):
        second = _words_rank(language, terms)
    else:
        second = func.length(S.title_stems)
    candidates = sorted(set(first) | set(titled))
    return select(S.id).where(among(session, S.id, candidates)), [tier, second]


def ranked_matches(
    session: Session, language: str, terms: list[Term], ids: list[int]
) -> tuple[Select[Any], list[Any]]:
    """PostgreSQL: the rank of ``ranked_rows`` for the search rows ``ids`` (every match), each
    row's tier read from its own ``tsv`` (every word among the title's, weight A: the words of
    the title's own ``tsvector``) instead of a list of title matches. Asking the title index for
    the title matches among a few hundred rows read every title match of the word (12,000 rows
    for "welding", 29 ms); the ``tsv`` each candidate holds tells it at once."""
    S = CatalogueOfferSearch
    in_title = S.tsv.op("@@")(words_tsquery(language, terms, title_only=True))
    tier = case((in_title, 0), else_=1)
    return select(S.id).where(among(session, S.id, ids)), [tier, _words_rank(language, terms)]


def _words_rank(language: str, terms: list[Term]) -> Any:
    """PostgreSQL: a row's rank for the words, ascending (``ts_rank``; titles weigh A). The
    words as typed (a start, not the index's words it matches): the rank of a word's start
    counts each word it matches as one."""
    typed = [replace(t, lexemes=()) for t in terms]
    return -func.ts_rank(CatalogueOfferSearch.tsv, matching_tsquery(language, typed))
