"""Time the Word reports: the yearly summary of 50,000 tasks and the incoming register of 20,000 letters.

Run from the repository root:  .venv/bin/python bench/bench_reports.py [--tasks N] [--letters N] [--pdf]

Rows are generated in a scratch SQLite database (150 agencies; letters received through 2019; tasks with
deadlines spread over the year, 55 % done, some late, some overdue, 5 % without deadline, 3 % cancelled).
Prints the time to build and save each report and the file's size; --pdf also times LibreOffice's conversion
of the summary. Nothing is asserted.

On an existing database (a province of ten years, ../shared/tools/perf/gen_province.py; work on a copy):

    .venv/bin/python bench/bench_reports.py --database sqlite:////tmp/rep-c/tracker.db --today 2026-12-07

builds, each in a fresh process as the report worker does (tracker.reports.runs.build_file), the summary of
the current year (judged as of --today), the summary of the previous year, and that year's incoming and
follow-up registers (.docx and .xlsx), printing wall time and the process's peak RSS (getrusage).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2019
TODAY = dt.date(YEAR + 1, 1, 15)


def line(label: str, seconds: float, size: int | None = None) -> None:
    extra = f"{size / 1024:10,.0f} KiB" if size is not None else ""
    print(f"{label:<60} {seconds:8.2f} s {extra}", flush=True)


def build_database(folder: Path, tasks: int, letters: int):
    """A scratch database with ``letters`` letters of YEAR and ``tasks`` tasks; returns its session factory."""
    from sqlalchemy import text

    from tracker.db import Base, import_models, make_engine, session_factory

    import_models()
    engine = make_engine(f"sqlite:///{folder / 'tracker.db'}")
    Base.metadata.create_all(engine)
    rng = random.Random(30)
    now = dt.datetime.now(dt.timezone.utc).isoformat(sep=" ")
    start_of_year = dt.date(YEAR, 1, 1)
    received = sorted(start_of_year + dt.timedelta(days=rng.randint(0, 364)) for _ in range(letters))
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        raw.executemany("INSERT INTO agency (id, code, name, short_name, aliases, kind, emails, active, search_text, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, '[]', 'department', '[]', 1, '', ?, ?)",
                        [(i, f"a{i}", f"Sở thử nghiệm số {i}", f"Sở số {i}", now, now) for i in range(1, 151)])
        raw.executemany(
            "INSERT INTO letter (id, received_year, received_number, received_on, number, doc_type, issuer, "
            "issued_on, subject, recipients, \"references\", full_text, search_text, created_at, updated_at, "
            "version) VALUES (?, ?, ?, ?, ?, 'Công văn', 'Ủy ban nhân dân tỉnh Kiên Giang', ?, ?, '[]', '[]', '', "
            "'', ?, ?, 1)",
            [(i, YEAR, i, day.isoformat(), f"{i}/UBND-VX", (day - dt.timedelta(days=2)).isoformat(),
              f"triển khai nhiệm vụ số {i} về an sinh xã hội, phòng chống thiên tai và chuyển đổi số", now, now)
             for i, day in enumerate(received, 1)])
        rows = []
        for i in range(1, tasks + 1):
            letter_id = rng.randint(1, letters)
            given = received[letter_id - 1]
            deadline = None if rng.random() < 0.05 else given + dt.timedelta(days=rng.randint(5, 90))
            status, completed = rng.choices(("assigned", "in_progress", "done", "cancelled"), (17, 25, 55, 3))[0], None
            if status == "done":
                base = deadline or given + dt.timedelta(days=30)
                completed = min(base + dt.timedelta(days=rng.randint(-20, 15)), TODAY)
                completed = max(completed, given)
            rows.append((i, letter_id, rng.randint(1, 150), rng.choice(("lead", "cooperate")),
                         f"Nhiệm vụ thử nghiệm số {i}: báo cáo kết quả thực hiện", deadline and deadline.isoformat(),
                         deadline and deadline.isoformat(), status, completed and completed.isoformat(), now, now))
        raw.executemany("INSERT INTO task (id, letter_id, agency_id, role, summary, deadline, judged_deadline, status, "
                        "progress, completed_on, created_at, updated_at, version) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1)", rows)
        connection.execute(text("ANALYZE"))
    return engine, session_factory(engine)


def child(url: str, kind: str, file_format: str, period_text: str, today: dt.date, output: Path | None) -> None:
    """Build one report as the worker does and print one JSON line: seconds, CPU seconds of the process (import
    included), peak RSS (MiB), bytes."""
    import json
    import resource

    from tracker.db import import_models, make_engine, read_only, session_factory
    from tracker.reports import runs
    from tracker.reports.vn import period_from_text

    import_models()
    engine = make_engine(url)
    sessions = session_factory(read_only(engine))
    period = period_from_text(period_text)
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}
    start = time.perf_counter()
    with sessions() as session:
        data = runs.build_file(session, kind, file_format, params, today, None)
    seconds = time.perf_counter() - start
    if output is not None:
        output.write_bytes(data)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": round(seconds, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
                      "max_rss_mib": round(usage.ru_maxrss / 1024), "bytes": len(data)}), flush=True)


def on_database(url: str, today: dt.date, keep: Path | None, only: list[str] | None) -> None:
    """Each report of the current and the previous year, each in a fresh process (its own peak RSS)."""
    import json

    last = str(today.year - 1)
    cases = [
        ("summary-current", "summary", "docx", str(today.year)),
        ("summary-previous", "summary", "docx", last),
        ("summary-previous-xlsx", "summary", "xlsx", last),
        ("register-previous", "register", "docx", last),
        ("register-previous-xlsx", "register", "xlsx", last),
        ("followup-previous", "followup", "docx", last),
    ]
    for name, kind, file_format, period_text in cases:
        if only and name not in only:
            continue
        command = [sys.executable, __file__, "--child", kind, "--format", file_format, "--period", period_text,
                   "--database", url, "--today", today.isoformat()]
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            command += ["--output", str(keep / f"{name}.{file_format}")]
        wall = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - wall
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr[-3000:]}", flush=True)
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name:<24} {kind} {period_text} .{file_format}: build {figures['seconds']:6.2f} s, "
              f"process {wall:6.2f} s (CPU {figures['cpu']:6.2f} s), max RSS {figures['max_rss_mib']:6,} MiB, "
              f"{figures['bytes'] / 1024:9,.0f} KiB",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--letters", type=int, default=20_000)
    parser.add_argument("--pdf", action="store_true", help="also convert the summary to PDF with LibreOffice")
    parser.add_argument("--database", help="an existing database URL (work on a copy): measure it instead")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="the office day (with --database)")
    parser.add_argument("--keep", type=Path, default=None, help="with --database: keep the files in this folder")
    parser.add_argument("--only", action="append", help="with --database: only this case (repeatable)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="docx", help=argparse.SUPPRESS)
    parser.add_argument("--period", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database, args.child, args.format, args.period, args.today or dt.date.today(), args.output)
        return
    if args.database:
        on_database(args.database, args.today or dt.date.today(), args.keep, args.only)
        return

    from tracker.reports import builders
    from tracker.reports.vn import period_from_text

    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        start = time.perf_counter()
        engine, sessions = build_database(folder, args.tasks, args.letters)
        line(f"database: {args.letters:,} letters, {args.tasks:,} tasks", time.perf_counter() - start)
        year = period_from_text(str(YEAR))
        for label, build, name in (
            (f"yearly summary of {args.tasks:,} tasks", builders.build_summary, "summary.docx"),
            (f"incoming register of {args.letters:,} letters", builders.build_register, "register.docx"),
            (f"follow-up register of {args.letters:,} letters", builders.build_followup, "followup.docx"),
        ):
            start = time.perf_counter()
            with sessions() as session:
                report = build(session, year, TODAY)
            built = time.perf_counter() - start
            report.save(folder / name)
            total = time.perf_counter() - start
            line(f"{label}: build", built)
            line(f"{label}: build + save", total, (folder / name).stat().st_size)
        if args.pdf and shutil.which("soffice"):
            start = time.perf_counter()
            subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(folder), str(folder / "summary.docx")],
                           capture_output=True, timeout=1800)
            pdf = folder / "summary.pdf"
            line("LibreOffice: summary to PDF", time.perf_counter() - start, pdf.stat().st_size if pdf.exists() else 0)
            if pdf.exists():
                print(f"PDF kept at {pdf} (render a page: pdftoppm -png -r 80 -f 1 -l 1 {pdf} page)")
        engine.dispose()
    finally:
        if not args.pdf:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
