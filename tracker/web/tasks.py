"""Task lists and task pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tracker.accounts.permissions import require
from tracker.intake.models import Letter
from tracker.tasks import queries
from tracker.tasks.models import Task
from tracker.web import db, workflow
from tracker.web.clock import today
from tracker.web.deadlines import annotate, due_soon_end
from tracker.web.pagination import paginate, sort_arg

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

SORTS = {
    "deadline": [Task.deadline, Task.id],
    "created": [Task.created_at, Task.id],
    "status": [Task.status, Task.id],
    "received": [Letter.received_year, Letter.received_number, Task.id],
}


def _filtered(query):
    wf = workflow()
    day = today()
    status = request.args.get("status", "")
    if status in wf.states:
        query = query.where(Task.status == status)
    elif status == "open":
        query = query.where(Task.status.in_(sorted(wf.open_states)))
    due = request.args.get("due", "")
    if due == "overdue":
        query = queries.overdue(query, day, wf.open_states)
    elif due == "soon":
        query = queries.due_between(query, day, due_soon_end(day), wf.open_states)
    elif due == "none":
        query = query.where(Task.deadline.is_(None))
    role = request.args.get("role", "")
    if role in {"lead", "cooperate"}:
        query = query.where(Task.role == role)
    letter_id = request.args.get("letter", "")
    if letter_id.isdigit():
        query = query.where(Task.letter_id == int(letter_id))
    return query


def _list(query, title: str, agency_id: int | None):
    query = _filtered(query.join(Task.letter))
    sort, order = sort_arg(SORTS, "deadline")
    page = paginate(db(), query.order_by(*order))
    counts_query = select(Task.status, func.count()).group_by(Task.status)
    if agency_id is not None:
        counts_query = counts_query.where(Task.agency_id == agency_id)
    counts = dict(db().execute(counts_query).all())
    return render_template("tasks/list.html", page=page, items=annotate(page.items), sort=sort, title=title,
                           counts=counts)


@bp.route("/mine")
@login_required
def my_agency():
    """Tasks of the officer's agency."""
    require(current_user, "task.list_own_agency")
    agency = current_user.agency
    return _list(queries.tasks_query(agency_id=agency.id), f"Nhiệm vụ của {agency.name}", agency.id)


@bp.route("/")
@login_required
def all_tasks():
    """Every task, for clerks and leaders."""
    require(current_user, "task.list_all")
    return _list(queries.tasks_query(), "Tất cả nhiệm vụ", None)


@bp.route("/<int:task_id>")
@login_required
def detail(task_id: int):
    """One task with its letter, the other agencies on it and its history."""
    task = db().get(Task, task_id)
    if task is None:
        abort(404)
    require(current_user, "task.view", task)
    siblings = [t for t in task.letter.tasks if t.id != task.id]
    return render_template("tasks/detail.html", task=task, view=annotate([task])[0][1], siblings=annotate(siblings))
