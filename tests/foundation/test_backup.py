"""``tracker backup`` and ``tracker restore``: a consistent snapshot while users write, everything an instance
needs to start again, and a restore that refuses what it must and writes nothing then.

The tests that use ``app`` run on SQLite and, with TRACKER_TEST_POSTGRES=1, on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import secrets
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tracker.app import create_app
from tracker.cli import cli
from tracker.db import make_engine, transaction

WRITTEN_NUMBER = "/UBND-SL"  # the writers' letters, told apart from the fixtures' by their number


def run(args, instance: Path, database_url: str | None = None):
    """``tracker ARGS`` with TRACKER_INSTANCE=instance (and TRACKER_DATABASE_URL, or none)."""
    env = {"TRACKER_INSTANCE": str(instance), "TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": None}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(archive: Path) -> dict:
    with zipfile.ZipFile(archive) as bundle:
        return json.loads(bundle.read("manifest.json"))


def query(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def table_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite_%'")).scalars().all()
            else:
                names = connection.execute(text("SELECT tablename FROM pg_tables "
                                                "WHERE schemaname = current_schema()")).scalars().all()
            return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}
    finally:
        engine.dispose()


def restored_url(instance: Path, target_url: str | None) -> str:
    return target_url or f"sqlite:///{instance / 'tracker.db'}"


@pytest.fixture
def app(database_url, tmp_path):
    """A tracker app whose instance holds what a backup must carry besides the database: a secret_key file
    (generated, as in production, not passed in), config.py, an instance template, a compiled report and an
    .eml in the outbox."""
    from tracker.reports.storage import store

    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    (instance / "secret_key").write_text(secrets.token_urlsafe(48), encoding="ascii")
    (instance / "config.py").write_text('MAIL_FOOTER = "Văn phòng UBND tỉnh"\n', encoding="utf-8")
    (instance / "templates").mkdir()
    (instance / "templates" / "ghi-chu.txt").write_text("Mẫu riêng của văn phòng", encoding="utf-8")
    (instance / "outbox").mkdir()
    (instance / "outbox" / "20190920-0000001-finance@example.gov.vn.eml").write_bytes(b"Subject: x\r\n\r\nNhac viec\r\n")
    store(instance, b"PK\x03\x04 bao cao tuan", "docx")
    application = create_app({"instance_path": instance, "database_url": database_url, "TESTING": True,
                              "WTF_CSRF_ENABLED": False, "TRACKER_TODAY": "2019-09-20"})
    yield application
    application.extensions["tracker.engine"].dispose()


@pytest.fixture
def target_url(database_url, request):
    """Where a restore puts the database: None (the new instance's own tracker.db) on SQLite, a new empty
    database of the test cluster on PostgreSQL."""
    if database_url.startswith("sqlite"):
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield cluster.url(name)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class Writers:
    """Threads that keep registering letters as clerks do, each in one transaction: an original file, the
    letter, two tasks with their "created" events, a progress event and an outbox message."""

    def __init__(self, app, cast, threads: int = 2):
        self.sessions = app.extensions["tracker.write_sessions"]
        self.files = app.extensions["tracker.settings"].instance_path / "files"
        self.cast = cast
        self.committed: list[str] = []  # letter numbers, appended once their transaction has committed
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(index,), daemon=True) for index in range(threads)]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def committed_now(self) -> set[str]:
        """The letters committed so far."""
        with self.lock:
            return set(self.committed)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` letters are committed."""
        deadline = time.monotonic() + timeout
        while len(self.committed_now()) < count:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, "the writers are stuck"
            time.sleep(0.02)

    def _write(self, key: str) -> str:
        from tracker.accounts.models import User
        from tracker.intake.operations import LetterSpec, register_letter, store_file
        from tracker.reminders.outbox import enqueue
        from tracker.tasks.operations import TaskSpec, record

        number = f"{key}{WRITTEN_NUMBER}"
        with transaction(self.sessions) as s:
            clerk = s.get(User, self.cast.clerk)
            stored = store_file(s, self.files, f"Công văn số {number}\n".encode() * 40, "text/plain")
            spec = LetterSpec(number=number, doc_type="Công văn", issuer="Ủy ban nhân dân tỉnh", place="Thái Nguyên",
                              issued_on=dt.date(2019, 9, 2), subject=f"kiểm tra sao lưu {key}",
                              recipients=["Sở Tài chính"], full_text="Giao Sở Tài chính chủ trì.")
            letter = register_letter(s, spec, [
                TaskSpec(agency_id=self.cast.finance, role="lead", summary="Chủ trì báo cáo",
                         deadline=dt.date(2019, 9, 30)),
                TaskSpec(agency_id=self.cast.labour, role="cooperate", summary="Phối hợp báo cáo",
                         deadline=dt.date(2019, 9, 30)),
            ], actor=clerk, received_on=dt.date(2019, 9, 3), stored=stored, file_name=f"{key}.txt")
            record(s, letter.tasks[0], "progress", actor=clerk, comment="Đang tổng hợp số liệu")
            enqueue(s, key=f"test:{number}", kind="digest", recipient="finance@example.gov.vn",
                    recipient_name="Sở Tài chính", subject=f"Nhắc việc {number}", message_id=f"<{key}@tracker.test>",
                    mime="Subject: x\r\n\r\nx\r\n", for_date=dt.date(2019, 9, 20),
                    items=[{"task_id": letter.tasks[0].id}])
        return number

    def _run(self, index: int) -> None:
        try:
            serial = 0
            while not self.stopping.is_set():
                serial += 1
                number = self._write(f"W{index}-{serial}")
                with self.lock:
                    self.committed.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)


