"""Deadline scope (issue 13, items 5 and 6): which tasks a date belongs to, and which dates are no deadline.

Each rule in a made-up letter of the shape that showed the need:

1. a date binds its own clause: a partner named in a later clause with its own action keeps no date;
2. a deadline before the letter's date is flagged, not used;
3. paired dates of a yearly duty ("05/6 và 05/12 hằng năm") are one recurrence;
4. "định kỳ hằng năm; Riêng năm 2020 hoàn thành trong quý II/2020": the dated round is shared by the
   block's partners, the lead also keeps the yearly duty.
"""

from __future__ import annotations

import pytest

from tests.extraction.conftest import agency_key
from tracker.extraction import deadlines as dl
from tracker.extraction.letter import extract_text
from tracker.extraction.tasks import merge_enclosed, set_aside_past_deadlines


HEAD = ("ỦY BAN NHÂN DÂN TỈNH AN GIANG\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 12/UBND-KT\nV/v triển khai nhiệm vụ\nAn Giang, ngày 04 tháng 3 năm 2025\n"
        "Kính gửi: Các sở, ban, ngành tỉnh.\n")
END = "\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n"


def tasks_of(body: str) -> list[dict]:
    return extract_text(HEAD + body + END)["tasks"]


def task(tasks: list[dict], agency: str, role: str | None = None, **where) -> dict:
    """The one task of ``agency`` (and ``role``) matching ``where``."""
    found = [t for t in tasks if agency_key(t["agency"]) == agency_key(agency) and (role is None or t["role"] == role)
             and all(t.get(k) == v for k, v in where.items())]
    assert len(found) == 1, (agency, role, where, tasks)
    return found[0]


# -- 1. a date binds its own clause ----------------------------------------------------------------


def test_a_partner_of_a_later_clause_with_its_own_action_takes_no_date():
    tasks = tasks_of("Sở Công Thương kiểm tra các cửa hàng xong trong tháng 6/2025; trường hợp vi phạm, phối hợp với "
                     "Công an tỉnh xử lý theo quy định.")
    assert task(tasks, "Sở Công Thương", "lead")["deadline"] == "2025-06-30"
    police = task(tasks, "Công an tỉnh", "cooperate")
    assert police["deadline"] is None and police["deadline_text"] is None


def test_a_partner_of_a_later_sentence_with_its_own_action_takes_no_date():
    tasks = tasks_of("Sở Công Thương kiểm tra các cửa hàng xong trong tháng 6/2025. Trường hợp vi phạm, phối hợp với "
                     "Công an tỉnh xử lý theo quy định.")
    assert task(tasks, "Sở Công Thương", "lead")["deadline"] == "2025-06-30"
    assert task(tasks, "Công an tỉnh", "cooperate")["deadline"] is None


def test_a_partner_in_the_clause_of_the_date_keeps_it():
    tasks = tasks_of("Sở Công Thương chủ trì, phối hợp với Sở Tài chính hoàn thành trước ngày 30/6/2025.")
    assert task(tasks, "Sở Công Thương", "lead")["deadline"] == "2025-06-30"
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"


