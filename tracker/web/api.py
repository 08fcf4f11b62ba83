"""JSON API for other systems (the provincial e-office, dashboards): read and update tasks.

Authentication: ``Authorization: Bearer <token>``, one token per integration (``tracker api-token create``),
acting with the role and agency of the account it was made for. The API calls the same service as the pages,
so permissions, validation and the optimistic lock are the same. Dates are ISO 8601 (YYYY-MM-DD), lists are
paginated (?page=, ?per_page= up to 100). The OpenAPI document is served at /api/openapi.json.
Cookies are not accepted here and CSRF does not apply: a request without a valid token gets 401.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request, url_for
from sqlalchemy import select

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import require
from tracker.db import MAX_INTEGER, transaction
from tracker.intake.models import Letter
from tracker.tasks import history, queries
from tracker.tasks.models import DEADLINE_ORDER, Occurrence, Task, TaskEvent
from tracker.tasks.rollup import rollup_of_letter
from tracker.tasks.service import StaleTask, TaskRefused, TaskService
from tracker.tasks.status import status_of
from tracker.web import csrf, db, workflow
from tracker.web.clock import today
from tracker.web.pagination import page_of
from tracker.web.params import date_in_range, read_date, read_int

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

MAX_PER_PAGE = 100
SORTS = {"deadline": list(DEADLINE_ORDER), "created": [Task.created_at, Task.id], "id": [Task.id],
         "updated": [Task.updated_at, Task.id]}


def _error(status: int, message: str, **extra):
    body = {"error": {"status": status, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def token_required(view):
    """Authenticate the request's bearer token; the view runs as the token's user (``g.api_user``).

    401 for a missing, unknown, revoked or expired token; 403 when a read-only token asks for anything but
    GET, HEAD or OPTIONS (checked here, before any view, so no write endpoint can forget it).
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        from tracker.tasks.api_tokens import TokenRefused, check_token

        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "Thiếu mã truy cập (Authorization: Bearer <mã>).")
        try:
            with transaction(current_app.extensions["tracker.write_sessions"]) as session:
                user_id = check_token(session, token.strip(), request.method).user_id
        except TokenRefused as exc:
            return _error(exc.status, exc.message)
        g.api_user = db().get(User, user_id)
        return view(*args, **kwargs)
    return wrapper


def _service() -> TaskService:
    from tracker.app import files_dir

    return TaskService(db(), workflow(), today(), files_dir=files_dir(current_app),
                       max_file_bytes=current_app.extensions["tracker.settings"].max_upload_bytes)


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat()


