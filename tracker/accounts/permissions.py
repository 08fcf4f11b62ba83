"""Who may do what: the one place every view, API call, CLI command and operation asks.

Rules are plain functions of the user and the object; ``require`` raises PermissionDenied, which
the web layer turns into a 403 page.
"""

from __future__ import annotations

from typing import Any, Callable

from tracker.accounts.models import Role


class PermissionDenied(Exception):
    """The user may not do this; the message is shown to them in Vietnamese."""

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này."):
        super().__init__(message)
        self.message = message


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return None
    return user.role


def _own_agency(user: Any, agency_id: int | None) -> bool:
    return agency_id is not None and getattr(user, "agency_id", None) == agency_id


def _view_task(user: Any, task: Any) -> bool:
    role = _role(user)
    if role in {Role.ADMIN, Role.CLERK, Role.LEADER}:
        return True
    return role == Role.OFFICER and _own_agency(user, task.agency_id)


def _view_letter(user: Any, letter: Any) -> bool:
    """Office staff see every letter; an officer only a letter giving their agency a task the agency already
    sees (a distribution still awaiting the leader's approval gives no access)."""
    role = _role(user)
    if role in {Role.ADMIN, Role.CLERK, Role.LEADER}:
        return True
    if role != Role.OFFICER:
        return False
    from sqlalchemy.orm import object_session
    from sqlalchemy.orm.exc import UnmappedInstanceError

    from tracker.tasks.workflow import workflow_for

    try:
        session = object_session(letter)
    except UnmappedInstanceError:  # a plain object standing for a letter: the shipped workflow applies
        session = None
    workflow = workflow_for(session)
    return any(_own_agency(user, t.agency_id) and workflow.agency_sees(t.status) for t in letter.tasks)


def _act_on_task(user: Any, obj: Any) -> bool:
    """obj = (workflow, step, task[, state]): the workflow file says which roles may take the step in the
    state (the task's own, or that of one of its periods); officers only on their own agency's tasks, and
    never on a task their agency does not see yet."""
    workflow, step, task, *rest = obj
    state = rest[0] if rest else task.status
    role = _role(user)
    if not workflow.allows(role, step, state):
        return False
    if role == Role.OFFICER:
        return _own_agency(user, task.agency_id) and workflow.agency_sees(task.status)
    return True


def _view_contribution(user: Any, task: Any) -> bool:
    """A cooperating agency's work is visible to the lead agency of the same letter (and to everyone who
    may see the task itself)."""
    if _view_task(user, task):
        return True
    return _role(user) == Role.OFFICER and any(
        t.role == "lead" and _own_agency(user, t.agency_id) for t in task.letter.tasks if t.id != task.id)


RULES: dict[str, Callable[[Any, Any], bool]] = {
    # Letters
    "letter.register": lambda u, _: _role(u) in {Role.ADMIN, Role.CLERK},
    "letter.list": lambda u, _: _role(u) in {Role.ADMIN, Role.CLERK, Role.LEADER},
    "letter.view": _view_letter,
    "letter.edit": lambda u, _: _role(u) in {Role.ADMIN, Role.CLERK},
    # Tasks
    "task.view": _view_task,
    "task.list_all": lambda u, _: _role(u) in {Role.ADMIN, Role.CLERK, Role.LEADER},
    "task.list_own_agency": lambda u, _: _role(u) == Role.OFFICER and getattr(u, "agency_id", None) is not None,
    "task.work": lambda u, t: _role(u) == Role.OFFICER and _own_agency(u, t.agency_id),
    "task.decide": lambda u, _: _role(u) == Role.LEADER,
    "task.edit": lambda u, _: _role(u) in {Role.ADMIN, Role.CLERK},
    "task.act": _act_on_task,
    "task.view_contribution": _view_contribution,
    # JSON API
    "api_token.manage": lambda u, _: _role(u) == Role.ADMIN,
    # Overview and administration
    "overview.view": lambda u, _: _role(u) in {Role.ADMIN, Role.LEADER},
    "admin.users": lambda u, _: _role(u) == Role.ADMIN,
    "admin.agencies": lambda u, _: _role(u) == Role.ADMIN,
    "admin.outbox": lambda u, _: _role(u) == Role.ADMIN,
    "admin.calendar": lambda u, _: _role(u) == Role.ADMIN,
    "admin.proposal_quality": lambda u, _: _role(u) == Role.ADMIN,
    "agency.list": lambda u, _: _role(u) is not None,
    # Reports (web: compile, download, archive)
    "report.make": lambda u, _: _role(u) in {Role.LEADER, Role.CLERK},
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when ``user`` may perform ``action`` (on ``obj``). Unknown actions are refused."""
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``user`` may perform ``action`` (on ``obj``)."""
    if not can(user, action, obj):
        raise PermissionDenied()
