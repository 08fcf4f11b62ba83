"""Signing in and out, throttling, cookies."""

from __future__ import annotations

import datetime as dt

from tests.conftest import PASSWORD


def test_clerk_signs_in_and_lands_on_the_incoming_register(web, cast):
    browser = web()
    response = browser.post("/login", data={"username": "clerk", "password": PASSWORD}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sổ đăng ký văn bản đến" in page
    assert "Đăng xuất" in page


def test_wrong_password_and_unknown_user_get_the_same_plain_message(web, cast):
    browser = web()
    wrong = browser.post("/login", data={"username": "clerk", "password": "sai-mat-khau"})
    unknown = browser.post("/login", data={"username": "nobody", "password": "sai-mat-khau"})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    # The name typed is kept in the form.
    assert 'value="clerk"' in wrong.get_data(as_text=True)


def test_repeated_failures_are_slowed_down_even_with_the_right_password(web, cast):
    browser = web()
    for _ in range(5):
        browser.post("/login", data={"username": "leader", "password": "sai-mat-khau"})
    response = browser.post("/login", data={"username": "leader", "password": PASSWORD})
    assert response.status_code == 401
    assert "thử lại sau" in response.get_data(as_text=True)


def test_throttle_expires_and_success_resets_it(app, sessions, cast):
    from tracker.accounts.operations import SignInRefused, authenticate

    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)
    with sessions() as s:
        for _ in range(5):
            try:
                authenticate(s, "leader", "wrong", now=start)
            except SignInRefused:
                pass
        s.commit()
        later = start + dt.timedelta(seconds=6)
        assert authenticate(s, "leader", PASSWORD, now=later).username == "leader"
        s.commit()


def test_missing_fields_show_errors_beside_them(web, cast):
    response = web().post("/login", data={"username": "", "password": ""})
    page = response.get_data(as_text=True)
    assert "Vui lòng nhập tên đăng nhập." in page
    assert "Vui lòng nhập mật khẩu." in page


def test_sign_out_ends_the_session(web, cast):
    browser = web(cast.clerk)
    assert browser.get("/letters/").status_code == 200
    browser.post("/logout")
    response = browser.get("/letters/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_session_cookie_is_httponly_lax_and_lasts_a_working_day(app, web, cast):
    browser = web()
    response = browser.post("/login", data={"username": "clerk", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert app.config["REMEMBER_COOKIE_DURATION"] <= dt.timedelta(hours=12)
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= dt.timedelta(hours=12)


def test_cookies_are_secure_when_served_over_https(database_url, tmp_path):
    from tracker.app import create_app

    app = create_app({"instance_path": tmp_path / "i", "database_url": database_url,
                      "base_url": "https://tracker.example.gov.vn"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    app.extensions["tracker.engine"].dispose()


def test_forms_are_protected_against_cross_site_posts(database_url, tmp_path, cast):
    from tracker.app import create_app

    app = create_app({"instance_path": tmp_path / "instance", "database_url": database_url})
    response = app.test_client().post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    app.extensions["tracker.engine"].dispose()


def test_a_password_change_signs_out_other_sessions(web, sessions, cast):
    from tracker.accounts.models import User
    from tracker.accounts.operations import set_password

    browser = web(cast.clerk)
    with sessions() as s:
        set_password(s.get(User, cast.clerk), "mat-khau-moi-123")
        s.commit()
    assert browser.get("/letters/").status_code == 302


def test_next_parameter_cannot_send_the_user_to_another_site(web, cast):
    response = web().post("/login?next=//evil.example.com/x", data={"username": "clerk", "password": PASSWORD})
    assert response.headers["Location"] in ("/", "http://localhost/")
