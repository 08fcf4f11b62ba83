"""Administration of the running system: the outbox of reminder e-mails, the working-day calendar and the
tokens other systems use for the JSON API.

Registering this blueprint also loads and validates ``workflows/reminders.toml`` (the app does not
start with a wrong policy) and keeps the process's working calendar in step with the table.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.accounts.models import TOKEN_SCOPE_LABELS, TOKEN_SCOPE_READ, ApiToken, User
from tracker.accounts.permissions import require
from tracker.calendar.adjustments import DAY_OFF, WORKING_DAY
from tracker.calendar.models import CalendarAdjustment
from tracker.calendar.store import (KIND_LABELS, AdjustmentError, AdjustmentFields, add_adjustment, adjustments,
                                    change_adjustment, history, import_shipped, refresh_default_calendar,
                                    remove_adjustment)
from tracker.reminders.models import (OUTBOX_KIND_LABELS, OUTBOX_STATE_LABELS, OUTBOX_STATES, OutboxMessage,
                                      ReminderPass, SchedulerHeartbeat)
from tracker.reminders.operations import POLICY_EXTENSION
from tracker.reminders.outbox import ResendError, resend
from tracker.reminders.policy import find_policy
from tracker.tasks.api_tokens import MAX_EXPIRY_DAYS, TokenError, create_token, expiry_after, list_tokens, revoke_token
from tracker.web import db
from tracker.web.clock import today
from tracker.web.forms import Form
from tracker.web.pagination import paginate
from tracker.web.params import int_or_none

bp = Blueprint("operations_admin", __name__, url_prefix="/admin")


@bp.record_once
def _load_policy(state) -> None:
    # Validated at start: a mistake in the policy file stops the app with the file, line and key.
    app = state.app
    app.extensions[POLICY_EXTENSION] = find_policy(app.extensions["tracker.settings"].instance_path)


@bp.before_app_request
def _calendar_in_step() -> None:
    # One indexed query per request: an admin's change in another process reaches this one at once.
    # Its own short read session, never the request's: a POST's session takes SQLite's write lock
    # at its first statement, which must stay the view's business.
    if request.endpoint and request.endpoint != "static":
        _refresh_calendar()


def _refresh_calendar() -> None:
    """Install the table's calendar as this process's default (after an edit, or when another process edited)."""
    with current_app.extensions["tracker.read_sessions"]() as session:
        refresh_default_calendar(session)


@bp.app_template_filter("dayoff")
def _day_off(day) -> str:
    """Why a date is a day off ("Chủ nhật", "Tết Nguyên đán"), "" on a working day: for deadlines on pages."""
    from tracker.calendar.workdays import default_calendar

    if not day:
        return ""
    return default_calendar().day_off_reason(day) or ""


# -- outbox ------------------------------------------------------------------------------------------


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


def require_action(user, action: str) -> None:
    """A one-button POST: the permission, then the CSRF token (400 when it is missing or stale)."""
    require(user, action)
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/outbox")
@login_required
def outbox():
    """The outbox: every message with its state, filters, the scheduler's heartbeat and the last passes."""
    require(current_user, "admin.outbox")
    session = db()
    query = select(OutboxMessage)
    state = request.args.get("state", "")
    if state in OUTBOX_STATES:
        query = query.where(OutboxMessage.state == state)
    kind = request.args.get("kind", "")
    if kind in OUTBOX_KIND_LABELS:
        query = query.where(OutboxMessage.kind == kind)
    q = request.args.get("q", "").strip().lower()
    if q:
        like = f"%{q}%"
        query = query.where(or_(OutboxMessage.recipient.like(like), OutboxMessage.recipient_name.like(like)))
    page = paginate(session, query.order_by(OutboxMessage.id.desc()), default_per_page=50)
    counts = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    passes = list(session.scalars(select(ReminderPass).order_by(ReminderPass.pass_date.desc()).limit(7)))
    heartbeat = session.get(SchedulerHeartbeat, 1)
    return render_template("admin/outbox.html", page=page, counts=counts, states=OUTBOX_STATE_LABELS,
                           kinds=OUTBOX_KIND_LABELS, state=state, kind=kind, q=q, passes=passes, heartbeat=heartbeat,
                           form=ActionForm(), now=dt.datetime.now(dt.timezone.utc))


