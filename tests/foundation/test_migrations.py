"""The migrations build exactly the schema the models describe, and an upgrade keeps what is stored."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from tests.conftest import DATABASES
from tracker.db import Base, import_models, make_engine
from tracker.migrate import current_revision, head_revision, upgrade


def _differences(engine) -> list:
    import_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, Base.metadata)
    # the search machinery (FTS5 tables on SQLite, a generated column of words and its index on PostgreSQL) lives
    # in migrations 0002 and 0031 on purpose and has no model: nothing in Python reads or writes it
    return [d for d in found if "letter_fts" not in str(d) and "search_vector" not in str(d)
            and "search_words" not in str(d) and "ix_letter_search" not in str(d)]


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


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    """An empty database (no migration run yet) on each database the session tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield cluster.url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrading_to_token_scopes_keeps_an_existing_token_working_with_write(empty_database_url, tmp_path):
    """Migration 0026: a token made before scopes existed becomes 'write', never expires, and still reads and writes."""
    from tracker.app import create_app
    from tracker.tasks.api_tokens import hash_token

    secret = "trk_" + "e" * 40
    engine = make_engine(empty_database_url)
    upgrade(engine, "0025")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO user_account (id, username, full_name, password_hash, role, active, session_token, created_at)"
            " VALUES (1, 'lanhdao', 'Lãnh đạo', 'x', 'leader', TRUE, 'abc', '2019-09-02 08:00:00')"))
        conn.execute(text(
            "INSERT INTO api_token (id, name, token_hash, prefix, user_id, created_at)"
            " VALUES (1, 'e-office', :hash, :prefix, 1, '2019-09-02 08:00:00')"),
            {"hash": hash_token(secret), "prefix": secret[:10]})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, scope, expires_at, revoked_at FROM api_token")).one() == (
            "e-office", "write", None, None)
    engine.dispose()

    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app({"instance_path": instance, "database_url": empty_database_url, "secret_key": "k" * 32,
                      "TESTING": True, "TRACKER_TODAY": "2019-09-20"})
    try:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/tasks", headers=headers).status_code == 200
        # a write reaches the task lookup (404: no such task), not the read-only refusal (403) or 401
        written = client.post("/api/tasks/999/progress", json={"version": 1, "progress": 10}, headers=headers)
        assert written.status_code == 404, written.get_json()
    finally:
        app.extensions["tracker.engine"].dispose()


