"""Time the reminders: plan 1,000,000 tasks, run the pass over SQL, and send 10,000 e-mails to a local SMTP server.

Run from the repository root:  .venv/bin/python bench/bench_reminders.py [--tasks N] [--mails N] [--no-sql]
Or the whole dry-run pass on an existing instance (e.g. one built by ../shared/tools/perf/gen_province.py):
.venv/bin/python bench/bench_reminders.py --instance /tmp/rem-b [--today YYYY-MM-DD]

1. The planner (plain Python) over 1,000,000 ``(task id, deadline, type)`` tuples, deadlines spread from
   90 days before to 120 days after the day, 10 % of the due stages marked as already sent.
2. The pass's SQL: 1,000,000 tasks in a SQLite database, the day's stages as ranges of deadlines, the
   count of due tasks in SQL, then a whole dry-run pass (pages of due tasks, counts and the most urgent
   per agency, the digests composed; nothing written).
3. Delivery: 10,000 outbox messages (real digests, built by the composer) sent through the real
   outbox code (claim, send, mark sent: three transactions each) to an aiosmtpd server in another
   process, which counts what it received.
With ``--instance``: only the dry-run pass on that instance, with its time, peak memory (max RSS of the
process) and SQL statements.

Prints one line per figure. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.calendar.workdays import default_calendar  # noqa: E402
from tracker.reminders.planner import Planner  # noqa: E402
from tracker.reminders.policy import find_policy  # noqa: E402

TODAY = dt.date(2025, 2, 10)  # the Monday after Tết 2025: many stages land on both sides of the break
TYPES = ("lead", "lead", "lead", "cooperate", "cooperate", "urgent", "recurring")


def line(label: str, seconds: float, count: int | None = None, unit: str = "tasks") -> None:
    rate = f"{count / seconds:>12,.0f} {unit}/s" if count else ""
    print(f"{label:<66} {seconds:8.2f} s {rate}")


def bench_planner(n: int) -> None:
    """The plain-Python planner over task tuples."""
    rng = random.Random(6)
    tasks = [(i, TODAY + dt.timedelta(days=rng.randint(-90, 120)), rng.choice(TYPES)) for i in range(1, n + 1)]
    policy = find_policy(None)
    calendar = default_calendar()
    warm = Planner(policy, calendar, TODAY)
    due_keys = [(t, s.offset, s.due_on) for t, s in warm.plan(tasks)]
    sent = set(due_keys[::10])

    start = time.perf_counter()
    planner = Planner(policy, calendar, TODAY)
    due = list(planner.plan(tasks, sent))
    elapsed = time.perf_counter() - start
    line(f"planner: {n:,} tasks → {len(due):,} reminders due", elapsed, n)


def bench_sql(n: int) -> None:
    """The pass over a SQLite database of ``n`` tasks: the due tasks found and counted in SQL, then a dry run."""
    from sqlalchemy import func, text

    from tracker.config import load_settings
    from tracker.db import Base, import_models, make_engine, session_factory
    from tracker.reminders.mail import MailComposer
    from tracker.reminders.operations import ReminderService, _due_plan, plan_pass

    import_models()
    from tracker.reminders import models as _reminders  # noqa: F401

    folder = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    settings = load_settings({"instance_path": folder, "database_url": f"sqlite:///{folder / 'tracker.db'}",
                              "secret_key": secrets.token_hex(16)}, env={})
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    rng = random.Random(7)
    start = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc).isoformat(sep=" ")
    letters = n // 10
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        raw.executemany("INSERT INTO agency (id, name, aliases, kind, emails, active, search_text, created_at, "
                        "updated_at) VALUES (?, ?, '[]', 'department', ?, 1, '', ?, ?)",
                        [(i, f"Cơ quan {i}", f'["co-quan-{i}@example.gov.vn"]', now, now) for i in range(1, 201)])
        raw.executemany("INSERT INTO letter (id, received_year, received_number, received_on, number, doc_type, "
                        "issuer, subject, recipients, \"references\", full_text, search_text, created_at, updated_at, "
                        "version) VALUES (?, 2025, ?, ?, ?, 'Công văn', 'UBND tỉnh', 'thử nghiệm', '[]', '[]', '', '', "
                        "?, ?, 1)",
                        [(i, i, (TODAY - dt.timedelta(days=rng.randint(1, 200))).isoformat(), f"{i}/UBND", now, now)
                         for i in range(1, letters + 1)])
        states = ("assigned", "in_progress", "submitted", "done", "cancelled")
        raw.executemany("INSERT INTO task (id, letter_id, agency_id, role, summary, deadline, recurrence, status, "
                        "progress, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'Nhiệm vụ', ?, NULL, ?, 0, ?, ?, 1)",
                        [(i, rng.randint(1, letters), rng.randint(1, 200), rng.choice(("lead", "cooperate")),
                          (TODAY + dt.timedelta(days=rng.randint(-90, 120))).isoformat(),
                          rng.choices(states, (4, 3, 1, 6, 1))[0], now, now) for i in range(1, n + 1)])
        connection.execute(text("ANALYZE"))
    line(f"sql: build a database of {n:,} tasks", time.perf_counter() - start)

    service = ReminderService(settings=settings, sessions=session_factory(engine), policy=find_policy(None),
                              open_states=frozenset({"assigned", "in_progress", "submitted", "returned"}),
                              composer=MailComposer.for_settings(settings))
    with service.sessions() as session:
        start = time.perf_counter()
        plan = _due_plan(session, service, Planner(service.policy, default_calendar(), TODAY), TODAY)
        due = session.scalar(plan.query(func.count()))
        line(f"sql: stages as deadline ranges + count of due tasks in SQL ({due:,} due)", time.perf_counter() - start, n)
        start = time.perf_counter()
        result = plan_pass(session, service, TODAY, dry_run=True)
        session.rollback()
    line(f"sql: dry-run pass over {n:,} tasks → {result.reminder_count:,} reminders, "
         f"{len(result.messages):,} digests", time.perf_counter() - start, n)
    engine.dispose()


def bench_instance(instance: Path, today: dt.date | None) -> None:
    """The whole dry-run pass (``tracker remind --dry-run``) on an existing instance: time, peak memory, statements."""
    import resource

    from sqlalchemy import event

    from tracker.app import create_app
    from tracker.reminders.operations import ReminderService, run_pass

    app = create_app({"instance_path": instance})
    statements = []
    event.listen(app.extensions["tracker.engine"], "before_cursor_execute", lambda *args: statements.append(1))
    service = ReminderService.from_app(app)
    start = time.perf_counter()
    result = run_pass(service, today, dry_run=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line(f"dry-run pass on {instance}: {result.reminder_count:,} reminders, {len(result.messages):,} mails, "
         f"{len(statements):,} SQL statements, max RSS {peak:,.0f} MB", elapsed)
    longest = max((m.text.count("\n") for m in result.messages), default=0)
    print(f"{'longest mail (lines of plain text)':<66} {longest:8,}")


SERVER = r"""
import asyncio, signal, sys, threading
from aiosmtpd.controller import Controller
count = 0
class Counter:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        return "250 OK"
controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
done.wait()
controller.stop()
print(count, flush=True)
"""


def bench_delivery(n: int) -> None:
    """Compose ``n`` digests into the outbox, then deliver them to aiosmtpd in another process."""
    import socket

    from tracker.config import load_settings
    from tracker.db import Base, import_models, make_engine, session_factory, transaction
    from tracker.reminders.mail import Addressee, MailComposer, TaskLine
    from tracker.reminders.operations import ReminderService, deliver_all
    from tracker.reminders.outbox import enqueue
    from tracker.reminders.smtp import SmtpTransport

    import_models()
    from tracker.reminders import models as _reminders  # noqa: F401

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"

    folder = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    settings = load_settings({"instance_path": folder, "database_url": f"sqlite:///{folder / 'tracker.db'}",
                              "secret_key": secrets.token_hex(16), "base_url": "https://theodoi.example.gov.vn",
                              "mail_from": "theodoi@ubnd.example.gov.vn"}, env={})
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    sessions = session_factory(engine)
    composer = MailComposer.for_settings(settings)
    rng = random.Random(8)
    created = dt.datetime.now(dt.timezone.utc)

    start = time.perf_counter()
    with transaction(sessions) as session:
        for i in range(1, n + 1):
            lines = [TaskLine(task_id=i * 3 + k, url=composer.task_url(i * 3 + k), agency_name="Sở Tài chính",
                              role="lead", summary="Tổng hợp, báo cáo tình hình giải ngân vốn đầu tư công",
                              letter_title=f"Công văn số {i}/UBND-KT ngày 02/01/2025 của UBND tỉnh",
                              letter_subject="báo cáo tình hình giải ngân vốn đầu tư công năm 2025",
                              deadline=TODAY + dt.timedelta(days=d), deadline_off=None, days=d, today=TODAY)
                     for k, d in enumerate(rng.sample(range(-9, 6), rng.randint(1, 3)))]
            key = f"digest:{TODAY}:can.bo{i}@example.gov.vn:{i}"
            to = Addressee(f"can.bo{i}@example.gov.vn", f"Cán bộ {i}", f"Ông/Bà Cán bộ {i} (Sở Tài chính)")
            composed = composer.digest(to, lines, today=TODAY, key=key, created_at=created)
            enqueue(session, key=key, kind="digest", recipient=to.address, recipient_name=to.name,
                    subject=composed.subject, message_id=composed.message_id, mime=composed.mime, for_date=TODAY,
                    items=[], now=created)
    line(f"compose {n:,} digests (text, HTML, .ics) into the outbox", time.perf_counter() - start, n, "mails")

    policy = find_policy(None)
    service = ReminderService(settings=settings, sessions=sessions, policy=policy, open_states=frozenset(),
                              composer=composer)
    start = time.perf_counter()
    report = deliver_all(service, transport=SmtpTransport(f"smtp://127.0.0.1:{port}"))
    elapsed = time.perf_counter() - start
    server.terminate()
    received = int(server.communicate(timeout=30)[0].strip())
    line(f"deliver {len(report.sent):,} mails over SMTP (aiosmtpd received {received:,})", elapsed, len(report.sent),
         "mails")
    engine.dispose()


def main() -> None:
    """Run the three measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--no-sql", action="store_true", help="Skip the SQL measurement (it builds a large database).")
    parser.add_argument("--instance", type=Path, help="Only the dry-run pass on this instance folder.")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="The office day of --instance's pass.")
    options = parser.parse_args()
    if options.instance:
        bench_instance(options.instance.resolve(), options.today)
        return
    print(f"tracker reminders benchmark, {os.cpu_count()} CPU(s), office day {TODAY:%d/%m/%Y}")
    bench_planner(options.tasks)
    if not options.no_sql:
        bench_sql(options.tasks)
    bench_delivery(options.mails)


if __name__ == "__main__":
    main()
