"""Database plumbing shared by every area: declarative base, engine, sessions, transactions.

Plain SQLAlchemy 2.0, no Flask. The caller owns the transaction: operations add and flush,
the view, CLI command or scheduler job that called them commits once.

SQLite is used as a real database: WAL journal, ``synchronous=NORMAL``, foreign keys on, a busy
timeout, and write transactions that start with ``BEGIN IMMEDIATE``. A deferred transaction that
reads and then writes fails with "database is locked" when another writer got there first, because
SQLite cannot upgrade its read lock while another connection holds the write lock; taking the write
lock at BEGIN makes the second writer wait for the busy timeout instead.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import DateTime, MetaData, Select, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

#: Constraint names Alembic can find again, so batch migrations can alter them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000

#: The largest value an Integer column holds on every database (PostgreSQL's ``integer`` is 32-bit, SQLite's
#: 64-bit): ids and numbers from outside are refused above it instead of failing in the driver.
MAX_INTEGER = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone; this restores it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every model, with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would issue a deferred BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def count_capped(session: Session, statement: Select, limit: int) -> tuple[int, bool]:
    """How many rows ``statement`` has, counting no further than ``limit``: (count, whether it is exact)."""
    found = session.scalar(select(func.count()).select_from(statement.limit(limit + 1).subquery())) or 0
    return min(found, limit), found <= limit


def make_engine(url: str, **kwargs) -> Engine:
    """Create the engine for ``url`` with the settings this application relies on."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def read_only(engine: Engine) -> Engine:
    """The same engine whose SQLite transactions start deferred (plain page views, reports)."""
    return engine.execution_options(sqlite_begin="DEFERRED")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def import_models() -> None:
    """Import every model module so the metadata knows all tables (Alembic, tests)."""
    from tracker.accounts import models as _accounts  # noqa: F401
    from tracker.agencies import models as _agencies  # noqa: F401
    from tracker.intake import models as _intake  # noqa: F401
    from tracker.tasks import models as _tasks  # noqa: F401
    from tracker.tasks import tally as _tally  # noqa: F401  (the overview's running counts)
    from tracker.reminders import models as _reminders  # noqa: F401  (and the calendar table)
    from tracker.reports import models as _reports  # noqa: F401
