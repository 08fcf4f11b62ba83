"""Report files kept in the instance folder, named by their content's sha256 (the same file is stored once)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

FOLDER = "reports"
#: the kinds of file a report is written as
SUFFIXES = {"docx", "xlsx"}


def stored_path(instance_path: Path, file_hash: str, suffix: str) -> Path:
    """Where the file of hash ``file_hash`` lives: instance/reports/ab/abcdef….docx.

    Raises ValueError for anything but a hex SHA-256 and a known suffix, so no stored value can name
    a file outside the reports folder.
    """
    if not re.fullmatch(r"[0-9a-f]{64}", file_hash or "") or suffix not in SUFFIXES:
        raise ValueError("not a report file name")
    return Path(instance_path) / FOLDER / file_hash[:2] / f"{file_hash}.{suffix}"


def store(instance_path: Path, data: bytes, suffix: str) -> str:
    """Write ``data`` (atomically, once per content) and return its sha256 hex digest."""
    file_hash = hashlib.sha256(data).hexdigest()
    path = stored_path(instance_path, file_hash, suffix)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)  # a reader never sees half a file
    return file_hash
