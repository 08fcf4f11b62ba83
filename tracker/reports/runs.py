"""Reports asked for on the web: a ReportRun row, built by a worker process, its file kept by hash.

Plain Python (no Flask): the web blueprint creates the run with :func:`create_run`, commits, then calls
:func:`spawn_worker`, which starts ``python -m tracker.reports.worker`` and does not build anything itself;
the archive page reads the row's state and progress. A report takes hundreds of megabytes while it is
written, and a web process that built one would keep that memory for the rest of its life.
:func:`start_in_background` (a thread of the calling process, the same :func:`execute_run`) is for the tests
and for the CLI-less development setups that ask for it (``TRACKER_REPORT_RUNNER = "thread"``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction, utcnow
from tracker.reports import progress, storage
from tracker.reports.models import ReportRun
from tracker.reports.formats import TemplateError
from tracker.reports.vn import Period, ReportInputError

log = logging.getLogger("tracker.reports")

#: report kinds and their names on the page
KINDS = {
    "summary": "Báo cáo tổng hợp",
    "agency": "Báo cáo theo cơ quan",
    "letter": "Báo cáo theo văn bản",
    "register": "Sổ đăng ký văn bản đến",
    "followup": "Sổ theo dõi giải quyết văn bản đến",
}
STATE_LABELS = {"queued": "Đang chờ", "running": "Đang lập", "done": "Hoàn thành", "failed": "Lỗi"}
FORMATS = {"docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Request:
    """What a person asked for, checked: a kind, a period (not for a letter report), an agency or a letter."""

    kind: str
    period: Period | None = None
    agency_code: str | None = None
    letter_id: int | None = None
    file_format: str = "docx"

    def params(self) -> dict:
        """JSON parameters kept on the run."""
        found: dict = {}
        if self.period is not None:
            found.update(start=self.period.start.isoformat(), end=self.period.end.isoformat(), label=self.period.label)
        if self.agency_code:
            found["agency"] = self.agency_code
        if self.letter_id is not None:
            found["letter"] = self.letter_id
        return found


def describe(run: ReportRun) -> str:
    """The run's parameters as people read them: "tháng 9 năm 2019 · cơ quan finance"."""
    parts = []
    if run.params.get("label"):
        parts.append(run.params["label"])
    if run.params.get("agency"):
        parts.append(f"cơ quan {run.params['agency']}")
    if run.params.get("letter"):
        parts.append(f"văn bản #{run.params['letter']}")
    return " · ".join(parts)


def create_run(session: Session, request: Request, *, user_id: int | None, origin: str = "web") -> ReportRun:
    """A queued run for ``request``; the caller commits, then starts it."""
    run = ReportRun(kind=request.kind, file_format=request.file_format, params=request.params(), origin=origin,
                    requested_by_id=user_id, state="queued", progress=0, created_at=utcnow())
    session.add(run)
    session.flush()
    return run


