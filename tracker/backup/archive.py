"""The backup archive: one .zip file holding a manifest and a SHA-256 for every member. Plain Python.

Why .zip and not .tar.gz:

- Random access. A restore reads ``manifest.json`` straight from the central directory and checks every
  member's name before it reads any content. A .tar.gz has to be decompressed from the start to reach
  a member, and its manifest could only be written last, after the checksums are known.
- Each member is compressed on its own, so content that is compressed already (scanned PDFs, .docx,
  .xlsx, images, a PostgreSQL custom dump) is stored as is, and only the SQLite snapshot and text are
  deflated. Compressing gigabytes of scans again would cost CPU time and save nothing.
- Zip has no member types for links or devices, so a link cannot come in as a member type; the Unix
  mode bits that some tools put in the external attributes are still checked on restore.
- The office's Windows computers open it without extra software, which helps when someone only wants
  to look inside; a restore always goes through ``tracker restore``.

Members:

- ``database/tracker.db`` (SQLite snapshot) or ``database/tracker.pgdump`` (pg_dump, custom format)
- ``instance/…``: files, reports, outbox, secret_key, config.py, templates, workflows, by their path in
  the instance folder
- ``manifest.json``, written last because it lists the checksums of all the others
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator


class BackupError(Exception):
    """A backup or a restore cannot go on. The message is in Vietnamese, for the person at the terminal."""


FORMAT = "tracker-backup"
#: bumped when a restore of this code could not read what a newer backup writes
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/tracker.db"
POSTGRES_MEMBER = "database/tracker.pgdump"
DATABASE_MEMBERS = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}
INSTANCE_PREFIX = "instance/"
#: folders of the instance folder that are archived whole
INSTANCE_FOLDERS = ("files", "reports", "outbox", "templates", "workflows")
#: single files of the instance folder
INSTANCE_FILES = ("secret_key", "config.py")

#: streaming block: memory use does not depend on the size of any file
CHUNK = 1024 * 1024
#: a manifest lists about 150 bytes per file; this is millions of files, and stops a crafted one from
#: filling memory
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
#: above this size a member is written in zip64 form from the start (zipfile cannot switch half-way)
ZIP64_FROM = 1024 * 1024 * 1024
#: the first bytes of content that is compressed already: PDF, zip-based Office/OpenDocument, PNG, JPEG,
#: gzip, PostgreSQL custom dump
COMPRESSED_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b", b"PGDMP")

_HEX64 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_reason(name: str) -> str | None:
    """Why a member name must not be written to disk, or None when it is safe.

    Only names a backup writes are allowed, so a crafted archive cannot put a file anywhere else,
    not even inside the instance folder (e.g. a ``tracker.db`` beside the real one).
    """
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return "đường dẫn tuyệt đối hoặc có ký tự không hợp lệ"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "đường dẫn chứa “..”, “.” hoặc phần rỗng"
    if name in (MANIFEST, *DATABASE_MEMBERS.values()):
        return None
    if parts[0] != INSTANCE_PREFIX.rstrip("/") or len(parts) < 2:
        return "không phải thành phần của một bản sao lưu tracker"
    if len(parts) == 2 and parts[1] in INSTANCE_FILES:
        return None
    if len(parts) >= 3 and parts[1] in INSTANCE_FOLDERS:
        return None
    return "không phải thành phần của một bản sao lưu tracker"


def _refuse_unsafe(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise BackupError(f"Bản sao lưu bị từ chối: thành phần “{info.filename}” là một liên kết (link); "
                          "không có gì được ghi.")
    # Some writers (Python's writestr among them) store permission bits without a file type: no type is
    # a regular file; any type but a regular file (directory, device, fifo) is refused.
    if info.is_dir() or stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise BackupError(f"Bản sao lưu bị từ chối: thành phần “{info.filename}” không phải là một tệp thường; "
                          "không có gì được ghi.")
    reason = unsafe_reason(info.filename)
    if reason:
        raise BackupError(f"Bản sao lưu bị từ chối: thành phần “{info.filename}” có đường dẫn không an toàn "
                          f"({reason}); không có gì được ghi.")


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.localtime(mtime)[:6]
    return stamp if stamp[0] >= 1980 else (1980, 1, 1, 0, 0, 0)  # zip cannot store earlier dates


class ArchiveWriter:
    """Writes a backup archive member by member, streaming and hashing; the manifest goes in last."""

    def __init__(self, path: Path):
        """Create the archive at ``path`` (a temporary name: the caller renames it when all went well).

        The file is readable by its owner only, whatever the umask: it holds the secret key, config.py
        (database and mail passwords) and every letter.
        """
        self._file = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        self._zip = zipfile.ZipFile(self._file, "w", allowZip64=True)
        #: name -> {"sha256", "size"} of every member written so far
        self.members: dict[str, dict] = {}

    def add_file(self, name: str, source: Path, mode: int = 0o644) -> dict:
        """Copy the file ``source`` in as member ``name``; return its manifest entry.

        The content is read in blocks and hashed as it is written, so it is read only once.
        """
        with open(source, "rb") as handle:
            size = Path(source).stat().st_size
            head = handle.read(8)
            handle.seek(0)
            info = zipfile.ZipInfo(name, date_time=_zip_time(Path(source).stat().st_mtime))
            info.compress_type = zipfile.ZIP_STORED if head.startswith(COMPRESSED_MAGIC) else zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.file_size = size
            digest, written = hashlib.sha256(), 0
            with self._zip.open(info, "w", force_zip64=size > ZIP64_FROM) as out:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    written += len(chunk)
        entry = {"sha256": digest.hexdigest(), "size": written}
        self.members[name] = entry
        return entry

    def add_manifest(self, manifest: dict) -> None:
        """Write the manifest (it must already list every member)."""
        info = zipfile.ZipInfo(MANIFEST, date_time=_zip_time(time.time()))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        self._zip.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))

    def close(self) -> None:
        """Write the central directory and close the file."""
        try:
            self._zip.close()
        finally:
            self._file.close()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
            return
        try:
            self.close()
        except Exception:  # noqa: BLE001 - the archive is thrown away; the first error is the one to report
            pass


def _corrupt(path: Path, detail: str) -> BackupError:
    return BackupError(f"Bản sao lưu {path} bị hỏng hoặc đã bị sửa ({detail}); không có gì được ghi.")


def _read_manifest(path: Path, archive: zipfile.ZipFile) -> dict:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise BackupError(f"{path} không phải bản sao lưu của tracker (không có {MANIFEST}).") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _corrupt(path, f"{MANIFEST} quá lớn")
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(path, f"không đọc được {MANIFEST}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} không phải bản sao lưu của tracker ({MANIFEST} không đúng dạng).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise _corrupt(path, "phiên bản định dạng không hợp lệ")
    if version > FORMAT_VERSION:
        raise BackupError(f"Bản sao lưu có định dạng phiên bản {version}, mới hơn phiên bản mà tracker này đọc được "
                          f"({FORMAT_VERSION}); hãy cập nhật tracker rồi khôi phục lại.")
    members = manifest.get("members")
    database = manifest.get("database")
    if (not isinstance(members, dict) or not isinstance(database, dict)
            or database.get("kind") not in DATABASE_MEMBERS
            or DATABASE_MEMBERS[database["kind"]] not in members
            or not isinstance(manifest.get("row_counts"), dict)):
        raise _corrupt(path, f"{MANIFEST} thiếu thông tin")
    for name, entry in members.items():
        if (not isinstance(entry, dict) or not isinstance(entry.get("size"), int)
                or not _HEX64.fullmatch(str(entry.get("sha256")))):
            raise _corrupt(path, f"mục “{name}” của {MANIFEST} không hợp lệ")
    return manifest


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink: BinaryIO | None = None) -> str:
    """SHA-256 of a member's content, copying it to ``sink`` on the way when given."""
    digest = hashlib.sha256()
    with archive.open(info) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest()


