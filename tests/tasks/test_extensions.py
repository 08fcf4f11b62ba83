"""Extensions: request, decision (who, when, why), the deadline that moves and the one on-time is judged by."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.tasks.status import DeadlineStatus, deadline_status


def walk_to_done(app, web, cast, post, task_id, *, submitted_on: str, accepted_on: str):
    """The officer reports on ``submitted_on``, the leader accepts on ``accepted_on``."""
    app.config["TRACKER_TODAY"] = submitted_on
    assert post(web(cast.finance_officer), task_id, "/transitions/submit_result",
                result="Đã hoàn thành").status_code == 302
    app.config["TRACKER_TODAY"] = accepted_on
    assert post(web(cast.leader), task_id, "/transitions/accept").status_code == 302


def request_and_approve(app, web, cast, post, tasks, task_id, *, asked_on: str, approved_on: str, to: str):
    app.config["TRACKER_TODAY"] = asked_on
    response = post(web(cast.finance_officer), task_id, "/extensions", new_deadline=to,
                    reason="Chờ số liệu của các huyện")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    request_id = tasks.get(task_id).extensions[-1].id
    app.config["TRACKER_TODAY"] = approved_on
    response = post(web(cast.leader), task_id, f"/extensions/{request_id}", decision="approve",
                    comment="Đồng ý, không gia hạn thêm")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_extension_approved_before_the_deadline_moves_it_and_the_task_is_done_on_time(app, web, cast, letter,
                                                                                      tasks, post):
    request_and_approve(app, web, cast, post, tasks, letter.finance_task, asked_on="2019-09-20",
                        approved_on="2019-09-25", to="2019-10-15")
    task = tasks.get(letter.finance_task)
    assert task.deadline == dt.date(2019, 10, 15) and task.judged_deadline == dt.date(2019, 10, 15)
    assert task.original_deadline == dt.date(2019, 9, 30)
    extension = task.extensions[-1]
    assert extension.status == "approved" and extension.decided_by_id == cast.leader
    assert extension.decided_on == dt.date(2019, 9, 25) and extension.moves_judged_deadline
    walk_to_done(app, web, cast, post, letter.finance_task, submitted_on="2019-10-10", accepted_on="2019-10-16")
    page = web(cast.leader).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Hoàn thành đúng hạn" in page
    # the history keeps both deadlines
    assert "Hạn xử lý: 30/09/2019 → 15/10/2019" in page and "đồng ý gia hạn" in page
    overview = web(cast.leader).get("/overview").get_data(as_text=True)
    assert "100,0%" in overview


def test_extension_approved_after_the_deadline_passed_does_not_make_a_late_task_on_time(app, web, cast, letter,
                                                                                       tasks, post):
    request_and_approve(app, web, cast, post, tasks, letter.finance_task, asked_on="2019-09-27",
                        approved_on="2019-10-02", to="2019-10-15")
    task = tasks.get(letter.finance_task)
    assert task.deadline == dt.date(2019, 10, 15)  # the agency now works to the new date...
    assert task.judged_deadline == dt.date(2019, 9, 30)  # ...but it is judged against the missed one
    assert not task.extensions[-1].moves_judged_deadline
    app.config["TRACKER_TODAY"] = "2019-10-03"
    page = web(cast.finance_officer).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Còn 8 ngày làm việc" in page  # open: measured against the deadline in force
    assert "Đánh giá đúng hạn theo" in page
    walk_to_done(app, web, cast, post, letter.finance_task, submitted_on="2019-10-10", accepted_on="2019-10-11")
    page = web(cast.leader).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Hoàn thành quá hạn" in page
    overview = web(cast.leader).get("/overview").get_data(as_text=True)
    assert "0,0% đúng hạn" in overview


def test_on_time_is_judged_by_the_day_the_accepted_result_was_reported(app, web, cast, letter, tasks, post):
    """Reported on the deadline, accepted two days later: on time. Returned and reported again late: late."""
    walk_to_done(app, web, cast, post, letter.finance_task, submitted_on="2019-09-30", accepted_on="2019-10-02")
    assert tasks.get(letter.finance_task).completed_on == dt.date(2019, 9, 30)
    app.config["TRACKER_TODAY"] = "2019-09-27"
    officer, leader = web(cast.labour_officer), web(cast.leader)
    assert post(officer, letter.labour_task, "/transitions/submit_result", result="Bản đầu").status_code == 302
    assert post(leader, letter.labour_task, "/transitions/return", comment="Thiếu số liệu").status_code == 302
    app.config["TRACKER_TODAY"] = "2019-10-01"
    assert post(officer, letter.labour_task, "/transitions/submit_result", result="Bản đủ").status_code == 302
    assert post(leader, letter.labour_task, "/transitions/accept").status_code == 302
    assert tasks.get(letter.labour_task).completed_on == dt.date(2019, 10, 1)
    page = leader.get("/tasks/?status=finished").get_data(as_text=True)
    assert page.count("Hoàn thành đúng hạn") == 1 and page.count("Hoàn thành quá hạn") == 1


def test_refusal_keeps_the_deadline_and_records_who_when_and_why(app, web, cast, letter, tasks, post):
    post(web(cast.finance_officer), letter.finance_task, "/extensions", new_deadline="15/10/2019",
         reason="Chờ số liệu")
    request_id = tasks.get(letter.finance_task).extensions[-1].id
    missing = post(web(cast.leader), letter.finance_task, f"/extensions/{request_id}", decision="refuse", comment="")
    assert missing.status_code == 422 and "Vui lòng nhập ý kiến" in missing.get_data(as_text=True)
    response = post(web(cast.leader), letter.finance_task, f"/extensions/{request_id}", decision="refuse",
                    comment="Nhiệm vụ cấp bách, không gia hạn")
    assert response.status_code == 302
    task = tasks.get(letter.finance_task)
    assert task.deadline == dt.date(2019, 9, 30)
    extension = task.extensions[-1]
    assert (extension.status, extension.decided_by_id, extension.decision_comment) == (
        "refused", cast.leader, "Nhiệm vụ cấp bách, không gia hạn")
    assert extension.decided_at is not None
    assert [e.kind for e in task.events][-2:] == ["extension_requested", "extension_refused"]


@pytest.mark.parametrize("date, reason, message", [
    ("31/02/2019", "Chờ số liệu", "Ngày không hợp lệ"),
    ("2019-09-25", "Chờ số liệu", "Ngày đề nghị phải sau hạn hiện tại (30/09/2019)"),
    ("", "Chờ số liệu", "Vui lòng nhập ngày hạn mới"),
    ("2019-10-15", "   ", "Vui lòng nêu lý do xin gia hạn"),
])
def test_bad_extension_requests_keep_the_input_and_say_why(web, cast, letter, tasks, post, date, reason, message):
    response = post(web(cast.finance_officer), letter.finance_task, "/extensions", new_deadline=date, reason=reason)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if reason.strip():
        assert f">{reason}</textarea>" in page  # what was typed is still there
    assert not tasks.get(letter.finance_task).extensions


def test_one_pending_request_at_a_time_and_the_file_caps_the_number_of_extensions(app, web, cast, letter, tasks,
                                                                                  post):
    officer = web(cast.finance_officer)
    assert post(officer, letter.finance_task, "/extensions", new_deadline="2019-10-05", reason="Lần 1").status_code == 302
    second = post(officer, letter.finance_task, "/extensions", new_deadline="2019-10-06", reason="Lần 1b")
    assert second.status_code == 409 and "đang chờ lãnh đạo" in second.get_data(as_text=True)
    post(web(cast.leader), letter.finance_task, f"/extensions/{tasks.get(letter.finance_task).extensions[-1].id}",
         decision="approve")
    request_and_approve(app, web, cast, post, tasks, letter.finance_task, asked_on="2019-09-21",
                        approved_on="2019-09-22", to="2019-10-20")
    assert tasks.get(letter.finance_task).approved_extensions == 2  # the shipped file: max_extensions = 2
    third = post(officer, letter.finance_task, "/extensions", new_deadline="2019-10-30", reason="Lần 3")
    assert third.status_code == 409 and "tối đa theo quy định là 2 lần" in third.get_data(as_text=True)


def test_the_leader_may_grant_another_date_than_asked(web, cast, letter, tasks, post):
    post(web(cast.finance_officer), letter.finance_task, "/extensions", new_deadline="2019-10-31", reason="Chờ số liệu")
    request_id = tasks.get(letter.finance_task).extensions[-1].id
    post(web(cast.leader), letter.finance_task, f"/extensions/{request_id}", decision="approve",
         granted_deadline="2019-10-10", comment="Chỉ gia hạn đến 10/10")
    task = tasks.get(letter.finance_task)
    assert task.deadline == dt.date(2019, 10, 10) and task.extensions[-1].granted_deadline == dt.date(2019, 10, 10)


@pytest.mark.parametrize("deadline, judged, completed, expected", [
    ("2019-10-15", "2019-10-15", "2019-10-10", DeadlineStatus.DONE_ON_TIME),
    ("2019-10-15", "2019-09-30", "2019-10-10", DeadlineStatus.DONE_LATE),
    ("2019-09-30", None, "2019-09-30", DeadlineStatus.DONE_ON_TIME),
    ("2019-09-30", None, "2019-10-01", DeadlineStatus.DONE_LATE),
])
def test_finished_tasks_are_judged_against_the_judged_deadline(deadline, judged, completed, expected):
    view = deadline_status(deadline=dt.date.fromisoformat(deadline), state="done",
                           open_states=frozenset({"assigned"}), today=dt.date(2019, 10, 20),
                           completed_on=dt.date.fromisoformat(completed),
                           judged_deadline=dt.date.fromisoformat(judged) if judged else None)
    assert view.status == expected
