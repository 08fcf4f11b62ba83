"""Registering incoming letters: the incoming number, the stored original, the tasks. The caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.accounts.models import User
from tracker.intake.models import IncomingCounter, Letter, LetterEvent, OcrJob, PendingUpload, StoredFile
from tracker.tasks.models import Task
from tracker.tasks.operations import TaskSpec, create_task
from tracker.text import fold


class DuplicateLetter(Exception):
    """The letter is already in the register; ``letter`` is the registered one."""

    def __init__(self, letter: Letter):
        cover = letter.enclosed_in
        if letter.received_number is None and cover is not None:  # an enclosed letter has no number of its own
            cover_name = " ".join(filter(None, ["kèm theo văn bản", cover.number]))
            super().__init__(f"Văn bản này đã được vào sổ, {cover_name} (số đến "
                             f"{cover.received_number}/{cover.received_year}).")
        else:
            super().__init__(f"Văn bản này đã được vào sổ: số đến {letter.received_number}/{letter.received_year}.")
        self.letter = letter


@dataclass
class LetterHeader:
    """The fields of a letter's header that a clerk confirms at registration and may correct later."""

    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_on: dt.date | None = None
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)
    signer: str | None = None
    signer_title: str | None = None
    urgency: str | None = None


@dataclass
class LetterSpec(LetterHeader):
    """The header of a letter as confirmed by the clerk, with what registration stores besides."""

    secrecy: str | None = None
    references: list[dict] = field(default_factory=list)
    full_text: str = ""
    issuer_agency_id: int | None = None
    printed_stamp: dict | None = None


def identity_key(number: str | None, issuer: str | None, issued_on: dt.date | None) -> str | None:
    """The key that makes two registrations the same letter; None when the letter has no number."""
    if not number or not number.strip():
        return None
    compact = fold(number).replace(" ", "")
    return f"{compact}|{fold(issuer)}|{issued_on.isoformat() if issued_on else ''}"


def next_incoming_number(session: Session, year: int) -> int:
    """Take the next incoming number of ``year`` inside the caller's transaction.

    One atomic upsert: concurrent registrations serialise on the counter row, so numbers are unique,
    and because the letter is inserted in the same transaction, a rollback gives the number back (no gaps).
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(IncomingCounter).values(year=year, last_number=1)
        .on_conflict_do_update(index_elements=[IncomingCounter.year],
                               set_={"last_number": IncomingCounter.last_number + 1})
        .returning(IncomingCounter.last_number)
    )
    return session.execute(statement).scalar_one()


def find_duplicate(session: Session, spec: LetterSpec) -> Letter | None:
    """The registered letter with the same number, issuer and date, if any."""
    key = identity_key(spec.number, spec.issuer, spec.issued_on)
    if key is None:
        return None
    return session.scalar(select(Letter).where(Letter.identity_key == key))


def store_file(session: Session, files_dir: Path, data: bytes, content_type: str) -> StoredFile:
    """Keep an uploaded original once, by content hash, under ``files_dir``."""
    digest = keep_upload(files_dir, data)
    existing = session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if existing is not None:
        return existing
    stored = StoredFile(sha256=digest, size=len(data), content_type=content_type)
    session.add(stored)
    session.flush()
    return stored


#: what a stored file's name is made of: a hex SHA-256 and nothing else
SHA256_RE = re.compile(r"[0-9a-f]{64}")


def content_path(files_dir: Path, sha256: str) -> Path:
    """Where the content of hash ``sha256`` lives under ``files_dir``.

    Raises ValueError unless ``sha256`` is 64 lower-case hex digits and the path stays inside
    ``files_dir``: a name built from anything else (``..``, a slash) could reach any file the server reads.
    """
    if not isinstance(sha256, str) or not SHA256_RE.fullmatch(sha256):
        raise ValueError("not a SHA-256 content name")
    root = Path(files_dir).resolve()
    path = (root / sha256[:2] / sha256[2:]).resolve()
    if path.parent.parent != root:
        raise ValueError("content path outside the files folder")
    return path


def stored_path(files_dir: Path, stored: StoredFile) -> Path:
    """Where the content of ``stored`` lives (checked as :func:`content_path` checks it)."""
    return content_path(files_dir, stored.sha256)


def readable_content(files_dir: Path, stored: StoredFile) -> Path | None:
    """The file holding ``stored``'s content, or None when its name is not a content name or the file is gone
    (what a download answers with 404)."""
    try:
        path = stored_path(files_dir, stored)
    except ValueError:
        return None
    return path if path.is_file() else None


def register_letter(
    session: Session,
    spec: LetterSpec,
    tasks: list[TaskSpec],
    *,
    actor: User | None,
    received_on: dt.date,
    stored: StoredFile | None = None,
    file_name: str | None = None,
    enclosed_in: Letter | None = None,
) -> Letter:
    """Register a letter with the next incoming number of its year, record a "registered" event, create its tasks.

    Raises DuplicateLetter when the same letter (number, issuer, date) is already registered.
    """
    duplicate = find_duplicate(session, spec)
    if duplicate is not None:
        raise DuplicateLetter(duplicate)
    # An enclosed letter is part of its cover letter's registration and takes no number of its own.
    letter = Letter(
        received_year=None if enclosed_in else received_on.year,
        received_number=None if enclosed_in else next_incoming_number(session, received_on.year),
        received_on=received_on, printed_stamp=spec.printed_stamp,
        number=spec.number, doc_type=spec.doc_type, issuer=spec.issuer, place=spec.place,
        issued_on=spec.issued_on, subject=spec.subject, recipients=list(spec.recipients), signer=spec.signer,
        signer_title=spec.signer_title, urgency=spec.urgency, secrecy=spec.secrecy,
        references=list(spec.references), full_text=spec.full_text, issuer_agency_id=spec.issuer_agency_id,
        file=stored, file_name=file_name, enclosed_in=enclosed_in,
        identity_key=identity_key(spec.number, spec.issuer, spec.issued_on),
        registered_by=actor,
    )
    letter.search_text = letter_search_text(letter)
    session.add(letter)
    session.flush()
    # The history of the record starts with its registration.
    session.add(LetterEvent(letter=letter, actor=actor, kind="registered", changes={},
                            letter_version=letter.version))
    for task_spec in tasks:
        create_task(session, letter, task_spec, actor=actor)
    return letter


def letter_search_text(letter: Letter) -> str:
    """Diacritic-free text searched by the register: number, subject, issuer, signer and the full text."""
    state = inspect(letter, raiseerr=False)  # None for a plain object with the same fields (a generator's)
    session = state.session if state is not None else None
    if session is not None:
        # the full text is deferred (lists never load it): loading it here must not flush the edit half-done,
        # which would count the letter's version twice
        with session.no_autoflush:
            full_text = letter.full_text
    else:
        full_text = letter.full_text
    parts = [letter.number, letter.subject, letter.issuer, letter.doc_type, letter.signer, letter.reply_number,
             full_text]
    return fold(" \n ".join(p for p in parts if p))


def tasks_of(session: Session, letter: Letter) -> list[Task]:
    """The tasks of a letter in creation order."""
    return list(session.scalars(select(Task).where(Task.letter_id == letter.id).order_by(Task.id)))


_SIGNATURES = [
    (b"%PDF", "application/pdf"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"<?xml", "application/xml"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]


def content_type_of(data: bytes, file_name: str | None) -> str:
    """The MIME type from the content's first bytes (the name is only a hint for text)."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if (file_name or "").lower().endswith((".xml", ".edxml")):
        return "application/xml"
    return "text/plain"


