"""The incoming register and letter pages."""

from __future__ import annotations

import datetime as dt

import json
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import exists

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.accounts.models import Role
from tracker.accounts.permissions import require
from tracker.app import files_dir
from tracker.db import MAX_INTEGER
from tracker.intake import edits
from tracker.intake.operations import DuplicateLetter, LetterSpec, find_duplicate
from tracker.intake.proposal_record import read_snapshot, snapshot
from tracker.intake.registration import Confirmation, ConfirmedRow, RegistrationRefused, already_registered, confirm
from tracker.intake.sources import SourceView, source_view
from tracker.intake.models import Letter
from tracker.intake.search import apply_search, count_register_matches
from tracker.text import fold
from tracker.tasks import queries
from tracker.tasks.models import Task
from tracker.tasks.rollup import letter_rollup
from tracker.web import db, workflow
from tracker.web.clock import today
from tracker.web.deadlines import annotate
from tracker.web.forms import Form
from tracker.web.intake_forms import (DATE_FORMATS, DATE_INPUT, INVALID_DATE, URGENCIES, ConfirmForm, UploadForm,
                                      check_dates)
from tracker.web.pagination import MAX_COUNTED, paginate, sort_arg
from tracker.web.params import read_date, read_int

bp = Blueprint("letters", __name__, url_prefix="/letters")

SORTS = {
    "received": [Letter.received_year, Letter.received_number],
    "issued": [Letter.issued_on, Letter.id],
    "number": [Letter.number, Letter.id],
    "issuer": [Letter.issuer, Letter.id],
}


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name, "").strip()
    day, ok = read_date(raw, ("%d/%m/%Y", "%Y-%m-%d"))
    if not ok:
        flash(f"Ngày “{raw[:40]}” không hợp lệ (ví dụ: 30/09/2019); bộ lọc này được bỏ qua.", "error")
    return day


@bp.route("/")
@login_required
def register():
    """The incoming register (sổ đăng ký văn bản đến): search, filters, sorting, pages."""
    require(current_user, "letter.list")
    query = queries.letters_query()
    q = request.args.get("q", "").strip()
    dialect = db().get_bind().dialect.name
    query = apply_search(query, q, dialect, session=db())
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
    open_states = sorted(wf.open_states)
    # tasks awaiting the leader's approval are not yet the agencies' work: they neither make a letter overdue
    # nor "in progress", exactly as in the roll-up shown in the Tình trạng column
    working = sorted(wf.open_states - wf.hidden_states)
    # most letters of recent years have open (or overdue) tasks: on SQLite "+ 0" keeps the register's order index
    # and tests each letter against the set (56 -> 13 ms at 1M tasks); PostgreSQL's statistics choose so themselves
    many = Letter.id + 0 if dialect == "sqlite" else Letter.id
    if task_filter == "overdue":
        query = query.where(many.in_(queries.letters_with_tasks(working, overdue_on=today())))
    elif task_filter == "open":
        query = query.where(many.in_(queries.letters_with_tasks(working)))
    elif task_filter == "awaiting" and wf.hidden_states:
        query = query.where(Letter.id.in_(queries.letters_with_tasks(sorted(wf.hidden_states))))
    elif task_filter == "done":
        query = query.where(exists().where(Task.letter_id == Letter.id, Task.status.in_(sorted(wf.final_states))),
                            Letter.id.not_in(queries.letters_with_tasks(open_states)))
    sort, order = sort_arg(SORTS, "-received")
    # a search alone is counted from the search index, and the letters with overdue or open tasks are counted
    # once per change of the tasks (the register's own count would test every letter)
    counted = None
    if q and not (start or end or doc_type or issuer or task_filter):
        counted = count_register_matches(db(), q, dialect, MAX_COUNTED)
    elif task_filter in ("overdue", "open") and not (q or start or end or doc_type or issuer):
        counted = queries.count_register_letters_with_tasks(
            db(), working, overdue_on=today() if task_filter == "overdue" else None, limit=MAX_COUNTED)
    page = paginate(db(), query.order_by(*order), counted=counted)
    types = queries.letter_types(db())
    day = today()
    return render_template("letters/register.html", page=page, sort=sort, q=q, types=types,
                           rollups=queries.letter_rollups(db(), [l.id for l in page.items], wf, day),
                           show_awaiting=bool(wf.leader_approves_distribution and wf.hidden_states))


