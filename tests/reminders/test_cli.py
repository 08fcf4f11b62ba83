"""``tracker remind``: the demo's Kiên Giang reminders end to end, a walk across Tết, a process killed mid-send."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.reminders import conftest as fixtures
from tests.reminders.conftest import SmtpServer, free_port
from tests.reminders.helpers import events, outbox, register, set_status
from tracker.cli import cli

TRACKER = str(Path(sys.executable).parent / "tracker")
D = dt.date


def tracker(args: list[str], instance: Path, **env) -> subprocess.CompletedProcess:
    """Run the real ``tracker`` command in its own process."""
    full_env = {**os.environ, "TRACKER_INSTANCE": str(instance), **env}
    full_env.pop("TRACKER_TODAY", None)
    return subprocess.run([TRACKER, *args], env=full_env, capture_output=True, text=True, timeout=120)


def test_remind_on_the_demo_database_sends_the_kien_giang_reminders(tmp_path, smtp_server):
    instance = tmp_path / "demo"
    init = tracker(["init", "--demo"], instance)
    assert init.returncode == 0, init.stderr

    dry = tracker(["remind", "--now", "2019-09-25", "--dry-run"], instance, TRACKER_SMTP_URL=smtp_server.url)
    assert dry.returncode == 0, dry.stderr
    assert "chạy thử" in dry.stdout and "Sẽ gửi 1 thư" in dry.stdout and smtp_server.received == []

    run = tracker(["remind", "--now", "2019-09-25"], instance, TRACKER_SMTP_URL=smtp_server.url,
                  TRACKER_BASE_URL="https://theodoi.kiengiang.example.gov.vn")
    assert run.returncode == 0, run.stderr
    print(run.stdout)
    assert "Nhắc hạn ngày Thứ Tư, 25/09/2019:" in run.stdout
    assert "Sở Lao động - Thương binh và Xã hội — Công văn số 871/VP-VHXH" in run.stdout
    assert "còn 3 ngày làm việc (hạn Thứ Hai, 30/09/2019)" in run.stdout
    assert "Đã gửi: canbo.ldtbxh@example.gov.vn" in run.stdout
    [mail] = smtp_server.received
    assert mail.to == "canbo.ldtbxh@example.gov.vn"
    text = mail.text
    assert text.startswith("Kính gửi: Ông/Bà Phạm Văn Lao Động (Sở LĐTBXH)")
    assert "871/VP-VHXH" in text and "Thứ Hai, 30/09/2019" in text and "Còn 3 ngày làm việc" in text
    assert "https://theodoi.kiengiang.example.gov.vn/tasks/" in text
    assert "DTSTART;VALUE=DATE:20190930" in mail.ics

    again = tracker(["remind", "--now", "2019-09-25"], instance, TRACKER_SMTP_URL=smtp_server.url)
    assert "đã gửi trước đó, không gửi lại" in again.stdout and len(smtp_server.received) == 1


def test_remind_refuses_a_date_it_cannot_read(tmp_path):
    result = tracker(["remind", "--now", "25/09/2019"], tmp_path)
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


def remind(day: dt.date, database_url: str, instance: Path, smtp_url: str) -> str:
    """``tracker remind --now day`` in this process (the walk runs it for every day of a month)."""
    env = {"TRACKER_INSTANCE": str(instance), "TRACKER_DATABASE_URL": database_url, "TRACKER_SMTP_URL": smtp_url,
           "TRACKER_BASE_URL": fixtures.BASE_URL}
    result = CliRunner().invoke(cli, ["remind", "--now", day.isoformat()], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_letter_walks_from_registration_to_escalation_across_tet(database_url, sessions, cast, smtp_server,
                                                                    tmp_path):
    # Registered Monday 20/1/2025 with a deadline of Wednesday 5/2/2025, right after the Tết break.
    [task] = register(sessions, cast.clerk, [(cast.finance, "lead", D(2025, 2, 5))], received_on=D(2025, 1, 20),
                      number="57/UBND-KT", subject="rà soát, báo cáo giải ngân vốn đầu tư công")
    instance = tmp_path / "instance"
    arrived: dict[dt.date, list[tuple[str, str]]] = {}
    outputs = {}
    day = D(2025, 1, 20)
    while day <= D(2025, 2, 14):
        before = len(smtp_server.received)
        outputs[day] = remind(day, database_url, instance, smtp_server.url)
        new = smtp_server.received[before:]
        if new:
            arrived[day] = sorted((m.to, next(line.split(": ", 1)[1] for line in m.text.splitlines()
                                              if line.strip().startswith("Tình trạng:"))) for m in new)
        day += dt.timedelta(days=1)

    agency = ["finance@example.gov.vn", "finance_officer@example.gov.vn"]
    assert arrived == {
        D(2025, 1, 22): [(a, "Còn 5 ngày làm việc") for a in agency],
        D(2025, 2, 3): [(a, "Còn 2 ngày làm việc") for a in agency],
        D(2025, 2, 5): [(a, "Đến hạn hôm nay") for a in agency],
        D(2025, 2, 10): [(a, "Quá hạn 3 ngày làm việc") for a in agency],
        D(2025, 2, 13): sorted([(a, "Quá hạn 6 ngày làm việc (đã báo cáo lãnh đạo)") for a in agency]
                               + [("leader@example.gov.vn", "Quá hạn 6 ngày làm việc")]),
    }
    assert "là ngày nghỉ (Tết Nguyên đán)" in outputs[D(2025, 1, 29)]
    assert "là ngày nghỉ (Chủ nhật)" in outputs[D(2025, 2, 2)]
    leader = smtp_server.recorder.to("leader@example.gov.vn")[0]
    assert leader.message["Subject"].startswith("Báo cáo nhiệm vụ quá hạn")
    assert "Công văn số 57/UBND-KT" in leader.text
    assert len(events(sessions, task)) == 11  # 5 stages × 2 addresses + the leader's copy, on the timeline

    set_status(sessions, task, "done")  # the result is accepted: the next overdue stage (18/2) never goes out
    remind(D(2025, 2, 18), database_url, instance, smtp_server.url)
    assert len(smtp_server.received) == 11


class HangingSmtp:
    """An SMTP server that takes the message and never answers the final dot: the client waits there."""

    def __init__(self):
        self.port = free_port()
        self.got_data = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(connection)
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        connection.sendall(b"220 hole ESMTP\r\n")
        for raw in reader:
            command = raw.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                connection.sendall(b"250 hole\r\n")
            elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                connection.sendall(b"250 OK\r\n")
            elif command == b"DATA":
                connection.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                for line in reader:
                    if line == b".\r\n":
                        self.got_data.set()  # and never say "250": the client hangs until it is killed
                        return

    def close(self) -> None:
        self._listener.close()
        for connection in self._connections:
            connection.close()


def test_a_process_killed_between_outbox_and_delivery_sends_exactly_once_after_restart(
        tmp_path, database_url, sessions, cast, letter, smtp_server):
    instance = tmp_path / "instance"
    (instance / "workflows").mkdir(parents=True, exist_ok=True)
    # A claim left by a dead process is taken back after 1 s instead of 10 min, to keep the test short.
    (instance / "workflows" / "reminders.toml").write_text("[delivery]\nclaim_timeout_seconds = 1\n", encoding="utf-8")
    hole = HangingSmtp()
    env = {**os.environ, "TRACKER_INSTANCE": str(instance), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_SMTP_URL": f"smtp://127.0.0.1:{hole.port}?timeout=120"}
    process = subprocess.Popen([TRACKER, "remind", "--now", "2019-09-25"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert hole.got_data.wait(60), "the command never reached the SMTP DATA step"
        # The outbox was written and committed; the first message is claimed and on the wire; kill it there.
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        hole.close()
    states = sorted(r.state for r in outbox(sessions))
    assert states == ["pending", "pending", "pending", "sending"]
    assert smtp_server.received == []

    time.sleep(1.1)  # the dead process's claim times out
    env["TRACKER_SMTP_URL"] = smtp_server.url
    restart = subprocess.run([TRACKER, "remind", "--now", "2019-09-25"], env=env, capture_output=True, text=True,
                             timeout=120)
    assert restart.returncode == 0, restart.stderr
    assert sorted(m.to for m in smtp_server.received) == [
        "finance@example.gov.vn", "finance_officer@example.gov.vn", "labour@example.gov.vn",
        "labour_officer@example.gov.vn"]
    assert all(r.state == "sent" for r in outbox(sessions))
    third = subprocess.run([TRACKER, "remind", "--now", "2019-09-25"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert third.returncode == 0 and len(smtp_server.received) == 4


@pytest.mark.parametrize("flag", ["--dry-run"])
def test_dry_run_from_the_command_line_changes_nothing(database_url, sessions, cast, letter, smtp_server, tmp_path,
                                                       flag):
    env = {"TRACKER_INSTANCE": str(tmp_path / "instance"), "TRACKER_DATABASE_URL": database_url,
           "TRACKER_SMTP_URL": smtp_server.url}
    result = CliRunner().invoke(cli, ["remind", "--now", "2019-09-26", flag], env=env, catch_exceptions=False)
    assert "Sẽ gửi 4 thư:" in result.output and "→ finance@example.gov.vn" in result.output
    assert outbox(sessions) == [] and smtp_server.received == []


def test_the_daily_pass_opens_the_due_period_of_a_recurring_report(app, sessions, cast, letter):
    """A monthly report gets its period (with its own deadline) from the pass, without anyone opening a page."""
    import datetime as dt

    from sqlalchemy import select

    from tracker.db import transaction
    from tracker.reminders.operations import ReminderService, run_pass
    from tracker.tasks.models import Occurrence, Task

    with transaction(sessions) as s:
        task = s.get(Task, letter.finance_task)
        task.recurrence = "monthly:20"
    run_pass(ReminderService.from_app(app), dt.date(2019, 10, 1))
    with sessions() as s:
        periods = s.scalars(select(Occurrence).where(Occurrence.task_id == letter.finance_task)).all()
    assert periods, "the pass should have opened the periods of the monthly report"
    assert all(p.deadline.day in (20, 21, 22) for p in periods)  # the 20th, or the next working day
