"""Scans read by OCR in the background: the job's life, its progress, and the page images of the review.

Reading a scan takes one to two seconds a page, so an upload that needs OCR (:func:`scan_kind`) is held
(:func:`tracker.intake.operations.hold_upload`), an :class:`~tracker.intake.models.OcrJob` row is made
(:func:`create_job`) and the upload is answered at once with a progress page. A thread of the web process
(:func:`start_job`) reads the scan through its own sessions and writes every step into the row: whichever
worker process answers the progress page's polls, it reads the state from the database.

The thread does not survive its process. While it lives it moves the row's ``updated_at`` every
:data:`HEARTBEAT_SECONDS` (waiting for its turn included), so a queued or running job whose row has not
moved for :data:`STALE_AFTER` is shown as failed (:func:`job_view`) and may be started again
(:func:`retry_job`). Each run has its own ``attempt`` number and writes only to the row of that run.

Plain Python (no Flask): the view passes the session factory and the files folder.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.accounts.models import User
from tracker.db import transaction, utcnow
from tracker.intake.models import OcrJob, PendingUpload
from tracker.intake.operations import content_path

log = logging.getLogger(__name__)

#: how often a living job moves its row (seconds)
HEARTBEAT_SECONDS = 15
#: a queued or running job whose row has not moved for this long died with its process (a restart)
STALE_AFTER = dt.timedelta(minutes=2)
#: resolution of the page images shown beside the review form: a page fits a half screen and stays legible
PREVIEW_DPI = 110
#: OCR jobs run one at a time in a process: one job already keeps two cores busy (two pages at a time)
_TURN = threading.BoundedSemaphore(1)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

INTERRUPTED = ("Việc nhận dạng chữ đã dừng giữa chừng (máy chủ vừa khởi động lại hoặc quá tải). "
               "Bấm “Nhận dạng lại” để thử lại, hoặc tải lên tệp khác.")
UNEXPECTED = ("Đã xảy ra lỗi ngoài dự kiến khi nhận dạng chữ. Bấm “Nhận dạng lại” để thử lại, "
              "hoặc dán nội dung văn bản.")
FILE_GONE = "Tệp tải lên không còn trên máy chủ (đã quá một ngày hoặc đã được vào sổ): hãy tải lên lại."

ReadScan = Callable[..., str]


# --------------------------------------------------------------------------- what needs OCR

def scan_kind(data: bytes, file_name: str | None = None) -> str | None:
    """"pdf", "png", "jpeg" or "tiff" when :func:`tracker.extraction.readers.read_document` would read the file
    by OCR (an image, or a PDF without a usable text layer), else None. Runs no OCR: a PDF's text layer is
    read (a fraction of a second), an image is known from its first bytes.

    A PDF that cannot be opened at all (damaged, a password) is None: the reader says what is wrong with it.
    """
    from tracker.extraction import ocr
    from tracker.extraction.readers import NoTextLayer, UnreadableDocument, read_pdf

    if not data:
        return None
    name = (file_name or "").lower()
    # the same test as read_document's, so that both agree on what a PDF is
    if data[:8].startswith(b"%PDF") or (b"%PDF-" in data[:1024] and not name.endswith((".txt", ".xml"))):
        try:
            read_pdf(data)
        except NoTextLayer:
            return "pdf"
        except UnreadableDocument:
            return None
        except Exception:  # noqa: BLE001 - a reader library failing on a malformed file: the reader reports it
            return None
        return None
    return ocr.image_kind(data)


# --------------------------------------------------------------------------- the job's rows

def new_token() -> str:
    """A random name for a job's address."""
    return secrets.token_urlsafe(24)