class BadInput(Exception):
    """Query or body values the API cannot read, by name: answered 422 with ``error.fields``."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(fields)
        self.fields = fields


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput):
    return _error(422, "Tham số không hợp lệ: " + ", ".join(exc.fields) + ".", fields=exc.fields)


def _int_arg(name: str, default: int, maximum: int | None = None) -> int:
    """An integer of the query (?page=, ?per_page=): at least 1, at most ``maximum``; 422 when not a number."""
    value, ok = read_int(request.args.get(name), minimum=-MAX_INTEGER, maximum=MAX_INTEGER)
    if not ok:
        raise BadInput({name: "Phải là một số nguyên."})
    value = max(1, default if value is None else value)
    return min(value, maximum) if maximum else value


def _task_json(task: Task, svc: TaskService, detail: bool = False) -> dict:
    wf = svc.workflow
    view = status_of(task, wf, svc.today)
    letter = task.letter
    data = {
        "id": task.id,
        "url": url_for("tasks.detail", task_id=task.id, _external=False),
        "letter": {"id": letter.id, "number": letter.number, "doc_type": letter.doc_type,
                   "received_number": letter.received_number, "received_year": letter.received_year,
                   "received_on": _iso(letter.received_on), "issued_on": _iso(letter.issued_on),
                   "issuer": letter.issuer, "subject": letter.subject},
        "agency": {"id": task.agency_id, "name": task.agency.name, "short_name": task.agency.short_name},
        "role": task.role,
        "summary": task.summary,
        "status": task.status,
        "status_label": wf.label(task.status),
        "deadline": _iso(task.deadline),
        "original_deadline": _iso(task.original_deadline),
        "judged_deadline": _iso(task.judged_deadline),
        "deadline_text": task.deadline_text,
        "deadline_status": {"code": view.status.value, "label": view.status.label, "text": view.text,
                            "working_days": view.days},
        "progress": task.progress,
        "assignee": {"id": task.assignee.id, "name": task.assignee.full_name} if task.assignee else None,
        "recurrence": task.recurrence,
        "result": {"text": task.result_text, "submitted_on": _iso(task.result_submitted_on)},
        "reply": {"number": task.reply_number, "date": _iso(task.reply_date)} if task.reply_number else None,
        "completed_on": _iso(task.completed_on),
        "version": task.version,
        "updated_at": _iso(task.updated_at),
    }
    if detail:
        actor = g.api_user
        data["transitions"] = [{"name": t.name, "label": t.label, "to": t.target, "requires": sorted(t.requires)}
                               for t in svc.transitions_for(actor, task)]
        data["actions"] = [name for name in wf.actions if svc.may(actor, name, task)]
        data["extensions"] = [{
            "id": e.id, "status": e.status, "requested_on": _iso(e.requested_on),
            "requested_by": e.requested_by.full_name if e.requested_by else None,
            "old_deadline": _iso(e.old_deadline), "proposed_deadline": _iso(e.proposed_deadline), "reason": e.reason,
            "decided_on": _iso(e.decided_on), "decided_by": e.decided_by.full_name if e.decided_by else None,
            "decision_comment": e.decision_comment, "granted_deadline": _iso(e.granted_deadline),
            "moves_judged_deadline": e.moves_judged_deadline} for e in task.extensions]
        data["periods"] = [{
            "id": o.id, "label": o.label, "period_start": _iso(o.period_start), "period_end": _iso(o.period_end),
            "deadline": _iso(o.deadline), "status": o.status, "status_label": wf.label(o.status),
            "deadline_status": status_of(o, wf, svc.today).status.value,
            "result": {"text": o.result_text, "submitted_on": _iso(o.result_submitted_on)},
            "reply": {"number": o.reply_number, "date": _iso(o.reply_date)} if o.reply_number else None,
            "completed_on": _iso(o.completed_on),
            "transitions": [t.name for t in svc.transitions_for(actor, task, o)]} for o in task.occurrences]
        data["attachments"] = [{"id": a.id, "file_name": a.file_name, "size": a.file.size, "purpose": a.purpose,
                                "sha256": a.file.sha256, "uploaded_at": _iso(a.uploaded_at)}
                               for a in task.attachments]
        others = [t for t in letter.tasks if t.id != task.id]
        if actor.role == Role.OFFICER:
            others = [t for t in others if wf.agency_sees(t.status)]
        data["other_tasks"] = [{"id": t.id, "agency": t.agency.name, "role": t.role, "status": t.status,
                                "status_label": wf.label(t.status), "deadline": _iso(t.deadline),
                                "progress": t.progress,
                                "result": {"text": t.result_text, "submitted_on": _iso(t.result_submitted_on)}
                                if task.role == "lead" and t.role == "cooperate" else None}
                               for t in others]
    return data


def _event_json(event: TaskEvent) -> dict:
    wf = workflow()
    return {"id": event.id, "at": _iso(event.at), "kind": event.kind, "transition": event.transition,
            "actor": event.actor.full_name if event.actor else None, "title": history.title(event, wf),
            "changes": event.changes or {}, "lines": history.change_lines(event, wf), "comment": event.comment,
            "period_id": event.occurrence_id, "task_version": event.task_version}


def _page(query, serialise):
    # the pages' paginator: counted up to MAX_COUNTED, past it "total_exact" is false and the pages stop there
    page = page_of(db(), query, page=_int_arg("page", 1), per_page=_int_arg("per_page", 20, MAX_PER_PAGE))
    return {"items": [serialise(i) for i in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total, "total_exact": page.exact, "pages": page.pages}


def _task_or_404(task_id: int) -> Task:
    task = db().get(Task, task_id)
    if task is None:
        from flask import abort

        abort(404)
    return task


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _date_field(data: dict, name: str, errors: dict) -> dt.date | None:
    day, ok = read_date(data.get(name), ("%Y-%m-%d",))
    if not ok:
        errors[name] = "Ngày không hợp lệ; dùng dạng YYYY-MM-DD (từ năm 1900 đến 2100)."
    return day


def _text_field(data: dict, name: str) -> str | None:
    """A text value of the body; a number sent where text is expected is taken as its text."""
    raw = data.get(name)
    return None if raw is None else str(raw)


#: numbers of the change bodies: (least, most, what is said otherwise); ids and versions fit their columns
BODY_NUMBERS = {
    "version": (-MAX_INTEGER, MAX_INTEGER, "Phải là số phiên bản (số nguyên) của nhiệm vụ đã đọc."),
    "progress": (-MAX_INTEGER, MAX_INTEGER, "Tiến độ phải là một số nguyên từ 0 đến 100."),
    "period_id": (1, MAX_INTEGER, "Phải là mã kỳ báo cáo (số nguyên dương)."),
    "assignee_id": (1, MAX_INTEGER, "Phải là mã cán bộ (số nguyên dương)."),
    "agency_id": (1, MAX_INTEGER, "Phải là mã cơ quan (số nguyên dương)."),
}
#: text fields of the change bodies (null or a string)
BODY_TEXTS = ("comment", "result", "note", "reason", "decision")


def _body_errors(data: dict) -> dict[str, str]:
    """What is wrong with the body's numbers and texts, by field; the numbers are made ints in place."""
    errors = {}
    for name, (least, most, message) in BODY_NUMBERS.items():
        if name in data:
            data[name], ok = read_int(data[name], minimum=least, maximum=most)
            if not ok:
                errors[name] = message
    for name in BODY_TEXTS:
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = "Phải là một chuỗi ký tự."
    return errors


