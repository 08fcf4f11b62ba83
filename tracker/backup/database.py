"""The database part of a backup: a consistent SQLite snapshot or a PostgreSQL dump, and putting it back.

Copying ``tracker.db`` while tracker runs is not a backup: in WAL mode the latest commits live in
``tracker.db-wal`` until a checkpoint moves them into the main file, and a copy taken during a write
can even be torn. The SQLite online backup API reads the database (WAL included) in one read
transaction, so the snapshot is the database as it was at one instant while users go on writing.
On PostgreSQL, ``pg_dump`` runs on a snapshot exported from a transaction of our own, and the row
counts of the manifest are read in that same transaction: they describe exactly what the dump holds.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tracker.backup.archive import BackupError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
#: where Debian and Ubuntu install the PostgreSQL programs of each major version
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
#: seconds a snapshot waits for a lock before giving up (the app's writers wait as long)
SQLITE_TIMEOUT = 15
#: libpq keywords a URL's query may carry that pg_dump and pg_restore must use too
_LIBPQ_QUERY_KEYS = {"host", "hostaddr", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl",
                     "sslpassword", "connect_timeout", "options", "application_name", "target_session_attrs",
                     "gssencmode", "krbsrvname", "service", "passfile", "channel_binding", "requiressl"}


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a database URL."""
    return SQLITE if url.startswith("sqlite") else POSTGRESQL


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that does not parse is shown without its credentials part
        return re.sub(r"//[^@/]*@", "//***@", url)


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite URL."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"Không sao lưu hoặc khôi phục được cơ sở dữ liệu SQLite “{url}”: "
                          "chỉ hỗ trợ cơ sở dữ liệu lưu trong một tệp.")
    return Path(name).expanduser().resolve()


@dataclass
class Snapshot:
    """A database snapshot written to a file, with what the manifest says about it."""

    kind: str
    #: the snapshot file (SQLite database or pg_dump custom archive)
    path: Path
    #: the Alembic revision of the snapshot; None for an empty database
    revision: str | None
    #: table -> rows, read from the snapshot itself
    row_counts: dict[str, int]
    #: versions of the server and tools, for the manifest
    details: dict = field(default_factory=dict)
    #: instance-relative paths of the files the snapshot refers to (originals and reports)
    referenced: set[str] = field(default_factory=set)
    #: problems found while taking it, in Vietnamese
    warnings: list[str] = field(default_factory=list)


def _referenced_paths(rows_files, rows_reports) -> set[str]:
    paths = {f"files/{sha[:2]}/{sha[2:]}" for (sha,) in rows_files if sha}
    paths |= {f"reports/{sha[:2]}/{sha}.{suffix}" for sha, suffix in rows_reports if sha}
    return paths


# --- SQLite -------------------------------------------------------------------------------------------------


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sqlite_describe(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None, set[str]]:
    tables = _sqlite_tables(connection)
    counts = {name: connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in tables}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    referenced: set[str] = set()
    try:
        referenced = _referenced_paths(connection.execute("SELECT sha256 FROM stored_file"),
                                       connection.execute("SELECT file_hash, file_format FROM report_run"
                                                          " WHERE file_hash IS NOT NULL"))
    except sqlite3.Error:
        pass  # an old schema without these tables or columns: nothing to cross-check
    return counts, revision, referenced


