"""Report files kept in the instance folder, named by their content's sha256 (the same file is stored once)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

FOLDER = "reports"


def stored_path(instance_path: Path, file_hash: str, suffix: str) -> Path:
    """Where the file of hash ``file_hash`` lives: instance/reports/ab/abcdef….docx."""
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
