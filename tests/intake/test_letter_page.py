"""The letter page and the register: the tasks' roll-up, what an officer may see, adding a task, the history."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db import transaction


def arrange(sessions, task_id: int, **values) -> None:
    """Set columns of a task as a given situation (not through the workflow)."""
    from tracker.tasks.models import Task

    with transaction(sessions) as s:
        task = s.get(Task, task_id)
        for key, value in values.items():
            setattr(task, key, value)


def test_letter_page_and_register_show_the_roll_up_of_the_tasks(web, cast, letter):
    clerk = web(cast.clerk)
    assert "Đang thực hiện (0/2 hoàn thành)" in clerk.get(f"/letters/{letter.letter}").get_data(as_text=True)
    assert "Đang thực hiện (0/2 hoàn thành)" in clerk.get("/letters/").get_data(as_text=True)


def test_register_filters_by_the_state_of_the_tasks(web, cast, letter, sessions):
    clerk = web(cast.clerk)
    arrange(sessions, letter.labour_task, deadline=dt.date(2019, 9, 10))
    register = clerk.get("/letters/").get_data(as_text=True)
    assert "Có 1 nhiệm vụ quá hạn" in register
    assert "871/VP-VHXH" in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)
    assert "871/VP-VHXH" in clerk.get("/letters/?tasks=open").get_data(as_text=True)
    assert "871/VP-VHXH" not in clerk.get("/letters/?tasks=done").get_data(as_text=True)
    for task_id in (letter.finance_task, letter.labour_task):
        arrange(sessions, task_id, status="done", completed_on=dt.date(2019, 9, 5))
    assert "Đã hoàn thành đúng hạn" in clerk.get("/letters/").get_data(as_text=True)
    assert "871/VP-VHXH" in clerk.get("/letters/?tasks=done").get_data(as_text=True)
    assert "871/VP-VHXH" not in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)
    assert "871/VP-VHXH" not in clerk.get("/letters/?tasks=open").get_data(as_text=True)


def test_a_letter_whose_tasks_are_all_cancelled_is_not_listed_as_done(web, cast, letter, sessions):
    for task_id in (letter.finance_task, letter.labour_task):
        arrange(sessions, task_id, status="cancelled")
    clerk = web(cast.clerk)
    assert "Các nhiệm vụ đã hủy" in clerk.get("/letters/").get_data(as_text=True)
    assert "871/VP-VHXH" not in clerk.get("/letters/?tasks=done").get_data(as_text=True)


@pytest.mark.parametrize("who, shown", [("clerk", True), ("admin", True), ("leader", False),
                                        ("finance_officer", False)])
def test_add_task_link_only_for_those_who_may_add_tasks(web, cast, letter, who, shown):
    browser = web(getattr(cast, who))
    page = browser.get(f"/letters/{letter.letter}").get_data(as_text=True)
    link = f'href="/tasks/new?letter={letter.letter}"'
    assert ("+ Thêm nhiệm vụ" in page and link in page) is shown
    if shown:
        form = browser.get(f"/tasks/new?letter={letter.letter}")
        assert form.status_code == 200


def test_letter_page_shows_the_registration_in_the_history(web, cast, letter):
    page = web(cast.leader).get(f"/letters/{letter.letter}").get_data(as_text=True)
    history = page[page.index("Lịch sử văn bản"):]
    assert "Clerk" in history and "vào sổ văn bản" in history


# -- with the leader's approval of the distribution switched on ----------------------------------------------

SHIPPED_SWITCH = "leader_approves_distribution = false"


@pytest.fixture
def approving_app(database_url, tmp_path, cast):
    """An app on the test's database whose workflow file has leader_approves_distribution = true."""
    from tests.tasks.test_workflow_file import SHIPPED, make_app

    assert SHIPPED_SWITCH in SHIPPED
    app = make_app(database_url, tmp_path, SHIPPED.replace(SHIPPED_SWITCH, "leader_approves_distribution = true"))
    yield app
    app.extensions["tracker.engine"].dispose()


def _client(app, username):
    from tests.conftest import PASSWORD

    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_tasks_awaiting_approval_are_hidden_from_officers_and_give_no_access(approving_app, cast):
    from tracker.accounts.models import User
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.models import Task
    from tracker.tasks.operations import TaskSpec

    with transaction(approving_app.extensions["tracker.write_sessions"]) as s:
        letter = register_letter(s, LetterSpec(number="12/UBND-KT", issuer="UBND tỉnh", subject="giải ngân vốn"),
                                 [TaskSpec(agency_id=cast.finance, role="lead", summary="Báo cáo giải ngân",
                                           deadline=dt.date(2019, 10, 10)),
                                  TaskSpec(agency_id=cast.labour, role="cooperate", summary="Phối hợp số liệu",
                                           deadline=dt.date(2019, 10, 10))],
                                 actor=s.get(User, cast.clerk), received_on=dt.date(2019, 9, 19))
        letter_id = letter.id
        assert [t.status for t in letter.tasks] == ["pending_approval", "pending_approval"]
        # the leader approved the labour department's part only
        s.get(Task, letter.tasks[1].id).status = "assigned"
    url = f"/letters/{letter_id}"
    # finance's only task still awaits the leader: the letter is not theirs to see yet
    assert _client(approving_app, "finance_officer").get(url).status_code == 403
    labour = _client(approving_app, "labour_officer").get(url)
    assert labour.status_code == 200
    page = labour.get_data(as_text=True)
    assert "Phối hợp số liệu" in page and "Báo cáo giải ngân" not in page
    assert "Nhiệm vụ (1)" in page and "Chờ lãnh đạo duyệt" not in page
    leader = _client(approving_app, "leader").get(url).get_data(as_text=True)
    assert "Báo cáo giải ngân" in leader and "Phối hợp số liệu" in leader
    assert "Chờ lãnh đạo duyệt phân công" in leader


def test_register_offers_the_awaiting_filter_when_the_switch_is_on(approving_app, cast):
    from tracker.accounts.models import User
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    with transaction(approving_app.extensions["tracker.write_sessions"]) as s:
        register_letter(s, LetterSpec(number="12/UBND-KT", issuer="UBND tỉnh", subject="giải ngân vốn"),
                        [TaskSpec(agency_id=cast.finance, role="lead", summary="Báo cáo giải ngân",
                                  deadline=dt.date(2019, 9, 1))],
                        actor=s.get(User, cast.clerk), received_on=dt.date(2019, 8, 19))
    clerk = _client(approving_app, "clerk")
    assert "12/UBND-KT" in clerk.get("/letters/?tasks=awaiting").get_data(as_text=True)
    # past its deadline, but not yet anyone's work: not "overdue"
    assert "12/UBND-KT" not in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)


def test_the_register_counts_letters_with_overdue_or_open_tasks_again_after_a_change(web, cast, letter, sessions):
    """The counts of "letters with overdue / open tasks" are kept between changes: a change of the tasks shows
    at once in the pager, not only in the rows."""
    clerk = web(cast.clerk)
    assert "0–0 / 0" in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)
    assert "1–1 / 1" in clerk.get("/letters/?tasks=open").get_data(as_text=True)
    arrange(sessions, letter.labour_task, deadline=dt.date(2019, 9, 10))
    assert "1–1 / 1" in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)
    for task_id in (letter.finance_task, letter.labour_task):
        arrange(sessions, task_id, status="done", completed_on=dt.date(2019, 9, 5))
    assert "0–0 / 0" in clerk.get("/letters/?tasks=overdue").get_data(as_text=True)
    assert "0–0 / 0" in clerk.get("/letters/?tasks=open").get_data(as_text=True)
