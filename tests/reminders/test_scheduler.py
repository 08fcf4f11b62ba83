"""The scheduler: one active per database, a second waits and takes over; ``tracker serve`` runs it too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reminders.conftest import free_port
from tests.reminders.helpers import outbox
from tracker.reminders.scheduler import AdvisoryLock, FileLock

TRACKER = str(Path(sys.executable).parent / "tracker")

FAST_POLICY = """
[schedule]
send_at = "00:00"
reminder_tick_seconds = 1
outbox_tick_seconds = 1
lock_retry_seconds = 1
"""


def fast_instance(folder: Path, today: str = "2019-09-25") -> Path:
    """An instance whose scheduler ticks every second and whose office day is pinned."""
    (folder / "workflows").mkdir(parents=True, exist_ok=True)
    (folder / "workflows" / "reminders.toml").write_text(FAST_POLICY, encoding="utf-8")
    (folder / "config.py").write_text(f'TRACKER_TODAY = "{today}"\n', encoding="utf-8")
    return folder


class Process:
    """A tracker command in its own process, its stderr in a file we can read while it runs."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self.handle = open(log, "w", encoding="utf-8")
        self.popen = subprocess.Popen([TRACKER, *args], env=env, stdout=self.handle, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, words: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.output():
            assert self.popen.poll() is None, f"process ended:\n{self.output()}"
            assert time.monotonic() < deadline, f"{words!r} never appeared in:\n{self.output()}"
            time.sleep(0.1)

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            return self.popen.wait(30)
        finally:
            self.handle.close()


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_file_lock_is_exclusive(tmp_path):
    first, second = FileLock(tmp_path / "db.scheduler-lock"), FileLock(tmp_path / "db.scheduler-lock")
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


@pytest.mark.postgres
def test_postgresql_advisory_lock_is_exclusive_and_dies_with_its_session(pg_cluster):
    if pg_cluster is None:
        pytest.skip("PostgreSQL tests are off (set TRACKER_TEST_POSTGRES=1)")
    url = pg_cluster.url("tracker_template")
    first, second = AdvisoryLock(url), AdvisoryLock(url)
    assert first.try_acquire() and first.healthy()
    assert not second.try_acquire()
    first._connection.invalidate()  # the holder's session ends abruptly, as when its process is killed
    first._connection = None
    deadline = time.monotonic() + 10
    while not second.try_acquire():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    second.release()
    first.engine.dispose()


def _parent_of(pid: int) -> int | None:
    """The parent process id of ``pid`` (Linux /proc), None when it is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_one_scheduler_sends_a_second_waits_and_takes_over(database_url, sessions, cast, letter, smtp_server,
                                                           tmp_path):
    """On SQLite (file lock) and, with TRACKER_TEST_POSTGRES=1, on PostgreSQL (advisory lock)."""
    from tracker.db import transaction
    from tracker.reminders.models import OutboxMessage, SchedulerHeartbeat
    from tracker.reminders.outbox import resend

    instance = fast_instance(tmp_path / "instance")
    env = {**os.environ, "TRACKER_INSTANCE": str(instance), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_SMTP_URL": smtp_server.url}
    first = Process(["scheduler"], env, tmp_path / "first.log")
    second = None
    try:
        first.wait_for("Bộ lập lịch đang chạy")
        second = Process(["serve", "--port", str(free_port())], env, tmp_path / "second.log")
        second.wait_for("đang chờ để tiếp quản")
        smtp_server.wait_for(4)
        time.sleep(2.5)  # a few more ticks of both: nothing is sent twice
        assert sorted(m.to for m in smtp_server.received) == [
            "finance@example.gov.vn", "finance_officer@example.gov.vn", "labour@example.gov.vn",
            "labour_officer@example.gov.vn"]
        with sessions() as s:
            assert s.get(SchedulerHeartbeat, 1).holder.endswith(f":{first.popen.pid}")

        first.stop(signal.SIGKILL)  # dies without a word: the lock goes with the process
        second.wait_for("Bộ lập lịch đang chạy")
        with transaction(sessions) as s:  # new work after the takeover: an admin resends a delivered mail
            row = s.get(OutboxMessage, outbox(sessions)[0].id)
            copy_id = resend(s, row, actor=None).id
        smtp_server.wait_for(5)
        time.sleep(1.5)
        assert len(smtp_server.received) == 5
        with sessions() as s:
            assert s.get(OutboxMessage, copy_id).state == "sent"
            # ``tracker serve`` runs the scheduler as a child process of its own (with its workers)
            holder = int(s.get(SchedulerHeartbeat, 1).holder.rsplit(":", 1)[1])
            assert holder == second.popen.pid or _parent_of(holder) == second.popen.pid
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()


def test_scheduler_command_stops_cleanly_and_frees_the_lock(database_url, tmp_path, cast):
    instance = fast_instance(tmp_path / "instance")
    env = {**os.environ, "TRACKER_INSTANCE": str(instance), "TRACKER_DATABASE_URL": database_url}
    process = Process(["scheduler"], env, tmp_path / "scheduler.log")
    process.wait_for("Bộ lập lịch đang chạy")
    assert process.stop(signal.SIGTERM) == 0
    assert "Bộ lập lịch đã dừng." in process.output()
    if database_url.startswith("sqlite"):
        lock = FileLock(Path(database_url.removeprefix("sqlite:///") + ".scheduler-lock"))
        assert lock.try_acquire()
        lock.release()


def test_serve_runs_the_scheduler_in_process(make_app, smtp_server, cast, letter, tmp_path, sessions):
    from tracker.reminders.scheduler import start_in_process

    fast_instance(tmp_path / "instance")
    app = make_app(smtp_url=smtp_server.url)
    handle = start_in_process(app)
    try:
        smtp_server.wait_for(4)
        wait_until(lambda: all(r.state == "sent" for r in outbox(sessions)))
    finally:
        handle.shutdown()
    assert not handle.thread.is_alive()
    assert len(smtp_server.received) == 4