def _period_of(params: dict) -> Period:
    return Period(dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"]), params["label"])


def build_file(session: Session, kind: str, file_format: str, params: dict, today: dt.date,
               template: Path | None) -> bytes:
    """The report's bytes (.docx, or .xlsx for the summary and the register)."""
    from tracker.reports import builders

    if file_format == "xlsx":
        from tracker.reports import spreadsheet

        return spreadsheet.build_xlsx(session, kind, _period_of(params), today)
    if kind == "letter":
        report = builders.build_letter_report(session, params["letter"], today, template=template)
    elif kind == "summary":
        report = builders.build_summary(session, _period_of(params), today, template=template)
    elif kind == "agency":
        report = builders.build_agency_report(session, params["agency"], _period_of(params), today, template=template)
    elif kind == "register":
        report = builders.build_register(session, _period_of(params), today, template=template)
    elif kind == "followup":
        report = builders.build_followup(session, _period_of(params), today, template=template)
    else:
        raise ReportInputError(f"Không có loại báo cáo “{kind}”.")
    return report.to_bytes()


def file_name(run: ReportRun) -> str:
    """The name offered on download: bao-cao-summary-2019-09-01-2019-09-30.docx."""
    params = run.params or {}
    tail = f"{params['start']}-{params['end']}" if params.get("start") else f"van-ban-{params.get('letter', run.id)}"
    return f"bao-cao-{run.kind}-{tail}.{run.file_format}"


def _update(sessions: sessionmaker, run_id: int, **values) -> None:
    with transaction(sessions) as session:
        run = session.get(ReportRun, run_id)
        for name, value in values.items():
            setattr(run, name, value)


#: seconds between two heartbeats (and progress writes) of a running report
HEARTBEAT_SECONDS = 2.0
#: a queued or running report whose heartbeat is older than this was interrupted (a restart, a killed worker)
STALE_AFTER = dt.timedelta(minutes=2)
INTERRUPTED = ("Việc lập báo cáo bị gián đoạn (máy chủ khởi động lại hoặc dừng giữa chừng); "
               "hãy bấm “Lập lại”.")


class _Heartbeat(threading.Thread):
    """Writes the run's progress, stage and heartbeat every HEARTBEAT_SECONDS until stopped."""

    def __init__(self, sessions: sessionmaker, run_id: int, tracker: progress.Progress, interval: float):
        super().__init__(name=f"tracker-report-{run_id}-heartbeat", daemon=True)
        self.sessions, self.run_id, self.tracker, self.interval = sessions, run_id, tracker, interval
        self.stopped = threading.Event()

    def beat(self) -> None:
        value, stage = self.tracker.snapshot()
        try:
            _update(self.sessions, self.run_id, progress=value, stage=stage or None, heartbeat_at=utcnow())
        except Exception:  # noqa: BLE001 - a missed beat (a busy database) must not stop the report
            log.warning("report run %s: heartbeat not written", self.run_id, exc_info=True)

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.beat()


def execute_run(write_sessions: sessionmaker, read_sessions: sessionmaker, instance_path: Path, run_id: int,
                today: dt.date, template: Path | None = None, *, heartbeat_seconds: float | None = None) -> None:
    """Build run ``run_id``: running → done with its file stored, or failed with a Vietnamese reason.

    While it builds, a heartbeat thread writes its progress and stage every few seconds, so the archive page
    shows a moving bar and an interrupted run can be told from a slow one (see :func:`abandon_stale_runs`).
    """
    tracker = progress.Progress()
    heartbeat = _Heartbeat(write_sessions, run_id, tracker,
                           HEARTBEAT_SECONDS if heartbeat_seconds is None else heartbeat_seconds)
    try:
        with read_sessions() as session:
            run = session.get(ReportRun, run_id)
            kind, file_format, params = run.kind, run.file_format, dict(run.params or {})
            name = file_name(run)
        tracker.set_stage(5, "Đang đọc số liệu")
        if not _claim(write_sessions, run_id, tracker.stage):
            log.info("report run %s is not queued any more: left alone", run_id)
            return
        heartbeat.start()
        with read_sessions() as session, progress.tracking(tracker):
            data = build_file(session, kind, file_format, params, today, template)
        tracker.set_stage(progress.TABLES_END, "Đang lưu tệp")
        file_hash = storage.store(instance_path, data, file_format)
        heartbeat.stopped.set()
        heartbeat.join()
        _update(write_sessions, run_id, state="done", progress=100, stage=None, file_hash=file_hash,
                file_name=name, file_size=len(data), finished_at=utcnow(), heartbeat_at=utcnow())
    except (ReportInputError, TemplateError, FileNotFoundError) as exc:
        _stop(heartbeat)
        _update(write_sessions, run_id, state="failed", stage=None, error=str(exc), finished_at=utcnow())
    except Exception:  # noqa: BLE001 - the page must say it failed, not leave it "running" for ever
        _stop(heartbeat)
        log.exception("report run %s failed", run_id)
        _update(write_sessions, run_id, state="failed", stage=None, finished_at=utcnow(),
                error="Lập báo cáo không thành công do lỗi hệ thống; hãy thử lại hoặc báo quản trị viên.")


def _claim(sessions: sessionmaker, run_id: int, stage: str) -> bool:
    """queued → running, in one conditional UPDATE: a run already taken by another worker, or closed as
    interrupted meanwhile, is not built (twice)."""
    with transaction(sessions) as session:
        result = session.execute(
            update(ReportRun).where(ReportRun.id == run_id, ReportRun.state == "queued")
            .values(state="running", progress=5, stage=stage, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False))
        return (result.rowcount or 0) == 1


def _stop(heartbeat: _Heartbeat) -> None:
    heartbeat.stopped.set()
    if heartbeat.is_alive():
        heartbeat.join()


def _stale_condition(now: dt.datetime):
    last_sign = func.coalesce(ReportRun.heartbeat_at, ReportRun.created_at)
    return (ReportRun.state.in_(("queued", "running"))) & (last_sign < now - STALE_AFTER)


def has_stale_runs(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether some queued or running report stopped beating (a read, so pages can ask it cheaply)."""
    return session.scalar(select(ReportRun.id).where(_stale_condition(now or utcnow())).limit(1)) is not None


def abandon_stale_runs(session: Session, now: dt.datetime | None = None) -> int:
    """Mark failed every queued or running report whose heartbeat stopped more than STALE_AFTER ago.

    One conditional UPDATE, so a run that beats in the meantime is left alone; the caller commits. Returns
    how many runs were marked. Scheduled runs never stay "running" (they build in one transaction).
    """
    now = now or utcnow()
    result = session.execute(
        update(ReportRun).where(_stale_condition(now))
        .values(state="failed", stage=None, error=INTERRUPTED, finished_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def request_of(run: ReportRun) -> Request:
    """The request a past run answered, to compile it again ("Lập lại")."""
    params = run.params or {}
    return Request(kind=run.kind, period=_period_of(params) if params.get("start") else None,
                   agency_code=params.get("agency"), letter_id=params.get("letter"), file_format=run.file_format)


#: threads of runs started by this process, building them or watching their worker (tests wait for them;
#: nothing else relies on it)
THREADS: dict[int, threading.Thread] = {}


def start_in_background(write_sessions: sessionmaker, read_sessions: sessionmaker, instance_path: Path,
                        run_id: int, today: dt.date, template: Path | None = None) -> threading.Thread:
    """Run :func:`execute_run` on a daemon thread and return it."""
    thread = threading.Thread(target=execute_run, name=f"tracker-report-{run_id}", daemon=True,
                              args=(write_sessions, read_sessions, instance_path, run_id, today, template))
    THREADS[run_id] = thread
    thread.start()
    return thread


#: why a run whose worker process ended without finishing it failed (killed, out of memory, crashed)
WORKER_DIED = ("Tiến trình lập báo cáo dừng giữa chừng (hết bộ nhớ hoặc bị dừng); hãy bấm “Lập lại” "
               "hoặc báo quản trị viên.")
WORKER_NOT_STARTED = "Không khởi động được tiến trình lập báo cáo; hãy thử lại hoặc báo quản trị viên."


def worker_command(run_id: int, today: dt.date, template: Path | None = None) -> list[str]:
    """The command line of the worker process that builds run ``run_id``."""
    command = [sys.executable, "-m", "tracker.reports.worker", str(run_id), "--today", today.isoformat()]
    if template is not None:
        command += ["--template", str(template)]
    return command


def worker_environment(settings) -> dict[str, str]:
    """This process's environment with the instance folder and database it was given, however it was given
    them (environment, instance/config.py or create_app's arguments), so the worker uses the same ones."""
    environment = dict(os.environ)
    environment["TRACKER_INSTANCE"] = str(settings.instance_path)
    environment["TRACKER_DATABASE_URL"] = settings.database_url
    environment["TRACKER_SECRET_KEY"] = settings.secret_key  # not used by a report; read so none is generated
    return environment


def fail_unfinished(sessions: sessionmaker, run_id: int, error: str) -> bool:
    """Mark run ``run_id`` failed with ``error`` if it is still queued or running (one conditional UPDATE, so a
    run that finished is left alone). True when it was marked."""
    with transaction(sessions) as session:
        result = session.execute(
            update(ReportRun).where(ReportRun.id == run_id, ReportRun.state.in_(("queued", "running")))
            .values(state="failed", stage=None, error=error, finished_at=utcnow())
            .execution_options(synchronize_session=False))
        return (result.rowcount or 0) == 1


def _watch(process: subprocess.Popen, sessions: sessionmaker, run_id: int) -> None:
    """Wait for the worker to end (so it does not stay a zombie) and fail its run at once if it died with it
    unfinished, instead of after STALE_AFTER."""
    code = process.wait()
    if code != 0:
        log.warning("report worker of run %s ended with code %s", run_id, code)
    try:
        if fail_unfinished(sessions, run_id, WORKER_DIED):
            log.warning("report run %s: its worker ended before finishing it", run_id)
    except Exception:  # noqa: BLE001 - the stale-run rule closes it later
        log.warning("report run %s: not closed after its worker ended", run_id, exc_info=True)


#: worker processes started by this process and not yet ended, by run id (tests wait for them)
WORKERS: dict[int, subprocess.Popen] = {}


def spawn_worker(write_sessions: sessionmaker, settings, run_id: int, today: dt.date,
                 template: Path | None = None) -> subprocess.Popen | None:
    """Start the worker process that builds run ``run_id`` and return at once (None, with the run marked failed,
    when it cannot be started). A daemon thread of this process only waits for it to end."""
    try:
        process = subprocess.Popen(worker_command(run_id, today, template), env=worker_environment(settings),
                                   stdin=subprocess.DEVNULL, close_fds=True)
    except OSError:
        log.exception("report run %s: worker not started", run_id)
        fail_unfinished(write_sessions, run_id, WORKER_NOT_STARTED)
        return None
    WORKERS[run_id] = process

    def watch() -> None:
        try:
            _watch(process, write_sessions, run_id)
        finally:
            WORKERS.pop(run_id, None)

    watcher = threading.Thread(target=watch, name=f"tracker-report-{run_id}-watch", daemon=True)
    THREADS[run_id] = watcher  # tests wait for the worker's end through it
    watcher.start()
    return process
