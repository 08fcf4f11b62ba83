"""The Flask application factory. No side effects beyond reading settings: no tables created, no scheduler."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

from tracker.config import Settings, load_settings
from tracker.db import import_models, make_engine, read_only, session_factory
from tracker.resources import find_file, search_path
from tracker.tasks.tally import keep_current as keep_figures_current
from tracker.tasks.workflow import load_workflow


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application from the instance folder, the environment and ``config`` (tests)."""
    settings = load_settings(config)
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=True,
                static_folder="static", template_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.uses_https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.uses_https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_DURATION=dt.timedelta(hours=settings.session_hours),
        WTF_CSRF_TIME_LIMIT=settings.session_hours * 3600,
        JSON_AS_ASCII=False,
    )
    app.config.update(settings.extra)
    app.extensions["tracker.settings"] = settings
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # the client's address (sign-in throttling) and scheme as the office's proxy saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)

    import_models()
    engine = make_engine(settings.database_url)
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.write_sessions"] = session_factory(engine)
    # every write keeps the overview's running counts current (tracker.tasks.tally)
    keep_figures_current(app.extensions["tracker.write_sessions"])
    app.extensions["tracker.read_sessions"] = session_factory(read_only(engine))
    app.extensions["tracker.workflow"] = load_workflow(find_file("workflows", "tasks.toml", settings.instance_path))

    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(p)) for p in search_path("templates", settings.instance_path)])

    from tracker.web import register_web

    register_web(app)
    return app


def settings_of(app: Flask) -> Settings:
    """The typed settings the app was built with."""
    return app.extensions["tracker.settings"]


def files_dir(app: Flask) -> Path:
    """Where uploaded originals are stored."""
    return settings_of(app).instance_path / "files"
