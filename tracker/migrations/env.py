"""Alembic environment: uses the engine handed over by tracker.migrate, or TRACKER_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from tracker.db import Base, import_models, make_engine

import_models()
target_metadata = Base.metadata
config = context.config


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from tracker.config import load_settings

    return make_engine(load_settings().database_url)


def run_migrations_online() -> None:
    """Run the migrations in one transaction per migration on the configured engine."""
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table (copy, drop, rename). With foreign keys on, dropping the old
            # table would cascade-delete the rows that refer to it (ON DELETE CASCADE) or null them
            # (SET NULL): an upgrade must never lose data. The pragma only works outside a transaction,
            # so it is set on the driver connection before SQLAlchemy begins one.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER constraints: batch mode copies the table, the naming convention finds them.
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose references are broken: {broken[:5]}")
        connection.commit()
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported; run against a database.")
run_migrations_online()