def _letter_or_404(letter_id: int) -> Letter:
    letter = db().get(Letter, letter_id)
    if letter is None:
        abort(404)
    return letter


def _visible_tasks(letter: Letter) -> list[Task]:
    """The letter's tasks its viewer may see: an officer not those awaiting the leader's approval."""
    wf = workflow()
    if getattr(current_user, "role", None) == Role.OFFICER:
        return [t for t in letter.tasks if wf.agency_sees(t.status)]
    return list(letter.tasks)


def _may_add_task(letter: Letter) -> bool:
    """Whether the viewer may add a task to the letter (the rule /tasks/new applies)."""
    wf = workflow()
    role = getattr(current_user, "role", None) if current_user.is_authenticated else None
    return "tasks.new" in current_app.view_functions and wf.allows(role, "add_task", wf.initial_state)


@bp.route("/<int:letter_id>")
@login_required
def detail(letter_id: int):
    """One letter with its header, enclosed letters, tasks and the history of its record."""
    letter = _letter_or_404(letter_id)
    require(current_user, "letter.view", letter)
    tasks = _visible_tasks(letter)
    return render_template("letters/detail.html", letter=letter, tasks=annotate(tasks),
                           rollup=letter_rollup(tasks, workflow(), today()), may_add_task=_may_add_task(letter),
                           events=list(reversed(letter.events)))


@bp.app_template_global()
def letter_event_title(event) -> str:
    """What a letter event did, as a phrase."""
    return edits.event_title(event)


@bp.app_template_global()
def letter_event_changes(event) -> list[str]:
    """A letter event's changes as lines "Label: old → new"."""
    return edits.change_lines(event)


# --------------------------------------------------------------------------- correcting the header

class LetterEditForm(Form):
    """A registered letter's header as the clerk corrects it; ``version`` is the letter's when the form was made."""

    version = HiddenField()
    received_on = DateField("Ngày đến", validators=[DataRequired(INVALID_DATE)], format=DATE_FORMATS,
                            render_kw=DATE_INPUT)
    number = StringField("Số, ký hiệu", validators=[Optional(), Length(max=120)])
    doc_type = StringField("Loại văn bản", validators=[Optional(), Length(max=60)])
    issuer = StringField("Cơ quan ban hành", validators=[DataRequired("Nhập cơ quan ban hành."), Length(max=255)])
    place = StringField("Nơi ban hành", validators=[Optional(), Length(max=120)])
    issued_on = DateField("Ngày văn bản", validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)
    subject = TextAreaField("Trích yếu", validators=[DataRequired("Nhập trích yếu."), Length(max=4000)],
                            render_kw={"rows": 3})
    recipients = TextAreaField("Kính gửi (mỗi dòng một nơi)", validators=[Optional(), Length(max=4000)],
                               render_kw={"rows": 3})
    signer = StringField("Người ký", validators=[Optional(), Length(max=160)])
    signer_title = StringField("Chức vụ người ký", validators=[Optional(), Length(max=160)])
    urgency = SelectField("Độ khẩn", choices=[SelectChoice(u, u or "Thường") for u in URGENCIES])
    reply_number = StringField("Số, ký hiệu văn bản trả lời", validators=[Optional(), Length(max=120)],
                               render_kw={"placeholder": "ví dụ: 1234/UBND-VX"})
    reply_date = DateField("Ngày văn bản trả lời", validators=[Optional()], format=DATE_FORMATS, render_kw=DATE_INPUT)
    comment = TextAreaField("Lý do sửa (không bắt buộc)", validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 2})

    def offer_urgency(self, current: str | None) -> None:
        """Keep a letter's own urgency mark selectable even when it is not one of the usual ones."""
        if current and current not in URGENCIES:
            self.urgency.choices = [*self.urgency.choices, SelectChoice(current, current)]

    def validate(self, extra_validators=None):
        """Standard checks, with Vietnamese messages for dates that do not exist, are not in ASCII digits or
        are outside the years people may enter (tracker.web.params)."""
        valid = super().validate(extra_validators)
        return check_dates((self.received_on, self.issued_on, self.reply_date)) and valid

    def header(self) -> edits.HeaderEdit:
        """The header as typed."""
        return edits.HeaderEdit(
            received_on=self.received_on.data, number=self.number.data, doc_type=self.doc_type.data,
            issuer=self.issuer.data, place=self.place.data, issued_on=self.issued_on.data,
            subject=self.subject.data, recipients=(self.recipients.data or "").splitlines(),
            signer=self.signer.data, signer_title=self.signer_title.data, urgency=self.urgency.data or None,
            reply_number=self.reply_number.data, reply_date=self.reply_date.data)

    def show(self, name: str, value) -> None:
        """Put a normal value (see tracker.intake.edits.normal_value) into the field ``name``."""
        field = getattr(self, name)
        if name in edits.DATE_FIELDS:
            field.data = dt.date.fromisoformat(value) if value else None
            field.raw_data = None  # a date field shows what was typed unless told otherwise
        elif name == "recipients":
            field.data = "\n".join(value or [])
        else:
            field.data = value or ""


