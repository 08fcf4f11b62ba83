"""Recurrence rules of periodic reports (Nghị định 09/2019/NĐ-CP, chế độ báo cáo) and their periods.

A rule is a short string, as the extractor writes it:

* ``daily`` — each working day, due that day;
* ``weekly`` or ``weekly:N`` — each week (Monday to Sunday), due on weekday N (1 = Monday ... 7 = Sunday;
  default 5, Friday);
* ``monthly`` or ``monthly:DD`` — each month, due on day DD of that month (default: its last day);
* ``quarterly`` or ``quarterly:DD`` — each quarter, due on day DD of the quarter's last month (default: its last day);
* ``semiannual`` or ``semiannual:DD`` — each half year, due on day DD of its last month (default: its last day);
* ``yearly`` or ``yearly:MM-DD`` — each year, due on that day (default: 31 December).

A due date that falls on a day off moves to the next working day (Bộ luật Dân sự 2015, Art. 148). Plain Python.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterator

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
KINDS = {"daily", "weekly", "monthly", "quarterly", "semiannual", "yearly"}


class RecurrenceError(ValueError):
    """The rule cannot be read; the message is in Vietnamese."""


@dataclass(frozen=True)
class Rule:
    """A parsed recurrence rule."""

    kind: str
    day: int | None = None
    month: int | None = None

    @property
    def label(self) -> str:
        """The rule as offices write it, e.g. "Hằng tháng, hạn ngày 20"."""
        if self.kind == "daily":
            return "Hằng ngày"
        if self.kind == "weekly":
            names = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
            return f"Hằng tuần, hạn {names[(self.day or 5) - 1]}"
        if self.kind == "yearly":
            if self.day and self.month:
                return f"Hằng năm, hạn ngày {self.day:02d}/{self.month:02d}"
            return "Hằng năm, hạn ngày 31/12"
        base = {"monthly": "Hằng tháng", "quarterly": "Hằng quý", "semiannual": "6 tháng một lần"}[self.kind]
        where = {"monthly": "", "quarterly": " tháng cuối quý", "semiannual": " tháng cuối kỳ"}[self.kind]
        if self.day:
            return f"{base}, hạn ngày {self.day}{where}"
        return f"{base}, hạn ngày cuối {'tháng' if self.kind == 'monthly' else 'kỳ'}"


@dataclass(frozen=True)
class Period:
    """One period of a rule: the days reported on, its label and its due date (before day-off shifting)."""

    start: dt.date
    end: dt.date
    label: str
    due: dt.date


def describe(text: str | None) -> str:
    """A stored rule in words for people ("semiannual:5" -> "6 tháng một lần, hạn ngày 5 tháng cuối kỳ"); a rule
    that does not parse is shown as written."""
    try:
        return parse_rule(text).label
    except RecurrenceError:
        return (text or "").strip()


def parse_rule(text: str | None) -> Rule:
    """Read a rule string; raise RecurrenceError for anything else."""
    raw = (text or "").strip().lower()
    kind, _, argument = raw.partition(":")
    if kind not in KINDS:
        raise RecurrenceError(f"Không hiểu chu kỳ “{text}” (hằng ngày, tuần, tháng, quý, 6 tháng, năm).")
    if not argument:
        return Rule(kind)
    if kind == "daily":
        raise RecurrenceError("Chu kỳ hằng ngày không có ngày hạn riêng.")
    if kind == "yearly":
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", argument)
        if not match:
            raise RecurrenceError(f"Hạn hằng năm phải có dạng tháng-ngày, ví dụ yearly:03-15 (nhận được “{argument}”).")
        month, day = int(match.group(1)), int(match.group(2))
        try:
            dt.date(2024, month, day)  # a leap year: 29 February is allowed
        except ValueError:
            raise RecurrenceError(f"Ngày {day}/{month} không tồn tại.") from None
        return Rule(kind, day, month)
    if not argument.isdigit():
        raise RecurrenceError(f"Ngày hạn của chu kỳ phải là một số (nhận được “{argument}”).")
    day = int(argument)
    limit = 7 if kind == "weekly" else 31
    if not 1 <= day <= limit:
        raise RecurrenceError(f"Ngày hạn {day} nằm ngoài khoảng 1–{limit}.")
    return Rule(kind, day)


def is_valid(text: str | None) -> bool:
    """Whether ``text`` is a rule this module understands."""
    try:
        parse_rule(text)
    except RecurrenceError:
        return False
    return True


def _clamp(year: int, month: int, day: int | None) -> dt.date:
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


def _period_at(rule: Rule, day: dt.date) -> Period:
    """The period of ``rule`` that contains ``day``."""
    if rule.kind == "daily":
        return Period(day, day, f"Ngày {day:%d/%m/%Y}", day)
    if rule.kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        week = start.isocalendar()[1]
        return Period(start, end, f"Tuần {week} ({start:%d/%m}–{end:%d/%m/%Y})",
                      start + dt.timedelta(days=(rule.day or 5) - 1))
    if rule.kind == "monthly":
        start = day.replace(day=1)
        end = _clamp(day.year, day.month, None)
        return Period(start, end, f"Tháng {day.month}/{day.year}", _clamp(day.year, day.month, rule.day))
    if rule.kind == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * quarter - 2, 1)
        end = _clamp(day.year, 3 * quarter, None)
        return Period(start, end, f"Quý {ROMAN[quarter]}/{day.year}", _clamp(day.year, 3 * quarter, rule.day))
    if rule.kind == "semiannual":
        half = 1 if day.month <= 6 else 2
        start = dt.date(day.year, 1 if half == 1 else 7, 1)
        end = dt.date(day.year, 6, 30) if half == 1 else dt.date(day.year, 12, 31)
        label = f"6 tháng đầu năm {day.year}" if half == 1 else f"6 tháng cuối năm {day.year}"
        return Period(start, end, label, _clamp(day.year, end.month, rule.day))
    start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    due = _clamp(day.year, rule.month, rule.day) if rule.month else end
    return Period(start, end, f"Năm {day.year}", due)


def periods(rule: Rule, start: dt.date, calendar=None) -> Iterator[Period]:
    """Periods from the one containing ``start`` on, endless; each due date moved off days off.

    The first period is skipped when it was already due before ``start`` (a task given on the 25th for a
    report due on the 20th of each month begins with next month's report). Daily rules skip days off.
    """
    if calendar is None:
        from tracker.calendar.workdays import default_calendar

        calendar = default_calendar()
    current = _period_at(rule, start)
    while True:
        if rule.kind == "daily" and not calendar.is_working_day(current.start):
            current = _period_at(rule, current.end + dt.timedelta(days=1))
            continue
        due = calendar.next_working_day(current.due)
        if due >= start:
            yield Period(current.start, current.end, current.label, due)
        current = _period_at(rule, current.end + dt.timedelta(days=1))


def periods_until(rule: Rule, start: dt.date, horizon: dt.date, *, ahead: int = 1, until: dt.date | None = None,
                  calendar=None) -> list[Period]:
    """Every period due up to ``horizon``, then ``ahead`` more (created ahead of time), none after ``until``."""
    result: list[Period] = []
    extra = 0
    for period in periods(rule, start, calendar):
        if until is not None and period.start > until:
            break
        if period.due > horizon:
            if extra >= ahead:
                break
            extra += 1
        result.append(period)
    return result
