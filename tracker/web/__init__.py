"""Web layer: blueprints, sign-in, the per-request database session, error pages. Views stay thin."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, make_response, render_template, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracker.accounts.permissions import PermissionDenied, can
from tracker.tasks.recurrence import describe as describe_recurrence

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
csrf = CSRFProtect()

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def db() -> Session:
    """The database session of this request: write transactions for POST and the like, deferred otherwise."""
    if "db_session" not in g:
        kind = "write" if request.method in WRITE_METHODS else "read"
        g.db_session = current_app.extensions[f"tracker.{kind}_sessions"]()
    return g.db_session


def read_session() -> Session:
    """A session of its own that only reads (a deferred transaction on SQLite), for a look that must not
    take the write lock even in a POST; the caller closes it (``with read_session() as s:``)."""
    return current_app.extensions["tracker.read_sessions"]()


def workflow():
    """The task workflow the app was started with."""
    return current_app.extensions["tracker.workflow"]


@login_manager.user_loader
def _load_user(identity: str):
    from tracker.accounts.models import User

    user_id, _, token = identity.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _format_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        from zoneinfo import ZoneInfo

        local = value.astimezone(ZoneInfo(current_app.extensions["tracker.settings"].timezone))
        return local.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _format_number(value) -> str:
    """Vietnamese thousands separator: 1.234."""
    return f"{int(value):,}".replace(",", ".")


def register_web(app: Flask) -> None:
    """Attach extensions, blueprints, template helpers and error pages to ``app``."""
    from tracker.web.params import IdConverter

    # before any rule is added: every <int:...> of every blueprint is then a database id (1..2³¹−1, ASCII)
    app.url_map.converters["int"] = IdConverter
    login_manager.init_app(app)
    csrf.init_app(app)

    from tracker.web import admin, api, auth, letters, main, operations_admin, reports, tasks

    for module in (auth, main, letters, tasks, admin, api, operations_admin, reports):
        app.register_blueprint(module.bp)

    app.jinja_env.filters["vndate"] = _format_date
    app.jinja_env.filters["vnnumber"] = _format_number
    app.jinja_env.filters["vnpercent"] = lambda v: "—" if v is None else f"{v:.1f}".replace(".", ",") + "%"
    app.jinja_env.filters["weekday"] = lambda d: WEEKDAYS[d.weekday()] if d else ""
    app.jinja_env.filters["recurrence_words"] = describe_recurrence
    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)
    app.jinja_env.globals["workflow"] = workflow
    app.jinja_env.globals["url_rules"] = app.view_functions
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
        if request.endpoint != "static":
            # Pages show a person's tasks and letters: no browser or proxy may keep a copy (a shared
            # computer's back button after sign-out, a caching proxy of the office).
            response.headers["Cache-Control"] = "no-store"
        return response

    def _error(status: int, title: str, message: str):
        if request.path.startswith("/api/"):
            return {"error": {"status": status, "message": message}}, status
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(PermissionDenied)
    def _forbidden(exc):
        return _error(403, "Không có quyền truy cập", exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error(400, "Phiên làm việc đã hết hạn",
                      "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        limit = app.extensions["tracker.settings"].max_upload_bytes // (1024 * 1024)
        return _error(413, "Tệp quá lớn", f"Tệp tải lên vượt quá giới hạn {limit} MB.")

    messages = {
        400: ("Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ. Vui lòng kiểm tra lại."),
        403: ("Không có quyền truy cập", "Bạn không có quyền xem trang này."),
        404: ("Không tìm thấy", "Trang hoặc dữ liệu bạn tìm không tồn tại hoặc đã bị xóa."),
        405: ("Thao tác không được hỗ trợ", "Thao tác này không được hỗ trợ tại địa chỉ này."),
        500: ("Lỗi hệ thống", "Đã xảy ra lỗi ngoài dự kiến. Dữ liệu của bạn chưa bị thay đổi; vui lòng thử lại sau."),
    }

    @app.errorhandler(HTTPException)
    def _http(exc):
        title, message = messages.get(exc.code, (exc.name, exc.description))
        response = make_response(_error(exc.code, title, message))
        # keep what the exception says in headers: Allow on a 405, Retry-After, WWW-Authenticate
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        title, message = messages[500]
        return _error(500, title, message)

    @app.before_request
    def _refuse_nul():
        # NUL is in no text a person types, and PostgreSQL's text columns cannot hold it (psycopg raises
        # DataError). In a query it is noise (a pasted search, a mangled link): the page is shown without it.
        # Anywhere else the request is refused whole, before a view stores or looks it up.
        from werkzeug.datastructures import ImmutableMultiDict

        from tracker.web.params import contains_nul

        if contains_nul(request.args.to_dict(flat=False)):
            request.args = ImmutableMultiDict([(name.replace("\x00", ""), value.replace("\x00", ""))
                                               for name, value in request.args.items(multi=True)])
        sent = [request.path]
        if request.method in WRITE_METHODS:
            sent += [request.form.to_dict(flat=False), [f.filename for f in request.files.values()],
                     request.get_json(silent=True)]
        if contains_nul(sent):
            return _error(400, messages[400][0], "Dữ liệu gửi lên có ký tự không hợp lệ (NUL). Vui lòng kiểm tra lại.")
        return None