def _edit_form_data(letter: Letter) -> dict:
    values = edits.header_values(letter)
    data = {name: (value or "") for name, value in values.items()}
    data.update(received_on=letter.received_on, issued_on=letter.issued_on, reply_date=letter.reply_date,
                recipients="\n".join(values["recipients"]), version=str(letter.version))
    return data


def _render_edit(letter: Letter, form: LetterEditForm, status: int = 200, *, message: str | None = None,
                 duplicate=None, missed=(), current: dict | None = None, conflicts=(), refreshed=()):
    return render_template("letters/edit.html", letter=letter, form=form, message=message, duplicate=duplicate,
                           missed=list(missed), current=current or {}, conflicts=set(conflicts),
                           refreshed=set(refreshed), show_value=edits.show_value), status


def _merge_stale(form: LetterEditForm, letter: Letter, missed: list) -> tuple[list[str], list[str]]:
    """After someone else's save: fields the user left as they were take the saved values (their edit is
    not undone); fields both changed keep the user's input and are flagged. Returns (refreshed, conflicts)."""
    base: dict = {}
    for event in missed:
        for name, (old, _new) in (event.changes or {}).items():
            base.setdefault(name, old)  # the value the user's form started from
    current = edits.header_values(letter)
    typed = edits.edit_values(form.header())
    refreshed, conflicts = [], []
    for name in edits.EDITABLE_FIELDS:
        if name not in base or typed[name] == current[name]:
            continue
        if typed[name] == base[name]:
            form.show(name, current[name])
            refreshed.append(name)
        else:
            conflicts.append(name)
            field = getattr(form, name)
            field.errors = [*field.errors, "Người khác vừa sửa ô này; giá trị hiện tại: "
                            f"{edits.show_value(name, current[name])}"]
    return refreshed, conflicts


@bp.route("/<int:letter_id>/edit", methods=["GET", "POST"])
@login_required
def edit(letter_id: int):
    """Correct a registered letter's header (not its incoming number); every change goes on its history."""
    letter = _letter_or_404(letter_id)
    require(current_user, "letter.edit", letter)
    if request.method == "GET":
        form = LetterEditForm(formdata=None, data=_edit_form_data(letter))
        form.offer_urgency(letter.urgency)
        return _render_edit(letter, form)[0]
    form = LetterEditForm()
    form.offer_urgency(letter.urgency)
    if not read_int(form.version.data, minimum=-MAX_INTEGER)[1]:  # a broken or forged form, not a typing slip
        return _render_edit(letter, form, 422,
                            message="Số phiên bản của biểu mẫu không hợp lệ; hãy tải lại trang rồi thử lại.")
    if not form.validate_on_submit():
        return _render_edit(letter, form, 422, message="Vui lòng sửa các ô được đánh dấu.")
    session = db()
    try:
        event = edits.edit_letter(session, letter, form.header(), actor=current_user, version=form.version.data,
                                  today=today(), comment=form.comment.data)
        session.commit()
    except edits.StaleLetter as exc:
        session.rollback()
        letter = _letter_or_404(letter_id)
        missed = edits.missed_events(session, letter, exc.expected)
        refreshed, conflicts = _merge_stale(form, letter, missed)
        form.version.data = str(letter.version)  # saving again now applies this form over the newer version
        names = ", ".join(dict.fromkeys(e.actor.full_name if e.actor else "Hệ thống" for e in missed)) or "người khác"
        message = (f"Văn bản này vừa được {names} sửa trong lúc bạn đang sửa; thay đổi của bạn chưa được lưu. "
                   "Những gì họ đã sửa được giữ nguyên và hiện ở các ô bạn không sửa; ô được đánh dấu là ô cả hai "
                   "cùng sửa, kèm giá trị hiện tại. Kiểm tra lại rồi bấm “Lưu thay đổi”.")
        return _render_edit(letter, form, 409, message=message, missed=missed, current=edits.header_values(letter),
                            conflicts=conflicts, refreshed=refreshed)
    except edits.LetterEditRefused as exc:
        session.rollback()
        letter = _letter_or_404(letter_id)
        for name, text in exc.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, text]
        return _render_edit(letter, form, 409 if exc.duplicate is not None else 422, message=exc.message,
                            duplicate=exc.duplicate)
    if event is None:
        flash("Không có thay đổi nào để lưu.", "info")
    else:
        flash(f"Đã lưu {len(event.changes)} thay đổi của văn bản.", "success")
    return redirect(url_for("letters.detail", letter_id=letter_id))


