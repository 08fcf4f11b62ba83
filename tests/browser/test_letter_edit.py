"""A real browser: the clerk corrects a letter's header from the letter page and sees the change on its history."""

from __future__ import annotations

import pytest

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def test_clerk_corrects_the_number_and_the_issue_date(page, cast, letter):
    sign_in(page, "clerk")
    page.get_by_role("heading", level=1, name="Sổ đăng ký văn bản đến").wait_for()
    page.goto(f"/letters/{letter.letter}")
    page.get_by_role("link", name="Sửa thông tin văn bản").click()
    page.get_by_label("Số, ký hiệu", exact=True).fill("872/VP-VHXH")
    page.get_by_label("Ngày văn bản", exact=True).fill("20/02/2019")
    page.get_by_label("Lý do sửa (không bắt buộc)").fill("Sửa theo bản giấy")
    page.get_by_role("button", name="Lưu thay đổi").click()
    assert page.locator(".flash").first.inner_text() == "Đã lưu 2 thay đổi của văn bản."
    assert "872/VP-VHXH" in page.get_by_role("heading", level=1).inner_text()
    history = page.locator("section.history").inner_text()
    assert "Số, ký hiệu: 871/VP-VHXH → 872/VP-VHXH" in history
    assert "Ngày văn bản: 21/02/2019 → 20/02/2019" in history
    assert "Sửa theo bản giấy" in history
    # the add-task link leads to the task form of this letter
    page.get_by_role("link", name="+ Thêm nhiệm vụ").click()
    assert page.url.endswith(f"/tasks/new?letter={letter.letter}")