def sqlite_snapshot(url: str, target: Path) -> Snapshot:
    """Copy the SQLite database of ``url`` to ``target`` with the online backup API, consistently.

    One ``backup()`` step copies every page inside a single read transaction, WAL included, while the
    application keeps writing (WAL readers do not block writers). The copy is then switched out of WAL
    mode so it is one self-contained file.
    """
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"Không tìm thấy cơ sở dữ liệu SQLite {source_path}.")
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT)
    try:
        source.execute(f"PRAGMA busy_timeout = {SQLITE_TIMEOUT * 1000}")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # pages=-1: all pages in one step, one read transaction
            copy.execute("PRAGMA journal_mode = DELETE")
            warnings = []
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                warnings.append(f"Kiểm tra cơ sở dữ liệu báo lỗi: {check}. Bản sao lưu vẫn được ghi, nhưng hãy "
                                "kiểm tra cơ sở dữ liệu ngay.")
            counts, revision, referenced = _sqlite_describe(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return Snapshot(SQLITE, target, revision, counts, {"sqlite_version": sqlite3.sqlite_version},
                    referenced, warnings)


def sqlite_state(url: str) -> tuple[int, int]:
    """(tables, rows) of the SQLite database of ``url``; (0, 0) when the file does not exist."""
    path = sqlite_path(url)
    if not path.exists():
        return 0, 0
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT)
    try:
        counts, _revision, _referenced = _sqlite_describe(connection)
    finally:
        connection.close()
    return len(counts), sum(counts.values())


def place_sqlite(snapshot: Path, url: str) -> Path:
    """Move the restored snapshot file into place as the database of ``url``; return its path.

    The old database's -wal and -shm files go first: left beside the new file, SQLite would apply the
    old database's last commits to it and corrupt it.
    """
    target = sqlite_path(url)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(snapshot, target)
    return target


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def pg_params(url: str) -> dict[str, str]:
    """libpq connection parameters of a PostgreSQL URL (password included, for psycopg)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    params = {"dbname": parsed.database, "host": parsed.host, "port": parsed.port, "user": parsed.username,
              "password": parsed.password}
    for key, value in parsed.query.items():
        if key in _LIBPQ_QUERY_KEYS:
            params[key] = value if isinstance(value, str) else value[-1]
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def pg_command(url: str) -> tuple[str, dict[str, str]]:
    """The ``--dbname`` connection string and the environment for pg_dump or pg_restore.

    The password goes in PGPASSWORD, never on the command line, where every user of the machine could
    read it in the process list.
    """
    from psycopg.conninfo import make_conninfo

    params = pg_params(url)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    return make_conninfo(**params), env


def _connect(url: str):
    import psycopg

    try:
        return psycopg.connect(**{"connect_timeout": "15", **pg_params(url)})
    except psycopg.Error as exc:
        raise BackupError(f"Không kết nối được PostgreSQL {safe_url(url)}: {str(exc).strip()}") from None


@dataclass
class PgTool:
    """A PostgreSQL program found on this machine."""

    path: str
    major: int
    version: str


def _tool_version(path: str) -> PgTool | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        return None
    return PgTool(path, int(match.group(1)), match.group(0))


def find_pg_tool(name: str, server_major: int) -> PgTool:
    """``pg_dump`` or ``pg_restore`` for a server of ``server_major``, from PATH or /usr/lib/postgresql/*/bin.

    The same major version as the server is preferred; else the closest newer one (pg_dump refuses a
    server newer than itself, and pg_restore cannot read an archive from a newer pg_dump).
    """
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    for folder in sorted(glob.glob(PG_BIN_GLOB)):
        program = Path(folder) / name
        if program.is_file() and os.access(program, os.X_OK):
            candidates.append(str(program))
    tools = [tool for tool in map(_tool_version, dict.fromkeys(candidates)) if tool is not None]
    for tool in tools:
        if tool.major == server_major:
            return tool
    newer = sorted((tool for tool in tools if tool.major > server_major), key=lambda tool: tool.major)
    if newer:
        return newer[0]
    if tools:
        found = ", ".join(f"{tool.path} ({tool.version})" for tool in tools)
        raise BackupError(f"{name} trên máy này cũ hơn máy chủ PostgreSQL {server_major}: {found}. "
                          f"Hãy cài gói postgresql-client-{server_major}.")
    raise BackupError(f"Không tìm thấy chương trình {name} (trên PATH hoặc trong /usr/lib/postgresql/*/bin). "
                      f"Hãy cài gói postgresql-client-{server_major} rồi chạy lại.")


def _pg_tables(connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]