# --------------------------------------------------------------------------- registration

def _agency_names() -> list[str]:
    from tracker.agencies.operations import active_agencies

    names = []
    for agency in active_agencies(db()):
        names.append(agency.name)
        if agency.short_name and agency.short_name != agency.name:
            names.append(agency.short_name)
    return names


def _fill_confirm_form(form, proposal, *, text: str, upload_token: str | None):
    header = proposal.header
    form.submission_key.data = uuid.uuid4().hex
    form.upload_token.data = upload_token or ""
    form.full_text.data = text
    form.extras.data = json.dumps({"references": header.get("references") or [],
                                   "enclosed": proposal.enclosed}, ensure_ascii=False)
    form.received_on.data = today()
    form.number.data = header.get("number") or ""
    form.doc_type.data = header.get("doc_type") or ""
    form.issuer.data = header.get("issuer") or ""
    form.place.data = header.get("place") or ""
    form.issued_on.data = _iso(header.get("issued_on"))
    form.subject.data = header.get("subject") or ""
    form.recipients.data = "\n".join(header.get("recipients") or [])
    form.signer.data = header.get("signer") or ""
    form.signer_title.data = header.get("signer_title") or ""
    form.urgency.data = header.get("urgency") if header.get("urgency") in URGENCIES else ""
    for index, row in enumerate(proposal.tasks):
        form.tasks.append_entry({
            "agency": row.agency_text, "role": row.role, "summary": row.summary, "deadline": row.deadline,
            "deadline_text": row.deadline_text or "", "recurrence": row.recurrence or "",
            "create_agency": False, "remove": False, "proposed": str(index)})
    form.tasks.append_entry({"role": "lead"})
    # what the clerk is shown is what the reader proposed: the header as the form shows it, the rows as proposed
    form.proposal.data = _proposal_signer().dumps(snapshot(_letter_spec(form), proposal.tasks))


def _proposal_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="tracker.letter-proposal")


def _proposal_of(form) -> dict | None:
    """The proposal the confirm form carries, or None when it has none or it was not made here (a letter is
    then registered as if typed by hand, and shows no source passages)."""
    try:
        return read_snapshot(_proposal_signer().loads(form.proposal.data)) if form.proposal.data else None
    except BadData:
        return None


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _row_statuses(form) -> dict[int, tuple[str, str]]:
    """For each task row, how its agency resolves: (css class, Vietnamese text)."""
    from tracker.agencies.operations import build_matcher, members_of_group
    from tracker.intake.proposal import group_kinds

    session = db()
    matcher = build_matcher(session)
    statuses = {}
    for index, entry in enumerate(form.tasks):
        name = (entry.form.agency.data or "").strip()
        if not name:
            continue
        kinds = group_kinds(name)
        if kinds:
            count = sum(len(members_of_group(session, kind)) for kind in kinds)
            statuses[index] = ("ok", f"Nhóm: giao cho {count} cơ quan") if count else (
                "bad", "Nhóm chưa có cơ quan nào trong danh mục")
            continue
        match = matcher.match(name)
        if match is None:
            statuses[index] = ("bad", "Chưa có trong danh mục")
        elif match.score == 100:
            statuses[index] = ("ok", "Có trong danh mục")
        else:
            statuses[index] = ("warn", f"Gần giống: {match.name}")
    return statuses


