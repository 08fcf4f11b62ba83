"""Partners named in a clause of their own, and a job due in several dated rounds.

1. "…hoàn thành trước ngày 30/6/2025; Sở Tài chính phối hợp thực hiện.": the partner of the item's lead,
   even though "phối hợp thực hiện" alone reads as a closing formula; it keeps the date when it only joins
   the job (rule PARTNER_JOINS_THE_JOB), not when it has an action of its own ("phối hợp khi có yêu cầu").
2. "Sở Y tế báo cáo trước ngày 15/6/2025 và 15/12/2025.": two dated rounds, a task for each.
"""

from __future__ import annotations

from tests.extraction.test_deadline_scope import task, tasks_of
from tracker.extraction import deadlines as dl

LEAD = "Giao Sở Công Thương chủ trì kiểm tra các cửa hàng, hoàn thành trước ngày 30/6/2025"


# -- 1. a partner named in its own clause ------------------------------------------------------------


def test_a_single_partner_in_its_own_clause_cooperates_and_keeps_the_date():
    tasks = tasks_of(LEAD + "; Sở Tài chính phối hợp thực hiện.")
    assert task(tasks, "Sở Công Thương", "lead")["deadline"] == "2025-06-30"
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"
    assert len(tasks) == 2


def test_two_partners_in_their_own_clause_cooperate():
    tasks = tasks_of(LEAD + "; Sở Tài chính, Sở Xây dựng phối hợp.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"
    assert task(tasks, "Sở Xây dựng", "cooperate")["deadline"] == "2025-06-30"


def test_partners_listed_under_one_head_in_the_next_sentence_cooperate():
    tasks = tasks_of(LEAD + ". Các sở: Tài chính, Xây dựng phối hợp thực hiện.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"
    assert task(tasks, "Sở Xây dựng", "cooperate")["deadline"] == "2025-06-30"


def test_a_partner_on_request_cooperates_without_the_date():
    tasks = tasks_of(LEAD + "; Công an tỉnh phối hợp khi có yêu cầu.")
    assert task(tasks, "Sở Công Thương", "lead")["deadline"] == "2025-06-30"
    police = task(tasks, "Công an tỉnh", "cooperate")
    assert police["deadline"] is None


def test_the_lead_summary_names_the_partner_clause():
    tasks = tasks_of(LEAD + "; Sở Tài chính phối hợp thực hiện.")
    assert "Sở Tài chính phối hợp" in task(tasks, "Sở Công Thương", "lead")["summary"]


def test_a_partner_clause_with_no_lead_before_is_still_a_closing_formula():
    assert tasks_of("Sở Tài chính phối hợp thực hiện.") == []


# -- 2. dated rounds ---------------------------------------------------------------------------------


def test_two_dated_rounds_are_two_tasks():
    tasks = tasks_of("Sở Y tế báo cáo trước ngày 15/6/2025 và 15/12/2025.")
    assert sorted((t["agency"], t["role"], t["deadline"]) for t in tasks) == [
        ("Sở Y tế", "lead", "2025-06-15"), ("Sở Y tế", "lead", "2025-12-15")]
    assert task(tasks, "Sở Y tế", deadline="2025-12-15")["deadline_text"] == "báo cáo trước ngày 15/12/2025"


def test_each_round_takes_the_partners_that_join_the_job():
    tasks = tasks_of("Giao Sở Y tế báo cáo trước ngày 15/6/2025 và 15/12/2025; Sở Tài chính phối hợp thực hiện.")
    assert task(tasks, "Sở Tài chính", "cooperate", deadline="2025-06-15")
    assert task(tasks, "Sở Tài chính", "cooperate", deadline="2025-12-15")


def test_rounds_are_read_as_deadlines_of_their_own():
    found = dl.find_deadlines("báo cáo trước ngày 15 tháng 6 năm 2025, 15/9/2025 và ngày 15/12/2025",
                              letter_date="2025-03-04")
    assert [(d.iso, d.kind) for d in found] == [
        ("2025-06-15", "date"), ("2025-09-15", "round"), ("2025-12-15", "round")]


def test_an_earlier_second_date_is_no_round():
    found = dl.find_deadlines("hoàn thành trước ngày 30/6/2025 và 15/6/2025", letter_date="2025-03-04")
    assert [d.iso for d in found] == ["2025-06-30"]


def test_paired_days_without_a_year_stay_one_yearly_rule():
    found = dl.find_deadlines("báo cáo trước ngày 15/6 và 15/12 hằng năm", letter_date="2025-03-04")
    assert [(d.date, d.recurrence) for d in found] == [(None, "semiannual:15")]


def test_a_partner_with_an_action_of_its_own_takes_no_date():
    tasks = tasks_of(LEAD + "; Sở Tài chính phối hợp kiểm tra giá.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] is None


def test_partners_joined_by_and_in_their_own_clause_cooperate():
    tasks = tasks_of(LEAD + "; Sở Tài chính và Công an tỉnh phối hợp thực hiện.")
    assert task(tasks, "Sở Tài chính", "cooperate")["deadline"] == "2025-06-30"
    assert task(tasks, "Công an tỉnh", "cooperate")["deadline"] == "2025-06-30"


def test_rounds_asked_of_the_recipients_date_each_of_them():
    tasks = tasks_of("Đề nghị các cơ quan, đơn vị báo cáo trước ngày 15/6/2025 và ngày 15/12/2025.")
    dates = sorted(t["deadline"] for t in tasks)
    assert dates and set(dates) == {"2025-06-15", "2025-12-15"} and dates.count("2025-06-15") == dates.count("2025-12-15")
