"""Search of the incoming register without diacritics: SQLite FTS5, PostgreSQL full-text search."""

from __future__ import annotations

import functools
import re

from sqlalchemy import ARRAY, Integer, Select, TypeDecorator, any_, bindparam, func, literal_column, select, text

from tracker.intake.models import Letter
from tracker.text import fold

MAX_TERMS = 12


def search_terms(query: str) -> list[str]:
    """Folded words of a query, letters and digits only ("871/VP-VHXH" -> 871, vp, vhxh)."""
    return re.findall(r"[a-z0-9]+", fold(query))[:MAX_TERMS]


def matching_letter_ids(query: str, dialect: str):
    """The ids of the letters whose text has every word of ``query`` (as a prefix), as a subquery for IN; on
    SQLite straight from the FTS5 table, without visiting the letters themselves."""
    terms = search_terms(query)
    if dialect == "sqlite" and terms:
        match = " AND ".join(f'"{t}"*' for t in terms)
        return text("SELECT rowid FROM letter_fts WHERE letter_fts MATCH :match").bindparams(match=match) \
            .columns(rowid=Letter.id.type)
    found = apply_search(select(Letter.id), query, dialect)
    if dialect == "postgresql" and terms:
        # found once through the GIN index: left in the query, PostgreSQL judged the match unselective and
        # computed each letter's tsvector while walking the tasks (3 s to count 10,000 tasks at 1M tasks)
        found = select(found.cte("found_letters").prefix_with("MATERIALIZED").c.id)
    return found


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


#: PostgreSQL: the most letter ids a search hands on as a list (a search matching more stays a subquery)
LISTED_LETTERS_MAX = 50_000


def letters_matching(column, query: str, dialect: str, session=None):
    """A condition on ``column`` (a column of letter ids, e.g. Task.letter_id): the letter has every word of
    ``query`` as a prefix. With a ``session``, a broad search keeps the query's order index (see
    BROAD_SEARCH_LETTERS); on PostgreSQL the letters are then found once, before the statements that use them.

    PostgreSQL: inside the statements, the letters found through the GIN index were found again by the count and
    by the page (about 50 ms each at 200,000 letters), and a page in the list's order tested each task against
    them in a loop. Found once and bound as an array constant, each statement tests a task in a hash of the ids
    (the text filter at 1M tasks: 210 -> 98 ms in process).
    """
    if dialect == "postgresql" and session is not None and search_terms(query):
        # one array, not a row per letter: 24,000 rows cost 40 ms to read in Python, one array 2 ms
        found = session.scalar(select(func.array_agg(literal_column("id"))).select_from(
            apply_search(select(Letter.id), query, dialect).limit(LISTED_LETTERS_MAX + 1).subquery())) or []
        if len(found) <= LISTED_LETTERS_MAX:
            # on this connection (psycopg copies the global adapters when it connects)
            driver = session.connection().connection.driver_connection
            driver.adapters.register_dumper(LetterIds, _letter_ids_dumper())
            key = column + 0 if len(found) > BROAD_SEARCH_LETTERS else column
            return key == any_(bindparam("letters_found", LetterIds(found), type_=_LetterIdArray()))
    key = column + 0 if is_broad(session, query, dialect) else column
    return key.in_(matching_letter_ids(query, dialect))


def apply_search(statement: Select, query: str, dialect: str, session=None) -> Select:
    """Restrict a letters query to those whose text has every word of ``query`` (as a prefix); on SQLite through
    ``letters_matching`` (with a ``session``, a broad search keeps the query's order index)."""
    terms = search_terms(query)
    if not terms:
        return statement
    if dialect == "sqlite":
        return statement.where(letters_matching(Letter.id, query, dialect, session))
    if dialect == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        # the expression of the GIN index (migration 0023): punctuation as spaces, so "871/vp-vhxh" gives
        # the words 871, vp, vhxh as FTS5 does, not one file-name token
        # (literal SQL, not bound parameters, so the planner can match the index's expression)
        words = literal_column("to_tsvector('simple', regexp_replace(letter.search_text, '[^a-z0-9]+', ' ', 'g'))")
        return statement.where(words.op("@@")(func.to_tsquery("simple", tsquery)))
    for term in terms:
        statement = statement.where(Letter.search_text.contains(term))
    return statement
