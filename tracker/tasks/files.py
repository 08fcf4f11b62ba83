"""Files agencies attach to tasks: what is accepted (size, type checked against the content). Plain Python."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

#: the largest single attachment by default (the request as a whole is capped by the app's upload limit)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: files per upload
MAX_FILES = 10

# extension -> (MIME type, content family); the content must belong to the family the name claims
ALLOWED = {
    ".pdf": ("application/pdf", "pdf"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "zip"),
    ".odt": ("application/vnd.oasis.opendocument.text", "zip"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "zip"),
    ".zip": ("application/zip", "zip"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".txt": ("text/plain; charset=utf-8", "text"),
    ".csv": ("text/csv; charset=utf-8", "text"),
}
ALLOWED_LABEL = "PDF, Word, Excel, PowerPoint, OpenDocument, ZIP, ảnh PNG/JPEG, TXT, CSV"


class FileRefused(ValueError):
    """The file is not accepted; the message, in Vietnamese, names the file and the reason."""


@dataclass
class Upload:
    """A file as received from a form or the API."""

    name: str
    data: bytes


@dataclass
class CheckedFile:
    """An accepted file with a safe name and the MIME type that goes with its content."""

    name: str
    data: bytes
    content_type: str


def _family(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"\x00" not in data[:8192]:
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the sample's end is still text
            if exc.start < min(len(data), 65536) - 4:
                return None
        return "text"
    return None


def safe_name(name: str) -> str:
    """The base name of an uploaded file, NFC, without path parts or control characters, at most 200 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable()).strip().strip(".")
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base


def check_file(upload: Upload, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """Accept ``upload`` or raise FileRefused: a known type whose content matches its name, not empty, not too big."""
    name = safe_name(upload.name)
    if not name:
        raise FileRefused("Tệp tải lên không có tên.")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise FileRefused(f"Tệp “{name}”: loại tệp không được chấp nhận. Chỉ nhận {ALLOWED_LABEL}.")
    if not upload.data:
        raise FileRefused(f"Tệp “{name}” rỗng.")
    if len(upload.data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
        raise FileRefused(f"Tệp “{name}” vượt quá giới hạn {limit} MB.")
    content_type, family = ALLOWED[ext]
    if _family(upload.data) != family:
        raise FileRefused(f"Tệp “{name}”: nội dung không đúng với loại tệp {ext}.")
    return CheckedFile(name, upload.data, content_type)


def check_files(uploads: list[Upload], max_bytes: int = DEFAULT_MAX_BYTES) -> list[CheckedFile]:
    """Check every upload (blank file inputs skipped); the first refusal stops all, so nothing is half-kept."""
    uploads = [u for u in uploads if u.name or u.data]
    if len(uploads) > MAX_FILES:
        raise FileRefused(f"Mỗi lần chỉ đính kèm tối đa {MAX_FILES} tệp.")
    return [check_file(u, max_bytes) for u in uploads]
