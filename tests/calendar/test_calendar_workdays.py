"""Working days of state agencies: holidays by year, swaps, make-up Saturdays, counting conventions."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from tracker.calendar.workdays import WorkCalendar, default_calendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return default_calendar()


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    """All dates from first to last inclusive."""
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]


# -- Tết ---------------------------------------------------------------------------------------------

# (first day of the break, last day of the break) as announced for state agencies
TET_BREAKS = {
    2019: (D(2019, 2, 2), D(2019, 2, 10)),
    2020: (D(2020, 1, 23), D(2020, 1, 29)),
    2021: (D(2021, 2, 10), D(2021, 2, 16)),
    2022: (D(2022, 1, 29), D(2022, 2, 6)),
    2023: (D(2023, 1, 20), D(2023, 1, 26)),
    2024: (D(2024, 2, 8), D(2024, 2, 14)),
    2025: (D(2025, 1, 25), D(2025, 2, 2)),
    2026: (D(2026, 2, 14), D(2026, 2, 22)),
}


@pytest.mark.parametrize("year", sorted(TET_BREAKS))
def test_tet_break_is_off_and_framed_by_working_days(cal, year):
    first, last = TET_BREAKS[year]
    off = [d for d in days(first, last) if cal.is_working_day(d)]
    assert off == [], f"working days inside the Tết break {year}: {off}"
    # The break is exactly as long as announced: the day before and the day after are working days.
    assert cal.is_working_day(first - dt.timedelta(1))
    assert cal.is_working_day(last + dt.timedelta(1))


def test_tet_weekday_is_named_tet(cal):
    assert cal.day_off_reason(D(2025, 1, 29)) == "Tết Nguyên đán"  # mùng 1 Ất Tỵ
    assert cal.day_off_reason(D(2024, 2, 12)) == "Tết Nguyên đán"
    assert cal.day_off_reason(D(2026, 2, 16)) == "Tết Nguyên đán"  # 29 tháng Chạp Ất Tỵ


def test_tet_day_on_saturday_is_named_after_tet_not_the_weekday(cal):
    # 1/2/2025 is a Saturday and mùng 4 Tết.
    reason = cal.day_off_reason(D(2025, 2, 1))
    assert reason is not None and "Tết Nguyên đán" in reason


# -- fixed holidays -----------------------------------------------------------------------------------

@pytest.mark.parametrize("year", range(2019, 2027))
def test_reunification_and_labour_day_are_off(cal, year):
    assert not cal.is_working_day(D(year, 4, 30))
    assert not cal.is_working_day(D(year, 5, 1))


def test_april_holiday_names(cal):
    assert cal.day_off_reason(D(2025, 4, 30)) == "Ngày Chiến thắng"
    assert cal.day_off_reason(D(2025, 5, 1)) == "Ngày Quốc tế Lao động"
    assert cal.day_off_reason(D(2025, 4, 7)) == "Ngày Giỗ Tổ Hùng Vương"


# 2/9 and, from 2021, the adjacent day chosen each year
NATIONAL_DAY_OFF = {
    2019: [D(2019, 9, 2)],
    2020: [D(2020, 9, 2)],
    2021: [D(2021, 9, 2), D(2021, 9, 3)],
    2022: [D(2022, 9, 1), D(2022, 9, 2)],
    2023: [D(2023, 9, 1), D(2023, 9, 4)],  # 2/9 Saturday: substitute Monday 4/9
    2024: [D(2024, 9, 2), D(2024, 9, 3)],
    2025: [D(2025, 9, 1), D(2025, 9, 2)],
    2026: [D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)],  # 31/8 swapped with Saturday 22/8
}


@pytest.mark.parametrize("year", sorted(NATIONAL_DAY_OFF))
def test_national_day_weekdays_off(cal, year):
    window = days(D(year, 8, 28), D(year, 9, 6))
    weekdays_off = [d for d in window if d.weekday() < 5 and not cal.is_working_day(d)]
    assert weekdays_off == NATIONAL_DAY_OFF[year]


def test_national_day_name(cal):
    assert cal.day_off_reason(D(2025, 9, 2)) == "Quốc khánh"
    assert cal.day_off_reason(D(2025, 9, 1)) == "Quốc khánh (ngày nghỉ liền kề)"


def test_substitute_days_for_holidays_on_weekends(cal):
    assert cal.day_off_reason(D(2019, 4, 15)) == "Nghỉ bù Giỗ Tổ Hùng Vương"  # 14/4/2019 Sunday
    assert cal.day_off_reason(D(2022, 1, 3)) == "Nghỉ bù Tết Dương lịch"
    assert cal.day_off_reason(D(2023, 5, 3)) == "Nghỉ bù Ngày Chiến thắng"
    assert not cal.is_working_day(D(2026, 4, 27))  # Giỗ Tổ 26/4/2026 is a Sunday


# -- swaps and make-up Saturdays ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("swapped_off", "make_up"),
    [
        (D(2018, 12, 31), D(2019, 1, 5)),
        (D(2019, 4, 29), D(2019, 5, 4)),
        (D(2024, 4, 29), D(2024, 5, 4)),
        (D(2025, 5, 2), D(2025, 4, 26)),
        (D(2026, 1, 2), D(2026, 1, 10)),
        (D(2026, 8, 31), D(2026, 8, 22)),
    ],
)
def test_swapped_day_is_off_and_its_saturday_is_worked(cal, swapped_off, make_up):
    assert not cal.is_working_day(swapped_off)
    assert make_up.weekday() == 5
    assert cal.is_working_day(make_up)
    assert cal.day_off_reason(make_up) is None
    assert "hoán đổi" in cal.day_off_reason(swapped_off)


def test_ordinary_weekend_is_off(cal):
    assert cal.day_off_reason(D(2025, 3, 8)) == "Thứ Bảy"
    assert cal.day_off_reason(D(2025, 3, 9)) == "Chủ nhật"
    assert cal.day_off_reason(D(2025, 3, 10)) is None


def test_vietnam_culture_day_2026_stays_a_working_day_until_the_law_changes(cal):
    assert cal.is_working_day(D(2026, 11, 24))


# -- arithmetic across Tết and across a make-up Saturday -------------------------------------------

def test_one_working_day_after_the_last_day_before_tet_is_after_the_break(cal):
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert cal.add_working_days(D(2024, 2, 7), 1) == D(2024, 2, 15)
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)


def test_ten_working_days_across_tet_2025(cal):
    # Thursday 23/1 + 10: 24/1, then 3/2..7/2 (5), then 10/2..13/2 (4) -> 13/2.
    assert cal.add_working_days(D(2025, 1, 23), 10) == D(2025, 2, 13)
    assert cal.working_days_between(D(2025, 1, 23), D(2025, 2, 13)) == 10


def test_backwards_across_tet(cal):
    assert cal.add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)
    assert cal.working_days_between(D(2025, 2, 3), D(2025, 1, 24)) == -1


def test_make_up_saturday_counts_as_a_working_day(cal):
    # Friday 25/4/2025 + 1 is the make-up Saturday 26/4.
    assert cal.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)
    # 26/4 (Sat), 28/4, 29/4, then 30/4–4/5 off, then 5/5.
    assert cal.working_days_between(D(2025, 4, 25), D(2025, 5, 5)) == 4
    assert cal.add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)


def test_adding_zero_returns_the_date_even_on_a_day_off(cal):
    assert cal.add_working_days(D(2025, 1, 29), 0) == D(2025, 1, 29)


def test_counting_conventions(cal):
    friday, saturday, sunday, monday = D(2025, 3, 7), D(2025, 3, 8), D(2025, 3, 9), D(2025, 3, 10)
    assert cal.working_days_between(friday, monday) == 1
    assert cal.working_days_between(monday, friday) == -1
    assert cal.working_days_between(monday, monday) == 0
    assert cal.working_days_between(sunday, monday) == 1
    # A deadline on Friday seen on Sunday is one working day overdue.
    assert cal.working_days_between(sunday, friday) == -1
    assert cal.add_working_days(saturday, 1) == monday
    assert cal.add_working_days(saturday, -1) == friday


def test_next_working_day(cal):
    assert cal.next_working_day(D(2025, 1, 29)) == D(2025, 2, 3)
    assert cal.next_working_day(D(2025, 3, 10)) == D(2025, 3, 10)
    assert cal.next_working_day(D(2019, 1, 5)) == D(2019, 1, 5)  # make-up Saturday


def test_across_new_year(cal):
    # 31/12/2024 Tuesday + 1: 1/1/2025 is a holiday -> 2/1.
    assert cal.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 2)
    assert cal.working_days_between(D(2024, 12, 30), D(2025, 1, 3)) == 3


# -- reasons are Vietnamese text ------------------------------------------------------------------------

def test_every_reason_in_2019_to_2026_is_nfc_vietnamese(cal):
    for day in days(D(2019, 1, 1), D(2026, 12, 31)):
        reason = cal.day_off_reason(day)
        if cal.is_working_day(day):
            assert reason is None
        else:
            assert reason and unicodedata.normalize("NFC", reason) == reason


# -- adjustments given as plain data -----------------------------------------------------------------

def test_adjustments_from_plain_tuples_are_honoured():
    cal = WorkCalendar([
        (D(2027, 3, 5), "day_off", "Nghỉ theo quyết định của tỉnh"),
        (D(2027, 3, 6), "working_day", "Làm bù"),
    ])
    assert cal.day_off_reason(D(2027, 3, 5)) == "Nghỉ theo quyết định của tỉnh"
    assert cal.is_working_day(D(2027, 3, 6))
    assert cal.add_working_days(D(2027, 3, 4), 1) == D(2027, 3, 6)


def test_calendar_without_adjustments_keeps_library_holidays():
    bare = WorkCalendar()
    assert not bare.is_working_day(D(2025, 1, 29))
    assert not bare.is_working_day(D(2025, 9, 2))


@pytest.mark.parametrize(
    ("adjustments", "message"),
    [
        ([(D(2027, 3, 5), "holiday", "x")], "kind"),
        ([(D(2027, 3, 5), "day_off", "  ")], "label"),
        ([(dt.datetime(2027, 3, 5, 8), "day_off", "x")], "not a date"),
        ([(D(2027, 3, 5), "day_off", "a"), (D(2027, 3, 5), "working_day", "b")], "twice"),
        ([(D(2027, 3, 5), "day_off")], "expected"),
    ],
)
def test_bad_adjustments_are_refused_with_a_clear_message(adjustments, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar(adjustments)


def test_default_calendar_is_cached():
    assert default_calendar() is default_calendar()
