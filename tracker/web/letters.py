"""The incoming register and letter pages."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from tracker.accounts.permissions import require
from tracker.intake.models import Letter
from tracker.intake.search import apply_search
from tracker.tasks import queries
from tracker.tasks.models import Task
from tracker.text import fold
from tracker.web import db, workflow
from tracker.web.clock import today
from tracker.web.deadlines import annotate
from tracker.web.pagination import paginate, sort_arg

bp = Blueprint("letters", __name__, url_prefix="/letters")

SORTS = {
    "received": [Letter.received_year, Letter.received_number],
    "issued": [Letter.issued_on, Letter.id],
    "number": [Letter.number, Letter.id],
    "issuer": [Letter.issuer, Letter.id],
}


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


@bp.route("/")
@login_required
def register():
    """The incoming register (sổ đăng ký văn bản đến): search, filters, sorting, pages."""
    require(current_user, "letter.list")
    query = queries.letters_query()
    q = request.args.get("q", "").strip()
    query = apply_search(query, q, db().get_bind().dialect.name)
    start, end = _date_arg("from"), _date_arg("to")
    if start:
        query = query.where(Letter.received_on >= start)
    if end:
        query = query.where(Letter.received_on <= end)
    doc_type = request.args.get("type", "").strip()
    if doc_type:
        query = query.where(Letter.doc_type == doc_type)
    issuer = fold(request.args.get("issuer", "").strip())
    if issuer:
        query = query.where(Letter.search_text.contains(issuer))
    task_filter = request.args.get("tasks", "")
    wf = workflow()
    if task_filter == "overdue":
        query = query.where(exists().where(Task.letter_id == Letter.id, Task.status.in_(sorted(wf.open_states)),
                                           Task.deadline < today()))
    elif task_filter == "open":
        query = query.where(exists().where(Task.letter_id == Letter.id, Task.status.in_(sorted(wf.open_states))))
    elif task_filter == "done":
        query = query.where(exists().where(Task.letter_id == Letter.id),
                            ~exists().where(Task.letter_id == Letter.id, Task.status.in_(sorted(wf.open_states))))
    sort, order = sort_arg(SORTS, "-received")
    page = paginate(db(), query.order_by(*order))
    types = [t for (t,) in db().execute(select(Letter.doc_type).where(Letter.doc_type.is_not(None))
                                        .distinct().order_by(Letter.doc_type))]
    return render_template("letters/register.html", page=page, sort=sort, q=q, types=types,
                           rollups={l.id: rollup(l) for l in page.items})


def rollup(letter: Letter) -> str:
    """A letter's status from its tasks: Không có nhiệm vụ, Đang xử lý, Có nhiệm vụ quá hạn, Đã hoàn thành."""
    wf = workflow()
    tasks = [t for t in letter.tasks if t.status != "cancelled"]
    if not tasks:
        return "Không có nhiệm vụ"
    open_tasks = [t for t in tasks if t.status in wf.open_states]
    if not open_tasks:
        return "Đã hoàn thành"
    if any(t.deadline and t.deadline < today() for t in open_tasks):
        return "Có nhiệm vụ quá hạn"
    return f"Đang xử lý ({len(tasks) - len(open_tasks)}/{len(tasks)} xong)"


@bp.route("/<int:letter_id>")
@login_required
def detail(letter_id: int):
    """One letter with its header, enclosed letters and tasks."""
    letter = db().get(Letter, letter_id)
    if letter is None:
        abort(404)
    require(current_user, "letter.view", letter)
    return render_template("letters/detail.html", letter=letter, tasks=annotate(letter.tasks), rollup=rollup(letter))