def test_a_partner_named_before_a_time_clause_keeps_the_date():
    tasks = tasks_of("Sở Công Thương chủ trì, phối hợp với Sở Tài chính rà soát các quy định; hoàn thành trước ngày "
                     "30/6/2025.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"


def test_partners_that_only_join_the_same_job_keep_its_date():
    tasks = tasks_of("Sở Công Thương chủ trì kiểm tra các cửa hàng, hoàn thành trước ngày 30/6/2025; Sở Tài chính, "
                     "Công an tỉnh phối hợp.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"
    assert task(tasks, "Công an tỉnh", "cooperate")["deadline"] == "2025-06-30"


# -- 2. a deadline before the letter's date --------------------------------------------------------


def test_a_deadline_before_the_letter_is_flagged_not_used():
    result = extract_text(HEAD + "Sở Y tế báo cáo trước ngày 15/01/2025." + END)
    health = task(result["tasks"], "Sở Y tế", "lead")
    assert health["deadline_flag"] == "before_letter"
    assert health["deadline_text"] == "báo cáo trước ngày 15/01/2025"
    warnings = set_aside_past_deadlines(result["tasks"], "2025-03-04")
    assert health["deadline"] is None and health["deadline_text"] == "báo cáo trước ngày 15/01/2025"
    assert warnings == ["Hạn “báo cáo trước ngày 15/01/2025” của Sở Y tế đã qua so với ngày ban hành 04/03/2025: "
                        "chưa dùng làm hạn, hãy kiểm tra."]


def test_a_flagged_task_is_not_dated_by_an_enclosed_letter():
    cover = [{"agency": "Sở Y tế", "role": "lead", "summary": "Báo cáo", "deadline": None,
              "deadline_text": "báo cáo trước ngày 15/01/2025", "recurrence": None, "deadline_flag": "before_letter"}]
    enclosed = [{"issuer": "Bộ Y tế", "tasks": [{"agency": "Sở Y tế", "role": "lead", "summary": "Báo cáo",
                                                 "deadline": "2025-04-30", "deadline_text": "trước ngày 30/4/2025",
                                                 "recurrence": None}]}]
    merged = merge_enclosed(cover, enclosed, header={"issued_on": "2025-03-04", "recipients": []})
    assert task(merged, "Sở Y tế", "lead")["deadline"] is None


def test_a_past_month_or_year_is_flagged_too():
    found = dl.find_deadlines("hoàn thành trong năm 2024", letter_date="2025-03-04")
    assert found[0].flag == "before_letter"


def test_a_year_less_date_still_rolls_to_the_next_year():
    health = task(tasks_of("Sở Y tế báo cáo trước ngày 15/01."), "Sở Y tế", "lead")
    assert health["deadline"] == "2026-01-15"
    assert "deadline_flag" not in health


def test_the_day_of_the_letter_is_no_past_deadline():
    health = task(tasks_of("Sở Y tế báo cáo trong ngày 04/3/2025."), "Sở Y tế", "lead")
    assert health["deadline"] == "2025-03-04"
    assert "deadline_flag" not in health


# -- 3. paired dates of a yearly duty --------------------------------------------------------------


def test_paired_dates_of_the_half_years_are_one_semiannual_rule():
    health = task(tasks_of("Sở Y tế báo cáo trước ngày 05/6 và 05/12 hằng năm."), "Sở Y tế", "lead")
    assert health["deadline"] is None
    assert health["recurrence"] == "semiannual:5"


def test_paired_dates_without_a_year_are_the_reports_of_every_year():
    health = task(tasks_of("Sở Y tế báo cáo trước ngày 15/6 và 15/12."), "Sở Y tế", "lead")
    assert (health["deadline"], health["recurrence"]) == (None, "semiannual:15")
    assert health["deadline_text"] == "báo cáo trước ngày 15/6 và 15/12"


def test_paired_dates_with_their_year_are_dates():
    found = dl.find_deadlines("báo cáo trước ngày 15/6/2025 và 15/12/2025", letter_date="2025-03-04")
    assert not any(d.recurrence for d in found)


def test_paired_dates_not_at_half_year_ends_remind_monthly_on_the_earlier_day():
    found = dl.find_deadlines("báo cáo trước ngày 15/01 và 20/7 hằng năm", letter_date="2025-03-04")
    assert [(d.date, d.recurrence) for d in found] == [(None, "monthly:15")]


def test_paired_dates_at_quarter_ends_are_quarterly():
    found = dl.find_deadlines("báo cáo trước ngày 20/3 và 20/9 hằng năm", letter_date="2025-03-04")
    assert [(d.date, d.recurrence) for d in found] == [(None, "quarterly:20")]


# -- 4. a yearly duty with a dated first round -----------------------------------------------------


def test_a_dated_round_of_a_yearly_duty_is_shared_by_the_blocks_partners():
    head = HEAD.replace("Số: 12/UBND-KT", "Số: 435/QĐ-UBND").replace("ngày 04 tháng 3 năm 2025", "ngày 04 tháng 5 năm 2020")
    text = (head + "I. NHIỆM VỤ\n2.1. Rà soát, kiến nghị hoàn thiện quy trình giải quyết tranh chấp lao động.\n"
            "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với Liên đoàn Lao động tỉnh; Ủy ban nhân dân các huyện.\n"
            "- Thời gian thực hiện: Thực hiện định kỳ hằng năm; Riêng năm 2020 hoàn thành trong quý II/2020.\n" + END)
    tasks = extract_text(text)["tasks"]
    assert task(tasks, "Sở Nội vụ", "lead", deadline="2020-06-30")["recurrence"] is None
    assert task(tasks, "Sở Nội vụ", "lead", recurrence="yearly")["deadline"] is None
    assert task(tasks, "Liên đoàn Lao động tỉnh", "cooperate", deadline="2020-06-30")
    assert task(tasks, "Ủy ban nhân dân các huyện", "cooperate", deadline="2020-06-30")


def test_a_recurrence_word_does_not_swallow_the_semicolon():
    found = dl.find_deadlines("Thực hiện định kỳ hằng năm; Riêng năm 2020 hoàn thành trong quý II/2020.",
                              letter_date="2020-05-04")
    assert found[0].text == "định kỳ hằng năm"
    assert found[0].end == found[0].start + len("định kỳ hằng năm")


# -- one body, one name (issue 13, item 7) ---------------------------------------------------------


def test_one_level_named_three_ways_is_one_addressee_in_the_first_form():
    tasks = tasks_of("Giao UBND cấp xã rà soát các hộ nghèo. UBND các xã, phường tổ chức tuyên truyền. "
                     "UBND các phường, xã báo cáo kết quả về Sở Y tế.")
    assert {t["agency"] for t in tasks} == {"Ủy ban nhân dân cấp xã"}


def test_one_level_takes_the_recipients_form():
    head = HEAD.replace("Kính gửi: Các sở, ban, ngành tỉnh.", "Kính gửi: Ủy ban nhân dân các xã, phường, thị trấn.")
    tasks = extract_text(head + "Giao UBND cấp xã rà soát các hộ nghèo. UBND các phường, xã báo cáo kết quả." + END)["tasks"]
    assert {t["agency"] for t in tasks} == {"Ủy ban nhân dân các xã, phường, thị trấn"}


def test_single_kinds_of_units_stay_apart():
    tasks = tasks_of("UBND các xã tổ chức tuyên truyền. UBND các phường kiểm tra các cơ sở.")
    assert {t["agency"] for t in tasks} == {"Ủy ban nhân dân các xã", "Ủy ban nhân dân các phường"}


def test_the_extraction_sets_a_past_deadline_aside_and_says_why():
    """End to end: what `tracker extract` and the review page get — no due date, the phrase kept, a warning."""
    result = extract_text(HEAD + "Sở Y tế báo cáo trước ngày 15/01/2025." + END)
    health = task(result["tasks"], "Sở Y tế", "lead")
    assert health["deadline"] is None
    assert health["deadline_text"] == "báo cáo trước ngày 15/01/2025"
    assert any("đã qua so với ngày ban hành 04/03/2025" in w for w in result.get("warnings") or [])
