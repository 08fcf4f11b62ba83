"""On the review page a clerk clicks a proposed task and sees the passage of the letter it was read from."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_sign_in import sign_in
from tests.intake.letters import THAI_NGUYEN
from tests.intake.test_registration import catalog  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

#: set to a folder to keep the review page's screenshots (desktop and phone width) there
SHOTS = os.environ.get("TRACKER_SCREENSHOTS")


def _in_view(inner, outer) -> bool:
    a, b = inner.bounding_box(), outer.bounding_box()
    return a is not None and b is not None and a["y"] >= b["y"] - 1 and a["y"] + min(a["height"], 40) <= b["y"] + b["height"] + 1


def test_clicking_a_task_highlights_its_passage_in_the_letter(app, page, cast, catalog, tmp_path):  # noqa: F811
    app.config["TRACKER_TODAY"] = "2022-08-20"
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_in(page, "clerk")
    page.goto("/letters/new")
    page.get_by_label("Hoặc dán nội dung văn bản").fill(THAI_NGUYEN.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Đọc văn bản").click()
    page.get_by_role("heading", name="Kiểm tra thông tin và vào sổ").wait_for()
    panel = page.locator("#letter-text .fulltext")
    current = page.locator("mark.src.is-current")
    assert current.count() == 0  # nothing is coloured before the clerk picks a task

    # the last proposed row (for the districts) was read from the closing paragraph; clicking it colours that
    # paragraph, as the letter has it (UBND, not the "Ủy ban nhân dân" the reader wrote out), scrolled into view
    page.get_by_label("Nội dung dòng 20", exact=True).click()
    assert "Chỉ đạo UBND các xã, phường, thị trấn bố trí kinh phí" in current.first.inner_text()
    assert _in_view(current.first, panel)
    assert "Dòng 20: đoạn nguồn được tô màu." in page.locator(".source-status").inner_text()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "confirm-1280.png"), full_page=False)

    # with the keyboard: Tab into the first row's fields moves the colour to its passage
    page.get_by_label("Cơ quan dòng 1", exact=True).focus()
    page.keyboard.press("Tab")
    assert "Kiểm tra, hướng dẫn UBND các huyện, thành phố" in current.first.inner_text()
    assert "Chỉ đạo UBND các xã" not in " ".join(current.all_inner_texts())
    assert _in_view(current.first, panel)

    # on a phone the text is held at the bottom of the screen under the rows; the row's link shows its passage
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("link", name="Xem đoạn nguồn dòng 18").click()
    assert "Tích cực, chủ động triển khai thực hiện chính sách hỗ trợ tiền thuê nhà" in current.first.inner_text()
    assert _in_view(current.first, panel) and current.first.is_visible()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "confirm-375.png"), full_page=False)