def create_job(session: Session, pending: PendingUpload, kind: str, user: User) -> OcrJob:
    """A queued job reading ``pending`` (held for ``user``); the caller commits, then calls :func:`start_job`."""
    now = utcnow()
    job = OcrJob(token=new_token(), pending_upload_id=pending.id, user_id=user.id, kind=kind, status=QUEUED,
                 attempt=1, pages_done=0, warnings=[], retryable=False, created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job


_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def job_of(session: Session, token: str | None, user: User) -> OcrJob | None:
    """The job named ``token`` if ``user`` made it (anybody else's, or a malformed name, is None)."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    return session.scalar(select(OcrJob).where(OcrJob.token == token, OcrJob.user_id == user.id))


def job_for_upload(session: Session, pending: PendingUpload | None) -> OcrJob | None:
    """The finished job that read the held upload ``pending``, if it was read by OCR."""
    if pending is None:
        return None
    return session.scalar(select(OcrJob).where(OcrJob.pending_upload_id == pending.id, OcrJob.status == DONE)
                          .order_by(OcrJob.id.desc()).limit(1))


def is_stale(job: OcrJob, now: dt.datetime | None = None) -> bool:
    """Whether a queued or running job has stopped moving: its thread died with its process."""
    now = now or utcnow()
    return job.status in (QUEUED, RUNNING) and job.updated_at < now - STALE_AFTER


@dataclass
class JobView:
    """What the clerk is shown of a job (also the progress page's JSON)."""

    #: queued, running, done or failed (a stale job is failed)
    status: str
    pages_done: int
    pages_total: int | None
    #: one sentence saying where the job is, in Vietnamese
    text: str
    #: why it failed (Vietnamese), when it did
    error: str | None
    #: whether "Nhận dạng lại" is offered
    retry: bool

    def as_json(self) -> dict:
        """The view as the progress page's script reads it."""
        return {"status": self.status, "pages_done": self.pages_done, "pages_total": self.pages_total,
                "text": self.text, "error": self.error, "retry": self.retry}


def job_view(job: OcrJob, now: dt.datetime | None = None) -> JobView:
    """The job as the clerk sees it now: a stale job is a failed one that may be retried."""
    done, total = job.pages_done or 0, job.pages_total
    if is_stale(job, now):
        return JobView(FAILED, done, total, "Nhận dạng chữ không thành công.", INTERRUPTED, True)
    if job.status == FAILED:
        return JobView(FAILED, done, total, "Nhận dạng chữ không thành công.", job.error or UNEXPECTED,
                       bool(job.retryable))
    if job.status == DONE:
        return JobView(DONE, done, total, f"Đã nhận dạng xong {total or done} trang.", None, False)
    if job.status == QUEUED:
        return JobView(QUEUED, 0, total, "Đang chờ đến lượt nhận dạng chữ…", None, False)
    if not total:
        return JobView(RUNNING, 0, None, "Đang mở bản quét…", None, False)
    if done >= total:
        return JobView(RUNNING, total, total, f"Đã nhận dạng {total}/{total} trang, đang hoàn tất…", None, False)
    return JobView(RUNNING, done, total, f"Đang nhận dạng chữ: trang {done + 1}/{total}", None, False)


def retry_job(session: Session, job: OcrJob, now: dt.datetime | None = None) -> bool:
    """Queue a failed (retryable) or stale job again as a new attempt; False when it may not be retried (it is
    running, done, or failed on a file that cannot be read) or another request retried it first. The caller
    commits, then calls :func:`start_job` with the job's new attempt."""
    now = now or utcnow()
    if not job_view(job, now).retry:
        return False
    moved = session.execute(
        update(OcrJob).where(OcrJob.id == job.id, OcrJob.attempt == job.attempt)
        .values(attempt=job.attempt + 1, status=QUEUED, pages_done=0, error=None, retryable=False, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    session.flush()
    session.refresh(job)
    return moved == 1


# --------------------------------------------------------------------------- running a job

_THREADS: set[threading.Thread] = set()
_THREADS_LOCK = threading.Lock()


def start_job(sessions: sessionmaker[Session], files_dir: Path, job_id: int, attempt: int, *,
              read: ReadScan | None = None) -> threading.Thread:
    """Run attempt ``attempt`` of job ``job_id`` on a daemon thread of this process (after the caller's commit)."""
    def target() -> None:
        try:
            run_job(sessions, files_dir, job_id, attempt, read=read)
        finally:
            with _THREADS_LOCK:
                _THREADS.discard(thread)

    thread = threading.Thread(target=target, name=f"ocr-job-{job_id}-{attempt}", daemon=True)
    with _THREADS_LOCK:
        _THREADS.add(thread)
    thread.start()
    return thread


def wait_for_jobs(timeout: float = 60) -> bool:
    """Wait for this process's job threads to end (tests, a clean stop); whether they all did."""
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
    while True:
        with _THREADS_LOCK:
            threads = list(_THREADS)
        if not threads:
            return True
        left = (deadline - dt.datetime.now()).total_seconds()
        if left <= 0:
            return False
        threads[0].join(left)


def _set(sessions: sessionmaker[Session], job_id: int, attempt: int, statuses: tuple[str, ...], **values) -> bool:
    """Write ``values`` to the job's row if it is still at ``attempt`` and in one of ``statuses``."""
    values.setdefault("updated_at", utcnow())
    with transaction(sessions) as session:
        return session.execute(
            update(OcrJob).where(OcrJob.id == job_id, OcrJob.attempt == attempt, OcrJob.status.in_(statuses))
            .values(**values).execution_options(synchronize_session=False)).rowcount == 1


def run_job(sessions: sessionmaker[Session], files_dir: Path, job_id: int, attempt: int, *,
            read: ReadScan | None = None) -> None:
    """Read the job's scan by OCR, writing its progress and outcome into its row (each write its own transaction).

    ``read`` is :func:`tracker.extraction.ocr.read_scan` unless given (tests). The text must look like a letter,
    as :func:`~tracker.extraction.readers.read_document` requires. Never raises: a failure is written to the row,
    with the reader's Vietnamese message when the file cannot be read.
    """
    from tracker.extraction import ocr

    read = read or ocr.read_scan
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                if not _set(sessions, job_id, attempt, (QUEUED, RUNNING)):
                    return
            except Exception:  # noqa: BLE001 - a busy database: the next beat tries again
                log.warning("OCR job %s: heartbeat not written", job_id, exc_info=True)

    heart = threading.Thread(target=beat, name=f"ocr-job-{job_id}-heartbeat", daemon=True)
    heart.start()
    try:
        with _TURN:
            _run(sessions, files_dir, job_id, attempt, read)
    except Exception:  # noqa: BLE001 - the thread must leave the row in a final state
        log.exception("OCR job %s failed", job_id)
        try:
            _set(sessions, job_id, attempt, (QUEUED, RUNNING), status=FAILED, error=UNEXPECTED, retryable=True)
        except Exception:  # noqa: BLE001 - the database is gone: the job will be seen as stale
            log.exception("OCR job %s: failure not written", job_id)
    finally:
        stop.set()


def _run(sessions: sessionmaker[Session], files_dir: Path, job_id: int, attempt: int, read: ReadScan) -> None:
    from tracker.extraction.readers import UnreadableDocument, check_letter

    with sessions() as session:
        job = session.get(OcrJob, job_id)
        if job is None or job.attempt != attempt or job.status != QUEUED:
            return
        kind = job.kind
        pending = session.get(PendingUpload, job.pending_upload_id)
        sha256 = pending.sha256 if pending else None
    if not _set(sessions, job_id, attempt, (QUEUED,), status=RUNNING, pages_done=0):
        return  # retried or removed meanwhile
    try:
        path = content_path(files_dir, sha256) if sha256 else None
        data = path.read_bytes() if path and path.is_file() else None
    except (ValueError, OSError):
        data = None
    if data is None:
        _set(sessions, job_id, attempt, (RUNNING,), status=FAILED, error=FILE_GONE, retryable=False)
        return
    pages = count_pages(data, kind)  # known now even when the text comes from the reader's cache
    if pages:
        _set(sessions, job_id, attempt, (RUNNING,), pages_total=pages)

    lock = threading.Lock()
    reported = [-1]

    def progress(done: int, total: int) -> None:
        # called from OCR's worker threads, maybe out of order: only a step forward is written
        with lock:
            if done <= reported[0]:
                return
            reported[0] = done
            _set(sessions, job_id, attempt, (RUNNING,), pages_done=done, pages_total=total)

    warnings: list[str] = []
    try:
        text = read(data, kind, warnings=warnings, progress=progress)
        check_letter(text)
    except UnreadableDocument as exc:
        _set(sessions, job_id, attempt, (RUNNING,), status=FAILED, error=exc.message, retryable=False)
        return
    except MemoryError:
        _set(sessions, job_id, attempt, (RUNNING,), status=FAILED, error="Tệp quá lớn để đọc.", retryable=False)
        return
    with lock:
        total = max(reported[0], 0) or pages or 0
        _set(sessions, job_id, attempt, (RUNNING,), status=DONE, result_text=text, warnings=warnings,
             pages_done=total, pages_total=total or None, error=None)


# --------------------------------------------------------------------------- page images

def page_png(data: bytes, kind: str, index: int, *, dpi: int = PREVIEW_DPI) -> bytes | None:
    """Page ``index`` (from 0) of a scan as a grey PNG at about ``dpi``, for the clerk to read beside the form;
    None when there is no such page or it cannot be drawn. Bounded like OCR: no image larger than
    :data:`tracker.extraction.ocr.MAX_PIXELS` is decoded."""
    import warnings

    from PIL import Image

    from tracker.extraction import ocr, pdf

    if index < 0:
        return None
    try:
        if kind == "pdf":
            if index >= pdf.page_count(data):
                return None
            image = Image.open(io.BytesIO(pdf.render_page_pgm(data, index, dpi=dpi, max_pixels=ocr.MAX_PIXELS)))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))
                if image.format not in ("PNG", "JPEG", "TIFF") or index >= getattr(image, "n_frames", 1):
                    return None
                image.seek(index)
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > ocr.MAX_PIXELS:
                    return None
                source_dpi = _dpi_of(image)
                scale = min(1.0, dpi / source_dpi, 1400 / width)
                target = (max(1, round(width * scale)), max(1, round(height * scale)))
                if image.format == "JPEG":
                    image.draft("L", target)  # decode a JPEG at a fraction of its size
                image = image.convert("L")
                if image.size != target:
                    image = image.resize(target, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # noqa: BLE001 - a damaged page has no image; the review still works without it
        log.warning("page %s of a held scan could not be drawn", index, exc_info=True)
        return None


def count_pages(data: bytes, kind: str) -> int | None:
    """How many pages of a scan OCR reads (the file's pages, at most the reader's limit); None if unknown."""
    from PIL import Image

    from tracker.extraction import ocr, pdf

    try:
        if kind == "pdf":
            count = pdf.page_count(data)
        else:
            count = getattr(Image.open(io.BytesIO(data)), "n_frames", 1)  # the header only
    except Exception:  # noqa: BLE001 - the reader says what is wrong with the file
        return None
    return min(count, ocr._max_pages())  # noqa: SLF001 - the limit OCR applies (TRACKER_OCR_MAX_PAGES)


def _dpi_of(image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if 50 <= value <= 1200 else 300.0  # an office scanner's resolution when the file does not say


def held_data(files_dir: Path, job: OcrJob) -> bytes | None:
    """The bytes of the upload a job reads, or None when the held file is gone."""
    pending = job.pending_upload
    if pending is None:
        return None
    try:
        path = content_path(files_dir, pending.sha256)
        return path.read_bytes() if path.is_file() else None
    except (ValueError, OSError):
        return None