@dataclass
class VerifiedArchive:
    """An archive whose names, manifest and checksums were all checked; open until ``close()``."""

    path: Path
    manifest: dict
    zip: zipfile.ZipFile

    @property
    def members(self) -> dict[str, dict]:
        """name -> {"sha256", "size"} of every member but the manifest itself."""
        return self.manifest["members"]

    @property
    def database_kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.manifest["database"]["kind"]

    def instance_members(self) -> Iterator[tuple[str, str]]:
        """(member name, path relative to the instance folder) of every instance file, in name order."""
        for name in sorted(self.members):
            if name.startswith(INSTANCE_PREFIX):
                yield name, name[len(INSTANCE_PREFIX):]

    def extract_to(self, name: str, target: Path) -> None:
        """Write member ``name`` to the new file ``target``, checking its SHA-256 again on the way.

        The archive was verified as a whole before anything is written; the second check catches a file
        changed on disk between the two reads, and the caller then does not move the file into place.
        """
        info = self.zip.getinfo(name)
        try:
            with open(target, "xb") as sink:
                digest = _hash_member(self.zip, info, sink)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            target.unlink(missing_ok=True)
            raise _corrupt(self.path, f"{name}: {exc}") from None
        if digest != self.members[name]["sha256"]:
            target.unlink(missing_ok=True)
            raise _corrupt(self.path, f"{name} đã thay đổi trong khi khôi phục")

    def close(self) -> None:
        """Close the archive file."""
        self.zip.close()


