"""A real browser walks the issue's path: progress, result, return with a reason, resubmission, acceptance;
then an extension requested, approved, the deadline moved and both deadlines in the history."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def sign_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").wait_for()


def open_task(page, summary: str) -> None:
    page.get_by_role("link", name=summary).click()
    page.get_by_role("heading", level=2, name="Lịch sử").wait_for()


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def test_report_return_resubmit_accept(page, cast, letter):
    # the officer of Sở Tài chính reports progress, then the result
    sign_in(page, "finance_officer")
    page.get_by_role("heading", level=1, name="Nhiệm vụ của Sở Tài chính").wait_for()
    open_task(page, "Chủ trì triển khai trợ giúp xã hội")
    page.get_by_label("Tiến độ (%)", exact=True).fill("60")
    page.get_by_label("Ghi chú tiến độ").fill("Đã tổng hợp số liệu của 15 huyện")
    page.get_by_role("button", name="Cập nhật tiến độ").click()
    assert flash(page) == "Đã cập nhật tiến độ."
    assert "60%" in page.locator("dl.facts").inner_text()
    page.get_by_label("Nội dung báo cáo kết quả").fill("Đã chi trả trợ cấp cho 1.204 đối tượng")
    page.get_by_role("button", name="Báo cáo kết quả", exact=True).click()
    assert flash(page) == "Đã thực hiện: Báo cáo kết quả."
    assert "Đã báo cáo kết quả" in page.locator(".head-badges").inner_text()
    sign_out(page)

    # the leader returns it with a reason; without one, the form says so and keeps nothing half-saved
    sign_in(page, "leader")
    page.goto(f"/tasks/{letter.finance_task}")
    page.get_by_role("button", name="Trả lại", exact=True).click()
    assert page.get_by_role("alert").inner_text() == "Vui lòng sửa các mục được đánh dấu."
    assert "Vui lòng nhập ý kiến hoặc lý do." in page.locator("#buoc-return").inner_text()
    page.get_by_label("Ý kiến, lý do (trả lại)").fill("Thiếu danh sách đối tượng theo từng huyện")
    page.get_by_role("button", name="Trả lại", exact=True).click()
    assert flash(page) == "Đã thực hiện: Trả lại."
    assert "Trả lại" in page.locator(".head-badges").inner_text()
    sign_out(page)

    # the officer sees the reason and reports again
    sign_in(page, "finance_officer")
    page.goto(f"/tasks/{letter.finance_task}")
    assert "Thiếu danh sách đối tượng theo từng huyện" in page.locator(".timeline").inner_text()
    result = page.get_by_label("Nội dung báo cáo kết quả")
    assert result.input_value() == "Đã chi trả trợ cấp cho 1.204 đối tượng"  # the last report, to complete
    result.fill("Đã chi trả trợ cấp cho 1.204 đối tượng; kèm danh sách theo từng huyện")
    page.get_by_role("button", name="Báo cáo kết quả", exact=True).click()
    assert flash(page) == "Đã thực hiện: Báo cáo kết quả."
    sign_out(page)

    # the leader accepts
    sign_in(page, "leader")
    page.goto(f"/tasks/{letter.finance_task}")
    page.get_by_role("button", name="Chấp nhận kết quả").click()
    assert flash(page) == "Đã thực hiện: Chấp nhận kết quả."
    badges = page.locator(".head-badges").inner_text()
    assert "Hoàn thành" in badges and "Hoàn thành đúng hạn" in badges
    history = page.locator(".timeline").inner_text()
    for step in ("chấp nhận kết quả", "báo cáo kết quả", "trả lại", "cập nhật tiến độ", "giao nhiệm vụ"):
        assert step in history
    assert history.index("chấp nhận kết quả") < history.index("trả lại")  # newest first


def test_extension_requested_approved_deadline_moves_history_shows_both(page, cast, letter):
    sign_in(page, "finance_officer")
    page.goto(f"/tasks/{letter.finance_task}")
    page.locator("summary", has_text="Xin gia hạn").click()
    page.get_by_label("Đề nghị gia hạn đến ngày").fill("2019-10-15")
    page.get_by_label("Lý do xin gia hạn").fill("Chờ số liệu chi trả của các huyện")
    page.get_by_role("button", name="Gửi đề nghị gia hạn").click()
    assert flash(page) == "Đã gửi đề nghị gia hạn."
    assert "đang chờ lãnh đạo xem xét" in page.locator(".notice").inner_text()
    sign_out(page)

    sign_in(page, "leader")
    page.goto(f"/tasks/{letter.finance_task}")
    decision = page.locator(".decision")
    assert "gia hạn từ 30/09/2019 đến 15/10/2019" in decision.inner_text()
    page.get_by_label("Ý kiến của lãnh đạo về đề nghị gia hạn").fill("Đồng ý; không gia hạn thêm")
    page.get_by_role("button", name="Đồng ý gia hạn", exact=True).click()
    assert flash(page) == "Đã đồng ý gia hạn; hạn xử lý đã được cập nhật."
    facts = page.locator("dl.facts").inner_text()
    assert "Thứ Ba, 15/10/2019" in facts and re.search(r"Hạn ban đầu\s+30/09/2019", facts)
    history = page.locator(".timeline").inner_text()
    assert "Hạn xử lý: 30/09/2019 → 15/10/2019" in history
    assert "Đề nghị gia hạn từ 30/09/2019 đến 15/10/2019" in history
    assert "Chờ số liệu chi trả của các huyện" in history and "Đồng ý; không gia hạn thêm" in history
