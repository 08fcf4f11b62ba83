"""Backing up a whole instance into one archive, and restoring it into an empty instance. Plain Python.

An instance is more than its database: uploaded originals (``files/``), compiled reports
(``reports/``), mail written as .eml files (``outbox/``), the secret key that signs sign-ins, and the
office's ``config.py``, ``templates/`` and ``workflows/``. A backup holds all of them with a database
snapshot that is consistent while users write; a restore checks everything before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from tracker.backup import database as db
from tracker.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    INSTANCE_FILES,
    INSTANCE_FOLDERS,
    INSTANCE_PREFIX,
    ArchiveWriter,
    BackupError,
    VerifiedArchive,
    is_content_name,
    unsafe_reason,
    verify_archive,
)
from tracker.config import Settings, default_instance_path, load_settings

#: names of files still being written by the app (uploads, reports, .eml) or by a backup or restore
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial")
#: where a restore puts the backup's config.py when the instance already has its own
CONFIG_FROM_BACKUP = "config.py.from-backup"

_ERRNO_TEXT = {
    errno.ENOSPC: "hết chỗ trống trên ổ đĩa",
    errno.EDQUOT: "vượt hạn mức dung lượng",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép",
    errno.ENOENT: "không tìm thấy",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.EIO: "lỗi đọc/ghi của ổ đĩa",
}


def _os_error(exc: OSError) -> str:
    text = _ERRNO_TEXT.get(exc.errno, exc.strerror or str(exc))
    return f"{exc.filename}: {text}" if exc.filename else text


@contextmanager
def _plain_errors(action: str) -> Iterator[None]:
    """Turn any failure into a BackupError with a Vietnamese message: an administrator gets a sentence,
    not a traceback, whatever broke (a full disk, a locked file, a bug)."""
    try:
        yield
    except BackupError:
        raise
    except OSError as exc:
        raise BackupError(f"Không {action} được: {_os_error(exc)}.") from exc
    except sqlite3.Error as exc:
        raise BackupError(f"Lỗi SQLite khi {action}: {exc}.") from exc
    except Exception as exc:  # noqa: BLE001 - the last resort named in the docstring
        raise BackupError(f"Lỗi không mong đợi khi {action}: {type(exc).__name__}: {exc}") from exc


def tracker_version() -> str:
    """The installed tracker's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tracker")
    except PackageNotFoundError:
        return "không rõ"


def read_settings(instance: Path | None = None, *, must_exist: bool) -> Settings:
    """The settings of ``instance`` (default: TRACKER_INSTANCE or ./instance), read without side effects.

    ``load_settings`` writes a new ``secret_key`` when the instance has none. The placeholder key given
    here stops a backup of a mistyped folder from creating one, and a restore from writing a key it is
    about to replace; the key itself is archived and restored as the file it is.
    """
    instance = Path(instance or default_instance_path()).expanduser().resolve()
    if must_exist and not instance.is_dir():
        raise BackupError(f"Không tìm thấy thư mục instance {instance} (hãy đặt TRACKER_INSTANCE cho đúng).")
    try:
        return load_settings({"instance_path": instance, "secret_key": "(not read by backup)"})
    except Exception as exc:  # noqa: BLE001 - ConfigError, or any error raised by running config.py
        raise BackupError(f"Cấu hình của {instance} không hợp lệ: {exc}") from None


# --- formatting for people ----------------------------------------------------------------------------------


def _number(value: int) -> str:
    """1234567 -> "1.234.567" (Vietnamese digit grouping)."""
    return f"{value:,}".replace(",", ".")


def _size(value: float) -> str:
    """A size in bytes for people: "12,3 MB"."""
    for unit in ("byte", "KB", "MB", "GB"):
        if value < 1024:
            return f"{int(value)} byte" if unit == "byte" else f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    return f"{value:.1f} TB".replace(".", ",")


def _when(iso: str | None, timezone: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone))
    except (TypeError, ValueError, KeyError):
        return iso or "không rõ"
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def _member_stats(members: dict[str, dict]) -> dict[str, tuple[int, int]]:
    """Top-level instance entry -> (members, bytes): {"files": (1200, 4_400_000_000), ...}."""
    stats: dict[str, tuple[int, int]] = {}
    for name, entry in members.items():
        if name.startswith(INSTANCE_PREFIX):
            top = name[len(INSTANCE_PREFIX):].split("/")[0]
            count, size = stats.get(top, (0, 0))
            stats[top] = (count + 1, size + entry["size"])
    return stats