def _pg_describe(connection) -> tuple[dict[str, int], str | None, set[str]]:
    from psycopg import sql

    tables = _pg_tables(connection)
    counts = {name: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
              for name in tables}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    referenced: set[str] = set()
    if {"stored_file", "report_run"} <= set(tables):
        columns = {name for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = 'report_run'")}
        if {"file_hash", "file_format"} <= columns:
            referenced = _referenced_paths(
                connection.execute("SELECT sha256 FROM stored_file"),
                connection.execute("SELECT file_hash, file_format FROM report_run WHERE file_hash IS NOT NULL"))
    return counts, revision, referenced


def postgres_dump(url: str, target: Path) -> Snapshot:
    """Dump the PostgreSQL database of ``url`` to ``target`` (custom format) with pg_dump.

    A repeatable-read transaction of our own exports its snapshot; pg_dump runs on that snapshot
    (``--snapshot``) while the transaction stays open, and the row counts are read in it too.
    """
    import psycopg

    connection = _connect(url)
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot_id = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = connection.execute("SHOW server_version").fetchone()[0]
        tool = find_pg_tool("pg_dump", connection.info.server_version // 10000)
        counts, revision, referenced = _pg_describe(connection)
        conninfo, env = pg_command(url)
        result = subprocess.run([tool.path, "--format=custom", f"--snapshot={snapshot_id}", "--file", str(target),
                                 "--dbname", conninfo], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump thất bại (mã {result.returncode}): {result.stderr.strip()[-2000:]}")
        connection.rollback()
    except psycopg.Error as exc:
        raise BackupError(f"Lỗi PostgreSQL khi sao lưu: {str(exc).strip()}") from None
    finally:
        connection.close()
    details = {"server_version": server_version.split()[0], "pg_dump_version": tool.version}
    return Snapshot(POSTGRESQL, target, revision, counts, details, referenced)


def postgres_state(url: str) -> tuple[int, int]:
    """(tables, rows) in the current schema of the PostgreSQL database of ``url``."""
    connection = _connect(url)
    try:
        counts, _revision, _referenced = _pg_describe(connection)
        connection.rollback()
    finally:
        connection.close()
    return len(counts), sum(counts.values())


def _empty_schema(url: str) -> None:
    """Drop every table, view, sequence and type of the current schema in one transaction (``--force``).

    pg_restore creates the tables itself and fails on one that exists, and a table the backup does not
    know (from newer code) would stop the migrations afterwards.
    """
    from psycopg import sql

    connection = _connect(url)
    try:
        with connection.transaction():
            for kind, query in (
                ("VIEW", "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"),
                ("TABLE", "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"),
                ("SEQUENCE", "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"),
                ("TYPE", "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                         " WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')"),
            ):
                for (name,) in connection.execute(query).fetchall():
                    connection.execute(sql.SQL("DROP {} IF EXISTS {} CASCADE").format(sql.SQL(kind),
                                                                                      sql.Identifier(name)))
    finally:
        connection.close()


def postgres_restore(dump: Path, url: str, force: bool) -> None:
    """Restore a pg_dump custom archive into the database of ``url`` with pg_restore, in one transaction.

    Owners and grants are not restored (``--no-owner --no-privileges``): the tables belong to the user
    of ``url``, the one tracker connects as, which need not exist under the old name on a new server.
    """
    import psycopg

    connection = _connect(url)
    try:
        major = connection.info.server_version // 10000
    finally:
        connection.close()
    tool = find_pg_tool("pg_restore", major)
    if force:
        try:
            _empty_schema(url)
        except psycopg.Error as exc:
            raise BackupError(f"Không xóa được dữ liệu cũ của cơ sở dữ liệu đích: {str(exc).strip()}") from None
    conninfo, env = pg_command(url)
    result = subprocess.run([tool.path, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                             "--dbname", conninfo, str(dump)], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True)
    if result.returncode != 0:
        # --single-transaction: a failed restore leaves nothing of itself behind
        state = ("dữ liệu cũ đã bị xóa (--force), hãy chạy lại sau khi sửa lỗi" if force
                 else "cơ sở dữ liệu đích không thay đổi")
        raise BackupError(f"pg_restore thất bại (mã {result.returncode}); {state}: {result.stderr.strip()[-2000:]}")
