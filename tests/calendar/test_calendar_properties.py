"""Properties of working-day arithmetic, checked with hypothesis against a day-by-day walk."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.calendar.workdays import default_calendar

CAL = default_calendar()
DATES = st.dates(min_value=dt.date(2018, 6, 1), max_value=dt.date(2027, 6, 30))
STEPS = st.integers(min_value=-400, max_value=400)


def walk(day: dt.date, n: int) -> dt.date:
    """add_working_days done the slow way: one calendar day at a time."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if CAL.is_working_day(day):
            remaining -= 1
    return day


@given(DATES, STEPS)
def test_counting_back_gives_n(day, n):
    assert CAL.working_days_between(day, CAL.add_working_days(day, n)) == n


@given(DATES, st.integers(min_value=1, max_value=400))
def test_result_of_adding_is_a_later_working_day(day, n):
    result = CAL.add_working_days(day, n)
    assert result > day
    assert CAL.is_working_day(result)
    assert CAL.day_off_reason(result) is None


@given(DATES, st.integers(min_value=-400, max_value=-1))
def test_result_of_subtracting_is_an_earlier_working_day(day, n):
    result = CAL.add_working_days(day, n)
    assert result < day
    assert CAL.is_working_day(result)


@settings(max_examples=60)
@given(DATES, st.integers(min_value=-60, max_value=60))
def test_add_agrees_with_a_day_by_day_walk(day, n):
    assert CAL.add_working_days(day, n) == walk(day, n)


@settings(max_examples=60)
@given(DATES, DATES)
def test_between_agrees_with_counting_day_by_day(start, end):
    if end >= start:
        expected = sum(CAL.is_working_day(start + dt.timedelta(k)) for k in range(1, (end - start).days + 1))
    else:
        expected = -sum(CAL.is_working_day(end + dt.timedelta(k)) for k in range((start - end).days))
    assert CAL.working_days_between(start, end) == expected


@given(DATES, DATES)
def test_adding_the_count_reaches_a_working_end(start, end):
    end = CAL.next_working_day(end)
    assert CAL.add_working_days(start, CAL.working_days_between(start, end)) == end


@given(DATES, DATES, DATES)
def test_counts_add_up_along_the_way(a, b, c):
    a, b, c = sorted((a, b, c))
    assert CAL.working_days_between(a, b) + CAL.working_days_between(b, c) == CAL.working_days_between(a, c)


@given(DATES)
def test_a_day_is_off_exactly_when_it_has_a_reason(day):
    assert CAL.is_working_day(day) == (CAL.day_off_reason(day) is None)
