"""The migrations build exactly the schema the models describe, and an upgrade keeps what is stored."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tracker.db import Base, import_models, make_engine
from tracker.migrate import current_revision, head_revision, upgrade


def _differences(engine) -> list:
    import_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, Base.metadata)
    # the search machinery (FTS5 tables on SQLite, a tsvector column and its index on PostgreSQL) lives in
    # migration 0002 on purpose and has no model
    return [d for d in found if "letter_fts" not in str(d) and "search_vector" not in str(d)
            and "ix_letter_search" not in str(d)]


def test_the_migrated_schema_is_the_models_schema(app, tmp_path):
    """A column added to a model without a migration (or the other way round) fails here, on both databases."""
    assert _differences(app.extensions["tracker.engine"]) == []
    # and the check sees a missing migration: one revision short, the newest columns are reported
    behind = make_engine(f"sqlite:///{tmp_path / 'behind.db'}")
    upgrade(behind, "0021")
    assert any("heartbeat_at" in str(d) for d in _differences(behind))
    behind.dispose()


def test_upgrading_to_the_reply_columns_and_the_report_heartbeat_keeps_letters_tasks_and_runs(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0020")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO agency (id, code, name, kind, active, created_at, updated_at, aliases, emails, search_text)"
            " VALUES (1, 'finance', 'Sở Tài chính', 'department', 1, '2019-09-01', '2019-09-01', '[]', '[]',"
            " 'so tai chinh')")
        conn.exec_driver_sql(
            "INSERT INTO letter (id, received_year, received_number, received_on, number, issuer, subject,"
            " recipients, \"references\", full_text, search_text, created_at, updated_at, version) VALUES"
            " (1, 2019, 7, '2019-09-02', '12/UBND', 'UBND tỉnh', 'an sinh', '[]', '[]', 'an sinh', 'an sinh',"
            " '2019-09-02', '2019-09-02', 1)")
        conn.exec_driver_sql(
            "INSERT INTO task (id, letter_id, agency_id, role, summary, status, progress, created_at, updated_at,"
            " version) VALUES (1, 1, 1, 'lead', 'Rà soát', 'assigned', 30, '2019-09-02', '2019-09-02', 1)")
        conn.exec_driver_sql(
            "INSERT INTO report_run (id, kind, file_format, params, origin, state, progress, created_at) VALUES"
            " (1, 'summary', 'docx', '{}', 'web', 'done', 100, '2019-09-02')")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT number, reply_number FROM letter").one() == ("12/UBND", None)
        assert conn.exec_driver_sql("SELECT progress, reply_number FROM task").one() == (30, None)
        assert conn.exec_driver_sql("SELECT state, heartbeat_at FROM report_run").one() == ("done", None)
        # the letter is still found by the register's search (its triggers survived)
        assert conn.exec_driver_sql("SELECT count(*) FROM letter_fts WHERE letter_fts MATCH 'sinh'").scalar_one() == 1
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_upgrading_to_pending_uploads_keeps_events_and_sign_in_failures(tmp_path):
    """Migration 0025 adds the pending uploads, the submission key of task events and the throttle's window."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0024")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO login_throttle (key, failures) VALUES ('vanthu', 3)")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT key, failures, last_failure_at FROM login_throttle").one() == (
            "vanthu", 3, None)
        assert conn.exec_driver_sql("SELECT count(*) FROM pending_upload").scalar_one() == 0
    engine.dispose()
