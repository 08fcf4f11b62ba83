"""Search of the incoming register without diacritics: SQLite FTS5, PostgreSQL full-text search."""

from __future__ import annotations

import functools
import json
import re

from sqlalchemy import ARRAY, Integer, Select, TypeDecorator, any_, bindparam, func, literal_column, select, text

from tracker.intake.models import Letter
from tracker.text import fold

MAX_TERMS = 12


def search_terms(query: str) -> list[str]:
    """Folded words of a query, letters and digits only ("871/VP-VHXH" -> 871, vp, vhxh).

    A search matches these as whole words, not as prefixes: a Vietnamese word is a syllable, and without its marks a
    syllable is a prefix of many others ("ngan" of "ngành", "ngang"), so "giai ngan" matched three times as many
    letters as have "giải" and "ngân" (and the index had to read the postings of every longer word)."""
    return re.findall(r"[a-z0-9]+", fold(query))[:MAX_TERMS]


def _words_of_letter_match(terms: list[str]):
    """PostgreSQL: the letter's search words (migration 0031: a stored column, indexed) have every term."""
    return literal_column("letter.search_words").op("@@")(func.to_tsquery("simple", " & ".join(terms)))


def _fts_match(terms: list[str]) -> str:
    """SQLite: the FTS5 query of letters with every term, each a whole word (quoted: a term is never syntax)."""
    return " AND ".join(f'"{t}"' for t in terms)


def matching_letter_ids(query: str, dialect: str):
    """The ids of the letters whose text has every word of ``query``, as a subquery for IN; on
    SQLite straight from the FTS5 table, without visiting the letters themselves."""
    terms = search_terms(query)
    if dialect == "sqlite" and terms:
        match = _fts_match(terms)
        return text("SELECT rowid FROM letter_fts WHERE letter_fts MATCH :match").bindparams(match=match) \
            .columns(rowid=Letter.id.type)
    return apply_search(select(Letter.id), query, dialect)


#: a search matching more letters than this is read in the list's order, keeping the letters (or their tasks)
#: found, since a page then fills after a few hundred rows; one matching fewer is read from the letters found and
#: sorted, since they are few. SQLite has no statistics to choose so (PostgreSQL chooses itself)
BROAD_SEARCH_LETTERS = 500


def is_broad(session, query: str, dialect: str) -> bool:
    """Whether ``query`` matches more than BROAD_SEARCH_LETTERS letters (counted on SQLite only, up to that)."""
    if session is None or dialect != "sqlite" or not search_terms(query):
        return False
    ids = matching_letter_ids(query, dialect).subquery()
    found = session.scalar(select(func.count()).select_from(select(ids).limit(BROAD_SEARCH_LETTERS + 1).subquery()))
    return (found or 0) > BROAD_SEARCH_LETTERS


class LetterIds(list):
    """Letter ids bound as one PostgreSQL integer array, written in one go (see _letter_ids_dumper)."""


class _LetterIdArray(TypeDecorator):
    """An integer array passed to the driver as it is: SQLAlchemy's ARRAY copies the value into a plain list,
    which psycopg would then write with its element-by-element dumper instead of LetterIds' own."""

    impl = ARRAY(Integer)
    cache_ok = True

    def bind_processor(self, dialect):
        return None


@functools.cache
def _letter_ids_dumper():
    """psycopg's dumper of LetterIds: its own list dumper tests each element for quoting (25 ms for 24,000 ids);
    ids need none."""
    from psycopg.adapt import Dumper
    from psycopg.postgres import types as pg_types

    class LetterIdsDumper(Dumper):
        oid = pg_types["int4"].array_oid

        def dump(self, obj):
            return ("{" + ",".join(str(int(i)) for i in obj) + "}").encode()

    return LetterIdsDumper


#: PostgreSQL: a search matching at most this many letters hands their ids on as a list, found once; one matching
#: more is for a common word, whose share of the letters PostgreSQL's statistics of the words know, so it stays in
#: the statements and the planner walks the list's order, testing each letter's stored words
LISTED_LETTERS_MAX = 25_000
#: PostgreSQL: a search its planner expects in more letters than this is taken for a common word at once, without
#: trying to list its letters (the statistics know common words well, and guess about 850 letters for the others;
#: for several words they assume independence and guess about half of what there is)
COMMON_WORDS_ESTIMATE = 20_000


