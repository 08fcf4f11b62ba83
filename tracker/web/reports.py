"""Reports on the web: choose a report and its range, download it; the archive of past runs.

A report is never built by the web process: the request queues a run and starts a worker process for it
(tracker.reports.runs.spawn_worker, ``python -m tracker.reports.worker``), then waits a few seconds for that
process to end, so a short report downloads at once and a long one goes to the archive page, which shows its
progress and refreshes itself while something is being built. The memory a report takes is the worker's and
goes back to the system when it ends. ``TRACKER_REPORT_RUNNER = "thread"`` builds on a thread of the web
process instead (the tests, which replace the builder in this process).
"""

from __future__ import annotations

import datetime as dt
import subprocess

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.accounts.permissions import require
from tracker.db import transaction
from tracker.agencies.models import Agency
from tracker.reports import runs, storage
from tracker.reports.data import find_agency, find_letter
from tracker.reports.models import ReportRun
from tracker.reports.policy import REPORT_POLICY_EXTENSION, find_report_policy
from tracker.reports.formats import TEMPLATE_NAME, XLSX_KINDS
from tracker.reports.vn import ReportInputError, period_between, period_from_text
from tracker.web import db
from tracker.web.clock import today
from tracker.web.forms import Form as FlaskForm
from tracker.web.pagination import paginate
from tracker.web.params import read_date

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: how long the form's POST waits for the report before sending the person to the archive page
DEFAULT_WAIT_SECONDS = 8.0


@bp.record_once
def _load_policy(state) -> None:
    # Validated at start: a mistake in workflows/reports.toml stops the app with the file, line and key.
    app = state.app
    app.extensions[REPORT_POLICY_EXTENSION] = find_report_policy(app.extensions["tracker.settings"].instance_path)


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


class ReportForm(FlaskForm):
    """Which report, over which range, in which format."""

    kind = SelectField("Loại báo cáo", choices=_choices(runs.KINDS.items()))
    period = StringField("Kỳ báo cáo", description="2019 (năm), 2019-Q3 (quý), 2019-09 (tháng), 2019-W38 (tuần)")
    start = StringField("Từ ngày", description="dd/mm/yyyy")
    end = StringField("Đến ngày", description="dd/mm/yyyy")
    agency = SelectField("Cơ quan (báo cáo theo cơ quan)", choices=[], validate_choice=False)
    letter = StringField("Văn bản (báo cáo theo văn bản)", description="mã văn bản hoặc số đến/năm, ví dụ 913/2019")
    file_format = SelectField("Định dạng", choices=_choices(runs.FORMATS.items()))


def _day(field) -> dt.date | None:
    text = (field.data or "").strip()
    day, ok = read_date(text, ("%d/%m/%Y",))
    if not ok:
        field.errors.append(f"Ngày “{text[:40]}” không hợp lệ; hãy ghi theo dạng dd/mm/yyyy, ví dụ 30/09/2019 "
                            "(từ năm 1900 đến 2100).")
    return day


def _checked(form: ReportForm) -> runs.Request | None:
    """The request the form describes, or None with messages beside the wrong fields."""
    kind, file_format = form.kind.data, form.file_format.data
    if kind not in runs.KINDS:
        form.kind.errors.append("Hãy chọn một loại báo cáo.")
        return None
    if file_format == "xlsx" and kind not in XLSX_KINDS:
        form.file_format.errors.append("Chỉ báo cáo tổng hợp, sổ đăng ký và sổ theo dõi giải quyết văn bản đến "
                                       "xuất được ra Excel.")
        return None
    if kind == "letter":
        try:
            letter = find_letter(db(), (form.letter.data or "").strip() or "?")
        except ReportInputError as exc:
            form.letter.errors.append(str(exc))
            return None
        return runs.Request("letter", letter_id=letter.id, file_format=file_format)
    period = None
    start, end, text = _day(form.start), _day(form.end), (form.period.data or "").strip()
    if form.start.errors or form.end.errors:
        return None
    if text and (start or end):
        form.period.errors.append("Hãy chọn kỳ báo cáo hoặc khoảng ngày, không chọn cả hai.")
        return None
    try:
        if text:
            period = period_from_text(text)
        elif start and end:
            period = period_between(start, end)
        elif start or end:
            (form.end if start else form.start).errors.append("Cần cả ngày bắt đầu và ngày kết thúc.")
            return None
        else:
            form.period.errors.append("Hãy ghi kỳ báo cáo hoặc chọn khoảng ngày.")
            return None
    except ReportInputError as exc:
        (form.period if text else form.end).errors.append(str(exc))
        return None
    agency_code = None
    if kind == "agency":
        try:
            agency_code = find_agency(db(), form.agency.data or "").code
        except ReportInputError:
            form.agency.errors.append("Hãy chọn cơ quan.")
            return None
    return runs.Request(kind, period=period, agency_code=agency_code, file_format=file_format)


def _template():
    from tracker.resources import find_file

    return find_file("templates", TEMPLATE_NAME, current_app.extensions["tracker.settings"].instance_path)


