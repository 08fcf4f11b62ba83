"""The scheduler: APScheduler 3 driving a few tick jobs, one active scheduler per database.

The database is the schedule. Due reminders, outbox messages and report runs are rows with their own
due times, so the jobs are only *ticks* that ask the database what is due; nothing is pickled into a
job store (APScheduler's FAQ: a job store must never be shared between schedulers) and a restart loses
nothing.

Only one scheduler is active per database: it holds a lock (SQLite: ``flock`` on a file beside the
database; PostgreSQL: a session-level advisory lock on a dedicated connection). Another one — a second
``tracker scheduler``, or ``tracker serve`` next to it — waits and takes over when the holder dies
(the kernel drops the file lock, PostgreSQL drops the advisory lock with the session). Even two active
schedulers by mistake would send nothing twice: each send is claimed with a conditional UPDATE and each
reminder has a unique key. Run ``tracker scheduler`` as its own process wherever the web server has
several worker processes: APScheduler inside each gunicorn worker is the classic duplicate-mail bug.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import socket
import sys
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tracker.db import make_engine, transaction, utcnow
from tracker.reminders.models import SchedulerHeartbeat
from tracker.reminders.operations import ReminderService, deliver, run_daily_pass_if_due

log = logging.getLogger("tracker.scheduler")

#: key of the PostgreSQL advisory lock ("trackers" as a big-endian 63-bit number); advisory locks are per database
ADVISORY_LOCK_KEY = int.from_bytes(b"trackers", "big") & 0x7FFF_FFFF_FFFF_FFFF

JOB_REMINDERS = "tracker.reminders.pass"
JOB_OUTBOX = "tracker.outbox.deliver"
JOB_REPORTS = "tracker.reports.run"
JOB_SWEEP_UPLOADS = "tracker.intake.sweep_uploads"
JOB_RECOUNT = "tracker.tasks.recount_figures"


def holder_name() -> str:
    """host:pid of this process, shown on the admin page."""
    return f"{socket.gethostname()}:{os.getpid()}"


# -- locks -----------------------------------------------------------------------------------------


class FileLock:
    """An exclusive ``flock`` on a file: released by the kernel when the process dies, however it dies."""

    def __init__(self, path: Path):
        """Lock ``path`` (created when missing)."""
        self.path = Path(path)
        self._handle = None

    def describe(self) -> str:
        """For messages."""
        return f"khóa tệp {self.path}"

    def try_acquire(self) -> bool:
        """Take the lock if free; never blocks."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{holder_name()}\n")
        handle.flush()
        self._handle = handle
        return True

    def healthy(self) -> bool:
        """A held file lock cannot be lost."""
        return self._handle is not None

    def release(self) -> None:
        """Give the lock back."""
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            finally:
                handle.close()


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock held on a connection of its own (autocommit, no open transaction)."""

    def __init__(self, database_url: str, key: int = ADVISORY_LOCK_KEY):
        """Lock ``key`` in the database of ``database_url``."""
        self.engine = make_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.key = key
        self._connection = None

    def describe(self) -> str:
        """For messages."""
        return f"khóa advisory {self.key} của PostgreSQL"

    def try_acquire(self) -> bool:
        """Take the lock if free; never blocks. A database that cannot be reached counts as "not now"."""
        try:
            connection = self.engine.connect()
        except Exception as exc:  # noqa: BLE001 - the database may be restarting: wait and try again
            log.warning("scheduler lock: cannot connect: %s", exc)
            return False
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        except Exception:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def healthy(self) -> bool:
        """The lock's connection is still alive (a lost connection is a lost lock)."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False

    def release(self) -> None:
        """Unlock and close the connection."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except Exception:  # noqa: BLE001 - closing the session drops the lock anyway
            pass
        finally:
            connection.close()
        self.engine.dispose()


def lock_for(settings) -> FileLock | AdvisoryLock:
    """The scheduler lock of an instance's database."""
    if settings.is_sqlite:
        database = make_url(settings.database_url).database
        if database and database != ":memory:":
            return FileLock(Path(database).with_name(Path(database).name + ".scheduler-lock"))
        return FileLock(settings.instance_path / "scheduler.lock")
    return AdvisoryLock(settings.database_url)


# -- the jobs --------------------------------------------------------------------------------------