def assert_restored_instance_is_whole(source: Path, fresh: Path, url: str, manifest: dict) -> None:
    """Every row the manifest counts, every original with its content, the instance files, byte for byte."""
    counts = table_counts(url)
    for table in ("letter", "task", "task_event", "outbox_message", "stored_file"):
        assert counts[table] == manifest["row_counts"][table], table
    assert counts == manifest["row_counts"]
    # Every letter is whole: a snapshot never splits a transaction.
    letters = query(url, f"SELECT l.number, (SELECT count(*) FROM task t WHERE t.letter_id = l.id),"
                         f" (SELECT count(*) FROM outbox_message o WHERE o.key = 'test:' || l.number)"
                         f" FROM letter l WHERE l.number LIKE '%{WRITTEN_NUMBER}'")
    assert letters and all(tasks == 2 and mails == 1 for _number, tasks, mails in letters)
    for (digest,) in query(url, "SELECT sha256 FROM stored_file"):
        assert sha256(fresh / "files" / digest[:2] / digest[2:]) == digest
    for relative in ("secret_key", "config.py", "templates/ghi-chu.txt",
                     "outbox/20190920-0000001-finance@example.gov.vn.eml"):
        assert (fresh / relative).read_bytes() == (source / relative).read_bytes(), relative
    reports = sorted(p.relative_to(source).as_posix() for p in (source / "reports").rglob("*") if p.is_file())
    assert reports and all(sha256(fresh / r) == sha256(source / r) for r in reports)
    assert stat.S_IMODE((fresh / "secret_key").stat().st_mode) == 0o600


def test_backup_while_clerks_write_restores_everything_it_counts(app, database_url, target_url, cast, web, tmp_path):
    source, fresh, archive = tmp_path / "instance", tmp_path / "may-moi", tmp_path / "sao-luu.zip"
    cookie = web(cast.clerk).client.get_cookie("session").value  # signed in before the backup
    with Writers(app, cast) as writers:
        writers.wait_for(10)
        before = writers.committed_now()
        result = run(["backup", "-o", str(archive)], source, database_url)
        writers.wait_for(len(writers.committed_now()) + 5)  # they kept going during and after the backup
    assert not writers.errors, writers.errors
    assert result.exit_code == 0, result.output
    for words in ("Đã sao lưu vào", "Số văn bản:", "nhiệm vụ:", "tệp gốc", "dung lượng", "khóa bí mật: có"):
        assert words in result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the secret key and every letter
    manifest = manifest_of(archive)
    assert manifest["database"]["kind"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    assert manifest["row_counts"]["letter"] >= len(before) and manifest["alembic_revision"]

    restored = run(["restore", str(archive)], fresh, target_url)
    assert restored.exit_code == 0, restored.output
    assert "Đã khôi phục bản sao lưu" in restored.output and "Số văn bản:" in restored.output
    url = restored_url(fresh, target_url)
    assert_restored_instance_is_whole(source, fresh, url, manifest)
    numbers = {number for (number,) in query(url, "SELECT number FROM letter")}
    assert before <= numbers  # every letter committed before the backup started

    restored_app = create_app({"instance_path": fresh, "database_url": url, "TESTING": True})
    try:
        assert restored_app.config["SECRET_KEY"] == (source / "secret_key").read_text(encoding="ascii")
        client = restored_app.test_client()
        assert client.get("/login").status_code == 200
        client.set_cookie("session", cookie)  # same key, same users: the clerk is still signed in
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        assert "Đăng xuất" in page
    finally:
        restored_app.extensions["tracker.engine"].dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_running_sqlite_instance_loses_no_committed_row_unlike_a_copy_of_the_file(app, database_url, cast,
                                                                                     tmp_path):
    """The reported loss: tracker.db copied while tracker runs misses the commits still in the WAL."""
    source = tmp_path / "instance"
    # A long read (a report being compiled) keeps newer commits out of tracker.db, in the WAL, for a while.
    reader = sqlite3.connect(source / "tracker.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM letter").fetchone()
    try:
        with Writers(app, cast) as writers:
            writers.wait_for(15)
            before = writers.committed_now()
            shutil.copy(source / "tracker.db", tmp_path / "ban-chep.db")
            result = run(["backup", "-o", str(tmp_path / "sao-luu.zip")], source, database_url)
    finally:
        reader.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "ban-chep.db")
    copied = {number for (number,) in copy.execute("SELECT number FROM letter")}
    copy.close()
    assert not before <= copied  # the hand-made copy lost letters that were committed

    fresh = tmp_path / "may-moi"
    assert run(["restore", str(tmp_path / "sao-luu.zip")], fresh).exit_code == 0
    restored = {number for (number,) in query(restored_url(fresh, None), "SELECT number FROM letter")}
    assert before <= restored