def keep_upload(files_dir: Path, data: bytes) -> str:
    """Write content to the content store (once per content); return its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = content_path(files_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return digest


#: how long an upload waits for its confirmation before it is swept away with its file
PENDING_UPLOAD_HOURS = 24


def hold_upload(session: Session, files_dir: Path, data: bytes, *, file_name: str | None, content_type: str,
                user: User) -> PendingUpload:
    """Keep an upload on the server until the clerk confirms the registration; the caller commits.

    The confirm form only carries the returned row's random ``token``; which file it means is known here.
    """
    digest = keep_upload(files_dir, data)
    pending = PendingUpload(token=secrets.token_hex(24), sha256=digest, size=len(data), content_type=content_type,
                            file_name=file_name, user_id=user.id)
    session.add(pending)
    session.flush()
    return pending


def pending_upload_of(session: Session, token: str | None, user: User, now: dt.datetime | None = None
                      ) -> PendingUpload | None:
    """The upload ``user`` made under ``token`` and has not yet confirmed, if it has not expired."""
    if not token or not isinstance(token, str) or len(token) > 64:
        return None
    pending = session.scalar(select(PendingUpload).where(PendingUpload.token == token,
                                                         PendingUpload.user_id == user.id))
    if pending is None:
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    if pending.created_at < now - dt.timedelta(hours=PENDING_UPLOAD_HOURS):
        return None
    return pending


def stored_file_for(session: Session, files_dir: Path, pending: PendingUpload) -> StoredFile:
    """The StoredFile row of a pending upload's content (created on first use); the pending row is removed."""
    path = content_path(files_dir, pending.sha256)
    if not path.is_file():
        raise FileNotFoundError(pending.sha256)
    stored = session.scalar(select(StoredFile).where(StoredFile.sha256 == pending.sha256))
    if stored is None:
        stored = StoredFile(sha256=pending.sha256, size=path.stat().st_size, content_type=pending.content_type)
        session.add(stored)
    session.delete(pending)
    session.flush()
    return stored


@dataclass
class SweepResult:
    """What a sweep of expired uploads removed."""

    pending_rows: int = 0
    #: OCR jobs of those uploads (tracker.intake.scans)
    ocr_jobs: int = 0
    files: int = 0
    bytes: int = 0


def sweep_expired_uploads(session: Session, files_dir: Path, now: dt.datetime | None = None) -> SweepResult:
    """Forget uploads never confirmed within PENDING_UPLOAD_HOURS (and their OCR jobs) and delete content
    nobody refers to.

    A content file is deleted only when no stored file row and no live pending upload names it and it is
    older than the same delay (so an upload being registered right now is never taken from under it).
    The caller commits; files are deleted before, which is safe: they are unreferenced either way.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = now - dt.timedelta(hours=PENDING_UPLOAD_HOURS)
    result = SweepResult()
    # a job is made with its upload, so every job of an expired upload is older than the cutoff too
    result.ocr_jobs = session.execute(delete(OcrJob).where(OcrJob.created_at < cutoff)
                                      .execution_options(synchronize_session=False)).rowcount
    for pending in session.scalars(select(PendingUpload).where(PendingUpload.created_at < cutoff)):
        session.delete(pending)
        result.pending_rows += 1
    session.flush()
    root = Path(files_dir)
    if not root.is_dir():
        return result
    kept = set(session.scalars(select(StoredFile.sha256)))
    kept.update(session.scalars(select(PendingUpload.sha256)))
    for folder in root.iterdir():
        if not (folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name)):
            continue
        for path in folder.iterdir():
            digest = folder.name + path.name
            if digest in kept or not path.is_file():
                continue
            stat = path.stat()
            if dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc) >= cutoff:
                continue
            path.unlink(missing_ok=True)
            result.files += 1
            result.bytes += stat.st_size
    return result