def _content_lines(manifest: dict) -> list[str]:
    counts = manifest.get("row_counts") or {}
    stats = _member_stats(manifest["members"])
    files, file_bytes = stats.get("files", (0, 0))
    rows = (f"  Số văn bản: {_number(counts.get('letter', 0))}; nhiệm vụ: {_number(counts.get('task', 0))}; "
            f"sự kiện nhiệm vụ: {_number(counts.get('task_event', 0))}; "
            f"thư trong hộp thư đi: {_number(counts.get('outbox_message', 0))}.")
    parts = [f"{_number(files)} tệp gốc ({_size(file_bytes)})",
             f"{_number(stats.get('reports', (0, 0))[0])} tệp báo cáo",
             f"{_number(stats.get('outbox', (0, 0))[0])} thư .eml"]
    for folder, label in (("templates", "tệp mẫu (templates)"), ("workflows", "tệp quy trình (workflows)")):
        if folder in stats:
            parts.append(f"{_number(stats[folder][0])} {label}")
    parts.append("khóa bí mật: " + ("có" if "secret_key" in stats else "KHÔNG có"))
    if "config.py" in stats:
        parts.append("config.py: có")
    return [rows, "  Tệp: " + "; ".join(parts) + "."]


def _database_label(manifest: dict) -> str:
    kind = "SQLite" if manifest["database"]["kind"] == db.SQLITE else "PostgreSQL"
    return f"{kind}, lược đồ {manifest.get('alembic_revision') or 'trống'}"


# --- backup -------------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    """A backup written: where, how big, its manifest, and what deserves attention."""

    path: Path
    size: int
    manifest: dict
    warnings: list[str]
    timezone: str = "Asia/Ho_Chi_Minh"

    def summary(self) -> str:
        """A short Vietnamese summary (documents, tasks, files, size) for the terminal or a cron mail."""
        return "\n".join([
            f"Đã sao lưu vào {self.path} (dung lượng {_size(self.size)}).",
            f"  Cơ sở dữ liệu: {_database_label(self.manifest)}; "
            f"ảnh chụp lúc {_when(self.manifest['created_at'], self.timezone)}.",
            *_content_lines(self.manifest),
        ])


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _instance_files(instance: Path, skip: list[Path], warnings: list[str]) -> Iterator[tuple[str, Path]]:
    """(member name, file) of everything of the instance folder that a backup holds, in a stable order.

    Links are followed: an office may keep ``files/`` on a bigger disk behind a link, and the archive
    holds the content, never the link.
    """
    for name in INSTANCE_FILES:
        path = instance / name
        if path.is_file():
            yield INSTANCE_PREFIX + name, path
    for folder in INSTANCE_FOLDERS:
        root = instance / folder
        if not root.is_dir():
            continue
        for directory, subdirectories, names in os.walk(root, followlinks=True):
            subdirectories.sort()
            if any(_inside(Path(directory), other) for other in skip):
                subdirectories.clear()
                continue
            for file_name in sorted(names):
                path = Path(directory) / file_name
                if file_name.endswith(PARTIAL_SUFFIXES) or not path.is_file():
                    continue  # half-written by the app right now, or not a regular file
                if any(_inside(path, other) for other in skip):
                    continue
                member = INSTANCE_PREFIX + path.relative_to(instance).as_posix()
                if unsafe_reason(member):
                    warnings.append(f"Bỏ qua tệp có tên không hợp lệ: {path}")
                    continue
                yield member, path


def create_backup(output: Path, instance: Path | None = None, now: dt.datetime | None = None) -> BackupResult:
    """Write a backup of ``instance`` (default: TRACKER_INSTANCE or ./instance) to the .zip ``output``.

    ``output`` may be an existing folder: the archive is then named ``tracker-backup-YYYYMMDD-HHMMSS.zip``.
    The archive is written under a temporary name in the same folder and renamed when complete, so a
    failed or interrupted backup never leaves a half archive under the final name. An existing file is
    never overwritten. Raises BackupError with a Vietnamese message.
    """
    with _plain_errors("sao lưu"):
        return _create_backup(Path(output), instance, now)


