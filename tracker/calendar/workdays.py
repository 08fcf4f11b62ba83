"""Working days of Vietnamese state agencies: weekends, public holidays and the yearly government swaps.

A day is a working day for a provincial office when it is Monday to Friday, not a public holiday of
the Labour Code (taken from the ``holidays`` library, which knows the lunar dates of Tết and of Giỗ Tổ
Hùng Vương), and not an extra day off decided for that year; or when it is a make-up working day
(usually a Saturday) that the government set against a swapped day off.

The yearly decisions are passed in as plain data, ``(date, kind, label)`` triples, so that the
application can keep them in a database table; :func:`default_calendar` uses the decisions shipped in
``data/adjustments.toml`` (see :mod:`tracker.calendar.adjustments`).

Counting conventions (both are "walks" along the calendar):

* ``add_working_days(d, n)`` steps over ``n`` working days *after* ``d`` (before ``d`` when ``n`` is
  negative); ``d`` itself is never counted, and ``n == 0`` returns ``d`` unchanged even when it is a day off.
* ``working_days_between(start, end)`` counts the working days met when walking from ``start`` to
  ``end``: ``start`` excluded, ``end`` included, whichever the direction; the result is negative when
  ``end`` is before ``start``. Hence ``working_days_between(d, add_working_days(d, n)) == n`` for every
  ``d`` and ``n``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

from tracker.calendar.adjustments import ADJUSTMENT_KINDS, DAY_OFF, Adjustment, load_shipped_adjustments

SATURDAY_LABEL = "Thứ Bảy"
SUNDAY_LABEL = "Chủ nhật"

# The holidays library writes "Nguyên Đán"; Vietnamese spelling capitalises only the first word of
# the name after "Tết" (Tết Nguyên đán), as in the Labour Code and the government's notices.
_LIBRARY_NAME_FIXES = (("Nguyên Đán", "Nguyên đán"),)


@dataclass(frozen=True)
class _Year:
    """Precomputed facts of one calendar year."""

    #: ordinals of the working days of the year, ascending
    working: tuple[int, ...]
    #: the same ordinals as a set, for membership tests
    working_set: frozenset[int]
    #: Vietnamese names of the library's public holidays of the year
    holiday_names: dict[dt.date, str]


def _normalise_library_name(name: str) -> str:
    """The library's Vietnamese holiday name with its spelling fixed."""
    for wrong, right in _LIBRARY_NAME_FIXES:
        name = name.replace(wrong, right)
    return name


def _as_adjustment(item: object, position: int) -> Adjustment:
    """Check one ``(date, kind, label)`` item and return it as an :class:`Adjustment`."""
    try:
        day, kind, label = item  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"adjustment #{position}: expected (date, kind, label), got {item!r}") from None
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValueError(f"adjustment #{position}: {day!r} is not a date")
    if kind not in ADJUSTMENT_KINDS:
        raise ValueError(f"adjustment #{position} ({day.isoformat()}): kind {kind!r} is not one of {ADJUSTMENT_KINDS}")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"adjustment #{position} ({day.isoformat()}): the label is empty")
    return Adjustment(day, kind, label.strip())


