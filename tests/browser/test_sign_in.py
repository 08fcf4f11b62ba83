"""A real browser signs in as each role and sees its home page."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, username: str) -> None:
    """Fill the sign-in form with the keyboard and submit it."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label("Mật khẩu").press("Enter")


@pytest.mark.parametrize("username, heading", [
    ("clerk", "Sổ đăng ký văn bản đến"),
    ("leader", "Tổng quan tình hình thực hiện nhiệm vụ"),
    ("finance_officer", "Nhiệm vụ của Sở Tài chính"),
    ("admin", "Người dùng"),
])
def test_each_role_signs_in_and_sees_its_home_page(page, cast, letter, username, heading):
    sign_in(page, username)
    page.get_by_role("heading", level=1, name=heading).wait_for()
    assert page.get_by_role("button", name="Đăng xuất").is_visible()


def test_wrong_password_shows_a_plain_message(page, cast):
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("clerk")
    page.get_by_label("Mật khẩu").fill("sai")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
