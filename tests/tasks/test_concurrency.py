"""Two people saving the same task: the second is told, with the current state, and nothing of the first is lost."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from tracker.db import transaction


def test_the_second_of_two_saves_from_the_same_version_is_refused_with_the_current_state(web, cast, letter, tasks,
                                                                                         post):
    version = tasks.version(letter.finance_task)
    first, second = web(cast.finance_officer), web(cast.finance_officer)
    assert post(first, letter.finance_task, "/progress", version=version, progress="70",
                note="Đã họp với các huyện").status_code == 302
    response = post(second, letter.finance_task, "/progress", version=version, progress="30",
                    note="Mới bắt đầu tổng hợp")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Thay đổi của bạn CHƯA được lưu" in page
    assert "Finance Officer cập nhật tiến độ" in page  # who did what in between
    assert "tiến độ 70%" in page  # the current state
    assert ">Mới bắt đầu tổng hợp</textarea>" in page and 'value="30"' in page  # the second person's input kept
    assert f'name="version" value="{version + 1}"' in page  # and the form now carries the current version
    task = tasks.get(letter.finance_task)
    assert task.progress == 70  # the first save stands
    assert [e.comment for e in task.events if e.kind == "progress"] == ["Đã họp với các huyện"]


def test_a_leader_deciding_on_a_result_the_officer_just_changed_is_refused(web, cast, letter, tasks, post):
    tasks.arrange(letter.finance_task, status="submitted")
    seen = tasks.version(letter.finance_task)
    # the officer's colleague hands the task to someone in the meantime
    assert post(web(cast.finance_officer), letter.finance_task, "/assignee",
                assignee_id=str(cast.finance_officer)).status_code == 302
    response = post(web(cast.leader), letter.finance_task, "/transitions/return", version=seen,
                    comment="Bổ sung số liệu quý III")
    assert response.status_code == 409 and "giao người xử lý" in response.get_data(as_text=True)
    assert ">Bổ sung số liệu quý III</textarea>" in response.get_data(as_text=True)
    assert tasks.get(letter.finance_task).status == "submitted"


def test_a_double_click_records_once_and_says_so(web, cast, letter, tasks, post):
    browser = web(cast.finance_officer)
    version = tasks.version(letter.finance_task)
    assert post(browser, letter.finance_task, "/transitions/submit_result", version=version,
                result="Đã hoàn thành", submission_key="form-1").status_code == 302
    again = post(browser, letter.finance_task, "/transitions/submit_result", version=version, result="Đã hoàn thành",
                 submission_key="form-1")
    assert again.status_code == 302
    assert "đã được ghi nhận trước đó" in browser.get(again.headers["Location"]).get_data(as_text=True)
    assert len(tasks.events(letter.finance_task, "transition")) == 1


def test_a_form_without_its_version_is_refused(web, cast, letter, tasks):
    response = web(cast.finance_officer).post(f"/tasks/{letter.finance_task}/progress", data={"progress": "10"})
    assert response.status_code == 422 and "phiên bản" in response.get_data(as_text=True)
    assert tasks.get(letter.finance_task).progress == 0


def test_concurrent_writers_in_the_database_cannot_overwrite_each_other(sessions, letter, app):
    """Below the forms: two sessions load version 1; the second flush fails instead of overwriting."""
    from tracker.tasks.models import Task

    first, second = sessions(), sessions()
    try:
        a = first.get(Task, letter.finance_task)
        first.commit()  # end the read (SQLite's write lock is taken at BEGIN); a stays loaded at version 1
        b = second.get(Task, letter.finance_task)
        second.commit()  # so does b
        a.progress = 40
        first.commit()
        b.progress = 10
        with pytest.raises(StaleDataError):
            second.flush()
        second.rollback()
    finally:
        first.close()
        second.close()
    with sessions() as s:
        assert s.get(Task, letter.finance_task).progress == 40


def test_the_service_turns_a_lost_race_into_a_stale_refusal(sessions, cast, letter, app):
    """The version check passed, then another transaction committed before the UPDATE: StaleTask, not a 500."""
    import datetime as dt

    from tracker.accounts.models import User
    from tracker.tasks.models import Task
    from tracker.tasks.service import StaleTask, TaskService

    first, second = sessions(), sessions()
    try:
        task_b = second.get(Task, letter.finance_task)
        officer_b = second.get(User, cast.finance_officer)
        _ = task_b.letter.tasks, task_b.occurrences, task_b.extensions
        second.commit()  # objects stay loaded (expire_on_commit is off), as a racing request holds them
        with transaction(sessions) as s:  # someone else saves first
            s.get(Task, letter.finance_task).progress = 55
        service = TaskService(second, app.extensions["tracker.workflow"], dt.date(2019, 9, 20))
        with pytest.raises(StaleTask):
            service.update_progress(officer_b, task_b, version=1, progress=20, note="chậm chân")
        second.rollback()
    finally:
        first.close()
        second.close()
    with sessions() as s:
        assert s.get(Task, letter.finance_task).progress == 55


def test_a_stale_page_sent_again_with_another_value_is_refused_not_taken_for_a_repeat(web, cast, letter, tasks, post):
    """Progress 41 saved, then the same page (same key, same version) sent with 63: the user must not be told
    63 was recorded while the task stays at 41."""
    browser = web(cast.finance_officer)
    version = tasks.version(letter.finance_task)
    assert post(browser, letter.finance_task, "/progress", version=version, progress="41", note="",
                submission_key="page-1").status_code == 302
    again = post(browser, letter.finance_task, "/progress", version=version, progress="63", note="",
                 submission_key="page-1")
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "CHƯA được lưu" in page and "đã được ghi nhận trước đó" not in page
    assert tasks.get(letter.finance_task).progress == 41


def test_two_forms_asking_the_same_are_two_submissions(web, cast, letter, tasks, post):
    """Another person's identical change (another form, so another key) is a conflict to show, not a repeat."""
    version = tasks.version(letter.finance_task)
    assert post(web(cast.finance_officer), letter.finance_task, "/progress", version=version, progress="41",
                note="", submission_key="page-a").status_code == 302
    second = post(web(cast.finance_officer), letter.finance_task, "/progress", version=version, progress="41",
                  note="", submission_key="page-b")
    assert second.status_code == 409 and "CHƯA được lưu" in second.get_data(as_text=True)


def test_the_task_page_gives_each_form_a_fresh_submission_key(web, cast, letter):
    import re

    browser = web(cast.finance_officer)
    keys = [re.findall(r'name="submission_key" value="([0-9a-f]{32})"', browser.get(f"/tasks/{letter.finance_task}")
                       .get_data(as_text=True)) for _ in range(2)]
    assert keys[0] and len(set(keys[0] + keys[1])) == len(keys[0]) + len(keys[1])