class WorkCalendar:
    """Working-day arithmetic for Vietnamese state agencies (Monday to Friday, holidays, swaps).

    ``adjustments`` is an iterable of ``(date, kind, label)`` with kind "day_off" or "working_day";
    a date may appear only once. Years outside the holidays library's range get weekends and the
    given adjustments only. Instances are immutable and safe to share between threads.
    """

    def __init__(self, adjustments: Iterable[tuple[dt.date, str, str]] = ()) -> None:
        """Build a calendar from the library's holidays of Vietnam and ``adjustments``."""
        day_off: dict[dt.date, str] = {}
        working: dict[dt.date, str] = {}
        for position, item in enumerate(adjustments, start=1):
            adjustment = _as_adjustment(item, position)
            if adjustment.date in day_off or adjustment.date in working:
                raise ValueError(f"adjustment #{position}: {adjustment.date.isoformat()} is listed twice")
            target = day_off if adjustment.kind == DAY_OFF else working
            target[adjustment.date] = adjustment.label
        self._extra_days_off = day_off
        self._extra_working_days = working
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    # -- per-year tables ---------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        """The precomputed facts of ``year``, computed once."""
        found = self._years.get(year)
        if found is not None:
            return found
        with self._lock:
            found = self._years.get(year)
            if found is None:
                found = self._compute_year(year)
                self._years[year] = found
        return found

    def _compute_year(self, year: int) -> _Year:
        """Classify every day of ``year`` as working or not."""
        # A fresh holidays object per year: the library's objects grow when queried, so sharing one
        # between threads would not be safe.
        library = holidays.country_holidays("VN", years=year, language="vi")
        names = {day: _normalise_library_name(name) for day, name in library.items()}
        working: list[int] = []
        day = dt.date(year, 1, 1)
        one_day = dt.timedelta(days=1)
        while day.year == year:
            if day in self._extra_working_days:
                is_working = True
            else:
                is_working = day.weekday() < 5 and day not in names and day not in self._extra_days_off
            if is_working:
                working.append(day.toordinal())
            if day == dt.date.max:
                break
            day += one_day
        return _Year(tuple(working), frozenset(working), names)

    # -- queries -----------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        """Whether state agencies work on ``day``."""
        return day.toordinal() in self._year(day.year).working_set

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is a day off, in Vietnamese ("Tết Nguyên đán", "Chủ nhật", ...); None on a working day.

        A government adjustment's label wins over the library's holiday name, which wins over the
        weekday name, so that a holiday falling on a Saturday is named after the holiday.
        """
        if self.is_working_day(day):
            return None
        if day in self._extra_days_off:
            return self._extra_days_off[day]
        name = self._year(day.year).holiday_names.get(day)
        if name:
            return name
        if day.weekday() == 5:
            return SATURDAY_LABEL
        if day.weekday() == 6:
            return SUNDAY_LABEL
        # Only reachable if the library names a holiday with an empty string.
        return "Ngày nghỉ"

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0); ``day`` when ``n`` == 0.

        ``day`` itself is never counted: adding 1 to a Friday gives the next Monday (when it is a
        working day), and adding 1 to a Sunday gives the Monday too. Use :meth:`next_working_day`
        to move a date that falls on a day off.
        """
        if not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        if n == 0:
            return day
        year = day.year
        table = self._year(year).working
        ordinal = day.toordinal()
        if n > 0:
            index = bisect.bisect_right(table, ordinal)  # first working day after `day`
            remaining = n
            while index + remaining > len(table):
                remaining -= len(table) - index
                year += 1
                table = self._year(year).working
                index = 0
            return dt.date.fromordinal(table[index + remaining - 1])
        index = bisect.bisect_left(table, ordinal)  # number of working days before `day` in its year
        remaining = -n
        while remaining > index:
            remaining -= index
            year -= 1
            table = self._year(year).working
            index = len(table)
        return dt.date.fromordinal(table[index - remaining])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Signed number of working days met walking from ``start`` to ``end``: ``start`` excluded, ``end`` included.

        When ``end`` is after ``start`` the days counted are those in (start, end]; when it is before,
        the result is minus the number of working days in [end, start). Examples: Friday to the next
        Monday is 1; Monday back to the previous Friday is -1; a day to itself is 0.
        """
        if end >= start:
            return self._count_working(start.toordinal() + 1, end.toordinal() + 1)
        return -self._count_working(end.toordinal(), start.toordinal())

    def _count_working(self, first: int, stop: int) -> int:
        """Number of working days whose ordinal is in [first, stop)."""
        if stop <= first:
            return 0
        first_year = dt.date.fromordinal(first).year
        last_year = dt.date.fromordinal(stop - 1).year
        total = 0
        for year in range(first_year, last_year + 1):
            table = self._year(year).working
            low = bisect.bisect_left(table, first) if year == first_year else 0
            high = bisect.bisect_left(table, stop) if year == last_year else len(table)
            total += high - low
        return total


@functools.lru_cache(maxsize=1)
def shipped_calendar() -> WorkCalendar:
    """The calendar with the adjustments shipped in ``tracker/calendar/data/adjustments.toml`` (cached)."""
    return WorkCalendar(load_shipped_adjustments())


# The calendar the running application uses, built from the adjustments table that admins edit
# (see tracker.calendar.store). One per process: an instance serves one database.
_installed: WorkCalendar | None = None


def install_calendar(calendar: WorkCalendar | None) -> None:
    """Make ``calendar`` the process's :func:`default_calendar`; None goes back to the shipped one."""
    global _installed
    _installed = calendar


def default_calendar() -> WorkCalendar:
    """The calendar in force: the one installed from the database, else the shipped one.

    Every caller (deadline status, relative deadlines of the extractor, reminders) asks this
    function, so an admin's correction of the calendar reaches all of them.
    """
    return _installed if _installed is not None else shipped_calendar()
