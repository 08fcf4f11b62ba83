"""A clerk registers a letter from a file in a real browser, edits a task row and confirms."""

from __future__ import annotations

import pytest

from tests.browser.test_sign_in import sign_in
from tests.intake.letters import KIEN_GIANG
from tests.intake.test_registration import catalog  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_clerk_registers_a_letter_from_a_file_and_edits_a_row(page, cast, catalog, sessions, tmp_path):  # noqa: F811
    from sqlalchemy import select

    from tracker.intake.models import Letter

    sign_in(page, "clerk")
    page.get_by_role("link", name="Vào sổ văn bản").first.click()
    upload = tmp_path / "871-VP-VHXH.txt"
    upload.write_bytes(KIEN_GIANG.read_bytes())
    page.get_by_label("Tệp văn bản").set_input_files(str(upload))
    page.get_by_role("button", name="Đọc văn bản").click()
    page.get_by_role("heading", name="Kiểm tra thông tin và vào sổ").wait_for()
    assert page.get_by_label("Số, ký hiệu").input_value() == "871/VP-VHXH"

    # Change the first row's deadline and role, then add a row by hand with the keyboard.
    page.get_by_label("Hạn xử lý dòng 1").fill("15/10/2019")
    page.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    rows = page.locator("tr.task-row")
    last = rows.count()
    page.get_by_label(f"Cơ quan dòng {last}").fill("Sở Tài chính")
    page.get_by_label(f"Vai trò dòng {last}").select_option("cooperate")
    page.get_by_label(f"Nội dung dòng {last}").fill("Bố trí kinh phí thực hiện")
    page.get_by_role("button", name="Vào sổ").click()

    page.get_by_text("Đã vào sổ văn bản đến số 1/").wait_for()
    page.screenshot(path=str(tmp_path / "registered.png"), full_page=True)
    with sessions() as s:
        letter = s.scalar(select(Letter).where(Letter.number == "871/VP-VHXH"))
        summary = sorted((t.agency.name, t.role, t.deadline.isoformat() if t.deadline else None) for t in letter.tasks)
    assert ("Sở Lao động - Thương binh và Xã hội", "lead", "2019-10-15") in summary
    assert ("Sở Tài chính", "cooperate", None) in summary