def test_restore_refuses_an_instance_that_is_not_empty_unless_forced(app, database_url, target_url, letter,
                                                                     tmp_path):
    source, archive = tmp_path / "instance", tmp_path / "sao-luu.zip"
    assert run(["backup", "-o", str(archive)], source, database_url).exit_code == 0
    manifest = manifest_of(archive)

    # Onto the live instance itself: its database has tables and rows, its folders have files.
    refused = run(["restore", str(archive)], source, database_url)
    assert refused.exit_code != 0
    assert "không trống" in refused.output and "--force" in refused.output and "Traceback" not in refused.output
    assert "cơ sở dữ liệu đã có" in refused.output and "thư mục outbox/" in refused.output

    # Files alone are enough to refuse: a restore must not mix two offices' originals.
    other = tmp_path / "co-tep"
    (other / "files" / "ab").mkdir(parents=True)
    (other / "files" / "ab" / ("c" * 62)).write_bytes(b"tep cu")
    refused = run(["restore", str(archive)], other, target_url)
    assert refused.exit_code != 0 and "thư mục files/ có 1 tệp" in refused.output
    assert sorted(p.name for p in other.iterdir()) == ["files"]

    # A config.py of its own does not make an instance non-empty, and it is kept.
    fresh = tmp_path / "may-moi"
    fresh.mkdir()
    (fresh / "config.py").write_text('base_url = "https://theodoi.example.gov.vn"\n', encoding="utf-8")
    restored = run(["restore", str(archive)], fresh, target_url)
    assert restored.exit_code == 0, restored.output
    assert "https://theodoi.example.gov.vn" in (fresh / "config.py").read_text(encoding="utf-8")
    assert (fresh / "config.py.from-backup").read_bytes() == (source / "config.py").read_bytes()
    assert "config.py.from-backup" in restored.output

    # --force replaces the live data with the backup's (the service is stopped first).
    with transaction(app.extensions["tracker.write_sessions"]) as s:
        s.execute(text("DELETE FROM outbox_message"))
        s.execute(text("UPDATE letter SET subject = 'đã sửa sau khi sao lưu'"))
    app.extensions["tracker.engine"].dispose()
    forced = run(["restore", "--force", str(archive)], source, database_url)
    assert forced.exit_code == 0, forced.output
    assert table_counts(database_url) == manifest["row_counts"]
    assert query(database_url, "SELECT subject FROM letter") == [
        ("chỉ đạo tăng cường triển khai thực hiện việc trợ giúp xã hội",)]