def test_upgrading_to_letter_proposals_keeps_letters_and_counts_none_of_them(tmp_path):
    """Migration 0027 adds the proposals table; letters registered before it keep their rows and have no proposal
    (the quality page does not count them, as letters registered by hand)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0026")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO letter (id, received_year, received_number, received_on, number, issuer, subject,"
            " recipients, \"references\", full_text, search_text, created_at, updated_at, version) VALUES"
            " (1, 2022, 12, '2022-08-17', '3715/UBND-KGVX', 'UBND tỉnh', 'an sinh', '[]', '[]', 'an sinh',"
            " 'an sinh', '2022-08-17', '2022-08-17', 1)")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT number, received_number FROM letter").one() == ("3715/UBND-KGVX", 12)
        assert conn.exec_driver_sql("SELECT count(*) FROM letter_proposal").scalar_one() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM letter_fts WHERE letter_fts MATCH 'sinh'").scalar_one() == 1
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_upgrading_to_ocr_jobs_keeps_held_uploads_and_a_job_goes_with_its_upload(tmp_path):
    """Migration 0028 adds the OCR jobs table; an upload held before it is kept, and a job made on it is removed
    with it (registration or the daily sweep)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0027")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO user_account (id, username, full_name, password_hash, role, active, session_token, created_at)"
            " VALUES (1, 'vanthu', 'Văn thư', 'x', 'clerk', 1, 'abc', '2026-12-01')")
        conn.exec_driver_sql(
            "INSERT INTO pending_upload (id, token, sha256, size, content_type, file_name, user_id, created_at) VALUES"
            f" (1, 'tok', '{'a' * 64}', 10, 'image/png', 'ban-quet.png', 1, '2026-12-01')")
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT token, file_name FROM pending_upload").one() == ("tok", "ban-quet.png")
        assert conn.exec_driver_sql("SELECT count(*) FROM ocr_job").scalar_one() == 0
        conn.exec_driver_sql(
            "INSERT INTO ocr_job (token, pending_upload_id, user_id, kind, status, attempt, pages_done, retryable,"
            " warnings, created_at, updated_at) VALUES ('job', 1, 1, 'png', 'queued', 1, 0, 0, '[]',"
            " '2026-12-01', '2026-12-01')")
        conn.exec_driver_sql("DELETE FROM pending_upload")
        assert conn.exec_driver_sql("SELECT count(*) FROM ocr_job").scalar_one() == 0
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_upgrading_to_the_received_order_copies_each_letters_number_to_its_tasks_and_downgrading_keeps_them(tmp_path):
    """Migration 0030 copies the incoming year and number of each task's letter onto the task (none for a letter
    enclosed in a cover letter); its downgrade removes the copies and keeps every task and the lists' indexes."""
    from alembic import command

    from tracker.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0029")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO agency (id, code, name, kind, active, created_at, updated_at, aliases, emails, search_text)"
            " VALUES (1, 'finance', 'Sở Tài chính', 'department', 1, '2019-09-01', '2019-09-01', '[]', '[]',"
            " 'so tai chinh')")
        for letter, year, number, enclosed_in in ((1, 2019, 7, None), (2, 2018, 31, None), (3, None, None, 1)):
            conn.exec_driver_sql(
                "INSERT INTO letter (id, received_year, received_number, received_on, number, issuer, subject,"
                " recipients, \"references\", full_text, search_text, created_at, updated_at, version, enclosed_in_id)"
                f" VALUES ({letter}, ?, ?, '2019-09-02', '{letter}/UBND', 'UBND tỉnh', 'an sinh', '[]', '[]', 'an sinh',"
                " 'an sinh', '2019-09-02', '2019-09-02', 1, ?)", (year, number, enclosed_in))
        for task, letter in ((1, 1), (2, 2), (3, 3), (4, 1)):
            conn.exec_driver_sql(
                "INSERT INTO task (id, letter_id, agency_id, role, summary, status, progress, created_at, updated_at,"
                f" version) VALUES ({task}, {letter}, 1, 'lead', 'Rà soát', 'assigned', 0, '2019-09-02',"
                " '2019-09-02', 1)")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id, received_year, received_number FROM task ORDER BY id").all() == [
            (1, 2019, 7), (2, 2018, 31), (3, None, None), (4, 2019, 7)]
    command.downgrade(alembic_config(engine), "0029")
    with engine.connect() as conn:
        columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(task)")]
        indexes = [row[1] for row in conn.exec_driver_sql("PRAGMA index_list(task)")]
        assert conn.exec_driver_sql("SELECT count(*) FROM task").scalar_one() == 4
    assert "received_year" not in columns and "ix_task_deadline_order" in indexes
    engine.dispose()


def test_upgrading_to_stored_search_words_keeps_letters_found_and_its_downgrade_keeps_them(empty_database_url):
    """Migration 0031 gives PostgreSQL a stored column of each letter's words, filled for the letters already there,
    and drops the expression index it replaces; SQLite is unchanged. The downgrade restores the expression index."""
    from alembic import command

    from tracker.migrate import alembic_config

    engine = make_engine(empty_database_url)
    upgrade(engine, "0030")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO letter (id, received_year, received_number, received_on, number, issuer, subject, recipients,"
            " \"references\", full_text, search_text, created_at, updated_at, version) VALUES"
            " (1, 2019, 7, '2019-09-02', '871/VP-VHXH', 'UBND tỉnh', 'an sinh', '[]', '[]', 'an sinh',"
            " '871/vp-vhxh an sinh', '2019-09-02', '2019-09-02', 1)"))
    upgrade(engine)
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        if postgres:  # every word, the number split at its punctuation as FTS5 splits it
            assert conn.execute(text("SELECT search_words::text FROM letter")).scalar_one() == (
                "'871' 'an' 'sinh' 'vhxh' 'vp'")
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'letter'")).scalars())
            assert "ix_letter_search_words" in indexes and "ix_letter_search_fts" not in indexes
        else:
            assert conn.execute(text("SELECT count(*) FROM letter_fts WHERE letter_fts MATCH 'vhxh'")).scalar_one() == 1
    command.downgrade(alembic_config(engine), "0030")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT number FROM letter")).scalar_one() == "871/VP-VHXH"
        if postgres:
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'letter'")).scalars())
            assert "ix_letter_search_fts" in indexes and "ix_letter_search_words" not in indexes
    engine.dispose()