class Ticks:
    """The tick jobs of one active scheduler."""

    def __init__(self, service: ReminderService):
        """Work for ``service``."""
        self.service = service

    def reminders(self) -> None:
        """Run today's reminder pass if its time has come and it has not run, then deliver."""
        try:
            result = run_daily_pass_if_due(self.service)
            if result is not None and result.messages:
                self.outbox()
        except Exception:  # noqa: BLE001 - log and let the next tick try again
            log.exception("reminder pass failed; the next tick tries again")

    def outbox(self) -> None:
        """Deliver due outbox messages and note the heartbeat."""
        try:
            self.heartbeat()
            while True:
                report = deliver(self.service)
                if report.attempted:
                    log.info("outbox: %d sent, %d to retry, %d failed%s", len(report.sent), len(report.retry),
                             len(report.failed), f" ({report.unavailable})" if report.unavailable else "")
                if report.unavailable or len(report.sent) < self.service.policy.delivery.batch_size:
                    break
        except Exception:  # noqa: BLE001
            log.exception("outbox delivery failed; the next tick tries again")

    def reports(self, run_due_reports) -> None:
        """Run the scheduled reports that are due (tracker.reports.scheduled)."""
        try:
            run_due_reports(self.service)
        except Exception:  # noqa: BLE001
            log.exception("scheduled reports failed; the next tick tries again")

    def sweep_uploads(self) -> None:
        """Forget registration uploads never confirmed within a day, and their files."""
        from tracker.intake.operations import sweep_expired_uploads

        try:
            with transaction(self.service.sessions) as session:
                result = sweep_expired_uploads(session, self.service.settings.instance_path / "files")
            if result.pending_rows or result.files:
                log.info("uploads never confirmed: %d forgotten, %d files (%d bytes) deleted",
                         result.pending_rows, result.files, result.bytes)
        except Exception:  # noqa: BLE001
            log.exception("sweeping expired uploads failed; the next tick tries again")

    def recount_figures(self) -> None:
        """Check the overview's running counts against a full count, and repair them if something wrote tasks
        outside the app (tracker.tasks.tally)."""
        from tracker.tasks.tally import recount

        try:
            with transaction(self.service.sessions) as session:
                problems = recount(session)
            if problems:
                log.warning("overview counts disagreed with a full count at %d places and were recounted: %s",
                            len(problems), "; ".join(problems[:10]))
        except Exception:  # noqa: BLE001
            log.exception("recounting the overview's figures failed; tomorrow's run tries again")

    def heartbeat(self, started: bool = False) -> None:
        """Write who runs the scheduler and when it last ticked."""
        with transaction(self.service.sessions) as session:
            row = session.get(SchedulerHeartbeat, 1)
            now = utcnow()
            if row is None:
                session.add(SchedulerHeartbeat(id=1, holder=holder_name(), started_at=now, beat_at=now))
            else:
                if started or row.holder != holder_name():
                    row.holder, row.started_at = holder_name(), now
                row.beat_at = now