def _parts(mime: str) -> tuple[str, list[str]]:
    """The plain-text body and the attachment names of a stored message."""
    message = email.message_from_string(mime, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    names = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    return (body.get_content() if body is not None else ""), names


@bp.route("/outbox/<int:outbox_id>")
@login_required
def outbox_detail(outbox_id: int):
    """One message: recipient, state, the error, every attempt, the text as sent, the tasks it is about."""
    require(current_user, "admin.outbox")
    session = db()
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        abort(404)
    text, attachments = _parts(row.mime)
    copies = list(session.scalars(select(OutboxMessage).where(OutboxMessage.resent_from_id == row.id)
                                  .order_by(OutboxMessage.id)))
    return render_template("admin/outbox_detail.html", row=row, text=text, attachments=attachments, copies=copies,
                           form=ActionForm())


@bp.route("/outbox/<int:outbox_id>/resend", methods=["POST"])
@login_required
def outbox_resend(outbox_id: int):
    """Send a message again (a failed one now; a delivered one as a new copy)."""
    require_action(current_user, "admin.outbox")
    session = db()
    row = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is None:
        abort(404)
    try:
        result = resend(session, row, actor=current_user)
    except ResendError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("operations_admin.outbox_detail", outbox_id=outbox_id))
    session.commit()
    if result.id == row.id:
        flash(f"Thư #{row.id} sẽ được gửi lại trong lượt gửi tới.", "success")
    else:
        flash(f"Đã tạo bản gửi lại #{result.id} của thư #{row.id}; thư sẽ đi trong lượt gửi tới.", "success")
    return redirect(url_for("operations_admin.outbox_detail", outbox_id=result.id))


@bp.route("/outbox/resend-failed", methods=["POST"])
@login_required
def outbox_resend_failed():
    """Put every failed message back in the queue (after the mail server or an address was fixed)."""
    require_action(current_user, "admin.outbox")
    session = db()
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.state == "failed").with_for_update()))
    for row in rows:
        resend(session, row, actor=current_user)
    session.commit()
    flash(f"Đã đưa {len(rows)} thư lỗi trở lại hàng chờ gửi.", "success")
    return redirect(url_for("operations_admin.outbox"))


# -- calendar ----------------------------------------------------------------------------------------


def _parse_day(raw: str | None) -> dt.date | None:
    """dd/mm/yyyy (as written in Vietnam) or yyyy-mm-dd (a date input); None when blank."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", raw)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise AdjustmentError(f"“{raw}” không phải là ngày hợp lệ (dd/mm/yyyy).") from None


class AdjustmentForm(FlaskForm):
    """One day of the government's decisions."""

    day = StringField("Ngày (dd/mm/yyyy)", validators=[DataRequired("Bắt buộc."), Length(max=20)])
    kind = SelectField("Loại", choices=[SelectChoice(DAY_OFF, KIND_LABELS[DAY_OFF]),
                                        SelectChoice(WORKING_DAY, KIND_LABELS[WORKING_DAY])])
    label = StringField("Tên ngày", validators=[DataRequired("Bắt buộc."), Length(max=255)])
    source = StringField("Căn cứ (văn bản quyết định)", validators=[DataRequired("Bắt buộc."), Length(max=1000)])
    verified = BooleanField("Đã đối chiếu với thông báo chính thức", default=True)
    swap_with = StringField("Hoán đổi với ngày (nếu có)", validators=[Optional(), Length(max=20)])
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=2000)])
    reason = StringField("Lý do thay đổi (lưu vào lịch sử)", validators=[DataRequired("Bắt buộc."), Length(max=1000)])


class RemoveForm(FlaskForm):
    """Removing one day needs a reason."""

    reason = StringField("Lý do", validators=[DataRequired("Bắt buộc."), Length(max=1000)])