def _create_backup(output: Path, instance: Path | None, now: dt.datetime | None) -> BackupResult:
    settings = read_settings(instance, must_exist=True)
    instance = settings.instance_path
    now = now or dt.datetime.now(dt.timezone.utc)
    output = output.expanduser()
    if output.is_dir():
        local = now.astimezone(ZoneInfo(settings.timezone))
        output = output / f"tracker-backup-{local:%Y%m%d-%H%M%S}.zip"
    output = output.absolute()
    if output.suffix.lower() != ".zip":
        raise BackupError(f"Tên tệp sao lưu phải có đuôi .zip (bản sao lưu là một tệp ZIP): {output}")
    if output.exists():
        raise BackupError(f"Tệp {output} đã có; hãy chọn tên khác (tracker không ghi đè một bản sao lưu).")
    if not output.parent.is_dir():
        raise BackupError(f"Thư mục {output.parent} không tồn tại.")

    kind = db.database_kind(settings.database_url)
    member = DATABASE_MEMBERS[kind]
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    # The snapshot is made beside the archive, not in /tmp: /tmp is often in memory, and the snapshot is
    # as big as the database.
    workdir = Path(tempfile.mkdtemp(prefix=".tracker-backup-", dir=output.parent))
    try:
        snapshot_file = workdir / Path(member).name
        if kind == db.SQLITE:
            snapshot = db.sqlite_snapshot(settings.database_url, snapshot_file)
        else:
            snapshot = db.postgres_dump(settings.database_url, snapshot_file)
        warnings = list(snapshot.warnings)
        with ArchiveWriter(partial) as writer:
            writer.add_file(member, snapshot_file, mode=0o600)
            snapshot_file.unlink()  # the space goes back before the files are copied
            # After the snapshot: a file is stored before the row that names it is committed, so every
            # file the snapshot refers to is on disk by now.
            # Our own temporary files are skipped when they lie inside the instance folder (rare; checking
            # every file otherwise would cost a path resolution each).
            skip = [path for path in (workdir, partial) if _inside(path, instance)]
            for name, path in _instance_files(instance, skip, warnings):
                try:
                    entry = writer.add_file(name, path, mode=0o600 if name.endswith("/secret_key") else 0o644)
                except FileNotFoundError:
                    continue  # an .eml replaced while we walked; the outbox row is in the snapshot
                relative = name[len(INSTANCE_PREFIX):]
                if is_content_name(relative) and relative.replace("/", "")[len("files"):] != entry["sha256"]:
                    warnings.append(f"Tệp gốc {path} không còn đúng nội dung ban đầu (mã SHA-256 khác tên tệp): "
                                    "tệp đã bị hỏng trên ổ đĩa.")
            archived = {name[len(INSTANCE_PREFIX):] for name in writer.members}
            missing = sorted(snapshot.referenced - archived)
            if missing:
                warnings.append(f"{_number(len(missing))} tệp mà cơ sở dữ liệu ghi nhận không có trong thư mục "
                                f"{instance} (ví dụ {missing[0]}), nên không có trong bản sao lưu.")
            if os.environ.get("TRACKER_SECRET_KEY"):
                warnings.append("Khóa bí mật đang được đặt bằng biến môi trường TRACKER_SECRET_KEY nên không có "
                                "trong bản sao lưu; hãy lưu giữ nó riêng.")
            elif not (instance / "secret_key").is_file():
                warnings.append(f"Không có tệp {instance / 'secret_key'}: nếu khóa bí mật nằm trong config.py thì "
                                "nó đã được sao lưu cùng config.py.")
            if _inside(output, instance):
                warnings.append("Bản sao lưu nằm trong thư mục instance: hỏng ổ đĩa này là mất cả dữ liệu lẫn bản "
                                "sao lưu. Hãy chép nó sang máy hoặc ổ đĩa khác.")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "tracker_version": tracker_version(),
                "alembic_revision": snapshot.revision,
                "database": {"kind": kind, "member": member, **snapshot.details},
                "created_at": now.isoformat(timespec="seconds"),
                "instance_path": str(instance),
                "row_counts": snapshot.row_counts,
                "members": dict(sorted(writer.members.items())),
                "warnings": warnings,
            }
            writer.add_manifest(manifest)
        _fsync(partial)
        os.replace(partial, output)
        _fsync(output.parent)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return BackupResult(output, output.stat().st_size, manifest, warnings, settings.timezone)


