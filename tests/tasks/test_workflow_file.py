"""The workflow file decides: a changed file changes behaviour without touching Python; mistakes name the line."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tracker.tasks.workflow import WorkflowError, parse_workflow

SHIPPED = (Path(__file__).resolve().parents[2] / "workflows" / "tasks.toml").read_text(encoding="utf-8")


def make_app(database_url, tmp_path, text: str):
    """An app whose instance carries its own workflow file."""
    from tracker.app import create_app

    folder = tmp_path / "instance" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tasks.toml").write_text(text, encoding="utf-8")
    return create_app({"instance_path": tmp_path / "instance", "database_url": database_url,
                       "secret_key": secrets.token_hex(16), "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "TRACKER_TODAY": "2019-09-20"})


@pytest.fixture
def custom_app(database_url, tmp_path, request):
    """make(text) -> an app on the test's database using the workflow ``text``."""
    made = []

    def make(text):
        app = make_app(database_url, tmp_path, text)
        made.append(app)
        return app
    yield make
    for app in made:
        app.extensions["tracker.engine"].dispose()


def sign_in(app, username):
    from tests.conftest import PASSWORD

    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_the_shipped_file_declares_the_default_states_and_the_switch_off():
    workflow = parse_workflow(SHIPPED)
    assert {"assigned", "in_progress", "submitted", "done", "returned", "cancelled"} <= set(workflow.states)
    assert workflow.label("returned") == "Trả lại" and not workflow.leader_approves_distribution
    assert "overdue" not in workflow.states  # derived from the deadline, never stored
    assert workflow.transitions["return"].requires == {"comment"}
    assert workflow.max_extensions == 2


@pytest.mark.parametrize("change, message", [
    (('[actions.direct]', '[actions.khen_thuong]'), r"line \d+: \[actions.khen_thuong\] unknown action"),
    (('approval_state = "pending_approval"', 'approval_state = "cho_duyet"'),
     r"line \d+: \[settings\] approval_state names unknown state 'cho_duyet'"),
    (('in = ["assigned", "in_progress", "returned"]\nroles = ["officer"]\nrequires = ["progress"]',
      'in = ["assigned", "dang_lam"]\nroles = ["officer"]\nrequires = ["progress"]'),
     r"line \d+: \[actions.update_progress\] in names unknown state 'dang_lam'"),
    (('roles = ["leader"]\nrequires = ["comment"]\n\n[transitions.start]', 'roles = ["giam_doc"]\nrequires = ["comment"]\n\n[transitions.start]'),
     r"line \d+: \[transitions.approve_distribution\] roles must be among"),
    (('leader_approves_distribution = false', 'leader_approves_distribution = "có"'),
     r"leader_approves_distribution must be true or false"),
])
def test_mistakes_in_the_file_name_the_line(change, message):
    old, new = change
    assert old in SHIPPED
    with pytest.raises(WorkflowError, match=message):
        parse_workflow(SHIPPED.replace(old, new))


def test_a_changed_file_changes_who_may_do_what(custom_app, sessions, cast, letter, tasks):
    """Give acceptance to clerks instead of leaders, and make returning a result need no reason."""
    text = SHIPPED.replace('[transitions.accept]\nlabel = "Chấp nhận kết quả"\nfrom = ["submitted"]\nto = "done"\nroles = ["leader"]',
                           '[transitions.accept]\nlabel = "Xác nhận hoàn thành"\nfrom = ["submitted"]\nto = "done"\nroles = ["clerk"]')
    text = text.replace('roles = ["leader"]\nrequires = ["comment"]\n\n[transitions.resume]',
                        'roles = ["leader"]\n\n[transitions.resume]')
    assert text.count("Xác nhận hoàn thành") == 1
    app = custom_app(text)
    tasks.arrange(letter.finance_task, status="submitted")
    version = tasks.version(letter.finance_task)
    leader = sign_in(app, "leader")
    assert leader.post(f"/tasks/{letter.finance_task}/transitions/accept", data={"version": version}).status_code == 403
    clerk = sign_in(app, "clerk")
    page = clerk.get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Xác nhận hoàn thành" in page
    assert clerk.post(f"/tasks/{letter.finance_task}/transitions/accept", data={"version": version}).status_code == 302
    assert tasks.get(letter.finance_task).status == "done"
    # "return" needs no comment any more
    tasks.arrange(letter.labour_task, status="submitted")
    response = leader.post(f"/tasks/{letter.labour_task}/transitions/return",
                           data={"version": tasks.version(letter.labour_task)})
    assert response.status_code == 302 and tasks.get(letter.labour_task).status == "returned"