def _rewrite(source: Path, target: Path, *, replace: dict[str, bytes] | None = None,
             add: dict[str, bytes] | None = None, manifest_changes: dict | None = None, listed: bool = True) -> None:
    """Copy a backup archive, replacing or adding members; the manifest lists new members with their true
    hashes when ``listed``, so that only the check under test can catch them."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        manifest = json.loads(old.read("manifest.json"))
        manifest.update(manifest_changes or {})
        for info in old.infolist():
            if info.filename != "manifest.json":
                new.writestr(info, replace.get(info.filename, old.read(info)))
        for name, data in add.items():
            info = zipfile.ZipInfo(name)
            if name.endswith("#link"):
                info = zipfile.ZipInfo(name[:-len("#link")])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            new.writestr(info, data)
            if listed:
                manifest["members"][info.filename] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        new.writestr("manifest.json", json.dumps(manifest))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_restore_refuses_a_damaged_or_altered_archive_and_writes_nothing(app, database_url, letter, tmp_path):
    source, good, fresh = tmp_path / "instance", tmp_path / "sao-luu.zip", tmp_path / "may-moi"
    assert run(["backup", "-o", str(good)], source, database_url).exit_code == 0

    # One byte flipped in the middle of the database snapshot, as a failing disk or a bad copy does.
    with zipfile.ZipFile(good) as bundle:
        info = bundle.getinfo("database/tracker.db")
    data = bytearray(good.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    data[info.header_offset + 30 + name_length + extra_length + info.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "hong.zip"
    damaged.write_bytes(bytes(data))
    refused = run(["restore", str(damaged)], fresh)
    assert refused.exit_code != 0 and "bị hỏng hoặc đã bị sửa" in refused.output
    assert "Traceback" not in refused.output and not fresh.exists()
    assert run(["restore", "--check", str(damaged)], fresh).exit_code != 0

    # A member replaced in a well-formed zip: only the manifest's SHA-256 can tell.
    altered = tmp_path / "bi-sua.zip"
    forged = secrets.token_urlsafe(48).encode()  # as long as the real key: the size cannot tell
    _rewrite(good, altered, replace={"instance/secret_key": forged})
    refused = run(["restore", str(altered)], fresh)
    assert refused.exit_code != 0 and "SHA-256" in refused.output and "instance/secret_key" in refused.output
    assert not fresh.exists()

    # An extra member the manifest does not list.
    extra = tmp_path / "them.zip"
    _rewrite(good, extra, add={"instance/files/ab/" + "c" * 62: b"them vao"}, listed=False)
    refused = run(["restore", str(extra)], fresh)
    assert refused.exit_code != 0 and "không ghi trong manifest.json" in refused.output and not fresh.exists()

    # Not an archive at all.
    (tmp_path / "khong-phai.zip").write_bytes(b"day khong phai tep zip")
    refused = run(["restore", str(tmp_path / "khong-phai.zip")], fresh)
    assert refused.exit_code != 0 and "không phải bản sao lưu" in refused.output and not fresh.exists()

    checked = run(["restore", "--check", str(good)], fresh)
    assert checked.exit_code == 0 and "nguyên vẹn" in checked.output and not fresh.exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("member", ["../evil", "instance/files/../../evil", "/tmp/evil-{token}",
                                    "instance/tracker.db", "instance/files/ab/evil#link"])
def test_restore_refuses_members_that_would_escape_or_link(app, database_url, tmp_path, member):
    source, good, fresh = tmp_path / "instance", tmp_path / "sao-luu.zip", tmp_path / "sub" / "may-moi"
    assert run(["backup", "-o", str(good)], source, database_url).exit_code == 0
    token = uuid.uuid4().hex
    member = member.format(token=token)
    crafted = tmp_path / "doc-hai.zip"
    # Listed in the manifest with its true hash: only the name check stands in the way.
    _rewrite(good, crafted, add={member: b"../../../../etc/passwd" if member.endswith("#link") else b"evil"})
    refused = run(["restore", str(crafted)], fresh)
    assert refused.exit_code != 0, refused.output
    assert "Bản sao lưu bị từ chối" in refused.output and "không có gì được ghi" in refused.output
    assert ("liên kết" if member.endswith("#link") else "không an toàn") in refused.output
    assert not fresh.exists() and not (tmp_path / "evil").exists() and not (tmp_path / "sub" / "evil").exists()
    assert not Path(f"/tmp/evil-{token}").exists()


def test_a_backup_made_by_an_older_tracker_is_upgraded_on_restore(tmp_path):
    from tracker.migrate import current_revision, head_revision, upgrade

    old = tmp_path / "cu"
    old.mkdir()
    engine = make_engine(f"sqlite:///{old / 'tracker.db'}")
    upgrade(engine, "0020")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO agency (id, code, name, aliases, kind, emails, active, search_text, created_at, updated_at) "
            "VALUES (1, 'so-tc', 'Sở Tài chính', '[]', 'department', '[]', 1, 'so tai chinh', '2019-01-01',"
            " '2019-01-01')")
    engine.dispose()
    assert run(["backup", "-o", str(tmp_path / "cu.zip")], old).exit_code == 0
    assert manifest_of(tmp_path / "cu.zip")["alembic_revision"] == "0020"

    fresh = tmp_path / "moi"
    restored = run(["restore", str(tmp_path / "cu.zip")], fresh)
    assert restored.exit_code == 0, restored.output
    assert f"Đã nâng cấp lược đồ cơ sở dữ liệu: 0020 → {head_revision()}" in restored.output
    url = restored_url(fresh, None)
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert query(url, "SELECT name FROM agency") == [("Sở Tài chính",)]

    # A backup from a newer tracker (a schema this code does not know) is refused before anything is written.
    newer = tmp_path / "moi-hon.zip"
    _rewrite(tmp_path / "cu.zip", newer, manifest_changes={"alembic_revision": "9999_from_the_future"})
    refused = run(["restore", str(newer)], tmp_path / "khac")
    assert refused.exit_code != 0 and "phiên bản tracker mới" in refused.output
    assert not (tmp_path / "khac").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_failed_backup_leaves_no_archive_and_an_existing_one_is_never_overwritten(app, database_url, letter,
                                                                                   tmp_path, monkeypatch):
    from tracker.backup.archive import ArchiveWriter

    source, folder = tmp_path / "instance", tmp_path / "sao-luu"
    folder.mkdir()
    add_file = ArchiveWriter.add_file

    def disk_full_at_the_files(self, name, path, mode=0o644):
        if name.startswith("instance/"):
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / "x"))
        return add_file(self, name, path, mode)

    monkeypatch.setattr(ArchiveWriter, "add_file", disk_full_at_the_files)
    failed = run(["backup", "-o", str(folder / "dem-nay.zip")], source, database_url)
    assert failed.exit_code != 0 and "hết chỗ trống trên ổ đĩa" in failed.output and "Traceback" not in failed.output
    assert list(folder.iterdir()) == []  # no archive, no temporary archive, no snapshot left behind
    monkeypatch.undo()

    first = run(["backup", "-o", str(folder)], source, database_url)  # a folder: a dated name inside it
    assert first.exit_code == 0, first.output
    (written,) = folder.iterdir()
    assert written.name.startswith("tracker-backup-") and written.suffix == ".zip"
    before = written.read_bytes()
    again = run(["backup", "-o", str(written)], source, database_url)
    assert again.exit_code != 0 and "đã có" in again.output and written.read_bytes() == before

    # A mistyped instance folder is an error, not a new empty instance.
    missing = run(["backup", "-o", str(folder)], tmp_path / "khong-co")
    assert missing.exit_code != 0 and "Không tìm thấy thư mục instance" in missing.output
    assert not (tmp_path / "khong-co").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_says_when_a_file_the_database_names_is_missing(app, database_url, cast, tmp_path):
    from tracker.intake.operations import store_file

    source = tmp_path / "instance"
    with transaction(app.extensions["tracker.write_sessions"]) as s:
        digest = store_file(s, source / "files", b"ban goc da mat", "text/plain").sha256
    (source / "files" / digest[:2] / digest[2:]).unlink()
    result = run(["backup", "-o", str(tmp_path / "sao-luu.zip")], source, database_url)
    assert result.exit_code == 0
    assert "Cảnh báo: 1 tệp mà cơ sở dữ liệu ghi nhận không có" in result.output


@pytest.mark.postgres
def test_without_pg_dump_the_backup_says_what_to_install(pg_cluster, tmp_path, monkeypatch):
    if pg_cluster is None:
        pytest.skip("PostgreSQL tests are off (set TRACKER_TEST_POSTGRES=1)")
    from tracker.backup import database

    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(database, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    instance = tmp_path / "instance"
    instance.mkdir()
    result = run(["backup", "-o", str(tmp_path / "sao-luu.zip")], instance, pg_cluster.url("tracker_template"))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Không tìm thấy chương trình pg_dump" in result.output and "postgresql-client-" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "instance"]


def test_the_database_password_never_appears_on_the_command_line():
    from tracker.backup.database import pg_command

    conninfo, env = pg_command("postgresql://tracker:mat-khau-bi-mat@db.example.gov.vn:5433/tracker?sslmode=require")
    assert "mat-khau-bi-mat" not in conninfo and env["PGPASSWORD"] == "mat-khau-bi-mat"
    assert "sslmode=require" in conninfo and "port=5433" in conninfo and "dbname=tracker" in conninfo


def test_help_lists_backup_and_restore():
    out = subprocess.run([str(Path(sys.executable).parent / "tracker"), "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "  backup " in out and "  restore " in out
