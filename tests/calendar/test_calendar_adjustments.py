"""The adjustments file: the shipped data is valid, and mistakes in a file are reported by entry."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from tracker.calendar.adjustments import (
    AdjustmentFileError,
    load_adjustment_entries,
    load_shipped_adjustments,
    parse_adjustments,
    shipped_adjustment_entries,
)
from tracker.calendar.workdays import WorkCalendar

GOOD_ENTRY = """
[[adjustment]]
date = 2027-03-05
kind = "day_off"
label = "Nghỉ hoán đổi"
source = "Công văn số 1/VPCP-KGVX"
verified = true
swap_with = 2027-03-13

[[adjustment]]
date = 2027-03-13
kind = "working_day"
label = "Làm bù"
source = "Công văn số 1/VPCP-KGVX"
verified = true
swap_with = 2027-03-05
"""


def test_shipped_file_loads_and_covers_2019_to_2026():
    entries = shipped_adjustment_entries()
    years = {day.year for entry in entries for day in entry.dates}
    assert set(range(2019, 2027)) <= years
    assert all(entry.source for entry in entries)
    # Every year's Tết break is in the file.
    tet_years = {entry.dates[0].year for entry in entries if entry.label == "Tết Nguyên đán"}
    assert tet_years == set(range(2019, 2027))


def test_unverified_shipped_entries_explain_themselves():
    for entry in shipped_adjustment_entries():
        if not entry.verified:
            assert entry.note.strip(), f"unverified entry {entry.dates[0]} has no note"


def test_shipped_labels_are_nfc():
    for adjustment in load_shipped_adjustments():
        assert unicodedata.normalize("NFC", adjustment.label) == adjustment.label


def test_good_file_with_a_swap_parses_and_feeds_a_calendar():
    entries = parse_adjustments(GOOD_ENTRY)
    assert [e.kind for e in entries] == ["day_off", "working_day"]
    cal = WorkCalendar(a for e in entries for a in e.adjustments())
    assert not cal.is_working_day(dt.date(2027, 3, 5))
    assert cal.is_working_day(dt.date(2027, 3, 13))


def test_dates_list_expands_to_one_adjustment_per_day():
    text = """
[[adjustment]]
dates = [2027-02-04, 2027-02-05]
kind = "day_off"
label = "Tết Nguyên đán"
source = "x"
verified = false
"""
    (entry,) = parse_adjustments(text)
    assert [a.date for a in entry.adjustments()] == [dt.date(2027, 2, 4), dt.date(2027, 2, 5)]


def _entry(**fields: str) -> str:
    """One [[adjustment]] table with default fields overridden (values are TOML literals)."""
    values = {
        "date": "2027-03-05",
        "kind": '"day_off"',
        "label": '"Nghỉ"',
        "source": '"x"',
        "verified": "true",
    }
    values.update(fields)
    lines = [f"{key} = {value}" for key, value in values.items() if value is not None]
    return "[[adjustment]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_entry(kind='"holiday"'), r"entry #1 \(2027-03-05\): kind 'holiday'"),
        (_entry(colour='"red"'), r"entry #1: unknown key\(s\) colour"),
        (_entry(date="2027-03-06"), r"2027-03-06 is a Saturday"),
        (_entry(date='"2027-03-05"'), r"not a date"),
        (_entry(date="2027-03-05T08:00:00"), r"not a date"),
        (_entry(dates="[2027-03-04]"), r"exactly one of 'date' or 'dates'"),
        (_entry(label='""'), r"'label' must be a non-empty string"),
        (_entry(label='"Nghi\u0309"'), r"NFC"),
        (_entry(source='""'), r"'source'"),
        (_entry(verified='"yes"'), r"'verified'"),
        (_entry(swap_with="2027-03-13"), r"swap_with 2027-03-13 is not listed"),
        (_entry() + _entry(label='"Khác"'), r"entry #2 \(2027-03-05\): date already listed in entry #1"),
        (_entry() + _entry(date="2027-03-13", kind='"working_day"', swap_with="2027-03-06"),
         r"entry #2 \(2027-03-13\): swap_with 2027-03-06 is not listed"),
        ("[[adjustment]\n", r"not valid TOML"),
        ("year = 2027\n", r"unknown top-level key"),
    ],
)
def test_mistakes_are_reported_with_the_entry(text, message):
    with pytest.raises(AdjustmentFileError, match=message):
        parse_adjustments(text, origin="test.toml")


def test_swap_must_be_answered_by_the_other_half():
    text = _entry(swap_with="2027-03-13") + _entry(date="2027-03-13", kind='"working_day"')
    with pytest.raises(AdjustmentFileError, match=r"entry #1 \(2027-03-05\).*does not name this day"):
        parse_adjustments(text)


def test_load_from_a_path_names_the_file(tmp_path):
    path = tmp_path / "province.toml"
    path.write_text(_entry(kind='"nope"'), encoding="utf-8")
    with pytest.raises(AdjustmentFileError, match=r"^province.toml, entry #1"):
        load_adjustment_entries(path)
