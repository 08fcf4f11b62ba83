"""Deadlines: dates, month/quarter/year ends, working days, recurrences, and dates that are not deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extraction.deadlines import find_deadlines, parse_time_cell


def dates(text: str, letter_date: str | None = "2024-03-11", **kw) -> list[str | None]:
    return [d.iso for d in find_deadlines(text, letter_date=letter_date, **kw)]


def rules(text: str, letter_date: str | None = "2024-03-11") -> list[str | None]:
    return [d.recurrence for d in find_deadlines(text, letter_date=letter_date)]


# -- absolute dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gửi báo cáo về Sở Tài chính trước ngày 25/3/2024 để tổng hợp", "2024-03-25"),
        ("hoàn thành chậm nhất ngày 05/4/2024", "2024-04-05"),
        ("nộp hồ sơ chậm nhất vào ngày 12-4-2024", "2024-04-12"),
        ("trình UBND tỉnh trước ngày 30 tháng 4 năm 2024", "2024-04-30"),
        ("báo cáo trước 16 giờ 30 ngày 18/3/2024 qua hộp thư điện tử", "2024-03-18"),
        ("Thời hạn hoàn thành: trước 30/6/2024.", "2024-06-30"),
        ("hạn chót là ngày 15/5/2024", "2024-05-15"),
    ],
)
def test_absolute_deadlines(text, expected):
    assert dates(text) == [expected]


def test_a_date_without_year_takes_the_letter_year():
    assert dates("gửi Văn phòng UBND tỉnh trước ngày 20/3", letter_date="2024-03-11") == ["2024-03-20"]


def test_a_date_without_year_early_in_the_next_year():
    assert dates("tổng hợp, báo cáo trước ngày 10/01", letter_date="2024-12-16") == ["2025-01-10"]


def test_the_phrase_keeps_the_action_it_closes():
    (d,) = find_deadlines("Rà soát danh sách hộ nghèo; hoàn thành trước ngày 15/4/2024.", letter_date="2024-03-11")
    assert d.text == "hoàn thành trước ngày 15/4/2024"


# -- periods -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoàn thành trong tháng 5/2024", "2024-05-31"),
        ("trình Chủ tịch UBND tỉnh trong tháng 02 năm 2024", "2024-02-29"),
        ("ban hành kế hoạch trong tháng 6", "2024-06-30"),
        ("hoàn thành việc cấp đổi trước tháng 10/2024", "2024-09-30"),
        ("xong trong quý II/2024", "2024-06-30"),
        ("phấn đấu hoàn thành trong quý IV năm 2024", "2024-12-31"),
        ("đưa vào sử dụng trước quý III/2024", "2024-06-30"),
        ("phấn đấu hoàn thành trong năm 2024", "2024-12-31"),
        ("hoàn thành trong 6 tháng đầu năm 2024", "2024-06-30"),
    ],
)
def test_period_ends(text, expected):
    assert dates(text) == [expected]


def test_a_year_is_a_deadline_only_for_something_to_finish():
    assert dates("Trong năm 2024, tỉnh phấn đấu đạt 95% hộ dân dùng nước sạch.") == []
    assert dates("trong năm 2024 tập trung các nhiệm vụ sau") == []


# -- relative delays ---------------------------------------------------------------------------------------


def test_working_days_skip_weekends():
    # Thursday 3/10/2024 + 2 working days: Friday, then Monday
    assert dates("báo cáo trong thời hạn 02 ngày làm việc kể từ ngày ký", letter_date="2024-10-03") == ["2024-10-07"]


def test_working_days_skip_the_may_holidays():
    # Friday 28/4/2023: Giỗ Tổ (29/4) to 3/5 are days off, so the two days are 4/5 and 5/5
    assert dates("trong thời hạn 02 ngày làm việc kể từ ngày ban hành văn bản này", letter_date="2023-04-28") == [
        "2023-05-05"
    ]


def test_calendar_days_from_signing():
    assert dates("trong vòng 10 ngày kể từ ngày ký", letter_date="2024-03-11") == ["2024-03-21"]


def test_from_receipt_needs_the_received_date():
    text = "gửi ý kiến trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản"
    (unknown,) = find_deadlines(text, letter_date="2024-03-11")
    assert unknown.date is None and "kể từ ngày nhận được" in unknown.text
    assert dates(text, received="2024-03-13") == ["2024-03-20"]


def test_a_relative_delay_without_a_letter_date_is_not_guessed():
    assert dates("trong thời hạn 10 ngày làm việc kể từ ngày ký", letter_date=None) == [None]


def test_a_delay_counted_from_another_event_is_not_a_deadline():
    assert dates("Quá 12 tháng kể từ ngày được giao đất mà không đưa đất vào sử dụng thì thu hồi") == []


# -- recurrences ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("báo cáo kết quả về Sở Nội vụ trước ngày 20 hằng tháng", "monthly:20"),
        ("Định kỳ hàng tháng, trước ngày 05, gửi số liệu", "monthly:5"),
        ("định kỳ hằng quý báo cáo UBND tỉnh", "quarterly"),
        ("Định kỳ hằng tuần, trước 10 giờ sáng thứ Hai, gửi báo cáo", "weekly:1"),
        ("báo cáo trước 16 giờ 00 ngày thứ Sáu hằng tuần", "weekly:5"),
        ("báo cáo tình hình trước 15 giờ hằng ngày", "daily"),
        ("định kỳ 6 tháng tổng hợp kết quả", "semiannual"),
        ("báo cáo trước ngày 15/12 hằng năm", "yearly:12-15"),
        ("báo cáo trước ngày 15/6 và ngày 15/12 hằng năm", "semiannual:15"),
        ("định kỳ hằng quý (trước ngày 20 của tháng cuối quý) báo cáo UBND tỉnh", "quarterly:20"),
        ("gửi báo cáo tiến độ giải ngân trước ngày 18 của tháng cuối quý", "quarterly:18"),
        ("Từ năm 2025, định kỳ hằng quý, chậm nhất ngày 22 tháng cuối quý, cập nhật số liệu", "quarterly:22"),
        ("tổng hợp kết quả theo quý, gửi Sở Tài chính trước ngày 05 của tháng đầu quý sau", "quarterly"),
    ],
)
def test_recurring_duties_have_a_rule_and_no_date(text, rule):
    found = find_deadlines(text, letter_date="2024-03-11")
    assert [d.recurrence for d in found] == [rule]
    assert found[0].date is None


def test_first_occurrence_of_a_monthly_rule():
    (d,) = find_deadlines("báo cáo trước ngày 20 hằng tháng", letter_date="2024-03-25")
    assert d.first_due == dt.date(2024, 4, 20)


def test_rules_are_read_by_the_task_scheduler():
    from tracker.tasks.recurrence import is_valid

    text = "báo cáo trước 15 giờ thứ Năm hằng tuần; định kỳ hằng quý trước ngày 10 tháng cuối quý; trước ngày 25/12 hằng năm"
    found = find_deadlines(text, letter_date="2024-03-11")
    assert [d.recurrence for d in found] == ["weekly:4", "quarterly:10", "yearly:12-25"]
    assert all(is_valid(d.recurrence) for d in found)


def test_yearly_budget_is_not_a_recurring_deadline():
    assert rules("bố trí ngân sách hằng năm cho công tác bảo vệ rừng") == []


# -- dates that are not deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Công văn số 512/BYT-DP ngày 15/02/2024 của Bộ Y tế",
        "Ngày 05 tháng 3 năm 2024, UBND tỉnh tổ chức hội nghị sơ kết",
        "Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030",
        "lập tiến độ chi tiết theo từng tháng đến hết năm 2024",
        "số liệu tính đến ngày 29/02/2024",
        "hội nghị dự kiến tổ chức trong tháng 4 năm 2024",
        "Đợt nắng nóng kéo dài từ ngày 20/4/2024 đến ngày 28/4/2024",
        "Quyết định này có hiệu lực kể từ ngày 01/4/2024.",
        "rà soát các thủ tục không phát sinh hồ sơ trong 06 tháng qua",
        "tổng hợp số ca mắc trong 4 tuần gần đây",
        "số vụ vi phạm phát hiện trong 30 ngày vừa qua",
    ],
)
def test_distractor_dates(text):
    assert dates(text) == []


# -- table cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "iso", "rule"),
    [
        ("Quý III/2024", "2024-09-30", None),
        ("Tháng 11/2024", "2024-11-30", None),
        ("Trước 15/10/2024", "2024-10-15", None),
        ("Năm 2025", "2025-12-31", None),
        ("Hằng năm", None, "yearly"),
        ("Thường xuyên", None, None),
        ("2024 - 2025", None, None),
    ],
)
def test_time_cells_of_assignment_tables(cell, iso, rule):
    d = parse_time_cell(cell, letter_date="2024-03-11")
    assert (d.iso if d else None) == iso
    assert (d.recurrence if d else None) == rule


# -- robustness -------------------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["trước ngày", "ngày", "tháng", "năm", "quý", "hằng", "định kỳ", "trong thời hạn", "ngày làm việc", "kể từ",
     "32/13/2024", "29/02/2023", "15/6", "II", "IV", "/", "-", " ", "\n", "hoàn thành", "thứ Sáu", "giờ", "0", "99999"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30), st.one_of(st.none(), st.dates().map(str)))
def test_the_finder_never_raises(parts, letter_date):
    found = find_deadlines(" ".join(parts), letter_date=letter_date)
    assert all(d.date is None or isinstance(d.date, dt.date) for d in found)


def test_labelled_times():
    assert dates("- Thời gian hoàn thành: Quý II/2024.") == ["2024-06-30"]
    assert dates("Thời gian thực hiện: từ tháng 4 đến tháng 11/2024;") == ["2024-11-30"]
    assert dates("Thời gian: ngày 15/4/2024 (khai mạc hội nghị).") == []
    assert dates("Thời gian thực hiện: Tháng 6 và tháng 7/2024.") == ["2024-07-31"]
    assert dates("Thời gian hoàn thành: Quý II, quý III/2024.") == ["2024-09-30"]
    assert dates("Thời gian thực hiện: năm 2024 - 2025.") == []
