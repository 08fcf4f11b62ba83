"""Vietnamese formatting of numbers, dates and report periods (1.234; 30/9/2019; quý III năm 2019)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


class ReportInputError(ValueError):
    """Bad input for a report (a period, an agency, a letter): the message is Vietnamese, for the user."""


def vn_number(value: int | float) -> str:
    """A number the Vietnamese way: dots between thousands, a comma before decimals (1.234; 87,5)."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:.1f}".partition(".")
        return f"{int(whole):,}".replace(",", ".") + "," + decimals
    return f"{int(value):,}".replace(",", ".")


def vn_percent(value: float | None) -> str:
    """A share as "87,5%", or "-" when there is nothing to divide."""
    return "-" if value is None else f"{vn_number(float(value))}%"


def vn_date(day: dt.date | None) -> str:
    """A date as offices write it in tables: 30/9/2019 (no leading zeros); blank when missing."""
    return "" if day is None else f"{day.day}/{day.month}/{day.year}"


def vn_long_date(day: dt.date) -> str:
    """The date of the place-and-date line, e.g. "ngày 30 tháng 9 năm 2019".

    Decree 30/2020 (Phụ lục I) writes days below 10 and the months 1 and 2 with a leading zero:
    "ngày 05 tháng 01 năm 2020".
    """
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """A reporting period: first and last day (inclusive) and how people say it."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def period_from_text(text: str) -> Period:
    """Parse "2019", "2019-09", "2019-Q3" or "2019-W38" into a Period; a ReportInputError otherwise."""
    value = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", value):
        year = int(m[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"năm {year}")
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, quarter = int(m[1]), int(m[2])
        start = dt.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(start, end, f"quý {_ROMAN[quarter]} năm {year}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            return Period(dt.date(year, month, 1), end, f"tháng {month} năm {year}")
    if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", value):
        try:
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            start = None
        if start is not None:
            end = start + dt.timedelta(days=6)
            return Period(start, end, f"tuần {int(m[2])} năm {m[1]} (từ {vn_date(start)} đến {vn_date(end)})")
    raise ReportInputError(f"Kỳ báo cáo “{text}” không hợp lệ; hãy ghi năm (2019), tháng (2019-09), "
                           "quý (2019-Q3) hoặc tuần (2019-W38).")


def period_between(start: dt.date, end: dt.date) -> Period:
    """The period from ``start`` to ``end``; a ReportInputError when the end comes before the start."""
    if end < start:
        raise ReportInputError(f"Ngày kết thúc ({vn_date(end)}) trước ngày bắt đầu ({vn_date(start)}); "
                               "hãy chọn lại khoảng thời gian.")
    return Period(start, end, f"từ ngày {vn_date(start)} đến ngày {vn_date(end)}")


def week_of(day: dt.date) -> Period:
    """The Monday-to-Sunday week containing ``day``."""
    year, week, _ = day.isocalendar()
    return period_from_text(f"{year}-W{week}")
