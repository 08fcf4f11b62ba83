"""Reports on the web: the form, the download, the archive with background runs, permissions."""

from __future__ import annotations

import io
import threading

import pytest
from docx import Document

from tests.reports.conftest import all_text
from tracker.reports import runs

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def ask(browser, **fields):
    """POST the report form with ``fields`` (the rest empty)."""
    data = {"kind": "summary", "period": "", "start": "", "end": "", "agency": "", "letter": "",
            "file_format": "docx", **fields}
    return browser.post("/reports/", data=data)


def test_leaders_and_clerks_see_the_page_in_the_menu(web, cast):
    for user in (cast.leader, cast.clerk):
        page = web(user).get("/reports/").get_data(as_text=True)
        assert "Lập báo cáo" in page and 'href="/reports/"' in page
    home = web(cast.finance_officer).get("/").get_data(as_text=True)
    assert 'href="/reports/"' not in home


@pytest.mark.parametrize("path", ["/reports/", "/reports/archive", "/reports/runs/1/download"])
def test_officers_are_refused(web, cast, path):
    assert web(cast.finance_officer).get(path).status_code == 403


def test_a_summary_downloads_as_a_word_file_and_is_archived(web, cast, office):
    browser = web(cast.clerk)
    response = ask(browser, kind="summary", start="01/09/2019", end="30/09/2019")
    assert response.status_code == 303
    download = browser.get(response.headers["Location"])
    assert download.status_code == 200 and download.mimetype == DOCX
    assert "bao-cao-summary-2019-09-01-2019-09-30.docx" in download.headers["Content-Disposition"]
    text = all_text(Document(io.BytesIO(download.data)))
    assert "từ ngày 1/9/2019 đến ngày 30/9/2019" in text
    assert "Bảo đảm an ninh trật tự" in text
    archive = web(cast.leader).get("/reports/archive").get_data(as_text=True)
    assert "Clerk" in archive and "Báo cáo tổng hợp" in archive and "Hoàn thành" in archive
    assert response.headers["Location"] in archive  # the same file, for the leader too


@pytest.mark.parametrize("kind, fields, expected", [
    ("register", {"period": "2019-09"}, "SỔ ĐĂNG KÝ"),
    ("followup", {"period": "2019-Q3"}, "101/UBND-VX"),
    ("agency", {"period": "2019", "agency": "police"}, "Bảo đảm an ninh trật tự"),
    ("letter", {"letter": "LETTER"}, "Nhiệm vụ"),
])
def test_every_report_kind_downloads(web, cast, office, kind, fields, expected):
    if fields.get("letter") == "LETTER":
        fields = {"letter": str(office.letters[1])}
    browser = web(cast.leader)
    response = ask(browser, kind=kind, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    text = all_text(Document(io.BytesIO(browser.get(response.headers["Location"]).data)))
    assert expected.lower() in text.lower()


@pytest.mark.parametrize("fields, message", [
    ({"start": "31/02/2019", "end": "30/09/2019"}, "Ngày “31/02/2019” không hợp lệ"),
    ({"start": "2019-09-01", "end": "30/09/2019"}, "dd/mm/yyyy"),
    ({"start": "30/09/2019", "end": "01/09/2019"}, "trước ngày bắt đầu"),
    ({"start": "01/09/2019"}, "Cần cả ngày bắt đầu và ngày kết thúc"),
    ({}, "Hãy ghi kỳ báo cáo hoặc chọn khoảng ngày"),
    ({"period": "tháng chín"}, ""),
    ({"period": "2019-09", "start": "01/09/2019", "end": "30/09/2019"}, "không chọn cả hai"),
    ({"kind": "agency", "period": "2019-09"}, "Hãy chọn cơ quan"),
    ({"kind": "letter", "letter": "99999/2019"}, "Không có văn bản"),
    ({"kind": "agency", "period": "2019-09", "agency": "police", "file_format": "xlsx"}, "Excel"),
    ({"kind": "nonsense", "period": "2019"}, ""),
])
def test_bad_input_is_explained_beside_the_field(web, cast, office, fields, message):
    response = ask(web(cast.clerk), **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error"' in page and message in page
    assert "Lưu trữ báo cáo" in page  # the form page again, not an error page


def test_a_long_report_runs_in_the_background_with_its_progress_shown(web, cast, office, app, monkeypatch):
    app.config["TRACKER_REPORT_WAIT_SECONDS"] = 0
    release = threading.Event()
    real_build = runs.build_file

    def slow_build(*args, **kwargs):
        release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(runs, "build_file", slow_build)
    browser = web(cast.leader)
    response = ask(browser, kind="register", period="2019")
    assert response.status_code == 303 and response.headers["Location"].endswith("/reports/archive")
    page = browser.get("/reports/archive").get_data(as_text=True)
    assert "đang được lập" in page and 'http-equiv="refresh"' in page
    assert "Sổ đăng ký văn bản đến" in page and "năm 2019" in page
    assert "/download" not in page
    release.set()
    for thread in list(runs.THREADS.values()):
        thread.join(30)
    page = browser.get("/reports/archive").get_data(as_text=True)
    assert "Hoàn thành" in page and "/download" in page and 'http-equiv="refresh"' not in page


def test_a_failed_run_says_why(web, cast, office, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runs, "build_file", broken)
    browser = web(cast.clerk)
    response = ask(browser, period="2019-09")
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lập báo cáo không thành công" in page and "Lỗi" in page


def test_an_unknown_run_is_not_found(web, cast):
    assert web(cast.clerk).get("/reports/runs/999/download").status_code == 404