def _render_confirm(form, status: int = 200, *, message: str | None = None, duplicate=None, row_errors=None,
                    proposal_notes=None):
    from tracker.intake.operations import pending_upload_of

    from tracker.extraction.ocr import FROM_OCR
    from tracker.intake.scans import job_for_upload

    pending = pending_upload_of(db(), form.upload_token.data, current_user)
    scan = job_for_upload(db(), pending)
    notes = list(proposal_notes or [])
    if scan is not None:
        # the page images replace the paper the reader's warning sends the clerk to: one warning, above the form
        notes = [note for note in notes if note != FROM_OCR]
    return render_template("letters/confirm.html", form=form, agency_names=_agency_names(), message=message,
                           duplicate=duplicate, row_errors=row_errors or {}, notes=notes,
                           row_statuses=_row_statuses(form), upload_name=pending.file_name if pending else None,
                           sources=_sources(form), scan=scan), status


def _sources(form) -> SourceView:
    """The letter's text with the passage of each proposed row found in it (rows are the form's positions)."""
    proposal = _proposal_of(form)
    proposed = proposal["tasks"] if proposal else []
    sources = {}
    for position, entry in enumerate(form.tasks):
        index = read_int(entry.form.proposed.data, minimum=0)[0]
        if index is not None and index < len(proposed):
            sources[position] = proposed[index].get("source")
    return source_view(form.full_text.data or "", sources)


def _upload_page(form, status: int = 200):
    """The upload page; it says beforehand when scans cannot be read here (no OCR on the server)."""
    from tracker.extraction.ocr import ocr_available

    return render_template("letters/new.html", form=form, ocr_ready=ocr_available()), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Upload or paste a letter; show what was read as an editable proposal. A scan is read by OCR in the
    background: the clerk is sent to its progress page at once (tracker.intake.scans)."""
    require(current_user, "letter.register")
    from tracker.extraction.ocr import ocr_available
    from tracker.extraction.readers import UnreadableDocument, read_document
    from tracker.intake import scans
    from tracker.intake.operations import content_type_of, hold_upload

    upload = UploadForm()
    if not upload.validate_on_submit():
        return _upload_page(upload)[0]
    file = upload.file.data
    data = file.read() if file and getattr(file, "filename", "") else b""
    pasted = (upload.text.data or "").strip()
    if not data and not pasted:
        upload.file.errors = ["Chọn một tệp hoặc dán nội dung văn bản."]
        return _upload_page(upload, 400)
    file_name = secure_display_name(file.filename) if data else None
    session = db()
    # without OCR on the server a scan goes the usual way, and the reader says that it cannot be read here
    kind = scans.scan_kind(data, file_name) if data and ocr_available() else None
    if kind is not None:
        pending = hold_upload(session, files_dir(current_app), data, file_name=file_name,
                              content_type=content_type_of(data, file_name), user=current_user)
        job = scans.create_job(session, pending, kind, current_user)
        session.commit()
        scans.start_job(current_app.extensions["tracker.write_sessions"], files_dir(current_app), job.id, job.attempt)
        return redirect(url_for("letters.scan_progress", token=job.token), 303)
    warnings: list[str] = []
    try:
        text = (read_document(data, file_name, warnings=warnings) if data
                else read_document(pasted.encode("utf-8"), "van-ban.txt", warnings=warnings))
    except UnreadableDocument as exc:
        upload.file.errors = [str(exc)]
        return _upload_page(upload, 400)
    upload_token = None
    if data:
        pending = hold_upload(session, files_dir(current_app), data, file_name=file_name,
                              content_type=content_type_of(data, file_name), user=current_user)
        upload_token = pending.token
    return _propose(text, warnings, upload_token=upload_token, commit=True)


def _propose(text: str, warnings: list[str], *, upload_token: str | None, commit: bool):
    """The review page of a letter's text: the header and tasks the reader proposes, with its notes."""
    from tracker.agencies.operations import build_matcher, catalog_names
    from tracker.extraction.letter import extract_text
    from tracker.extraction.ocr import FROM_OCR
    from tracker.intake.proposal import build_proposal

    session = db()
    extraction = extract_text(text, from_scan=FROM_OCR in warnings, known_agencies=catalog_names(session))
    proposal = build_proposal(extraction, build_matcher(session), full_text=text)
    form = ConfirmForm(formdata=None)
    _fill_confirm_form(form, proposal, text=text, upload_token=upload_token)
    if commit:
        session.commit()  # the pending upload is kept for the confirmation
    notes = list(warnings)
    if not proposal.tasks:
        notes.append("Không tìm thấy nhiệm vụ nào trong văn bản; có thể thêm nhiệm vụ bằng tay.")
    unknown = [r.agency_text for r in proposal.tasks if r.agency_id is None and not r.group]
    if unknown:
        notes.append("Cơ quan chưa có trong danh mục: " + "; ".join(dict.fromkeys(unknown)) +
                     ". Chọn cơ quan trong danh sách hoặc đánh dấu “Thêm vào danh mục”.")
    duplicate = find_duplicate(db(), LetterSpec(number=form.number.data, issuer=form.issuer.data,
                                                issued_on=form.issued_on.data))
    return _render_confirm(form, duplicate=duplicate, proposal_notes=notes)


