"""Recurring reports (Nghị định 09/2019): one task, one period per cycle, each with its own deadline and result."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db import transaction
from tracker.tasks.recurrence import RecurrenceError, parse_rule, periods, periods_until


def first(rule: str, start: str, n: int):
    found = []
    for period in periods(parse_rule(rule), dt.date.fromisoformat(start)):
        found.append((period.label, period.due.isoformat()))
        if len(found) == n:
            return found


def test_monthly_reports_due_on_the_20th_move_off_days_off():
    # 20/10/2019 is a Sunday: the report is due on Monday 21/10 (Bộ luật Dân sự, Art. 148)
    assert first("monthly:20", "2019-09-05", 3) == [("Tháng 9/2019", "2019-09-20"), ("Tháng 10/2019", "2019-10-21"),
                                                    ("Tháng 11/2019", "2019-11-20")]


def test_a_task_given_after_this_months_due_day_starts_with_next_month():
    assert first("monthly:20", "2019-09-25", 1) == [("Tháng 10/2019", "2019-10-21")]


@pytest.mark.parametrize("rule, start, expected", [
    ("quarterly", "2019-08-01", [("Quý III/2019", "2019-09-30"), ("Quý IV/2019", "2019-12-31")]),
    ("quarterly:20", "2019-08-01", [("Quý III/2019", "2019-09-20"), ("Quý IV/2019", "2019-12-20")]),
    ("semiannual", "2019-03-01", [("6 tháng đầu năm 2019", "2019-07-01"), ("6 tháng cuối năm 2019", "2019-12-31")]),
    ("yearly:03-15", "2019-01-10", [("Năm 2019", "2019-03-15"), ("Năm 2020", "2020-03-16")]),
    ("weekly", "2019-09-16", [("Tuần 38 (16/09–22/09/2019)", "2019-09-20"), ("Tuần 39 (23/09–29/09/2019)", "2019-09-27")]),
    ("daily", "2019-08-30", [("Ngày 30/08/2019", "2019-08-30"), ("Ngày 03/09/2019", "2019-09-03")]),  # 31/8-2/9 off
])
def test_other_cycles(rule, start, expected):
    assert first(rule, start, len(expected)) == expected


@pytest.mark.parametrize("rule", ["monthly:32", "hằng tháng", "weekly:8", "yearly:02-30", "monthly:x", "daily:3"])
def test_rules_that_cannot_be_read_are_refused_in_vietnamese(rule):
    with pytest.raises(RecurrenceError) as caught:
        parse_rule(rule)
    assert any(ch in str(caught.value) for ch in "ạảãáàâăêôơưđ")


def test_periods_are_created_up_to_today_and_one_ahead():
    made = periods_until(parse_rule("monthly:20"), dt.date(2019, 6, 1), dt.date(2019, 9, 20))
    assert [p.label for p in made] == ["Tháng 6/2019", "Tháng 7/2019", "Tháng 8/2019", "Tháng 9/2019", "Tháng 10/2019"]
    ended = periods_until(parse_rule("monthly:20"), dt.date(2019, 6, 1), dt.date(2019, 9, 20),
                          until=dt.date(2019, 7, 31))
    assert [p.label for p in ended] == ["Tháng 6/2019", "Tháng 7/2019"]


@pytest.fixture
def monthly(sessions, cast, letter):
    """A monthly report for labour, due on the 20th, given on 1 July 2019."""
    from tracker.accounts.models import User
    from tracker.intake.models import Letter
    from tracker.tasks.operations import TaskSpec, create_task

    with transaction(sessions) as s:
        task = create_task(s, s.get(Letter, letter.letter), TaskSpec(
            agency_id=cast.labour, role="lead", summary="Báo cáo tình hình trợ giúp xã hội, trước ngày 20 hằng tháng",
            recurrence="monthly:20", starts_on=dt.date(2019, 7, 1)), actor=s.get(User, cast.clerk))
        return task.id


def test_a_recurring_task_gets_its_periods_and_follows_the_earliest_open_one(web, cast, monthly, tasks):
    task = tasks.get(monthly)
    assert [o.label for o in task.occurrences] == ["Tháng 7/2019"]  # the coming period, created at registration
    page = web(cast.labour_officer).get(f"/tasks/{monthly}").get_data(as_text=True)
    task = tasks.get(monthly)
    assert [o.label for o in task.occurrences] == ["Tháng 7/2019", "Tháng 8/2019", "Tháng 9/2019", "Tháng 10/2019"]
    assert task.deadline == dt.date(2019, 7, 22)  # 20/7/2019 is a Saturday
    assert "Các kỳ báo cáo" in page and "Báo cáo kỳ Tháng 9/2019" in page
    assert "Quá hạn" in page


def test_each_period_is_reported_and_judged_on_its_own_and_late_periods_count_as_late(app, web, cast, monthly, tasks,
                                                                                      post, letter):
    officer, leader = web(cast.labour_officer), web(cast.leader)
    officer.get(f"/tasks/{monthly}")  # periods up to today (20/9) and one ahead
    periods = {o.label: o.id for o in tasks.get(monthly).occurrences}
    refused = post(officer, monthly, "/transitions/submit_result", result="Báo cáo chung")
    assert refused.status_code == 409 and "theo từng kỳ" in refused.get_data(as_text=True)
    # July reported late (on 20/9), August on time? No: also 20/9, after 20/8. September on its due day.
    for label in ("Tháng 7/2019", "Tháng 9/2019"):
        response = post(officer, monthly, f"/periods/{periods[label]}/transitions/submit_result",
                        result=f"Báo cáo {label}")
        assert response.status_code == 302, response.get_data(as_text=True)[:1500]
        assert post(leader, monthly, f"/periods/{periods[label]}/transitions/accept").status_code == 302
    task = tasks.get(monthly)
    states = {o.label: (o.status, o.completed_on) for o in task.occurrences}
    assert states["Tháng 7/2019"] == ("done", dt.date(2019, 9, 20))
    assert states["Tháng 8/2019"][0] == "assigned"
    assert task.deadline == dt.date(2019, 8, 20)  # now the earliest open period
    events = [e for e in task.events if e.occurrence_id == periods["Tháng 9/2019"]]
    assert [e.transition for e in events] == ["submit_result", "accept"]
    from tracker.tasks import queries

    with app.app_context():
        with app.extensions["tracker.write_sessions"]() as s:
            figures = queries.figures(s, dt.date(2019, 9, 20), app.extensions["tracker.workflow"].open_states,
                                      agency_id=cast.labour)
    # units of labour: the one-off cooperate task + 4 periods
    assert figures.tasks == 5
    assert (figures.done, figures.done_on_time, figures.done_late) == (2, 1, 1)  # July late, September on time
    assert figures.overdue_open == 1  # August
    page = leader.get(f"/tasks/{monthly}").get_data(as_text=True)
    assert "Hoàn thành quá hạn" in page and "Hoàn thành đúng hạn" in page


def test_a_period_cannot_be_cancelled_on_its_own(web, cast, monthly, tasks, post):
    web(cast.leader).get(f"/tasks/{monthly}")
    period = tasks.get(monthly).occurrences[0]
    response = post(web(cast.leader), monthly, f"/periods/{period.id}/transitions/cancel", comment="Không cần")
    assert response.status_code == 409
    assert tasks.get(monthly).occurrences[0].status == "assigned"


def test_a_clerk_adds_a_recurring_task_and_a_bad_rule_is_refused_with_the_input_kept(web, cast, letter, tasks):
    clerk = web(cast.clerk)
    bad = clerk.post("/tasks/new", data={"letter": letter.letter, "agency_id": cast.police, "role": "lead",
                                         "summary": "Báo cáo an ninh hằng quý", "recurrence": "hằng quý"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Không hiểu chu kỳ" in page and "Báo cáo an ninh hằng quý" in page
    good = clerk.post("/tasks/new", data={"letter": letter.letter, "agency_id": cast.police, "role": "lead",
                                          "summary": "Báo cáo an ninh hằng quý", "recurrence": "quarterly:20"})
    assert good.status_code == 302
    task_id = int(good.headers["Location"].rstrip("/").split("/")[-1])
    task = tasks.get(task_id)
    assert [o.label for o in task.occurrences] == ["Quý III/2019", "Quý IV/2019"]
    assert task.deadline == dt.date(2019, 9, 20)