def _change(task_id: int, perform):
    """Run a change through the service: 200 with the task, 409 stale or conflicting, 422 bad input."""
    session = db()
    task = _task_or_404(task_id)
    svc = _service()
    if not request.is_json or not isinstance(request.get_json(silent=True), dict):
        svc.check_view(g.api_user, task)
        return _error(415 if not request.is_json else 400, "Nội dung phải là một đối tượng JSON "
                                                          "(Content-Type: application/json).")
    data = _body()
    errors = _body_errors(data)
    if errors:
        svc.check_view(g.api_user, task)
        return _error(422, "Dữ liệu không hợp lệ.", fields=errors)
    try:
        perform(svc, task, data)
        session.commit()
    except TaskRefused as exc:
        session.rollback()
        current = _task_or_404(task_id)
        if exc.conflict:
            return _error(409, exc.message, current=_task_json(current, svc))
        return _error(422, exc.message, fields=exc.errors)
    except StaleTask:
        session.rollback()
        current = _task_or_404(task_id)
        return _error(409, "Nhiệm vụ đã được cập nhật sau phiên bản bạn gửi; thay đổi chưa được lưu. "
                           "Hãy đọc lại nhiệm vụ (trường current) rồi gửi lại với version mới.",
                      current=_task_json(current, svc))
    task = _task_or_404(task_id)
    return jsonify(_task_json(task, svc, detail=True))


# -- reading ---------------------------------------------------------------------------------------------------

@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from tracker.tasks.openapi import document

    return jsonify(document())


@bp.route("/tasks")
@token_required
def list_tasks():
    """Tasks the token may see: an officer's agency's, everyone's for leaders and clerks. Filters as the pages."""
    user = g.api_user
    wf = workflow()
    day = today()
    query = queries.tasks_query()
    if user.role == Role.OFFICER:
        query = query.where(Task.agency_id == user.agency_id, Task.status.not_in(sorted(wf.hidden_states)))
    else:
        require(user, "task.list_all")
    from tracker.calendar.workdays import default_calendar

    args = request.args
    ids, errors = {}, {}
    for name in ("letter", "agency", "assignee"):
        ids[name], ok = read_int(args.get(name))
        if not ok:
            errors[name] = "Phải là một mã số (số nguyên dương)."
    if errors:
        raise BadInput(errors)
    filters = queries.TaskFilters(
        status=args.get("status", ""), due=args.get("due", ""), role=args.get("role", ""),
        letter_id=ids["letter"], agency_id=ids["agency"], assignee_id=ids["assignee"],
        text=args.get("q", "").strip()[:200])
    soon_end = default_calendar().add_working_days(day, wf.due_soon_working_days)
    query = queries.apply_filters(query, filters, workflow=wf, today=day, soon_end=soon_end,
                                  dialect=db().get_bind().dialect.name, session=db())
    updated_since = args.get("updated_since")
    if updated_since:
        try:
            moment = dt.datetime.fromisoformat(updated_since)
        except ValueError:
            moment = None
        if moment is None or not date_in_range(moment.date()):  # year 9999 overflows once made UTC
            return _error(422, "updated_since phải là thời điểm ISO 8601 (từ năm 1900 đến 2100).",
                          fields={"updated_since": "Không hợp lệ."})
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        query = query.where(Task.updated_at >= moment)
    raw = args.get("sort", "deadline")
    key = raw.lstrip("-")
    columns = SORTS.get(key, SORTS["deadline"])
    order = [c.desc() if raw.startswith("-") else c.asc() for c in columns]
    svc = _service()
    return jsonify(_page(query.order_by(*order), lambda t: _task_json(t, svc)))