# --------------------------------------------------------------------------- scans read in the background

def _job_or_404(token: str):
    from tracker.intake import scans

    job = scans.job_of(db(), token, current_user)
    if job is None:
        abort(404)
    return job


@bp.route("/scan/<token>")
@login_required
def scan_progress(token: str):
    """The progress of a scan being read by OCR (the uploader's only); the review form once it is read."""
    require(current_user, "letter.register")
    from tracker.intake import scans

    job = _job_or_404(token)
    view = scans.job_view(job)
    if view.status == scans.DONE:
        return redirect(url_for("letters.scan_review", token=token))
    return render_template("letters/scan_progress.html", job=job, view=view,
                           file_name=job.pending_upload.file_name if job.pending_upload else None)


@bp.route("/scan/<token>/status")
@login_required
def scan_status(token: str):
    """The job's progress as JSON for the progress page's script (the uploader's only; others 404)."""
    require(current_user, "letter.register")
    from tracker.intake import scans

    job = _job_or_404(token)
    answer = scans.job_view(job).as_json()
    answer["next"] = url_for("letters.scan_review" if answer["status"] == scans.DONE else "letters.scan_progress",
                             token=token)
    return answer


@bp.route("/scan/<token>/retry", methods=["POST"])
@login_required
def scan_retry(token: str):
    """Read a scan again after its job failed or stopped with its process."""
    require(current_user, "letter.register")
    from tracker.intake import scans

    job = _job_or_404(token)
    session = db()
    if scans.retry_job(session, job):
        session.commit()
        scans.start_job(current_app.extensions["tracker.write_sessions"], files_dir(current_app), job.id, job.attempt)
    return redirect(url_for("letters.scan_progress", token=token), 303)


@bp.route("/scan/<token>/review")
@login_required
def scan_review(token: str):
    """The review form of a scan read by OCR, its page images beside the fields."""
    require(current_user, "letter.register")
    from tracker.intake import scans

    job = _job_or_404(token)
    if job.status != scans.DONE:
        return redirect(url_for("letters.scan_progress", token=token))
    if job.pending_upload is None or job.pending_upload.token is None:
        abort(404)
    return _propose(job.result_text or "", list(job.warnings or []), upload_token=job.pending_upload.token,
                    commit=False)


@bp.route("/scan/<token>/page/<int:number>.png")
@login_required
def scan_page(token: str, number: int):
    """Page ``number`` (from 1) of a held scan as an image, for its uploader only."""
    require(current_user, "letter.register")
    from flask import Response

    from tracker.intake import scans

    job = _job_or_404(token)
    if number > (job.pages_total or 0):
        abort(404)
    data = scans.held_data(files_dir(current_app), job)
    image = scans.page_png(data, job.kind, number - 1) if data is not None else None
    if image is None:
        abort(404)
    return Response(image, mimetype="image/png")


def _letter_spec(form) -> LetterSpec:
    """The letter's header as the confirm form holds it (what is shown, or what the clerk confirmed)."""
    extras = json.loads(form.extras.data or "{}") if form.extras.data else {}
    recipients = [line.strip() for line in (form.recipients.data or "").splitlines() if line.strip()]
    return LetterSpec(number=(form.number.data or "").strip() or None, doc_type=(form.doc_type.data or "").strip() or None,
                      issuer=(form.issuer.data or "").strip(), place=(form.place.data or "").strip() or None,
                      issued_on=form.issued_on.data, subject=(form.subject.data or "").strip(), recipients=recipients,
                      signer=(form.signer.data or "").strip() or None,
                      signer_title=(form.signer_title.data or "").strip() or None,
                      urgency=form.urgency.data or None, references=list(extras.get("references") or []),
                      full_text=form.full_text.data or "")