def build_scheduler(service: ReminderService, ticks: Ticks):
    """A BackgroundScheduler with the tick jobs, each setting chosen on purpose (see the comments)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger
    from zoneinfo import ZoneInfo

    # Explicit time zone: the office's (Asia/Ho_Chi_Minh by default), never the server's local zone,
    # which is often UTC on a VPS and would move "07:30" to 14:30 in Hà Nội.
    zone = ZoneInfo(service.settings.timezone)
    schedule = service.policy.schedule
    scheduler = BackgroundScheduler(
        # Memory only: the jobs are rebuilt at every start from code; what is due lives in the database.
        jobstores={"default": MemoryJobStore()},
        # One thread per job at most (max_instances=1 below): a slow SMTP server cannot pile up threads.
        executors={"default": ThreadPoolExecutor(max_workers=3)},
        timezone=zone,
    )
    start = dt.datetime.now(zone)
    common = dict(
        # Fixed ids and replace_existing: building the scheduler twice never doubles a job.
        replace_existing=True,
        # Ticks missed while the process was suspended (a laptop asleep, a VM paused) run once, not N times:
        # each tick already does everything that is due.
        coalesce=True,
        # A tick still running (a long delivery) is not started a second time in parallel.
        max_instances=1,
    )
    scheduler.add_job(
        ticks.reminders, IntervalTrigger(seconds=schedule.reminder_tick_seconds, timezone=zone),
        id=JOB_REMINDERS, name="Nhắc hạn hằng ngày", next_run_time=start,  # first tick at start: catch up now
        # A tick later than one interval is pointless: the next one comes anyway and does the same.
        misfire_grace_time=schedule.reminder_tick_seconds, **common)
    scheduler.add_job(
        ticks.outbox, IntervalTrigger(seconds=schedule.outbox_tick_seconds, timezone=zone),
        id=JOB_OUTBOX, name="Gửi thư trong hộp thư đi", next_run_time=start + dt.timedelta(seconds=1),
        misfire_grace_time=schedule.outbox_tick_seconds, **common)
    # Hourly is plenty: an upload is swept a day after it was made, give or take an hour.
    scheduler.add_job(
        ticks.sweep_uploads, IntervalTrigger(hours=1, timezone=zone), id=JOB_SWEEP_UPLOADS,
        name="Dọn tệp tải lên chưa vào sổ", next_run_time=start + dt.timedelta(minutes=5),
        misfire_grace_time=3600, **common)
    # Once a night, when nobody waits for a write (a full count holds the write lock for seconds at a province's
    # size), and a few minutes after start so a new or migrated database gets its letters' count.
    scheduler.add_job(
        ticks.recount_figures, CronTrigger(hour=2, minute=30, timezone=zone), id=JOB_RECOUNT,
        name="Đối chiếu số liệu tổng hợp", misfire_grace_time=6 * 3600, **common)
    scheduler.add_job(
        ticks.recount_figures, id=JOB_RECOUNT + "-start", name="Đối chiếu số liệu tổng hợp khi khởi động",
        next_run_time=start + dt.timedelta(minutes=2), misfire_grace_time=3600, replace_existing=True)
    try:
        from tracker.reports.scheduled import run_due_reports  # the reports area plugs in here when it exists
    except ImportError:
        run_due_reports = None
    if run_due_reports is not None:
        scheduler.add_job(
            ticks.reports, IntervalTrigger(seconds=schedule.report_tick_seconds, timezone=zone),
            args=[run_due_reports], id=JOB_REPORTS, name="Báo cáo định kỳ",
            misfire_grace_time=schedule.report_tick_seconds, **common)
    return scheduler


# -- running ---------------------------------------------------------------------------------------


class SchedulerRunner:
    """Waits for the lock, runs the jobs while it holds it, gives it back on stop."""

    def __init__(self, service: ReminderService, lock=None, *, say=None):
        """``say(message)`` reports progress in Vietnamese (the command prints it; the server logs it)."""
        self.service = service
        self.lock = lock or lock_for(service.settings)
        self.say = say or log.info
        self.stop_event = threading.Event()
        self.active = threading.Event()

    def run(self) -> None:
        """Until stopped: take the lock (waiting for it), run the scheduler, watch the lock."""
        retry = self.service.policy.schedule.lock_retry_seconds
        waiting_said = False
        while not self.stop_event.is_set():
            if not self.lock.try_acquire():
                if not waiting_said:
                    self.say(f"Một bộ lập lịch khác đang chạy trên cơ sở dữ liệu này ({self.lock.describe()}); "
                             "đang chờ để tiếp quản khi nó dừng.")
                    waiting_said = True
                self.stop_event.wait(retry)
                continue
            waiting_said = False
            self._run_holding_lock(retry)

    def _run_holding_lock(self, retry: int) -> None:
        ticks = Ticks(self.service)
        scheduler = None
        try:
            ticks.heartbeat(started=True)
            scheduler = build_scheduler(self.service, ticks)
            scheduler.start()
            self.active.set()
            self.say(f"Bộ lập lịch đang chạy ({holder_name()}, múi giờ {self.service.settings.timezone}, "
                     f"nhắc hạn từ {self.service.policy.schedule.send_at:%H:%M} hằng ngày).")
            while not self.stop_event.wait(min(retry, 5)):
                if not self.lock.healthy():
                    self.say("Mất khóa bộ lập lịch (mất kết nối cơ sở dữ liệu); dừng các việc và chờ lấy lại khóa.")
                    break
        except Exception:  # noqa: BLE001 - e.g. the database is down: give the lock back and wait
            log.exception("scheduler stopped by an error; waiting to start again")
            self.stop_event.wait(retry)
        finally:
            self.active.clear()
            if scheduler is not None:
                scheduler.shutdown(wait=True)
            self.lock.release()

    def stop(self) -> None:
        """Ask :meth:`run` to finish (the running jobs end first)."""
        self.stop_event.set()


class InProcessScheduler:
    """The scheduler on a daemon thread of ``tracker serve``; ``shutdown()`` stops it and frees the lock."""

    def __init__(self, runner: SchedulerRunner):
        """Start ``runner`` on its own thread."""
        self.runner = runner
        self.thread = threading.Thread(target=runner.run, name="tracker-scheduler", daemon=True)
        self.thread.start()

    def shutdown(self, timeout: float = 30) -> None:
        """Stop the jobs, give back the lock, wait for the thread."""
        self.runner.stop()
        self.thread.join(timeout)


def start_in_process(app) -> InProcessScheduler:
    """Start the scheduler inside the web process (``tracker serve``, single process), after taking the lock.

    Returns at once: the lock is taken on the scheduler's own thread, which waits if another scheduler
    holds it and takes over when that one stops.
    """
    service = ReminderService.from_app(app)
    return InProcessScheduler(SchedulerRunner(service, say=lambda message: print(message, file=sys.stderr, flush=True)))
