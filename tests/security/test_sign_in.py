"""Sign-in as an attacker tries it: guessing in parallel, copying cookies, bending the redirect."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD


def test_no_write_lock_is_held_while_a_password_is_hashed(tmp_path, monkeypatch):
    """While scrypt runs (0.2 s), another writer of the SQLite database must get the write lock at once.

    Before, every sign-in hashed inside a write transaction, so guessers made officers' saves wait.
    """
    from tracker import accounts
    from tracker.app import create_app
    from tracker.migrate import upgrade

    database = tmp_path / "instance" / "tracker.db"
    app = create_app({"instance_path": tmp_path / "instance", "database_url": f"sqlite:///{database}",
                      "TESTING": True, "WTF_CSRF_ENABLED": False})
    upgrade(app.extensions["tracker.engine"])
    from tracker.db import transaction

    with transaction(app.extensions["tracker.write_sessions"]) as s:
        accounts.operations.create_user(s, username="vanthu", full_name="Văn thư", password=PASSWORD, role="clerk")
    outcomes = []
    real = accounts.operations.check_password_hash

    def hash_while_someone_writes(stored, password):
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            outcomes.append("written")
        except sqlite3.OperationalError as exc:
            outcomes.append(str(exc))
        finally:
            other.close()
        return real(stored, password)

    monkeypatch.setattr(accounts.operations, "check_password_hash", hash_while_someone_writes)
    client = app.test_client()
    assert client.post("/login", data={"username": "vanthu", "password": "sai-mat-khau"}).status_code == 401
    assert client.post("/login", data={"username": "vanthu", "password": PASSWORD}).status_code == 302
    assert outcomes == ["written", "written"]
    app.extensions["tracker.engine"].dispose()


def test_thirty_simultaneous_guesses_check_only_the_allowed_five(app, sessions, cast):
    from tracker.accounts.operations import FREE_FAILURES, SignInRefused, begin_sign_in

    barrier = threading.Barrier(30)
    checked, refused, errors = [], [], []

    def guess():
        session = sessions()
        try:
            barrier.wait()
            begin_sign_in(session, "leader", address="203.0.113.7")
            session.commit()
            checked.append(1)
        except SignInRefused:
            session.rollback()
            refused.append(1)
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug this test is about
            session.rollback()
            errors.append(repr(exc))
        finally:
            session.close()

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(checked) == FREE_FAILURES and len(refused) == 30 - FREE_FAILURES


def test_one_address_guessing_many_names_is_slowed_down(web, cast):
    from tracker.accounts.operations import FREE_FAILURES_PER_ADDRESS

    browser = web()
    attacker = {"REMOTE_ADDR": "198.51.100.23"}
    for number in range(FREE_FAILURES_PER_ADDRESS):
        response = browser.post("/login", data={"username": f"ten-{number}", "password": "sai"},
                                environ_base=attacker)
        assert "thử lại sau" not in response.get_data(as_text=True)
    blocked = browser.post("/login", data={"username": "clerk", "password": PASSWORD}, environ_base=attacker)
    assert blocked.status_code == 401 and "thử lại sau" in blocked.get_data(as_text=True)
    # another computer of the office is not blocked
    other = web().post("/login", data={"username": "clerk", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "198.51.100.24"})
    assert other.status_code == 302


def test_people_signing_in_successfully_never_block_their_shared_address(web, cast):
    from tracker.accounts.operations import FREE_FAILURES_PER_ADDRESS

    office = {"REMOTE_ADDR": "192.0.2.10"}
    for _ in range(FREE_FAILURES_PER_ADDRESS + 5):
        response = web().post("/login", data={"username": "clerk", "password": PASSWORD}, environ_base=office)
        assert response.status_code == 302


def _cookie(browser, name):
    cookie = browser.client.get_cookie(name)
    return cookie.value if cookie is not None else None


@pytest.mark.parametrize("copied", ["session", "remember_token"])
def test_a_copied_cookie_stops_working_after_sign_out(web, cast, copied):
    victim = web()
    assert victim.post("/login", data={"username": "clerk", "password": PASSWORD, "remember": "y"}).status_code == 302
    thief = web()
    thief.client.set_cookie(copied, _cookie(victim, copied))
    assert thief.get("/letters/").status_code == 200  # the copy works while the victim is signed in
    victim.post("/logout")
    fresh = web()
    fresh.client.set_cookie(copied, _cookie(thief, copied) or "")
    response = fresh.get("/letters/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_locking_an_account_ends_its_sessions_at_once(web, cast):
    from flask import url_for

    with web().app.test_request_context():
        own_tasks = url_for("tasks.my_agency")
    officer = web(cast.finance_officer)
    assert officer.get(own_tasks).status_code == 200
    admin = web(cast.admin)
    assert admin.post(f"/admin/users/{cast.finance_officer}/active").status_code == 302
    assert officer.get(own_tasks).status_code == 302


@pytest.mark.parametrize("target", ["/%09/evil.example/x", "/%0d%0aSet-Cookie:%20x=1", "//evil.example/x",
                                    "/\\evil.example", "https://evil.example/", "/%5Cevil.example",
                                    "/%20/evil.example"])
def test_sign_in_never_redirects_to_another_site(web, cast, target):
    response = web().post(f"/login?next={target}", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/"), location


def test_sign_in_keeps_a_local_next_page(web, cast):
    response = web().post("/login?next=/tasks/%3Fstatus%3Doverdue", data={"username": "clerk", "password": PASSWORD})
    assert response.headers["Location"].endswith("/tasks/?status=overdue")


def test_signed_in_pages_are_never_cached_and_a_wrong_method_says_what_is_allowed(web, cast):
    browser = web(cast.clerk)
    assert browser.get("/letters/").headers["Cache-Control"] == "no-store"
    wrong = browser.put("/letters/")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    api = browser.delete("/api/openapi.json")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]


def test_a_successful_sign_in_forgets_the_names_failures(app, sessions, cast):
    from tracker.accounts.models import LoginThrottle
    from tracker.accounts.operations import authenticate, SignInRefused

    with sessions() as s:
        for _ in range(3):
            with pytest.raises(SignInRefused):
                authenticate(s, "leader", "sai", address="192.0.2.1")
        assert authenticate(s, "leader", PASSWORD, address="192.0.2.1").username == "leader"
        s.commit()
        rows = {row.key: row.failures for row in s.scalars(select(LoginThrottle))}
    assert "user:leader" not in rows and rows["addr:192.0.2.1"] == 3


def test_behind_the_offices_proxy_each_client_address_is_counted_apart(database_url, tmp_path, cast):
    """With TRACKER_PROXY_COUNT=1 the throttle counts the address the proxy saw, not the proxy's own."""
    from tracker.accounts.operations import FREE_FAILURES_PER_ADDRESS
    from tracker.app import create_app

    app = create_app({"instance_path": tmp_path / "instance", "database_url": database_url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "proxy_count": 1})
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(FREE_FAILURES_PER_ADDRESS):
        client.post("/login", data={"username": f"ten-{number}", "password": "sai"}, environ_base=proxy,
                    headers={"X-Forwarded-For": "203.0.113.50"})
    blocked = client.post("/login", data={"username": "clerk", "password": PASSWORD}, environ_base=proxy,
                          headers={"X-Forwarded-For": "203.0.113.50"})
    assert "thử lại sau" in blocked.get_data(as_text=True)
    colleague = client.post("/login", data={"username": "clerk", "password": PASSWORD}, environ_base=proxy,
                            headers={"X-Forwarded-For": "203.0.113.51"})
    assert colleague.status_code == 302
    app.extensions["tracker.engine"].dispose()


def test_a_guesser_being_slowed_down_is_answered_a_second_later_and_never_holds_many_threads(app, web, cast,
                                                                                                monkeypatch):
    from tracker.accounts.operations import FREE_FAILURES
    from tracker.web import auth

    app.config["LOGIN_THROTTLED_DELAY"] = 1.0  # the default outside tests
    held = []
    monkeypatch.setattr(auth.time, "sleep", held.append)
    browser = web()
    for _ in range(FREE_FAILURES):
        browser.post("/login", data={"username": "leader", "password": "sai"})
    assert held == []  # plain mistakes are answered at once
    browser.post("/login", data={"username": "leader", "password": "sai"})
    assert held == [1.0]
    # when the allowed number of held-back answers are already waiting, the next is answered at once
    for _ in range(auth.HELD_BACK_AT_ONCE):
        auth._held_back.acquire()
    try:
        browser.post("/login", data={"username": "leader", "password": "sai"})
    finally:
        for _ in range(auth.HELD_BACK_AT_ONCE):
            auth._held_back.release()
    assert held == [1.0]