@bp.route("/", methods=["GET", "POST"])
@login_required
def new():
    """The form: choose a report and its range; a valid POST builds it and downloads it (or archives it)."""
    require(current_user, "report.make")
    form = ReportForm()
    agencies = db().scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    form.agency.choices = _choices([("", "— Chọn cơ quan —")] + [(a.code, a.name) for a in agencies])
    if form.validate_on_submit():
        checked = _checked(form)
        if checked is not None:
            return _compile(checked)
    status = 400 if form.is_submitted() else 200
    return render_template("reports/new.html", form=form), status


def _compile(checked: runs.Request):
    """Queue a run, have it built outside this request, wait a few seconds: download it, or go to the archive."""
    session = db()
    run = runs.create_run(session, checked, user_id=current_user.id)
    session.commit()
    extensions = current_app.extensions
    wait = float(current_app.config.get("TRACKER_REPORT_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))
    if current_app.config.get("TRACKER_REPORT_RUNNER", "subprocess") == "thread":
        thread = runs.start_in_background(
            extensions["tracker.write_sessions"], extensions["tracker.read_sessions"],
            extensions["tracker.settings"].instance_path, run.id, today(), _template())
        thread.join(wait)
        ended = not thread.is_alive()
    else:
        process = runs.spawn_worker(extensions["tracker.write_sessions"], extensions["tracker.settings"], run.id,
                                    today(), _template())
        ended = process is None or _ended(process, wait)
        if process is not None and ended:
            # a worker that ended without finishing its run died (killed, out of memory): say so now
            runs.fail_unfinished(extensions["tracker.write_sessions"], run.id, runs.WORKER_DIED)
    if ended:
        with extensions["tracker.read_sessions"]() as read:
            finished = read.get(ReportRun, run.id)
            if finished.state == "done":
                return redirect(url_for("reports.download", run_id=run.id), code=303)
            if finished.state == "failed":
                flash(finished.error or "Lập báo cáo không thành công.", "error")
                return redirect(url_for("reports.archive"), code=303)
    flash("Báo cáo đang được lập; trang lưu trữ cho biết tiến độ và có liên kết tải về khi xong.", "info")
    return redirect(url_for("reports.archive"), code=303)


def _ended(process, seconds: float) -> bool:
    """Whether the worker process ended within ``seconds`` (it is not stopped when it did not)."""
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


@bp.route("/archive")
@login_required
def archive():
    """Past runs, newest first, with their state; the page refreshes itself while one is being built.

    Runs whose heartbeat stopped (the server restarted while building them) are marked interrupted first.
    """
    require(current_user, "report.make")
    session = db()
    if _close_interrupted_runs():
        session.commit()  # end this request's read transaction, whose snapshot predates the change
    page = paginate(session, select(ReportRun).options(selectinload(ReportRun.requested_by))
                    .order_by(ReportRun.created_at.desc(), ReportRun.id.desc()), default_per_page=50)
    busy = any(run.state in ("queued", "running") for run in page.items)
    return render_template("reports/archive.html", items=page.items, page=page, busy=busy, kinds=runs.KINDS,
                           states=runs.STATE_LABELS, describe=runs.describe)


def _close_interrupted_runs() -> bool:
    """Mark interrupted runs failed, in a write transaction of its own and only when there are some: the page
    is a GET, and a busy database (a heartbeat being written) must not turn it into an error. True when some
    were marked."""
    sessions = current_app.extensions["tracker.write_sessions"]
    try:
        with sessions() as session:
            if not runs.has_stale_runs(session):
                return False
        with transaction(sessions) as session:
            return runs.abandon_stale_runs(session) > 0
    except OperationalError:
        current_app.logger.warning("interrupted report runs not closed now (database busy)", exc_info=True)
        return False


@bp.route("/runs/<int:run_id>/again", methods=["POST"])
@login_required
def again(run_id: int):
    """Compile a past run's report again with the same parameters (after a failure or an interruption)."""
    require(current_user, "report.make")
    run = db().get(ReportRun, run_id)
    if run is None:
        abort(404)
    try:
        checked = runs.request_of(run)
        if checked.kind == "letter":
            find_letter(db(), checked.letter_id)
        if checked.kind == "agency":
            find_agency(db(), checked.agency_code or "")
    except (ReportInputError, KeyError, ValueError) as exc:
        flash(str(exc) if isinstance(exc, ReportInputError) else "Không lập lại được báo cáo này.", "error")
        return redirect(url_for("reports.archive"), code=303)
    return _compile(checked)


@bp.route("/runs/<int:run_id>/download")
@login_required
def download(run_id: int):
    """The file of a finished run."""
    require(current_user, "report.make")
    run = db().get(ReportRun, run_id)
    if run is None or run.state != "done" or not run.file_hash:
        abort(404)
    try:
        path = storage.stored_path(current_app.extensions["tracker.settings"].instance_path, run.file_hash,
                                   run.file_format)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=runs.MEDIA_TYPES[run.file_format], as_attachment=True,
                     download_name=run.file_name or runs.file_name(run))