def _confirmation(form) -> Confirmation:
    extras = json.loads(form.extras.data or "{}") if form.extras.data else {}
    letter = _letter_spec(form)
    enclosed = []
    for inner in extras.get("enclosed") or []:
        enclosed.append(LetterSpec(
            number=inner.get("number"), doc_type=inner.get("doc_type"), issuer=inner.get("issuer"),
            place=inner.get("place"), issued_on=_iso(inner.get("issued_on")), subject=inner.get("subject"),
            recipients=list(inner.get("recipients") or []), signer=inner.get("signer"),
            signer_title=inner.get("signer_title"), references=list(inner.get("references") or []),
            printed_stamp=inner.get("received")))
    rows = []
    for entry in form.tasks:
        row = entry.form
        if row.remove.data or not ((row.agency.data or "").strip() or (row.summary.data or "").strip()):
            continue
        rows.append(ConfirmedRow(agency=(row.agency.data or "").strip(), role=row.role.data,
                                 summary=(row.summary.data or "").strip(), deadline=row.deadline.data,
                                 deadline_text=row.deadline_text.data or None, recurrence=row.recurrence.data or None,
                                 create_agency=bool(row.create_agency.data),
                                 proposed=read_int(row.proposed.data, minimum=0)[0]))
    return Confirmation(letter=letter, received_on=form.received_on.data, rows=rows, enclosed=enclosed,
                        submission_key=form.submission_key.data or None, upload_token=form.upload_token.data or None,
                        proposal=_proposal_of(form))


@bp.route("/confirm", methods=["POST"])
@login_required
def confirm_registration():
    """Register the corrected proposal: the next incoming number, the stored original, the tasks."""
    require(current_user, "letter.register")
    form = ConfirmForm()
    session = db()
    earlier = already_registered(session, form.submission_key.data)
    if earlier is not None:
        flash(f"Văn bản này đã được vào sổ (số đến {earlier.received_number}).", "info")
        return redirect(url_for("letters.detail", letter_id=earlier.id))
    if not form.validate_on_submit():
        return _render_confirm(form, 400, message="Vui lòng sửa các ô được đánh dấu.")
    try:
        confirmation = _confirmation(form)
    except (ValueError, TypeError):
        return _render_confirm(form, 400, message="Dữ liệu biểu mẫu bị hỏng; vui lòng vào sổ lại từ đầu.")
    try:
        letter = confirm(session, confirmation, actor=current_user, files_dir=files_dir(current_app), today=today())
        session.commit()
    except DuplicateLetter as exc:
        session.rollback()
        return _render_confirm(form, 409, message=str(exc), duplicate=exc.letter)
    except RegistrationRefused as exc:
        session.rollback()
        # Row errors are keyed by position among the kept rows; map them back to the form's rows.
        kept = [i for i, entry in enumerate(form.tasks) if not entry.form.remove.data and
                ((entry.form.agency.data or "").strip() or (entry.form.summary.data or "").strip())]
        row_errors = {kept[i]: message for i, message in exc.row_errors.items()}
        earlier = already_registered(session, form.submission_key.data)
        if earlier is not None:
            return redirect(url_for("letters.detail", letter_id=earlier.id))
        return _render_confirm(form, 400, message=exc.message, row_errors=row_errors)
    flash(f"Đã vào sổ văn bản đến số {letter.received_number}/{letter.received_year} "
          f"với {len(letter.tasks)} nhiệm vụ.", "success")
    return redirect(url_for("letters.detail", letter_id=letter.id))


def secure_display_name(name: str | None) -> str:
    """A file name safe to show and store: no folders, no control characters, at most 200 characters."""
    base = (name or "van-ban").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "van-ban"
    return base[-200:]


@bp.route("/<int:letter_id>/file")
@login_required
def original_file(letter_id: int):
    """Download the original file of a letter as it was uploaded."""
    from flask import send_file

    from tracker.intake.operations import readable_content

    letter = db().get(Letter, letter_id)
    if letter is None or letter.file is None:
        abort(404)
    require(current_user, "letter.view", letter)
    path = readable_content(files_dir(current_app), letter.file)
    if path is None:
        abort(404)
    return send_file(path, mimetype=letter.file.content_type, as_attachment=True,
                     download_name=letter.file_name or f"van-ban-{letter.id}")