def _fields(form: AdjustmentForm) -> AdjustmentFields:
    day = _parse_day(form.day.data)
    return AdjustmentFields(day=day, kind=form.kind.data, label=form.label.data or "", source=form.source.data or "",
                            verified=bool(form.verified.data), swap_with=_parse_day(form.swap_with.data),
                            note=form.note.data or "")


def _year_arg() -> int:
    year = int_or_none(request.args.get("year")) or today().year
    return min(max(year, 1990), 2100)


def _days_off(year: int) -> list[tuple[dt.date, str]]:
    """Weekdays off in ``year`` with their reason, as the calendar in force counts them."""
    from tracker.calendar.workdays import default_calendar

    calendar = default_calendar()
    day, end, found = dt.date(year, 1, 1), dt.date(year, 12, 31), []
    while day <= end:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            found.append((day, calendar.day_off_reason(day) or ""))
        elif day.weekday() >= 5 and calendar.is_working_day(day):
            found.append((day, "Ngày làm việc (làm bù)"))
        day += dt.timedelta(days=1)
    return found


def _render_calendar(form: AdjustmentForm, year: int, status: int = 200):
    session = db()
    rows = adjustments(session, year)
    return render_template("admin/calendar.html", rows=rows, year=year, form=form, kinds=KIND_LABELS,
                           days_off=_days_off(year), history=history(session, 50), action_form=ActionForm()), status


@bp.route("/calendar")
@login_required
def calendar():
    """The adjustments of a year, the days off they give, the form to add one and the record of changes."""
    require(current_user, "admin.calendar")
    return _render_calendar(AdjustmentForm(), _year_arg())


@bp.route("/calendar/add", methods=["POST"])
@login_required
def calendar_add():
    """Add one day (on the record)."""
    require(current_user, "admin.calendar")
    form = AdjustmentForm()
    session = db()
    if form.validate_on_submit():
        try:
            row = add_adjustment(session, _fields(form), actor=current_user, reason=form.reason.data)
        except AdjustmentError as exc:
            session.rollback()
            form.day.errors = list(form.day.errors) + [str(exc)]
        else:
            session.commit()
            _refresh_calendar()
            flash(f"Đã thêm ngày {row.day:%d/%m/%Y} ({row.label}).", "success")
            return redirect(url_for("operations_admin.calendar", year=row.day.year))
    year = _year_arg()
    try:
        year = (_parse_day(form.day.data) or dt.date(year, 1, 1)).year
    except AdjustmentError:
        pass
    return _render_calendar(form, year, 400)


@bp.route("/calendar/<int:adjustment_id>", methods=["GET", "POST"])
@login_required
def calendar_edit(adjustment_id: int):
    """Change one day (on the record: old and new values, who, when, why)."""
    require(current_user, "admin.calendar")
    session = db()
    row = session.get(CalendarAdjustment, adjustment_id)
    if row is None:
        abort(404)
    form = AdjustmentForm()
    if request.method == "GET":
        form.day.data = row.day.strftime("%d/%m/%Y")
        form.kind.data, form.label.data, form.source.data = row.kind, row.label, row.source
        form.verified.data, form.note.data = row.verified, row.note
        form.swap_with.data = row.swap_with.strftime("%d/%m/%Y") if row.swap_with else ""
    elif form.validate_on_submit():
        try:
            change_adjustment(session, row, _fields(form), actor=current_user, reason=form.reason.data)
        except AdjustmentError as exc:
            session.rollback()
            form.day.errors = list(form.day.errors) + [str(exc)]
        else:
            session.commit()
            _refresh_calendar()
            flash(f"Đã sửa ngày {row.day:%d/%m/%Y}.", "success")
            return redirect(url_for("operations_admin.calendar", year=row.day.year))
    return render_template("admin/calendar_form.html", form=form, row=row,
                           remove_form=RemoveForm(prefix="remove")), (400 if form.errors else 200)


