"""A clerk uploads a two-page scan: a progress bar moves while it is read by OCR in the background, then the
review form opens with the page images beside the header fields.

Needs Chromium (TRACKER_TEST_BROWSER=1 makes it required) and Tesseract with its Vietnamese model
(TRACKER_TEST_OCR=1 makes it required).
"""

from __future__ import annotations

import os
import time

import pytest

from tests.browser.test_sign_in import sign_in
from tests.intake.scans import scan_pdf
from tests.intake.test_registration import catalog  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

#: set to a folder to keep the screenshots (progress and review, desktop and phone width) there
SHOTS = os.environ.get("TRACKER_SCREENSHOTS")

#: records every state of the progress bar in the tab's session storage (it survives the move to the review)
RECORD_BAR = """
(() => {
  const note = () => {
    const bar = document.getElementById("scan-bar");
    const status = document.getElementById("scan-status");
    if (!bar || !status) return;
    const seen = JSON.parse(sessionStorage.getItem("bar") || "[]");
    const state = `${bar.hasAttribute("value") ? bar.value : "-"}/${bar.hasAttribute("max") ? bar.max : "-"} ${status.textContent}`;
    if (seen[seen.length - 1] !== state) { seen.push(state); sessionStorage.setItem("bar", JSON.stringify(seen)); }
  };
  document.addEventListener("DOMContentLoaded", () => { note(); setInterval(note, 50); });
})();
"""


def _wait_drawn(image, timeout: float = 15) -> None:
    """Wait until the browser has drawn ``image`` (the page's CSP forbids wait_for_function's eval)."""
    started = time.monotonic()
    while not image.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() - started < timeout, "the page image was not drawn"
        time.sleep(0.1)


@pytest.fixture
def slow_ocr(monkeypatch):
    """OCR as usual, but each page's report waits a little, so that the bar is seen at every step."""
    from tracker.extraction import ocr

    read_scan = ocr.read_scan

    def slowly(data, kind, *, warnings=None, progress=None):
        def report(done, total):
            progress(done, total)
            time.sleep(1.3)
        return read_scan(data, kind, warnings=warnings, progress=report if progress else None)

    monkeypatch.setattr(ocr, "read_scan", slowly)


@pytest.fixture
def tesseract():
    from tracker.extraction import ocr

    if not ocr.ocr_available():
        if os.environ.get("TRACKER_TEST_OCR") == "1":
            pytest.fail("TRACKER_TEST_OCR=1 but tesseract with the 'vie' model is not installed")
        pytest.skip("Tesseract OCR with the Vietnamese model is not installed")


def test_a_scan_is_read_with_a_moving_bar_and_reviewed_beside_its_pages(page, cast, catalog, tesseract, slow_ocr,
                                                                       tmp_path):  # noqa: F811
    from tracker.intake import scans

    page.add_init_script(RECORD_BAR)
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_in(page, "clerk")
    page.goto("/letters/new")
    upload = tmp_path / "ban-quet-871.pdf"
    upload.write_bytes(scan_pdf())
    page.get_by_label("Tệp văn bản").set_input_files(str(upload))
    page.get_by_role("button", name="Đọc văn bản").click()

    page.get_by_role("heading", name="Đọc bản quét").wait_for()
    bar = page.locator("progress#scan-bar")
    assert bar.is_visible()
    page.get_by_text("Đang nhận dạng chữ: trang 1/2").wait_for()  # the page moves without reloading
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "scan-progress-1280.png"), full_page=False)
        page.set_viewport_size({"width": 375, "height": 740})
        page.screenshot(path=os.path.join(SHOTS, "scan-progress-375.png"), full_page=False)
        page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("heading", name="Kiểm tra thông tin và vào sổ").wait_for(timeout=60_000)
    assert page.url.endswith("/review")
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('bar') || '[]')")
    # the bar moved from empty to full on the way (both pages may be read side by side: 1/2 may pass unseen)
    values = [int(s.split("/")[0]) for s in seen if not s.startswith("-")]
    assert values[0] == 0 and values[-1] == 2 and values == sorted(values), seen
    assert "Đã nhận dạng 2/2 trang, đang hoàn tất…" in seen[-1], seen
    assert "Văn bản được đọc bằng nhận dạng chữ (OCR): hãy đối chiếu với ảnh trang" in page.locator(
        ".ocr-warning").inner_text()
    first = page.get_by_role("img", name="Trang 1 của văn bản")
    first.wait_for()
    _wait_drawn(first)
    box, field = first.bounding_box(), page.get_by_label("Số, ký hiệu").bounding_box()
    assert box["x"] > field["x"] + field["width"] and box["y"] < field["y"] + 400  # beside the fields
    assert page.get_by_role("img", name="Trang 2 của văn bản").count() == 1
    # the handwritten number and day are left for the clerk
    assert page.get_by_label("Số, ký hiệu").input_value() == ""
    assert page.get_by_label("Ngày văn bản").input_value() == ""
    assert "Kiên Giang" in page.get_by_label("Cơ quan ban hành").input_value()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "scan-review-1280.png"), full_page=False)
        page.set_viewport_size({"width": 375, "height": 740})
        page.locator(".scan-pages").scroll_into_view_if_needed()
        _wait_drawn(first)
        page.screenshot(path=os.path.join(SHOTS, "scan-review-375.png"), full_page=False)
        page.screenshot(path=os.path.join(SHOTS, "scan-review-375-full.png"), full_page=True)
    assert scans.wait_for_jobs(30)
