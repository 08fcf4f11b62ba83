"""Test fixtures: an app per test on a temporary instance folder, on SQLite and (CI) PostgreSQL.

TRACKER_TEST_POSTGRES=1 runs every database test a second time on a real PostgreSQL cluster that this
session creates with initdb and stops at the end; a missing server is then a failure, not a skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.security import generate_password_hash

from tracker.app import create_app
from tracker.db import make_engine, transaction
from tracker.migrate import upgrade

POSTGRES = os.environ.get("TRACKER_TEST_POSTGRES") == "1"
DATABASES = ["sqlite"] + (["postgres"] if POSTGRES else [])
PASSWORD = "mat-khau-thu-nghiem"
# The cast signs in thousands of times across the suite: its hash is scrypt with a small work factor (about 1 ms
# to check instead of 100 ms). Passwords the app itself hashes keep the production default.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL cluster, or None when PostgreSQL tests are off."""
    if not POSTGRES:
        yield None
        return
    from tests.pg import PostgresCluster

    cluster = PostgresCluster()
    cluster.start()
    try:
        engine = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE tracker_template"))
        engine.dispose()
        template = make_engine(cluster.url("tracker_template"))
        upgrade(template)
        template.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path, sqlite_template):
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        shutil.copy(sqlite_template, instance / "tracker.db")
        yield f"sqlite:///{instance / 'tracker.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE tracker_template"))
    yield cluster.url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    """A tracker app on its own instance folder and database."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    application = create_app({
        "instance_path": instance, "database_url": database_url, "secret_key": secrets.token_hex(16),
        "TESTING": True, "WTF_CSRF_ENABLED": False, "TRACKER_TODAY": "2019-09-20",
        # refused guessers are answered at once here (tests/security/test_sign_in.py checks the delay)
        "LOGIN_THROTTLED_DELAY": 0,
    })
    yield application
    # whatever the test did through the app, the overview's running counts still agree with a full count
    from tracker.tasks import tally

    try:
        with application.extensions["tracker.write_sessions"]() as session:
            problems = tally.differences(session)
    except OperationalError:  # the test removed or replaced the database itself
        problems = []
    application.extensions["tracker.engine"].dispose()
    assert problems == [], f"the running counts (tracker.tasks.tally) disagree with a full count: {problems}"


@pytest.fixture
def sessions(app):
    """The app's write-session factory, for arranging and checking data."""
    return app.extensions["tracker.write_sessions"]


@dataclass
class Cast:
    """The people and agencies of a test, so permission tests read like sentences."""

    admin: int
    clerk: int
    leader: int
    finance_officer: int
    labour_officer: int
    finance: int
    labour: int
    police: int


@pytest.fixture
def cast(sessions) -> Cast:
    """Three agencies and one user per role (two officers of different agencies)."""
    from tracker.accounts.models import User
    from tracker.agencies.models import Agency
    from tracker.agencies.operations import refresh_search_text

    with transaction(sessions) as s:
        agencies = {}
        for key, name, short, abbr in [
            ("finance", "Sở Tài chính", "Sở Tài chính", "STC"),
            ("labour", "Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH", "LĐTBXH"),
            ("police", "Công an tỉnh", "Công an tỉnh", "CA"),
        ]:
            agency = Agency(code=key, name=name, short_name=short, abbreviation=abbr, kind="department",
                            aliases=[], emails=[f"{key}@example.gov.vn"], active=True)
            refresh_search_text(agency)
            s.add(agency)
            agencies[key] = agency
        s.flush()
        users = {}
        for username, role, agency in [("admin", "admin", None), ("clerk", "clerk", None), ("leader", "leader", None),
                                       ("finance_officer", "officer", "finance"),
                                       ("labour_officer", "officer", "labour")]:
            user = User(username=username, full_name=username.replace("_", " ").title(), role=role,
                        email=f"{username}@example.gov.vn", password_hash=_PASSWORD_HASH,
                        agency_id=agencies[agency].id if agency else None, active=True,
                        session_token=secrets.token_hex(8))
            s.add(user)
            users[username] = user
        s.flush()
        return Cast(**{k: u.id for k, u in users.items()}, **{k: a.id for k, a in agencies.items()})


class Browser:
    """A test client that signs in as a member of the cast."""

    def __init__(self, app, sessions):
        self.app = app
        self.sessions = sessions
        self.client = app.test_client()

    def sign_in(self, user_id: int):
        """Sign in as ``user_id`` through the real form."""
        from tracker.accounts.models import User

        with self.sessions() as s:
            username = s.get(User, user_id).username
        response = self.client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def web(app, sessions):
    """Make browsers: ``web(cast.clerk)`` is a client signed in as the clerk."""
    def make(user_id: int | None = None) -> Browser:
        browser = Browser(app, sessions)
        return browser.sign_in(user_id) if user_id is not None else browser
    return make


@dataclass
class LetterFixture:
    """A registered letter with one task for finance (lead) and one for labour (cooperate)."""

    letter: int
    finance_task: int
    labour_task: int


@pytest.fixture
def letter(sessions, cast) -> LetterFixture:
    """The 2019 letter of the Kiên Giang example, registered with two tasks."""
    import datetime as dt

    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    with transaction(sessions) as s:
        from tracker.accounts.models import User

        clerk = s.get(User, cast.clerk)
        spec = LetterSpec(number="871/VP-VHXH", doc_type="Công văn", issuer="Văn phòng Ủy ban nhân dân tỉnh Kiên Giang",
                          place="Kiên Giang", issued_on=dt.date(2019, 2, 21),
                          subject="chỉ đạo tăng cường triển khai thực hiện việc trợ giúp xã hội",
                          recipients=["Sở Tài chính"], full_text="Giao Sở Tài chính chủ trì, phối hợp với Sở LĐTBXH")
        registered = register_letter(s, spec, [
            TaskSpec(agency_id=cast.finance, role="lead", summary="Chủ trì triển khai trợ giúp xã hội",
                     deadline=dt.date(2019, 9, 30), deadline_text="trước ngày 30/9/2019"),
            TaskSpec(agency_id=cast.labour, role="cooperate", summary="Phối hợp triển khai trợ giúp xã hội",
                     deadline=dt.date(2019, 9, 30)),
        ], actor=clerk, received_on=dt.date(2019, 2, 22))
        tasks = registered.tasks
        return LetterFixture(registered.id, tasks[0].id, tasks[1].id)
