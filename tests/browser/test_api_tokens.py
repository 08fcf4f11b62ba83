"""In a real browser the admin creates an API token, and revoking it asks for confirmation first."""

from __future__ import annotations

import pytest

from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser


def test_the_admin_creates_a_token_and_confirms_before_revoking(page, cast, app):
    sign_in(page, "admin")
    page.get_by_role("link", name="Mã truy cập API").click()
    page.get_by_role("heading", level=1, name="Mã truy cập API").wait_for()
    page.get_by_label("Tên hệ thống tích hợp").fill("e-office")
    page.get_by_label("Tài khoản sử dụng").select_option(label="leader — Leader (Lãnh đạo)")
    assert page.get_by_label("Quyền").input_value() == "read"
    page.get_by_role("button", name="Tạo mã").click()
    secret = page.get_by_label("Mã truy cập", exact=True).input_value()
    assert secret.startswith("trk_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/tasks", headers=headers).status_code == 200

    # the first time the admin changes their mind: nothing is sent and the button still works
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="Thu hồi mã “e-office”").click()
    assert questions == ["Thu hồi mã truy cập “e-office”? Hệ thống dùng mã này sẽ không truy cập được nữa "
                         "và không thể hoàn tác."]
    assert client.get("/api/tasks", headers=headers).status_code == 200
    assert page.get_by_role("button", name="Thu hồi mã “e-office”").is_enabled()

    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Thu hồi mã “e-office”").click()
    page.get_by_role("status").filter(has_text="Đã thu hồi mã truy cập “e-office”").wait_for()
    assert page.get_by_role("cell", name="Đã thu hồi").first.is_visible()
    assert client.get("/api/tasks", headers=headers).status_code == 401