@bp.route("/calendar/<int:adjustment_id>/remove", methods=["POST"])
@login_required
def calendar_remove(adjustment_id: int):
    """Remove one day (the record keeps it)."""
    require(current_user, "admin.calendar")
    session = db()
    row = session.get(CalendarAdjustment, adjustment_id)
    if row is None:
        abort(404)
    form = RemoveForm(prefix="remove")
    year = row.day.year
    if not form.validate_on_submit():
        flash("Cần ghi lý do khi xóa một ngày.", "error")
        return redirect(url_for("operations_admin.calendar_edit", adjustment_id=adjustment_id))
    label = f"{row.day:%d/%m/%Y} ({row.label})"
    remove_adjustment(session, row, actor=current_user, reason=form.reason.data)
    session.commit()
    _refresh_calendar()
    flash(f"Đã xóa ngày {label}.", "success")
    return redirect(url_for("operations_admin.calendar", year=year))


@bp.route("/calendar/import", methods=["POST"])
@login_required
def calendar_import():
    """Add the shipped file's days that the table lacks and nobody edited (a new release's decisions)."""
    require_action(current_user, "admin.calendar")
    session = db()
    added = import_shipped(session, actor=current_user)
    session.commit()
    _refresh_calendar()
    flash(f"Đã nạp {added} ngày mới từ tệp phát hành." if added else "Bảng đã có đủ các ngày của tệp phát hành.",
          "success")
    return redirect(url_for("operations_admin.calendar", year=_year_arg()))


# -- API tokens ----------------------------------------------------------------------------------------


class ApiTokenForm(Form):
    """A new token for an integration: who it acts as, what it may do, how long it lives."""

    name = StringField("Tên hệ thống tích hợp", validators=[DataRequired("Bắt buộc."), Length(max=120)])
    user_id = SelectField("Tài khoản sử dụng", choices=[], validators=[DataRequired("Chọn một tài khoản.")])
    scope = SelectField("Quyền", choices=[SelectChoice(value, label) for value, label in TOKEN_SCOPE_LABELS.items()],
                        default=TOKEN_SCOPE_READ)
    expires_days = IntegerField("Hết hạn sau (số ngày)",
                                validators=[Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS,
                                                                    message=f"Từ 1 đến {MAX_EXPIRY_DAYS} ngày.")])


def _account_choices() -> list[SelectChoice]:
    """Active accounts a token may act as (a locked account's token would be refused anyway)."""
    users = db().scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [SelectChoice("", "— Chọn tài khoản —")] + [
        SelectChoice(str(u.id), f"{u.username} — {u.full_name} ({u.role_enum.label})") for u in users]


@bp.route("/api-tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """Every API token with its scope, expiry and state; the form to create one, whose token is shown only once."""
    require(current_user, "api_token.manage")
    session = db()
    form = ApiTokenForm()
    form.user_id.choices = _account_choices()
    created = secret = None
    if form.validate_on_submit():
        try:
            row, token = create_token(session, form.name.data, session.get(User, int(form.user_id.data)),
                                      scope=form.scope.data, expires_at=expiry_after(form.expires_days.data))
        except TokenError as exc:
            session.rollback()
            form.name.errors = list(form.name.errors) + [str(exc)]
        else:
            session.commit()
            created, secret = row, token
            form = ApiTokenForm(formdata=None)
            form.user_id.choices = _account_choices()
    # The token is in this response only (never in a flash message, which travels in the session cookie).
    response = make_response(render_template(
        "admin/api_tokens.html", form=form, rows=list_tokens(session), created=created, secret=secret,
        now=dt.datetime.now(dt.timezone.utc), action_form=ActionForm()), 400 if form.errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def api_token_revoke(token_id: int):
    """Revoke one token at once: the integration using it gets 401 from its next request; the row stays."""
    require_action(current_user, "api_token.manage")
    session = db()
    row = session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.revoked_at is not None:
        flash(f"Mã truy cập “{row.name}” đã bị thu hồi từ trước.", "info")
        return redirect(url_for("operations_admin.api_tokens"))
    revoke_token(session, row.name)
    session.commit()
    flash(f"Đã thu hồi mã truy cập “{row.name}”; hệ thống dùng mã này không truy cập được nữa.", "success")
    return redirect(url_for("operations_admin.api_tokens"))
