"""Time the working-day calendar: 100k add_working_days calls and a few other operations.

Run from the repository root:  .venv/bin/python bench/bench_calendar.py
Plain Python, no arguments; prints one line per measurement. Nothing is asserted.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.calendar.workdays import WorkCalendar, default_calendar  # noqa: E402

CALLS = 100_000


def timed(label: str, function, arguments) -> None:
    """Call ``function(*a)`` for every tuple in ``arguments`` and print the time taken."""
    start = time.perf_counter()
    for args in arguments:
        function(*args)
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {len(arguments):>7} calls  {elapsed:8.3f} s  {elapsed / len(arguments) * 1e6:7.2f} µs/call")


def main() -> None:
    """Build the calendars, then time each operation on the same random inputs."""
    rng = random.Random(20250127)
    first = dt.date(2019, 1, 1).toordinal()
    last = dt.date(2026, 12, 31).toordinal()
    dates = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(CALLS)]
    small_n = [rng.randint(1, 30) for _ in range(CALLS)]
    signed_n = [rng.randint(-250, 250) for _ in range(CALLS)]
    ends = [dt.date.fromordinal(rng.randint(first, last)) for _ in range(CALLS)]

    start = time.perf_counter()
    calendar = default_calendar()
    calendar.is_working_day(dt.date(2025, 1, 1))
    print(f"{'load adjustments + first year':<48} {'':>7}        {time.perf_counter() - start:8.3f} s")

    start = time.perf_counter()
    for year in range(2018, 2028):
        calendar.is_working_day(dt.date(year, 6, 1))
    print(f"{'precompute 10 years':<48} {'':>7}        {time.perf_counter() - start:8.3f} s")

    timed("add_working_days(d, 1..30)", calendar.add_working_days, list(zip(dates, small_n)))
    timed("add_working_days(d, -250..250)", calendar.add_working_days, list(zip(dates, signed_n)))
    timed("working_days_between(d, e), 2019-2026", calendar.working_days_between, list(zip(dates, ends)))
    timed("is_working_day(d)", calendar.is_working_day, [(d,) for d in dates])
    timed("day_off_reason(d)", calendar.day_off_reason, [(d,) for d in dates])

    cold = WorkCalendar()
    timed("add_working_days on a cold calendar, 1k calls", cold.add_working_days, list(zip(dates, small_n))[:1000])


if __name__ == "__main__":
    main()
