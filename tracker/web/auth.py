"""Sign-in and sign-out."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from tracker.web.forms import Form as FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker.accounts.operations import SignInRefused, begin_sign_in, end_sessions, finish_sign_in, sign_in_wait
from tracker.web import db, read_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField("Tên đăng nhập", validators=[DataRequired("Vui lòng nhập tên đăng nhập."), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu."), Length(max=200)])
    remember = BooleanField("Ghi nhớ trong ngày làm việc")


#: a path of this site: one slash, then only the printable ASCII a URL path and query are made of
#: (no backslash, no whitespace or control character that a browser would drop and turn "/\t/x" into "//x")
_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a relative path of this site, else None: never a redirect to another host."""
    if not target or len(target) > 2000 or not _LOCAL_PATH.fullmatch(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return None
    return target


#: at most this many refused guessers are held back at once in each process, so they can never take all
#: of its threads; beyond it they are answered at once
HELD_BACK_AT_ONCE = 2
_held_back = threading.BoundedSemaphore(HELD_BACK_AT_ONCE)


def _hold_back(seconds: float) -> None:
    """Answer an attempt refused for guessing a little later (a tarpit).

    A client that guesses in a loop is answered in milliseconds otherwise, and a few of them then take
    the server's cores from everybody else (the load test: saves waited over a second). Held back, each
    makes one attempt a second; at most HELD_BACK_AT_ONCE threads of a process ever wait like this.
    """
    if seconds > 0 and _held_back.acquire(blocking=False):
        try:
            time.sleep(seconds)
        finally:
            _held_back.release()


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
            # A guesser being slowed down is refused on a read, without taking the write lock.
            with read_session() as reads:
                wait = sign_in_wait(reads, form.username.data, address=request.remote_addr)
            if wait:
                raise SignInRefused(retry_after=wait)
            # Then three steps so that no transaction is open while scrypt runs (~0.2 s): on SQLite a write
            # transaction would hold the database's only write lock and make everybody's saves wait.
            attempt = begin_sign_in(session, form.username.data, address=request.remote_addr)
            session.commit()  # the attempt is counted before its password is checked
            password_ok = attempt.password_matches(form.password.data)
            user = finish_sign_in(session, attempt, password_ok)
            session.commit()
        except SignInRefused as refused:
            session.rollback()
            error = "Tên đăng nhập hoặc mật khẩu không đúng."
            if refused.retry_after:
                error = (f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {refused.retry_after} giây.")
                _hold_back(min(refused.retry_after, current_app.config.get("LOGIN_THROTTLED_DELAY", 1.0)))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out, ending every session of the account (a copied cookie stops working too)."""
    if current_user.is_authenticated:
        session = db()
        user = session.merge(current_user._get_current_object())
        end_sessions(user)
        session.commit()
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