def verify_archive(path: Path, progress: Callable[[str], None] | None = None) -> VerifiedArchive:
    """Open ``path`` and check it completely before anything is restored from it.

    In order: it is a zip; no member has an unsafe name, is a link or is listed twice; the manifest is
    a tracker manifest of a format this code reads; the members are exactly those the manifest lists;
    every member's size and SHA-256 are those of the manifest. Raises BackupError on the first problem.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {path}.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise BackupError(f"{path} không phải bản sao lưu của tracker hoặc đã bị hỏng "
                          f"(không đọc được dạng .zip: {exc}).") from None
    try:
        infos = archive.infolist()
        seen: set[str] = set()
        for info in infos:
            _refuse_unsafe(info)
            if info.filename in seen:
                raise _corrupt(path, f"thành phần “{info.filename}” xuất hiện hai lần")
            seen.add(info.filename)
        manifest = _read_manifest(path, archive)
        listed = manifest["members"]
        missing = sorted(set(listed) - seen)
        if missing:
            raise _corrupt(path, f"thiếu {len(missing)} thành phần, ví dụ “{missing[0]}”")
        extra = sorted(seen - set(listed) - {MANIFEST})
        if extra:
            raise _corrupt(path, f"có thành phần không ghi trong {MANIFEST}: “{extra[0]}”")
        for info in infos:
            if info.filename == MANIFEST:
                continue
            expected = listed[info.filename]
            if info.file_size != expected["size"]:
                raise _corrupt(path, f"kích thước của “{info.filename}” không khớp với {MANIFEST}")
            try:
                digest = _hash_member(archive, info)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise _corrupt(path, f"“{info.filename}”: {exc}") from None
            if digest != expected["sha256"]:
                raise _corrupt(path, f"mã kiểm tra SHA-256 của “{info.filename}” không khớp với {MANIFEST}")
            if progress is not None:
                progress(info.filename)
    except BaseException:
        archive.close()
        raise
    return VerifiedArchive(path, manifest, archive)


def is_content_name(relative: str) -> bool:
    """True for ``files/ab/<62 hex>``: an uploaded original named by its own SHA-256."""
    parts = relative.split("/")
    return len(parts) == 3 and parts[0] == "files" and bool(_HEX64.fullmatch(parts[1] + parts[2]))
