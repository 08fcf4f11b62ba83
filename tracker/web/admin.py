"""Administration: users, the agency catalog, and how the letter reader's proposals fare with the clerks."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from tracker.web.forms import Form as FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tracker.accounts.models import ROLE_LABELS, Role, User
from tracker.accounts.operations import AccountError, create_user, set_active
from tracker.accounts.permissions import require
from tracker.agencies.catalog import CatalogError, parse_catalog
from tracker.agencies.models import AGENCY_KIND_LABELS, Agency
from tracker.agencies.operations import import_catalog, refresh_search_text
from tracker.intake.proposal_record import monthly_figures, months_back, total_of, years_recorded
from tracker.text import fold
from tracker.web import db
from tracker.web.clock import today
from tracker.web.pagination import paginate, sort_arg
from tracker.web.params import int_or_none

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: a plain shape check; delivery is what really validates an address
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


def _agency_choices():
    agencies = db().scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return _choices([("", "— Không —")] + [(str(a.id), a.name) for a in agencies])


class UserForm(FlaskForm):
    """A new user."""

    username = StringField("Tên đăng nhập", validators=[DataRequired("Bắt buộc."), Length(max=80)])
    full_name = StringField("Họ và tên", validators=[DataRequired("Bắt buộc."), Length(max=160)])
    email = EmailField("Thư điện tử", validators=[Optional(), Regexp(EMAIL_PATTERN, message="Địa chỉ thư không hợp lệ."),
                                                      Length(max=254)])
    role = SelectField("Vai trò", choices=_choices((r.value, ROLE_LABELS[r]) for r in Role))
    agency_id = SelectField("Cơ quan", choices=[], validate_choice=False)
    password = PasswordField("Mật khẩu", validators=[DataRequired("Bắt buộc."), Length(min=8, max=200,
                                                                                        message="Ít nhất 8 ký tự.")])


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    """List users and create one."""
    require(current_user, "admin.users")
    form = UserForm()
    form.agency_id.choices = _agency_choices()
    session = db()
    if form.validate_on_submit():
        agency_id = int_or_none(form.agency_id.data)
        try:
            user = create_user(session, username=form.username.data, full_name=form.full_name.data,
                               password=form.password.data, role=form.role.data, email=form.email.data,
                               agency_id=agency_id)
        except AccountError as exc:
            session.rollback()
            form.username.errors = list(form.username.errors) + [str(exc)]
        else:
            session.commit()
            flash(f"Đã tạo người dùng {user.username}.", "success")
            return redirect(url_for("admin.users"))
    sort, order = sort_arg({"username": User.username, "role": [User.role, User.username],
                            "name": User.full_name}, "username")
    page = paginate(session, select(User).order_by(*order))
    return render_template("admin/users.html", form=form, page=page, sort=sort, role_labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@login_required
def toggle_user(user_id: int):
    """Deactivate or reactivate a user (history is kept)."""
    require(current_user, "admin.users")
    session = db()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash("Không thể tự khóa tài khoản của mình.", "error")
        return redirect(url_for("admin.users"))
    set_active(user, not user.active)
    session.commit()
    flash(f"Đã {'mở khóa' if user.active else 'khóa'} tài khoản {user.username}.", "success")
    return redirect(url_for("admin.users"))


class AgencyForm(FlaskForm):
    """An agency of the catalog."""

    name = StringField("Tên đầy đủ", validators=[DataRequired("Bắt buộc."), Length(max=255)])
    short_name = StringField("Tên ngắn", validators=[Optional(), Length(max=120)])
    abbreviation = StringField("Viết tắt", validators=[Optional(), Length(max=40)])
    aliases = TextAreaField("Tên gọi khác (mỗi dòng một tên)", validators=[Optional(), Length(max=4000)])
    kind = SelectField("Loại", choices=_choices((k.value, label) for k, label in AGENCY_KIND_LABELS.items()))
    parent_id = SelectField("Trực thuộc", choices=[], validate_choice=False)
    emails = TextAreaField("Địa chỉ thư (mỗi dòng một địa chỉ)", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Đang hoạt động", default=True)


class ImportForm(FlaskForm):
    """A catalog file to import."""

    file = FileField("Tệp danh mục (.toml hoặc .csv)", validators=[FileRequired("Chọn một tệp.")])


@bp.route("/agencies")
@login_required
def agencies():
    """The catalog: search, sort, pages; import form."""
    require(current_user, "admin.agencies")
    query = select(Agency)
    q = request.args.get("q", "")
    for word in fold(q).split()[:10]:
        query = query.where(Agency.search_text.contains(word))
    sort, order = sort_arg({"name": Agency.name, "kind": [Agency.kind, Agency.name]}, "name")
    page = paginate(db(), query.order_by(*order), default_per_page=50)
    return render_template("admin/agencies.html", page=page, sort=sort, q=q, kinds=AGENCY_KIND_LABELS,
                           import_form=ImportForm())


@bp.route("/agencies/import", methods=["POST"])
@login_required
def import_agencies():
    """Load or update agencies from an uploaded catalog file."""
    require(current_user, "admin.agencies")
    form = ImportForm()
    if not form.validate_on_submit():
        flash("Chọn một tệp danh mục .toml hoặc .csv.", "error")
        return redirect(url_for("admin.agencies"))
    upload = form.file.data
    session = db()
    try:
        result = import_catalog(session, parse_catalog(upload.read(), upload.filename or "catalog"))
    except CatalogError as exc:
        session.rollback()
        flash(f"Không nhập được danh mục: {exc}", "error")
    else:
        session.commit()
        flash(result.summary(), "success")
    return redirect(url_for("admin.agencies"))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@login_required
def edit_agency(agency_id: int | None):
    """Create or edit one agency."""
    require(current_user, "admin.agencies")
    session = db()
    agency = session.get(Agency, agency_id) if agency_id else None
    if agency_id and agency is None:
        abort(404)
    form = AgencyForm(obj=agency) if request.method == "GET" and agency else AgencyForm()
    form.parent_id.choices = [c for c in _agency_choices() if not agency or c.value != str(agency.id)]
    if request.method == "GET" and agency:
        form.aliases.data = "\n".join(agency.aliases or [])
        form.emails.data = "\n".join(agency.emails or [])
        form.parent_id.data = str(agency.parent_id or "")
    if form.validate_on_submit():
        bad = [e for e in _lines(form.emails.data) if not re.match(EMAIL_PATTERN, e)]
        if bad:
            form.emails.errors = list(form.emails.errors) + [f"Địa chỉ không hợp lệ: {', '.join(bad)}"]
        else:
            if agency is None:
                agency = Agency()
                session.add(agency)
            agency.name = form.name.data.strip()
            agency.short_name = (form.short_name.data or "").strip() or None
            agency.abbreviation = (form.abbreviation.data or "").strip() or None
            agency.aliases = _lines(form.aliases.data)
            agency.emails = _lines(form.emails.data)
            agency.kind = form.kind.data
            agency.active = form.active.data
            agency.parent_id = int_or_none(form.parent_id.data)
            refresh_search_text(agency)
            session.commit()
            flash(f"Đã lưu cơ quan {agency.name}.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


#: how many months the quality page shows when no year is picked
QUALITY_MONTHS = 24


@bp.route("/proposal-quality")
@login_required
def proposal_quality():
    """Chất lượng đề xuất: per month of registration, the letters registered from the reader's proposal and how
    many proposed tasks the clerks kept, corrected, removed or added; the last 24 months, or one year picked."""
    require(current_user, "admin.proposal_quality")
    session = db()
    years = years_recorded(session)
    year = int_or_none(request.args.get("year"), minimum=1900, maximum=2100)
    day = today()
    if year is not None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        first, last = months_back(day, QUALITY_MONTHS), day
    months = monthly_figures(session, first, last)
    return render_template("admin/proposal_quality.html", months=months, total=total_of(months), years=years,
                           year=year, first=first, last=last, recent=QUALITY_MONTHS)