def test_with_the_approval_switch_on_a_clerks_distribution_waits_for_the_leader(custom_app, cast, sessions, tasks):
    """Decree 30, Art. 23: agencies see the tasks only after the leader approves them, with a direction."""
    import datetime as dt

    from tracker.accounts.models import User
    from tracker.db import transaction
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    app = custom_app(SHIPPED.replace("leader_approves_distribution = false", "leader_approves_distribution = true"))
    # the intake code calls create_task without naming a workflow: the app's own file applies
    with transaction(app.extensions["tracker.write_sessions"]) as s:
        letter = register_letter(s, LetterSpec(number="12/UBND-KT", issuer="UBND tỉnh", subject="giải ngân vốn"),
                                 [TaskSpec(agency_id=cast.finance, role="lead", summary="Báo cáo giải ngân",
                                           deadline=dt.date(2019, 10, 10)),
                                  TaskSpec(agency_id=cast.labour, role="cooperate", summary="Phối hợp số liệu",
                                           deadline=dt.date(2019, 10, 10))],
                                 actor=s.get(User, cast.clerk), received_on=dt.date(2019, 9, 19))
        finance_task, labour_task = (t.id for t in letter.tasks)
        letter_id = letter.id
    assert tasks.get(finance_task).status == "pending_approval"
    officer = sign_in(app, "finance_officer")
    assert "Báo cáo giải ngân" not in officer.get("/tasks/mine").get_data(as_text=True)
    assert officer.get(f"/tasks/{finance_task}").status_code == 403
    leader = sign_in(app, "leader")
    overview = leader.get("/overview").get_data(as_text=True)
    assert "Chờ duyệt phân công" in overview
    waiting = leader.get("/tasks/?status=pending_approval").get_data(as_text=True)
    assert "Báo cáo giải ngân" in waiting and "Phối hợp số liệu" in waiting
    page = leader.get(f"/tasks/{finance_task}").get_data(as_text=True)
    assert "Duyệt tất cả" in page and "Ý kiến chỉ đạo khi duyệt phân công" in page
    missing = leader.post(f"/tasks/letters/{letter_id}/approve", data={"comment": "", "back_to": finance_task})
    assert missing.status_code == 422 and "Vui lòng nhập ý kiến" in missing.get_data(as_text=True)
    assert tasks.get(finance_task).status == "pending_approval"
    done = leader.post(f"/tasks/letters/{letter_id}/approve",
                       data={"comment": "Đồng ý phân công; Sở Tài chính chủ trì", "back_to": finance_task})
    assert done.status_code == 302
    for task_id in (finance_task, labour_task):
        task = tasks.get(task_id)
        assert task.status == "assigned"
        assert task.events[-1].comment == "Đồng ý phân công; Sở Tài chính chủ trì"
    assert "Báo cáo giải ngân" in officer.get("/tasks/mine").get_data(as_text=True)


def test_with_the_switch_off_a_clerks_tasks_go_straight_to_the_agencies(web, cast, letter, tasks):
    assert tasks.get(letter.finance_task).status == "assigned"
    assert "Chủ trì triển khai trợ giúp xã hội" in web(cast.finance_officer).get("/tasks/mine").get_data(as_text=True)
