"""PostgreSQL: a word's start asked of the index as the few words it matches.

A visitor's word matches as the start of a word of the index (``search_match``: "veiligheid"
is the start ``veilig:*``). GIN reads a start by gathering every entry of every word with it
first, then combining them with the other words; an exact word it reads together with the
others, skipping through the entries of the more common ones. On the 100,000 offers of
``bench/catalogue.py``, "Sicherheit" (``sich:*``) in postcode area 52 (``zzpc52:*``) took 20
to 30 ms as starts and 6 as the words they match (one each: ``sich``, ``zzpc52062``).

So the words of the search rows are kept in ``catalogue_search_lexeme`` (per page language; a
trigger adds those of each row written, whoever writes it), and before a search reads the index,
each start is looked up there: when it matches at most ``MOST`` words, the search asks for any of
those words instead (``Term.lexemes``; a postcode's start becomes a list of postcode words). The
rows found are the same: the table holds every word a row of the language has held. A start
matching more words (or none) is asked as before. One statement for all the search's starts.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import DDL, event, text
from sqlalchemy.orm import Session

from .models import CatalogueOfferSearch
from .search_match import Filters, Term
from .search_terms import FilterTerm, reserved
from .texts import CONFIGURATIONS

MOST = 16

# The words of the rows an INSERT or UPDATE wrote (an UPDATE: of the rows whose tsvector changed)
# that the table lacks, in one statement per statement. No unique key: a writer never waits for
# another adding the same word (with one, two writers adding new words in other orders could
# each wait for the other); a word added twice is read once.
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
for _statement in TRIGGERS:
    event.listen(
        CatalogueOfferSearch.__table__,
        "after_create",
        DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"),
    )

# Each start as the configuration reads it (``'veilig':*``), and the words it matches, at most
# ``MOST`` + 1 of them (more: asked as a start). A word that is not one start (a stop word,
# several tokens, a quote in it) matches none here and is asked as before.
_LOOKUP = text(
    """
WITH asked AS (
  SELECT n, substring(to_tsquery(CAST(config AS regconfig), word)::text
                      FROM '^''([^''\\\\]+)'':\\*$') AS start
  FROM unnest(CAST(:words AS text[]), CAST(:configs AS text[]))
       WITH ORDINALITY AS u(word, config, n)
)
SELECT asked.n, found.lexeme FROM asked CROSS JOIN LATERAL (
  SELECT DISTINCT lexeme FROM catalogue_search_lexeme
  WHERE language = :language AND asked.start IS NOT NULL
    AND lexeme >= asked.start COLLATE "C" AND lexeme < (asked.start || chr(1114111)) COLLATE "C"
  ORDER BY lexeme LIMIT :most
) AS found
"""
)


def expanded(
    session: Session, language: str, terms: list[Term], wanted: Filters
) -> tuple[list[Term], Filters]:
    """``terms`` and ``wanted`` with each start that matches at most ``MOST`` words of the index
    as those words (PostgreSQL; else as they are)."""
    if session.get_bind().dialect.name != "postgresql":
        return terms, wanted
    asked: list[tuple[str, str]] = []  # (word, configuration), in order: terms, then filters
    for t in terms:
        # (a word that could be a reserved one is asked in the texts' weights only: as before)
        start = f"{t.word}:*" if t.prefix and not reserved(t.word) else ""
        asked.append((start, CONFIGURATIONS[language]))
    for f in wanted:  # reserved words, as they are ('simple')
        asked.append((f"{f.word}:*" if f.prefix and not f.or_words else "", "simple"))
    if not any(word for word, _ in asked):
        return terms, wanted
    found: dict[int, list[str]] = {}
    rows = session.execute(
        _LOOKUP,
        {
            "words": [word for word, _ in asked],
            "configs": [config for _, config in asked],
            "language": language,
            "most": MOST + 1,
        },
    )
    for n, lexeme in rows:
        found.setdefault(n - 1, []).append(lexeme)

    # Each asked start's words, when few enough ([] keeps it a start), in the order asked.
    listed = [w if 0 < len(w := found.get(n, [])) <= MOST else [] for n in range(len(asked))]
    new_terms = [
        replace(t, lexemes=tuple(words)) if words else t
        for t, words in zip(terms, listed[: len(terms)], strict=True)
    ]
    new_wanted: list[FilterTerm] = [
        FilterTerm(words[0], or_words=tuple(words[1:])) if words else f  # exact words
        for f, words in zip(wanted, listed[len(terms) :], strict=True)
    ]
    return new_terms, new_wanted