def _estimated_letters(session, terms: list[str]) -> int:
    """PostgreSQL: how many letters its planner expects to have every term (EXPLAIN, a fraction of a ms)."""
    # written into the statement (EXPLAIN takes no parameters): search_terms keeps letters a-z and digits only
    assert all(re.fullmatch(r"[a-z0-9]+", term) for term in terms)
    plan = session.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM letter WHERE search_words @@ "
                                f"to_tsquery('simple', '{' & '.join(terms)}')")).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _found_letters(session, terms: list[str]) -> LetterIds | None:
    """PostgreSQL: the ids of the letters that have every term, or None when there are more than
    LISTED_LETTERS_MAX.

    Why a list: PostgreSQL estimates a word it has no statistics for at about 850 letters, so for a rare word
    (a letter number) it walked the register in its order looking for 20 of them, and tested all 200,000. The ids
    found exactly, bound as one array, tell it how many there are; each statement then tests a row in a hash
    of them."""
    # found once per transaction, for the count and for the page (a later transaction may see other letters)
    session.connection()  # begins the transaction if none has begun yet, so that it can be told apart
    transaction = session.get_transaction()
    kept = session.info.get("tracker.letters_found")
    if kept is None or kept[0] is not transaction:
        kept = session.info["tracker.letters_found"] = (transaction, {})
    known = kept[1]
    if tuple(terms) not in known:
        known[tuple(terms)] = _list_letters(session, terms)
    return known[tuple(terms)]


def _list_letters(session, terms: list[str]) -> LetterIds | None:
    """PostgreSQL: the ids of the letters that have every term, or None for a common word (see _found_letters)."""
    if _estimated_letters(session, terms) > COMMON_WORDS_ESTIMATE:
        return None
    # one array, not a row per letter: 24,000 rows cost 40 ms to read in Python, one array 2 ms
    found = session.scalar(select(func.array_agg(literal_column("id"))).select_from(
        select(Letter.id).where(_words_of_letter_match(terms)).limit(LISTED_LETTERS_MAX + 1).subquery())) or []
    if len(found) > LISTED_LETTERS_MAX:
        return None
    # on this connection (psycopg copies the global adapters when it connects)
    session.connection().connection.driver_connection.adapters.register_dumper(LetterIds, _letter_ids_dumper())
    return LetterIds(found)


def _in_found(column, found: LetterIds):
    return column == any_(bindparam("letters_found", found, type_=_LetterIdArray()))


def letters_matching(column, query: str, dialect: str, session=None):
    """A condition on ``column`` (a column of letter ids, e.g. Task.letter_id): the letter has every word of
    ``query``. With a ``session``, a broad search keeps the query's order index on SQLite (see
    BROAD_SEARCH_LETTERS), and PostgreSQL finds the letters of a narrow search once, before the statements that
    use them (see _found_letters)."""
    if dialect == "postgresql" and session is not None and search_terms(query):
        found = _found_letters(session, search_terms(query))
        if found is not None:
            return _in_found(column, found)
    key = column + 0 if is_broad(session, query, dialect) else column
    return key.in_(matching_letter_ids(query, dialect))


def apply_search(statement: Select, query: str, dialect: str, session=None) -> Select:
    """Restrict a letters query to those whose text has every word of ``query``; on SQLite through
    ``letters_matching`` (with a ``session``, a broad search keeps the query's order index)."""
    terms = search_terms(query)
    if not terms:
        return statement
    if dialect == "sqlite":
        return statement.where(letters_matching(Letter.id, query, dialect, session))
    if dialect == "postgresql":
        found = _found_letters(session, terms) if session is not None else None
        return statement.where(_in_found(Letter.id, found) if found is not None else _words_of_letter_match(terms))
    for term in terms:
        statement = statement.where(Letter.search_text.contains(term))
    return statement


def count_register_matches(session, query: str, dialect: str, limit: int) -> tuple[int, bool] | None:
    """How many letters of the register (those not enclosed in another) have every word of ``query``, counted
    from the search index instead of the register: (count up to ``limit``, whether exact), or None when only the
    register's own count can tell (no words; PostgreSQL and a common word).

    Counted in the register's order, a search for words in 7,000 of 200,000 letters tested all 200,000 (35 ms on
    SQLite); FTS5 counts its matches in 2 ms, leaving out the few enclosed letters."""
    terms = search_terms(query)
    if not terms:
        return None
    if dialect == "sqlite":
        # the few enclosed letters left out through their partial index
        count = session.scalar(text(
            "SELECT count(*) FROM letter_fts WHERE letter_fts MATCH :match "
            "AND rowid NOT IN (SELECT id FROM letter WHERE enclosed_in_id IS NOT NULL)"),
            {"match": _fts_match(terms)}) or 0
    elif dialect == "postgresql":
        letters = _found_letters(session, terms)
        if letters is None:
            return None
        # "+ 0": from the few enclosed letters (their partial index), not from each letter found by its key
        enclosed = session.scalar(select(func.count()).select_from(Letter).where(
            Letter.enclosed_in_id.is_not(None), _in_found(Letter.id + 0, letters))) or 0
        count = len(letters) - enclosed
    else:
        return None
    return min(count, limit), count <= limit
