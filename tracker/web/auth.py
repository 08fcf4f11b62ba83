"""Sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from tracker.web.forms import Form as FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker.accounts.operations import SignInRefused, authenticate
from tracker.web import db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField("Tên đăng nhập", validators=[DataRequired("Vui lòng nhập tên đăng nhập."), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu."), Length(max=200)])
    remember = BooleanField("Ghi nhớ trong ngày làm việc")


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: never redirect to another host after sign-in.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        session = db()
        try:
            user = authenticate(session, form.username.data, form.password.data)
        except SignInRefused as refused:
            session.commit()  # keep the failure count
            error = "Tên đăng nhập hoặc mật khẩu không đúng."
            if refused.retry_after:
                error = (f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {refused.retry_after} giây.")
        else:
            session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