@bp.route("/tasks/<int:task_id>")
@token_required
def get_task(task_id: int):
    """One task with its transitions and actions for this token, extensions, periods, files and sibling tasks."""
    task = _task_or_404(task_id)
    svc = _service()
    svc.check_view(g.api_user, task)
    return jsonify(_task_json(task, svc, detail=True))


@bp.route("/tasks/<int:task_id>/events")
@token_required
def task_events(task_id: int):
    """The task's history, newest first, paginated."""
    task = _task_or_404(task_id)
    _service().check_view(g.api_user, task)
    query = select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id.desc())
    return jsonify(_page(query, _event_json))


@bp.route("/letters/<int:letter_id>")
@token_required
def get_letter(letter_id: int):
    """A letter's header, its rolled-up status and its tasks (those the token may see)."""
    letter = db().get(Letter, letter_id)
    if letter is None:
        from flask import abort

        abort(404)
    require(g.api_user, "letter.view", letter)
    svc = _service()
    rollup = rollup_of_letter(letter, svc.workflow, svc.today)
    tasks = [t for t in letter.tasks if svc.can_view(g.api_user, t)]
    return jsonify({"id": letter.id, "number": letter.number, "doc_type": letter.doc_type, "issuer": letter.issuer,
                    "issued_on": _iso(letter.issued_on), "received_on": _iso(letter.received_on),
                    "received_number": letter.received_number, "received_year": letter.received_year,
                    "subject": letter.subject,
                    "status": {"code": rollup.code, "label": rollup.label, "total": rollup.total, "done": rollup.done,
                               "overdue": rollup.overdue, "done_late": rollup.done_late, "awaiting": rollup.awaiting},
                    "tasks": [_task_json(t, svc) for t in tasks]})


@bp.route("/figures")
@token_required
def figures():
    """The Government Office figures and the per-agency table of the overview."""
    require(g.api_user, "overview.view")
    wf = workflow()
    day = today()
    from tracker.calendar.workdays import default_calendar

    soon_end = default_calendar().add_working_days(day, wf.due_soon_working_days)
    f, agencies = queries.overview_figures(db(), day, wf.open_states, soon_end=soon_end)
    return jsonify({"as_of": _iso(day), "letters_with_tasks": f.letters_with_tasks, "tasks": f.tasks, "due": f.due,
                    "done": f.done, "done_on_time": f.done_on_time, "done_late": f.done_late,
                    "on_time_share": f.on_time_share, "overdue_open": f.overdue_open, "due_soon": f.due_soon,
                    "open_not_due": f.open_not_due, "no_deadline_open": f.no_deadline_open,
                    "awaiting_approval": f.awaiting_approval,
                    "agencies": agencies})


# -- changing --------------------------------------------------------------------------------------------------