def _fsync(path: Path) -> None:
    """Flush a file or a folder to disk: the archive must survive a power cut right after "done"."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- restore ------------------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """An archive verified without restoring it (``tracker restore --check``)."""

    path: Path
    manifest: dict
    timezone: str = "Asia/Ho_Chi_Minh"

    def summary(self) -> str:
        """What the archive holds, in Vietnamese."""
        return "\n".join([
            f"Bản sao lưu {self.path} nguyên vẹn: {_number(len(self.manifest['members']))} thành phần, "
            "mã kiểm tra SHA-256 đều khớp. Không có gì được ghi.",
            f"  Tạo lúc {_when(self.manifest.get('created_at'), self.timezone)} bởi tracker "
            f"{self.manifest.get('tracker_version')}; cơ sở dữ liệu: {_database_label(self.manifest)}.",
            *_content_lines(self.manifest),
        ])


@dataclass
class RestoreResult:
    """What a restore put where."""

    archive: Path
    instance: Path
    manifest: dict
    #: the database file, or the PostgreSQL URL without its password
    database: str
    revision_before: str | None
    revision_after: str | None
    notes: list[str] = field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"

    def summary(self) -> str:
        """What was restored, in Vietnamese."""
        if self.revision_before == self.revision_after:
            schema = f"  Lược đồ cơ sở dữ liệu: {self.revision_after}, đã là mới nhất."
        else:
            schema = f"  Đã nâng cấp lược đồ cơ sở dữ liệu: {self.revision_before or 'trống'} → {self.revision_after}."
        kind = "SQLite" if self.manifest["database"]["kind"] == db.SQLITE else "PostgreSQL"
        return "\n".join([
            f"Đã khôi phục bản sao lưu {self.archive} (tạo lúc {_when(self.manifest.get('created_at'), self.timezone)} "
            f"bởi tracker {self.manifest.get('tracker_version')}) vào {self.instance}.",
            f"  Cơ sở dữ liệu {kind}: {self.database}.",
            schema,
            *_content_lines(self.manifest),
            *(f"  Lưu ý: {note}" for note in self.notes),
        ])


def check_backup(archive: Path) -> CheckResult:
    """Verify ``archive`` completely (names, manifest, every checksum) and write nothing."""
    with _plain_errors("kiểm tra bản sao lưu"):
        verified = verify_archive(Path(archive))
        verified.close()
        return CheckResult(Path(archive), verified.manifest)


def restore_backup(archive: Path, *, force: bool = False, instance: Path | None = None) -> RestoreResult:
    """Restore ``archive`` into ``instance`` (default: TRACKER_INSTANCE or ./instance) and its database.

    Nothing is written before the whole archive is verified (every member's SHA-256, no unsafe names)
    and the target is found empty (no tables in its database, no files), unless ``force``. Then the
    instance files, the secret key and the database are restored, and the migrations bring the database
    to this code's schema, so a backup made by an older tracker opens on a newer one.
    """
    with _plain_errors("khôi phục"):
        verified = verify_archive(Path(archive))
        try:
            return _restore(verified, force, instance)
        finally:
            verified.close()


def _check_revision(revision: str | None) -> None:
    """Refuse a backup whose schema this code does not know (made by a newer tracker)."""
    if revision is None:
        return
    from alembic.script import ScriptDirectory

    from tracker.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        known = False
    if not known:
        raise BackupError(f"Bản sao lưu có lược đồ cơ sở dữ liệu “{revision}” mà phiên bản tracker này không biết "
                          f"(mới nhất: {script.get_current_head()}); có lẽ nó được tạo bởi một phiên bản tracker mới "
                          "hơn. Hãy cài phiên bản đó rồi khôi phục. Không có gì được ghi.")


def _count_files(folder: Path) -> int:
    return sum(len(names) for _directory, _subdirectories, names in os.walk(folder)) if folder.is_dir() else 0


def _target_contents(instance: Path, url: str, kind: str) -> list[str]:
    """What the target already holds, in Vietnamese; empty when a restore replaces nothing."""
    found = []
    try:
        tables, rows = db.sqlite_state(url) if kind == db.SQLITE else db.postgres_state(url)
    except sqlite3.DatabaseError as exc:
        found.append(f"tệp cơ sở dữ liệu {db.sqlite_path(url)} không đọc được ({exc})")
    else:
        if tables:
            found.append(f"cơ sở dữ liệu đã có {_number(tables)} bảng với {_number(rows)} dòng")
    for folder in INSTANCE_FOLDERS:
        count = _count_files(instance / folder)
        if count:
            found.append(f"thư mục {folder}/ có {_number(count)} tệp")
    return found


def _check_space(verified: VerifiedArchive, instance: Path) -> None:
    needed = sum(entry["size"] for entry in verified.members.values())
    probe = instance
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if needed > free:
        raise BackupError(f"Không đủ chỗ trống: cần khoảng {_size(needed)}, ổ đĩa chứa {instance} chỉ còn "
                          f"{_size(free)}. Không có gì được ghi.")


def _restore_file(verified: VerifiedArchive, name: str, target: Path, mode: int | None = None) -> None:
    """Write one member to ``target`` atomically: a crash leaves the old file or the new one, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        verified.extract_to(name, partial)
        if mode is not None:
            os.chmod(partial, mode)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _restore(verified: VerifiedArchive, force: bool, instance: Path | None) -> RestoreResult:
    settings = read_settings(instance, must_exist=False)
    instance, url = settings.instance_path, settings.database_url
    kind = verified.database_kind
    if db.database_kind(url) != kind:
        names = {db.SQLITE: "SQLite", db.POSTGRESQL: "PostgreSQL"}
        raise BackupError(f"Bản sao lưu chứa cơ sở dữ liệu {names[kind]} nhưng instance {instance} dùng "
                          f"{names[db.database_kind(url)]} ({db.safe_url(url)}); hãy đặt TRACKER_DATABASE_URL cho "
                          "đúng loại. Không có gì được ghi.")
    _check_revision(verified.manifest.get("alembic_revision"))
    found = _target_contents(instance, url, kind)
    if found and not force:
        raise BackupError(f"Không khôi phục vào {instance} vì nơi này không trống: {'; '.join(found)}. Khôi phục sẽ "
                          "thay thế dữ liệu này; nếu chắc chắn, hãy chạy lại với --force. Không có gì được ghi.")
    _check_space(verified, instance)

    notes = []
    instance.mkdir(parents=True, exist_ok=True)
    for name, relative in verified.instance_members():
        target = instance / relative
        if relative == "config.py" and target.exists():
            if _sha256(target) == verified.members[name]["sha256"]:
                continue
            # The instance's own config.py says which database this restore wrote to; the old one may
            # point at the old server. Both are kept for the administrator to compare.
            target = instance / CONFIG_FROM_BACKUP
            notes.append(f"{instance / 'config.py'} đã có nên được giữ nguyên; config.py của bản sao lưu được ghi "
                         f"thành {target}, hãy so sánh hai tệp.")
        _restore_file(verified, name, target, mode=0o600 if relative == "secret_key" else None)

    member = DATABASE_MEMBERS[kind]
    if kind == db.SQLITE:
        database_file = db.sqlite_path(url)
        database_file.parent.mkdir(parents=True, exist_ok=True)
        partial = database_file.with_name(f".{database_file.name}.{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        try:
            verified.extract_to(member, partial)
            _fsync(partial)
            db.place_sqlite(partial, url)
        finally:
            partial.unlink(missing_ok=True)
        where = str(database_file)
    else:
        workdir = Path(tempfile.mkdtemp(prefix=".tracker-restore-", dir=instance))
        try:
            dump = workdir / Path(member).name
            verified.extract_to(member, dump)
            db.postgres_restore(dump, url, force=force)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        where = db.safe_url(url)
    os.sync()

    before, after = _upgrade(url)
    after_settings = read_settings(instance, must_exist=True)
    if after_settings.database_url != url:
        notes.append(f"Với config.py vừa khôi phục, tracker sẽ dùng cơ sở dữ liệu {db.safe_url(after_settings.database_url)}"
                     f", không phải cơ sở dữ liệu vừa khôi phục ({db.safe_url(url)}): hãy sửa config.py hoặc đặt "
                     "TRACKER_DATABASE_URL.")
    if os.environ.get("TRACKER_SECRET_KEY"):
        notes.append("TRACKER_SECRET_KEY đang được đặt nên tracker dùng khóa đó, không dùng khóa bí mật vừa khôi phục.")
    notes.extend(f"cảnh báo khi sao lưu: {warning}" for warning in verified.manifest.get("warnings") or [])
    return RestoreResult(verified.path, instance, verified.manifest, where, before, after, notes, settings.timezone)


def _upgrade(url: str) -> tuple[str | None, str | None]:
    """Run the migrations on the restored database; (revision before, revision after)."""
    from tracker.db import make_engine
    from tracker.migrate import current_revision, upgrade

    engine = make_engine(url)
    try:
        before = current_revision(engine)
        try:
            upgrade(engine)
        except Exception as exc:  # noqa: BLE001 - the data is in place; say what to do next
            raise BackupError(f"Dữ liệu đã được khôi phục nhưng nâng cấp lược đồ cơ sở dữ liệu thất bại: {exc}. "
                              "Hãy sửa lỗi rồi chạy: tracker init") from exc
        return before, current_revision(engine)
    finally:
        engine.dispose()
