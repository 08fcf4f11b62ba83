"""Task lists and task pages: the agency's work, the leader's decisions, the clerk's corrections.

Views stay thin: they parse the form, call tracker.tasks.service (which checks permissions, input and the
version), commit, and redirect; a refusal re-renders the page with the input kept and a Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import PermissionDenied, can, require
from tracker.agencies.models import Agency
from tracker.db import MAX_INTEGER, transaction
from tracker.intake.models import Letter
from tracker.tasks import history, queries
from tracker.tasks.files import ALLOWED, Upload
from tracker.tasks.models import DEADLINE_ORDER, RECEIVED_ORDER, Occurrence, Task, TaskAttachment
from tracker.tasks.operations import SUBMISSION_KEY
from tracker.tasks.occurrences import ensure_occurrences, refresh_all
from tracker.tasks.recurrence import RecurrenceError, parse_rule
from tracker.tasks.rollup import rollup_of_letter
from tracker.tasks.service import DuplicateTask, StaleTask, TaskRefused, TaskService
from tracker.tasks.status import status_of
from tracker.tasks.workflow import bind_workflow
from tracker.web import db, workflow
from tracker.web.clock import today
from tracker.web.pagination import MAX_COUNTED, paginate, sort_arg
from tracker.web.params import int_or_none, read_date, read_int

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

INVALID_DATE = "Ngày không hợp lệ (ví dụ: 30/09/2019)."
SORTS = {
    # tasks without a deadline after those with one (and first when sorting by the farthest deadline), in the
    # order of the task indexes (tracker.tasks.models.DEADLINE_ORDER)
    "deadline": list(DEADLINE_ORDER),
    "created": [Task.created_at, Task.id],
    "status": [Task.status, Task.id],
    "progress": [Task.progress, Task.id],
    # the incoming register's order, copied on each task (tracker.tasks.models.RECEIVED_ORDER)
    "received": list(RECEIVED_ORDER),
}


@bp.record_once
def _bind(state) -> None:
    """Operations called without a workflow (the intake's create_task) follow this app's workflow file."""
    bind_workflow(state.app.extensions["tracker.engine"], state.app.extensions["tracker.workflow"])


@bp.app_template_global()
def deadline_view(item):
    """The deadline status of a task or period as of today, for templates."""
    return status_of(item, workflow(), today())


@bp.app_template_global()
def new_submission_key() -> str:
    """A one-time key for a form being drawn: it tells a resubmission of this form from any other."""
    return uuid.uuid4().hex


@bp.app_template_global()
def event_title(event):
    """What an event did, as a phrase."""
    return history.title(event, workflow())


@bp.app_template_global()
def event_changes(event):
    """An event's changes as lines "Label: old → new"."""
    return history.change_lines(event, workflow())


@bp.app_template_global()
def letter_rollup(letter):
    """A letter's status rolled up from its tasks."""
    return rollup_of_letter(letter, workflow(), today())


# -- helpers --------------------------------------------------------------------------------------------------

def service() -> TaskService:
    """The task service for this request."""
    from tracker.app import files_dir

    settings = current_app.extensions["tracker.settings"]
    return TaskService(db(), workflow(), today(), files_dir=files_dir(current_app), max_file_bytes=settings.max_upload_bytes)


def _uploads() -> list[Upload]:
    return [Upload(f.filename or "", f.read()) for f in request.files.getlist("files") if f and (f.filename or "")]


def _load(task_id: int) -> Task:
    task = db().get(Task, task_id)
    if task is None:
        abort(404)
    return task


#: the numbers of the task forms, and what is said when one is not a number
FORM_NUMBERS = {
    "version": "Số phiên bản của biểu mẫu không hợp lệ; hãy tải lại trang rồi thử lại.",
    "progress": "Tiến độ phải là một số nguyên từ 0 đến 100.",
}


@bp.before_request
def _check_form_numbers():
    """Refuse a task form whose version or progress is not a whole number in ASCII digits, before any view
    reads it: the service would take "١٢" for 12, and a 30-digit version fails in the database."""
    task_id = (request.view_args or {}).get("task_id")
    if request.method != "POST" or task_id is None or not current_user.is_authenticated:
        return None  # signing in comes first (login_required of the view)
    errors = {name: message for name, message in FORM_NUMBERS.items()
              if not read_int(request.form.get(name), minimum=-MAX_INTEGER, maximum=MAX_INTEGER)[1]}
    if not errors:
        return None
    task = _load(task_id)
    message = next(iter(errors.values()))
    if request.endpoint == "tasks.edit":
        service().allow(current_user, "edit", task)
        return _form_render("tasks/edit.html", 422, task=task, letter=task.letter, values=request.form,
                            errors=errors, failure=message)
    service().check_view(current_user, task)
    # the form's name as its view gives it, so that what was typed stays in it
    form = {"tasks.update_progress": "progress",
            "tasks.take_transition": f"transition:{request.view_args.get('name')}"}.get(request.endpoint)
    return _render(task, form=form, message=message, errors=errors, status=422)


def _refresh_periods(task_id: int | None = None, agency_id: int | None = None) -> None:
    """Create the due and next periods of recurring tasks before showing them (once a day for lists)."""
    sessions = current_app.extensions["tracker.write_sessions"]
    day = today()
    # End the request's read transaction so that what the refresh writes is seen afterwards (SQLite and
    # PostgreSQL keep the snapshot of an open read transaction); its objects stay usable and reload.
    db().commit()
    try:
        if task_id is not None:
            with transaction(sessions) as session:
                task = session.get(Task, task_id)
                if task is not None and task.recurrence:
                    ensure_occurrences(session, task, day, workflow=workflow())
            return
        done = current_app.extensions.setdefault("tracker.tasks.periods_refreshed", set())
        key = (day, agency_id)
        if key in done:
            return
        with transaction(sessions) as session:
            refresh_all(session, day, workflow=workflow(), agency_id=agency_id)
        done.add(key)
    except IntegrityError:
        # another request created the same period at the same moment: it is there now
        current_app.logger.info("periods created concurrently; nothing to do")
    finally:
        db().expire_all()


# -- lists ----------------------------------------------------------------------------------------------------

#: the list filters that are ids, with how the message names them
FILTER_IDS = {"letter": "văn bản", "agency": "cơ quan", "assignee": "người xử lý"}


def _filters() -> queries.TaskFilters:
    args = request.args
    ids = {}
    for name, label in FILTER_IDS.items():
        ids[name], ok = read_int(args.get(name))
        if not ok:  # a mangled link: show the list without that filter, and say so
            flash(f"Bộ lọc theo {label} “{args.get(name)[:40]}” không hợp lệ nên đã được bỏ qua.", "error")
    letter, agency = ids["letter"], ids["agency"]
    assignee = current_user.id if args.get("mine") == "1" else ids["assignee"]
    return queries.TaskFilters(status=args.get("status", ""), due=args.get("due", ""), role=args.get("role", ""),
                               letter_id=letter, agency_id=agency, assignee_id=assignee,
                               text=args.get("q", "").strip()[:200])


def _soon_end(day: dt.date) -> dt.date:
    from tracker.calendar.workdays import default_calendar

    return default_calendar().add_working_days(day, workflow().due_soon_working_days)


def _list(query, title: str, agency: Agency | None):
    wf = workflow()
    day = today()
    soon_end = _soon_end(day)
    filters = _filters()
    if agency is not None:
        filters.agency_id = None  # the officer's list is always their agency's
    query = queries.apply_filters(query, filters, workflow=wf, today=day, soon_end=soon_end,
                                  dialect=db().get_bind().dialect.name, session=db())
    sort, order = sort_arg(SORTS, "deadline")
    counted = None
    if agency is None and filters.text and filters == queries.TaskFilters(text=filters.text):
        # every task of the letters found: counted from them (the list's own count walks its order)
        counted = queries.count_tasks_of_matching_letters(db(), filters.text, db().get_bind().dialect.name,
                                                          MAX_COUNTED)
    page = paginate(db(), query.order_by(*order), counted=counted)
    agency_id = agency.id if agency is not None else filters.agency_id
    hidden = wf.hidden_states if agency is not None else frozenset()
    counts = queries.state_counts(db(), agency_id=agency_id, hidden=hidden)
    due_counts = queries.deadline_counts(db(), today=day, soon_end=soon_end, open_states=wf.open_states,
                                         agency_id=agency_id)
    letter = db().get(Letter, filters.letter_id) if filters.letter_id else None
    filtered_agency = db().get(Agency, filters.agency_id) if filters.agency_id else None
    officers = []
    if agency is not None:
        officers = list(db().scalars(select(User).where(User.agency_id == agency.id, User.active.is_(True),
                                                        User.role == Role.OFFICER).order_by(User.full_name)))
    return render_template("tasks/list.html", page=page, items=page.items, sort=sort, title=title, counts=counts,
                           due_counts=due_counts, hidden=hidden, own_agency=agency, letter=letter,
                           filtered_agency=filtered_agency, soon_end=soon_end, officers=officers)


@bp.route("/mine")
@login_required
def my_agency():
    """Tasks of the officer's agency: filters, counts per state, sorting, pages."""
    require(current_user, "task.list_own_agency")
    agency = current_user.agency
    _refresh_periods(agency_id=agency.id)
    query = queries.tasks_query(agency_id=agency.id).where(Task.status.not_in(sorted(workflow().hidden_states)))
    return _list(query, f"Nhiệm vụ của {agency.name}", agency)


@bp.route("/")
@login_required
def all_tasks():
    """Every task, for clerks and leaders (?agency= narrows to one agency)."""
    require(current_user, "task.list_all")
    _refresh_periods()
    return _list(queries.tasks_query(), "Tất cả nhiệm vụ", None)


# -- the task page ---------------------------------------------------------------------------------------------

def _grouped_siblings(siblings: list[Task], wf) -> list[dict]:
    """The letter's other tasks for the side panel: one line per agency task, and one line per group
    ("UBND các huyện, thành phố") fanned out to many agencies, with how many of them are done or late."""
    lines: list[dict] = []
    groups: dict[tuple[str, str], dict] = {}
    for sibling in siblings:
        if not sibling.group_label:
            lines.append({"task": sibling})
            continue
        key = (sibling.group_label, sibling.role)
        if key not in groups:
            groups[key] = {"label": sibling.group_label, "role": sibling.role, "tasks": []}
            lines.append(groups[key])
        groups[key]["tasks"].append(sibling)
    day = today()
    for line in lines:
        if "tasks" in line:
            views = [status_of(t, wf, day) for t in line["tasks"]]
            line["done"] = sum(t.status not in wf.open_states and t.status != "cancelled" for t in line["tasks"])
            line["overdue"] = sum(v.status.value == "overdue" for v in views)
    return lines


def _detail_context(task: Task) -> dict:
    svc = service()
    actor = current_user
    wf = workflow()
    siblings = [t for t in task.letter.tasks if t.id != task.id]
    if actor.role == Role.OFFICER:
        siblings = [t for t in siblings if wf.agency_sees(t.status)]
    contributions = []
    if task.role == "lead":
        contributions = [t for t in siblings if t.role == "cooperate" and wf.agency_sees(t.status)]
        if contributions:  # their notes and files, in two statements for all of them
            db().scalars(select(Task).where(Task.id.in_([t.id for t in contributions]))
                         .options(selectinload(Task.events), selectinload(Task.attachments))).all()
    officers = list(db().scalars(select(User).where(User.agency_id == task.agency_id, User.active.is_(True),
                                                    User.role == Role.OFFICER).order_by(User.full_name)))
    agencies = []
    if svc.may(actor, "reassign", task):
        agencies = list(db().scalars(select(Agency).where(Agency.active.is_(True), Agency.id != task.agency_id)
                                     .order_by(Agency.name)))
    occurrences = []
    for occurrence in task.occurrences:
        occurrences.append((occurrence, svc.transitions_for(actor, task, occurrence)))
    steps = {name: svc.may(actor, name, task) for name in wf.actions}
    waiting_on_letter = [t for t in task.letter.tasks if t.status == wf.approval_state] if wf.approval_state else []
    transitions = svc.transitions_for(actor, task)
    can_approve_letter = len(waiting_on_letter) > 1 and task.status == wf.approval_state and any(
        t.target in wf.open_states and t.target != wf.approval_state for t in transitions)
    return dict(task=task, view=status_of(task, wf, today()), siblings=_grouped_siblings(siblings, wf),
                contributions=contributions,
                transitions=transitions, steps=steps, can_approve_letter=can_approve_letter, officers=officers, agencies=agencies,
                occurrences=occurrences, events=list(reversed(task.events)), today=today(),
                waiting_on_letter=waiting_on_letter, accept_types=",".join(sorted(ALLOWED)),
                rollup=rollup_of_letter(task.letter, wf, today()))


def _render(task: Task, *, form: str | None = None, message: str | None = None, errors: dict | None = None,
            status: int = 200, keep: bool = True):
    """The task page; after a refusal, ``form`` names the form whose input is kept and errors are shown."""
    context = _detail_context(task)
    context.update(failed_form=form, failure=message, errors=errors or {}, values=request.form if keep else {})
    return render_template("tasks/detail.html", **context), status


@bp.route("/<int:task_id>")
@login_required
def detail(task_id: int):
    """One task with its letter, the other agencies on it, the forms its viewer may use, and its history."""
    task = db().get(Task, task_id)
    if task is None:
        abort(404)
    service().check_view(current_user, task)
    if task.recurrence:
        _refresh_periods(task_id=task_id)
    return _render(task, keep=False)[0]


def _stale_message(exc: StaleTask, task: Task) -> str:
    wf = workflow()
    parts = []
    for event in exc.missed[-3:]:
        who = event.actor.full_name if event.actor else "Hệ thống"
        when = _local_time(event.at)
        parts.append(f"{who} {history.title(event, wf)} lúc {when}")
    what = "; ".join(parts) if parts else "một người khác đã cập nhật"
    deadline = task.deadline.strftime("%d/%m/%Y") if task.deadline else "không có hạn"
    return (f"Nhiệm vụ vừa được cập nhật trong lúc bạn thao tác ({what}). Thay đổi của bạn CHƯA được lưu để "
            f"không ghi đè lên thay đổi đó. Trạng thái hiện tại: {wf.label(task.status)}, tiến độ {task.progress}%, "
            f"hạn xử lý {deadline}. Nội dung bạn đã nhập vẫn còn bên dưới: hãy xem lại rồi gửi lại nếu vẫn cần.")


def _local_time(moment: dt.datetime) -> str:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(current_app.extensions["tracker.settings"].timezone)
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def _submission_fingerprint() -> str | None:
    """What identifies this very form submission: its one-time key (set when the page was drawn) and
    everything it asks for. The same submission sent twice (a double click, a resubmitted page) has the
    same fingerprint; a different one never has, however much it resembles an earlier change."""
    key = request.form.get("submission_key", "")
    if not key:
        return None
    values = sorted((k, v) for k, v in request.form.items(multi=True) if k not in {"csrf_token", "submission_key"})
    files = sorted((k, f.filename or "") for k, f in request.files.items(multi=True))
    payload = json.dumps([key, request.path, values, files], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _is_repeat(exc: StaleTask, fingerprint: str | None) -> bool:
    """Whether a change this stale form missed was made by this very submission."""
    return fingerprint is not None and any(e.submission_key == fingerprint for e in exc.missed)


def _act(task_id: int, form: str, perform, *, success: str, anchor: str = ""):
    """Run ``perform(service, task)``, commit, and go back to the task; on refusal show the page again."""
    session = db()
    task = _load(task_id)
    svc = service()
    fingerprint = session.info[SUBMISSION_KEY] = _submission_fingerprint()
    try:
        perform(svc, task)
        session.commit()
    except TaskRefused as exc:
        session.rollback()
        return _render(_load(task_id), form=form, message=exc.message, errors=exc.errors,
                       status=409 if exc.conflict else 422)
    except StaleTask as exc:
        session.rollback()
        task = _load(task_id)
        exc.missed = svc.missed_events(task, int_or_none(request.form.get("version")))
        if _is_repeat(exc, fingerprint):
            flash("Thao tác này đã được ghi nhận trước đó; không ghi lại lần nữa.", "info")
            return redirect(url_for("tasks.detail", task_id=task_id) + anchor)
        return _render(task, form=form, message=_stale_message(exc, task), status=409)
    flash(success, "success")
    return redirect(url_for("tasks.detail", task_id=task_id) + anchor)


def _refuse_input(task_id: int, form: str, step: str, errors: dict, occurrence_id: int | None = None):
    """Input that could not even be read (a date that does not exist): permission first, then the message."""
    task = _load(task_id)
    occurrence = db().get(Occurrence, occurrence_id) if occurrence_id else None
    try:
        service().allow(current_user, step, task, occurrence)
    except TaskRefused as exc:  # the step is closed in this state: that is said before the input is looked at
        return _render(task, form=form, message=exc.message, errors=exc.errors, status=409)
    return _render(task, form=form, message="Vui lòng sửa các mục được đánh dấu.", errors=errors, status=422)


@bp.route("/<int:task_id>/transitions/<name>", methods=["POST"])
@login_required
def take_transition(task_id: int, name: str):
    """Take a transition of the workflow (start, submit_result, accept, return, cancel...)."""
    form = f"transition:{name}"
    new_deadline, ok = read_date(request.form.get("new_deadline"))
    reply_date, reply_ok = read_date(request.form.get("reply_date"))
    if not ok or not reply_ok:
        bad = {} if ok else {"new_deadline": INVALID_DATE}
        bad.update({} if reply_ok else {"reply_date": INVALID_DATE})
        return _refuse_input(task_id, form, name, bad)
    label = workflow().step_label(name)
    return _act(task_id, form, lambda svc, task: svc.transition(
        current_user, task, name, version=request.form.get("version"), comment=request.form.get("comment"),
        result=request.form.get("result"), new_deadline=new_deadline, progress=request.form.get("progress"),
        files=_uploads(), reply_number=request.form.get("reply_number"), reply_date=reply_date),
        success=f"Đã thực hiện: {label}.")


@bp.route("/<int:task_id>/periods/<int:occurrence_id>/transitions/<name>", methods=["POST"])
@login_required
def take_period_transition(task_id: int, occurrence_id: int, name: str):
    """Take a transition on one period of a recurring task (report, accept, return...)."""
    form = f"period:{occurrence_id}:{name}"
    reply_date, reply_ok = read_date(request.form.get("reply_date"))
    if not reply_ok:
        return _refuse_input(task_id, form, name, {"reply_date": INVALID_DATE}, occurrence_id)

    def perform(svc, task):
        occurrence = db().get(Occurrence, occurrence_id)
        if occurrence is None or occurrence.task_id != task.id:
            abort(404)
        svc.transition(current_user, task, name, version=request.form.get("version"),
                       comment=request.form.get("comment"), result=request.form.get("result"), files=_uploads(),
                       occurrence=occurrence, reply_number=request.form.get("reply_number"), reply_date=reply_date)

    return _act(task_id, form, perform, success=f"Đã thực hiện: {workflow().step_label(name)}.",
                anchor="#ky-bao-cao")


@bp.route("/<int:task_id>/progress", methods=["POST"])
@login_required
def update_progress(task_id: int):
    """Report progress (percent and note), attaching files if any."""
    return _act(task_id, "progress", lambda svc, task: svc.update_progress(
        current_user, task, version=request.form.get("version"), progress=request.form.get("progress"),
        note=request.form.get("note"), files=_uploads()), success="Đã cập nhật tiến độ.")


@bp.route("/<int:task_id>/assignee", methods=["POST"])
@login_required
def assign_officer(task_id: int):
    """Hand the task to one of the agency's officers."""
    return _act(task_id, "assign", lambda svc, task: svc.assign_officer(
        current_user, task, version=request.form.get("version"),
        assignee_id=int_or_none(request.form.get("assignee_id"))), success="Đã giao người xử lý.")


@bp.route("/<int:task_id>/extensions", methods=["POST"])
@login_required
def request_extension(task_id: int):
    """Ask for a later deadline."""
    new_deadline, ok = read_date(request.form.get("new_deadline"))
    if not ok:
        return _refuse_input(task_id, "extension", "request_extension", {"new_deadline": INVALID_DATE})
    return _act(task_id, "extension", lambda svc, task: svc.request_extension(
        current_user, task, version=request.form.get("version"), new_deadline=new_deadline,
        reason=request.form.get("reason")), success="Đã gửi đề nghị gia hạn.")


@bp.route("/<int:task_id>/extensions/<int:request_id>", methods=["POST"])
@login_required
def decide_extension(task_id: int, request_id: int):
    """Approve or refuse an extension request (decision=approve|refuse)."""
    decision = request.form.get("decision")
    if decision not in {"approve", "refuse"}:
        abort(400)
    approve = decision == "approve"
    form = f"decide:{request_id}"
    granted, ok = read_date(request.form.get("granted_deadline"))
    if not ok:
        return _refuse_input(task_id, form, "approve_extension", {"granted_deadline": INVALID_DATE})
    return _act(task_id, form, lambda svc, task: svc.decide_extension(
        current_user, task, request_id, version=request.form.get("version"), approve=approve,
        comment=request.form.get("comment"), granted_deadline=granted),
        success="Đã đồng ý gia hạn; hạn xử lý đã được cập nhật." if approve else "Đã từ chối đề nghị gia hạn.")


@bp.route("/<int:task_id>/directions", methods=["POST"])
@login_required
def direct(task_id: int):
    """Give a direction (ý kiến chỉ đạo)."""
    return _act(task_id, "direction", lambda svc, task: svc.direct(
        current_user, task, version=request.form.get("version"), comment=request.form.get("comment")),
        success="Đã ghi ý kiến chỉ đạo.")


@bp.route("/<int:task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id: int):
    """Move the task to another agency."""
    return _act(task_id, "reassign", lambda svc, task: svc.reassign(
        current_user, task, version=request.form.get("version"), agency_id=int_or_none(request.form.get("agency_id")),
        comment=request.form.get("comment")), success="Đã chuyển nhiệm vụ sang cơ quan khác.")


@bp.route("/letters/<int:letter_id>/approve", methods=["POST"])
@login_required
def approve_letter(letter_id: int):
    """Approve at once the distribution of every task of a letter awaiting approval, with one direction."""
    letter = db().get(Letter, letter_id)
    if letter is None:
        abort(404)
    back = int_or_none(request.form.get("back_to"))
    svc = service()
    try:
        approved = svc.approve_letter(current_user, letter, comment=request.form.get("comment"))
        db().commit()
    except (TaskRefused, StaleTask) as exc:
        db().rollback()
        message = exc.message if isinstance(exc, TaskRefused) else "Nhiệm vụ vừa được người khác cập nhật; hãy xem lại."
        if back:
            errors = exc.errors if isinstance(exc, TaskRefused) else {}
            return _render(_load(back), form="approve_letter", message=message, errors=errors,
                           status=409 if isinstance(exc, StaleTask) or getattr(exc, "conflict", False) else 422)
        flash(message, "error")
        return redirect(url_for("tasks.all_tasks", letter=letter_id))
    flash(f"Đã duyệt phân công {len(approved)} nhiệm vụ; các cơ quan đã nhận được nhiệm vụ.", "success")
    return redirect(url_for("tasks.detail", task_id=back) if back else url_for("tasks.all_tasks", letter=letter_id))


# -- files ----------------------------------------------------------------------------------------------------

@bp.route("/<int:task_id>/files/<int:attachment_id>")
@login_required
def attachment(task_id: int, attachment_id: int):
    """Download an attachment (the task's viewers, and the lead agency for a cooperating agency's files)."""
    from tracker.app import files_dir
    from tracker.intake.operations import readable_content

    item = db().get(TaskAttachment, attachment_id)
    if item is None or item.task_id != task_id:
        abort(404)
    task = item.task
    if not (service().can_view(current_user, task) or can(current_user, "task.view_contribution", task)):
        raise PermissionDenied()
    path = readable_content(files_dir(current_app), item.file)
    if path is None:
        abort(404)
    return send_file(path, mimetype=item.file.content_type.split(";")[0], as_attachment=True,
                     download_name=item.file_name)


# -- clerks: add and edit -------------------------------------------------------------------------------------

def _form_render(template: str, status: int = 200, **context):
    agencies = list(db().scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)))
    return render_template(template, agencies=agencies, **context), status


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id: int):
    """Correct a task (content, role, deadline, recurrence); the history keeps the old values."""
    task = _load(task_id)
    svc = service()
    svc.allow(current_user, "edit", task)
    if request.method == "GET":
        return _form_render("tasks/edit.html", task=task, letter=task.letter, values={}, errors={})[0]
    deadline, ok_deadline = read_date(request.form.get("deadline"))
    until, ok_until = read_date(request.form.get("recurrence_until"))
    errors = {}
    if not ok_deadline:
        errors["deadline"] = INVALID_DATE
    if not ok_until:
        errors["recurrence_until"] = INVALID_DATE
    message = "Vui lòng sửa các mục được đánh dấu."
    status = 422
    if not errors:
        fingerprint = db().info[SUBMISSION_KEY] = _submission_fingerprint()
        try:
            svc.edit(current_user, task, version=request.form.get("version"), summary=request.form.get("summary"),
                     role=request.form.get("role", ""), deadline=deadline,
                     deadline_text=request.form.get("deadline_text"), recurrence=request.form.get("recurrence"),
                     recurrence_until=until, comment=request.form.get("comment"))
            db().commit()
            flash("Đã lưu thay đổi của nhiệm vụ.", "success")
            return redirect(url_for("tasks.detail", task_id=task_id))
        except TaskRefused as exc:
            db().rollback()
            message, errors, status = exc.message, exc.errors, 409 if exc.conflict else 422
        except StaleTask as exc:
            db().rollback()
            task = _load(task_id)
            exc.missed = svc.missed_events(task, int_or_none(request.form.get("version")))
            if _is_repeat(exc, fingerprint):
                flash("Thay đổi này đã được lưu trước đó; không lưu lại lần nữa.", "info")
                return redirect(url_for("tasks.detail", task_id=task_id))
            message, status = _stale_message(exc, task), 409
    task = _load(task_id)
    return _form_render("tasks/edit.html", status, task=task, letter=task.letter, values=request.form,
                        errors=errors, failure=message)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Add a task to a registered letter (?letter=ID)."""
    letter = db().get(Letter, int_or_none(request.values.get("letter")) or 0)
    if letter is None:
        abort(404)
    require(current_user, "letter.view", letter)
    svc = service()
    role = current_user.role if current_user.is_authenticated else None
    if not workflow().allows(role, "add_task", workflow().initial_state):
        raise PermissionDenied("Bạn không có quyền thêm nhiệm vụ.")
    if request.method == "GET":
        return _form_render("tasks/edit.html", task=None, letter=letter, values={}, errors={})[0]
    deadline, ok_deadline = read_date(request.form.get("deadline"))
    until, ok_until = read_date(request.form.get("recurrence_until"))
    errors = {}
    if not ok_deadline:
        errors["deadline"] = INVALID_DATE
    if not ok_until:
        errors["recurrence_until"] = INVALID_DATE
    message = "Vui lòng sửa các mục được đánh dấu."
    if not errors:
        try:
            task = svc.add_task(current_user, letter, agency_id=int_or_none(request.form.get("agency_id")),
                                role=request.form.get("role", ""), summary=request.form.get("summary", ""),
                                deadline=deadline, deadline_text=request.form.get("deadline_text"),
                                recurrence=request.form.get("recurrence"), recurrence_until=until)
            db().commit()
            flash("Đã thêm nhiệm vụ.", "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
        except DuplicateTask as exc:
            existing_id = exc.existing.id
            db().rollback()
            flash(exc.message, "info")
            return redirect(url_for("tasks.detail", task_id=existing_id))
        except TaskRefused as exc:
            db().rollback()
            message, errors = exc.message, exc.errors
    return _form_render("tasks/edit.html", 422, task=None, letter=letter, values=request.form, errors=errors,
                        failure=message)


@bp.app_template_global()
def recurrence_label(rule: str | None) -> str:
    """A recurrence rule in words ("Hằng tháng, hạn ngày 20"), or the rule itself when unreadable."""
    if not rule:
        return ""
    try:
        return parse_rule(rule).label
    except RecurrenceError:
        return rule