@bp.route("/tasks/<int:task_id>/transitions/<name>", methods=["POST"])
@token_required
def take_transition(task_id: int, name: str):
    """Take a workflow transition; ``period_id`` targets one period of a recurring task."""
    def perform(svc, task, data):
        errors: dict = {}
        new_deadline = _date_field(data, "new_deadline", errors)
        reply_date = _date_field(data, "reply_date", errors)
        occurrence = None
        if data.get("period_id") is not None:
            occurrence = db().get(Occurrence, data.get("period_id")) if isinstance(data.get("period_id"), int) else None
            if occurrence is None or occurrence.task_id != task.id:
                svc.check_view(g.api_user, task)
                raise TaskRefused("Không tìm thấy kỳ báo cáo này.", {"period_id": "Không hợp lệ."})
        if errors:
            svc.allow(g.api_user, name, task, occurrence)
            raise TaskRefused("Dữ liệu không hợp lệ.", errors)
        svc.transition(g.api_user, task, name, version=data.get("version"), comment=data.get("comment"),
                       result=data.get("result"), new_deadline=new_deadline, progress=data.get("progress"),
                       occurrence=occurrence, reply_number=_text_field(data, "reply_number"), reply_date=reply_date)
    return _change(task_id, perform)


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@token_required
def update_progress(task_id: int):
    """Report progress: {"version", "progress" (0-100), "note"}."""
    return _change(task_id, lambda svc, task, data: svc.update_progress(
        g.api_user, task, version=data.get("version"), progress=data.get("progress"), note=data.get("note")))


@bp.route("/tasks/<int:task_id>/assignee", methods=["POST"])
@token_required
def assign_officer(task_id: int):
    """Hand the task to an officer of its agency: {"version", "assignee_id" (null to clear)}."""
    def perform(svc, task, data):
        value = data.get("assignee_id")
        if value is not None and not isinstance(value, int):
            svc.allow(g.api_user, "assign_officer", task)
            raise TaskRefused("Dữ liệu không hợp lệ.", {"assignee_id": "Phải là số."})
        svc.assign_officer(g.api_user, task, version=data.get("version"), assignee_id=value)
    return _change(task_id, perform)


@bp.route("/tasks/<int:task_id>/extensions", methods=["POST"])
@token_required
def request_extension(task_id: int):
    """Ask for a later deadline: {"version", "new_deadline" (YYYY-MM-DD), "reason"}."""
    def perform(svc, task, data):
        errors: dict = {}
        new_deadline = _date_field(data, "new_deadline", errors)
        if errors:
            svc.allow(g.api_user, "request_extension", task)
            raise TaskRefused("Dữ liệu không hợp lệ.", errors)
        svc.request_extension(g.api_user, task, version=data.get("version"), new_deadline=new_deadline,
                              reason=data.get("reason"))
    return _change(task_id, perform)


@bp.route("/tasks/<int:task_id>/extensions/<int:request_id>", methods=["POST"])
@token_required
def decide_extension(task_id: int, request_id: int):
    """Decide an extension request: {"version", "decision": "approve"|"refuse", "comment", "granted_deadline"}."""
    def perform(svc, task, data):
        errors: dict = {}
        decision = data.get("decision")
        granted = _date_field(data, "granted_deadline", errors)
        if decision not in {"approve", "refuse"}:
            errors["decision"] = "Phải là approve hoặc refuse."
        if errors:
            svc.allow(g.api_user, "refuse_extension" if decision == "refuse" else "approve_extension", task)
            raise TaskRefused("Dữ liệu không hợp lệ.", errors)
        svc.decide_extension(g.api_user, task, request_id, version=data.get("version"), approve=decision == "approve",
                             comment=data.get("comment"), granted_deadline=granted)
    return _change(task_id, perform)


@bp.route("/tasks/<int:task_id>/directions", methods=["POST"])
@token_required
def direct(task_id: int):
    """Give a direction (ý kiến chỉ đạo): {"version", "comment"}."""
    return _change(task_id, lambda svc, task, data: svc.direct(g.api_user, task, version=data.get("version"),
                                                               comment=data.get("comment")))


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@token_required
def reassign(task_id: int):
    """Move the task to another agency: {"version", "agency_id", "comment"}."""
    def perform(svc, task, data):
        value = data.get("agency_id")
        if value is not None and not isinstance(value, int):
            svc.allow(g.api_user, "reassign", task)
            raise TaskRefused("Dữ liệu không hợp lệ.", {"agency_id": "Phải là số."})
        svc.reassign(g.api_user, task, version=data.get("version"), agency_id=value, comment=data.get("comment"))
    return _change(task_id, perform)

