"""Every transition and every action of the shipped workflow, tried by every role through the real endpoints.

The cases are generated from workflows/tasks.toml: a role the file lists succeeds, any other role gets 403
and nothing changes; an officer succeeds only on a task of their own agency.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db import transaction
from tracker.resources import find_file
from tracker.tasks.workflow import load_workflow

WORKFLOW = load_workflow(find_file("workflows", "tasks.toml", None))
#: "officer" is the finance officer (the task is finance's); "other_officer" works for labour
PEOPLE = {"admin": "admin", "clerk": "clerk", "leader": "leader", "officer": "finance_officer",
          "other_officer": "labour_officer"}
INPUTS = {"comment": "Ý kiến kèm theo", "result": "Đã hoàn thành, gửi kèm báo cáo", "new_deadline": "2019-10-31",
          "progress": "50"}


def allowed(role_key: str, roles) -> bool:
    role = "officer" if role_key == "other_officer" else role_key
    return role in roles and role_key != "other_officer"


TRANSITION_CASES = [(t.name, source, person) for t in WORKFLOW.transitions.values() for source in t.sources
                    for person in PEOPLE]


@pytest.mark.parametrize("name, source, person", TRANSITION_CASES)
def test_every_transition_for_every_role(web, cast, letter, tasks, post, name, source, person):
    transition = WORKFLOW.transitions[name]
    tasks.arrange(letter.finance_task, status=source)
    before = len(tasks.events(letter.finance_task))
    browser = web(getattr(cast, PEOPLE[person]))
    data = {need: INPUTS[need] for need in transition.requires}
    response = post(browser, letter.finance_task, f"/transitions/{name}", **data)
    task = tasks.get(letter.finance_task)
    if allowed(person, transition.roles):
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert task.status == transition.target
        event = task.events[-1]
        assert event.kind == "transition" and event.transition == name
        assert event.changes["status"] == [source, transition.target]
        assert event.actor_id == getattr(cast, PEOPLE[person])
    else:
        assert response.status_code == 403
        assert task.status == source and len(task.events) == before


WRONG_STATE_CASES = [(t.name, next(s for s in WORKFLOW.states if s not in t.sources), sorted(t.roles)[0])
                     for t in WORKFLOW.transitions.values()]


@pytest.mark.parametrize("name, state, role", WRONG_STATE_CASES)
def test_a_transition_from_a_state_it_does_not_leave_is_refused_with_a_message(web, cast, letter, tasks, post,
                                                                              name, state, role):
    tasks.arrange(letter.finance_task, status=state)
    person = PEOPLE[role]
    data = {need: INPUTS[need] for need in WORKFLOW.transitions[name].requires}
    response = post(web(getattr(cast, person)), letter.finance_task, f"/transitions/{name}", **data)
    if role == "officer" and not WORKFLOW.agency_sees(state):
        assert response.status_code == 403
    else:
        assert response.status_code == 409
        assert "Không thể" in response.get_data(as_text=True)
    assert tasks.get(letter.finance_task).status == state


def _pending_extension(sessions, task_id: int) -> int:
    from tracker.accounts.models import User
    from tracker.tasks.models import ExtensionRequest, Task

    with transaction(sessions) as s:
        task = s.get(Task, task_id)
        officer = s.query(User).filter_by(username="finance_officer").one()
        request = ExtensionRequest(task=task, requested_by=officer, requested_on=dt.date(2019, 9, 20),
                                   old_deadline=task.deadline, proposed_deadline=dt.date(2019, 10, 15),
                                   reason="Chờ số liệu")
        s.add(request)
        s.flush()
        return request.id


def action_request(action: str, cast, letter, sessions):
    """(path, form) that performs ``action`` on the finance task."""
    if action == "update_progress":
        return "/progress", {"progress": "60", "note": "Đã tổng hợp xong số liệu"}
    if action == "attach_file":
        from io import BytesIO

        return "/progress", {"note": "Gửi kèm tài liệu", "files": (BytesIO(b"%PDF-1.4 test"), "bao-cao.pdf")}
    if action == "assign_officer":
        return "/assignee", {"assignee_id": str(cast.finance_officer)}
    if action == "request_extension":
        return "/extensions", {"new_deadline": "2019-10-15", "reason": "Chờ số liệu của các huyện"}
    if action in ("approve_extension", "refuse_extension"):
        request_id = _pending_extension(sessions, letter.finance_task)
        decision = "approve" if action == "approve_extension" else "refuse"
        return f"/extensions/{request_id}", {"decision": decision, "comment": "Ý kiến của lãnh đạo"}
    if action == "direct":
        return "/directions", {"comment": "Khẩn trương hoàn thành"}
    if action == "reassign":
        return "/reassign", {"agency_id": str(cast.police), "comment": "Đúng chức năng của Công an tỉnh"}
    if action == "edit":
        return "/edit", {"summary": "Nội dung đã đính chính", "role": "lead", "deadline": "2019-09-30",
                         "comment": "Đính chính"}
    raise AssertionError(action)


ACTION_CASES = [(action, person) for action in WORKFLOW.actions if action != "add_task" for person in PEOPLE]


@pytest.mark.parametrize("action, person", ACTION_CASES)
def test_every_action_for_every_role(web, cast, letter, tasks, post, sessions, action, person):
    spec = WORKFLOW.actions[action]
    state = sorted(spec.states)[0] if spec.states else "in_progress"
    tasks.arrange(letter.finance_task, status=state)
    path, data = action_request(action, cast, letter, sessions)
    before = len(tasks.events(letter.finance_task))
    response = post(web(getattr(cast, PEOPLE[person])), letter.finance_task, path, data=data)
    after = tasks.events(letter.finance_task)
    if allowed(person, spec.roles):
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert len(after) == before + 1 and after[-1].actor_id == getattr(cast, PEOPLE[person])
    else:
        assert response.status_code == 403
        assert len(after) == before


@pytest.mark.parametrize("person", list(PEOPLE))
def test_adding_a_task_to_a_letter(web, cast, letter, tasks, sessions, person):
    from tracker.intake.models import Letter

    response = web(getattr(cast, PEOPLE[person])).post("/tasks/new", data={
        "letter": str(letter.letter), "agency_id": str(cast.police), "role": "cooperate",
        "summary": "Phối hợp bảo đảm an ninh", "deadline": "30/09/2019"})
    with sessions() as s:
        count = len(s.get(Letter, letter.letter).tasks)
    if allowed(person, WORKFLOW.actions["add_task"].roles):
        assert response.status_code == 302 and count == 3
    else:
        assert response.status_code == 403 and count == 2
