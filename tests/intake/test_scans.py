"""Scans read by OCR in the background: the job's life (domain, with a stand-in reader), then the clerk's pages
(upload → progress page → review with the page images), on a one-page scan drawn in the test.

The web tests that read by OCR need Tesseract with its Vietnamese model: skipped without it unless
TRACKER_TEST_OCR=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from sqlalchemy import func, select, update

from tests.intake.letters import KIEN_GIANG, docx_from_text
from tests.intake.scans import scan_pdf, scan_png
from tests.intake.test_registration import catalog, form_fields, propose  # noqa: F401  (fixture)
from tracker.db import transaction, utcnow

REQUIRED_OCR = os.environ.get("TRACKER_TEST_OCR") == "1"


@pytest.fixture(autouse=True)
def _no_job_left_running():
    """Every job thread a test started ends before its database goes away."""
    yield
    from tracker.intake import scans

    assert scans.wait_for_jobs(90)


@pytest.fixture
def tesseract():
    """Skip (or fail with TRACKER_TEST_OCR=1) when Tesseract or its Vietnamese model is missing."""
    from tracker.extraction import ocr

    if not ocr.ocr_available():
        if REQUIRED_OCR:
            pytest.fail("TRACKER_TEST_OCR=1 but tesseract with the 'vie' model is not installed")
        pytest.skip("Tesseract OCR with the Vietnamese model is not installed")


def _held_job(app, sessions, user_id: int, data: bytes = b"\x89PNG\r\n\x1a\n fake", kind: str = "png") -> tuple[int, str]:
    """A queued job on a held upload of ``user_id`` (no thread started)."""
    from tracker.accounts.models import User
    from tracker.app import files_dir
    from tracker.intake import scans
    from tracker.intake.operations import hold_upload

    with transaction(sessions) as s:
        user = s.get(User, user_id)
        pending = hold_upload(s, files_dir(app), data, file_name="ban-quet.png", content_type="image/png", user=user)
        job = scans.create_job(s, pending, kind, user)
        return job.id, job.token


def _job(sessions, job_id: int):
    from tracker.intake.models import OcrJob

    with sessions() as s:
        return s.get(OcrJob, job_id)


# --------------------------------------------------------------------------- the job's life

def test_a_job_goes_from_queued_to_running_to_done_with_the_text(app, sessions, cast):
    from tracker.app import files_dir
    from tracker.extraction.ocr import FROM_OCR
    from tracker.intake import scans

    job_id, _ = _held_job(app, sessions, cast.clerk)
    assert scans.job_view(_job(sessions, job_id)).text == "Đang chờ đến lượt nhận dạng chữ…"
    seen = []

    def read(data, kind, *, warnings, progress):
        assert data.startswith(b"\x89PNG") and kind == "png"  # the held file
        progress(0, 3)
        seen.append(scans.job_view(_job(sessions, job_id)))
        progress(2, 3)  # pages finish out of order on two workers: a step back is never written
        progress(1, 3)
        seen.append(scans.job_view(_job(sessions, job_id)))
        progress(3, 3)
        seen.append(scans.job_view(_job(sessions, job_id)))
        warnings.append(FROM_OCR)
        return KIEN_GIANG.read_text(encoding="utf-8")

    scans.run_job(sessions, files_dir(app), job_id, 1, read=read)
    assert [(v.status, v.pages_done, v.pages_total, v.text) for v in seen] == [
        ("running", 0, 3, "Đang nhận dạng chữ: trang 1/3"), ("running", 2, 3, "Đang nhận dạng chữ: trang 3/3"),
        ("running", 3, 3, "Đã nhận dạng 3/3 trang, đang hoàn tất…")]
    job = _job(sessions, job_id)
    assert (job.status, job.pages_done, job.pages_total) == ("done", 3, 3)
    assert "871/VP-VHXH" in job.result_text and job.warnings == [FROM_OCR]
    assert scans.job_view(job).text == "Đã nhận dạng xong 3 trang."
    assert scans.retry_job(sessions(), job) is False  # a read scan is not read again


def test_a_file_that_cannot_be_read_fails_with_the_readers_message_and_no_retry(app, sessions, cast):
    from tracker.app import files_dir
    from tracker.extraction.readers import UnreadableDocument
    from tracker.intake import scans

    job_id, _ = _held_job(app, sessions, cast.clerk)

    def too_big(data, kind, **_):
        raise UnreadableDocument("Tệp là ảnh quá lớn (hơn 40 triệu điểm ảnh một trang): không nhận dạng chữ (OCR) được.")

    scans.run_job(sessions, files_dir(app), job_id, 1, read=too_big)
    view = scans.job_view(_job(sessions, job_id))
    assert (view.status, view.retry) == ("failed", False)
    assert view.error.startswith("Tệp là ảnh quá lớn")

    # text that is no letter is refused as read_document refuses it
    other, _ = _held_job(app, sessions, cast.clerk, b"\x89PNG\r\n\x1a\n another")
    scans.run_job(sessions, files_dir(app), other, 1, read=lambda data, kind, **_: "Hóa đơn bán lẻ " * 5)
    assert "không phải" in scans.job_view(_job(sessions, other)).error or "Không nhận ra" in scans.job_view(
        _job(sessions, other)).error


def test_an_unexpected_failure_may_be_retried_as_a_new_attempt(app, sessions, cast):
    from tracker.app import files_dir
    from tracker.intake import scans

    job_id, _ = _held_job(app, sessions, cast.clerk)

    def broken(data, kind, **_):
        raise RuntimeError("tesseract crashed")

    scans.run_job(sessions, files_dir(app), job_id, 1, read=broken)
    view = scans.job_view(_job(sessions, job_id))
    assert (view.status, view.error, view.retry) == ("failed", scans.UNEXPECTED, True)
    with transaction(sessions) as s:
        assert scans.retry_job(s, s.merge(_job(sessions, job_id))) is True
    job = _job(sessions, job_id)
    assert (job.status, job.attempt, job.error) == ("queued", 2, None)
    scans.run_job(sessions, files_dir(app), job_id, 2, read=lambda data, kind, **_: KIEN_GIANG.read_text(encoding="utf-8"))
    assert _job(sessions, job_id).status == "done"


def test_a_job_whose_row_stopped_moving_is_shown_failed_and_its_old_thread_is_ignored(app, sessions, cast):
    from tracker.app import files_dir
    from tracker.intake import scans
    from tracker.intake.models import OcrJob

    job_id, _ = _held_job(app, sessions, cast.clerk)
    with transaction(sessions) as s:  # its process died on page 2 of 5, three minutes ago
        s.execute(update(OcrJob).where(OcrJob.id == job_id).values(
            status="running", pages_done=2, pages_total=5, updated_at=utcnow() - dt.timedelta(minutes=3)))
    job = _job(sessions, job_id)
    assert scans.is_stale(job)
    assert not scans.is_stale(job, job.updated_at + dt.timedelta(seconds=60))  # a slow page is not a dead job
    view = scans.job_view(job)
    assert (view.status, view.error, view.retry) == ("failed", scans.INTERRUPTED, True)
    assert "khởi động lại" in view.error and "Nhận dạng lại" in view.error

    with transaction(sessions) as s:
        assert scans.retry_job(s, s.merge(job)) is True
    with transaction(sessions) as s:  # a second click (or another worker) finds it queued again: not twice
        assert scans.retry_job(s, s.merge(_job(sessions, job_id))) is False
    # the first run's thread comes back to life: none of its writes land on the new attempt
    scans.run_job(sessions, files_dir(app), job_id, 1, read=lambda *a, **k: pytest.fail("old attempt ran"))
    job = _job(sessions, job_id)
    assert (job.status, job.attempt, job.pages_done) == ("queued", 2, 0)


def test_a_job_is_only_its_uploaders_and_goes_with_the_daily_sweep(app, sessions, cast):
    from tracker.accounts.models import User
    from tracker.app import files_dir
    from tracker.intake import scans
    from tracker.intake.models import OcrJob, PendingUpload
    from tracker.intake.operations import sweep_expired_uploads

    job_id, token = _held_job(app, sessions, cast.clerk)
    with sessions() as s:
        clerk, admin = s.get(User, cast.clerk), s.get(User, cast.admin)
        assert scans.job_of(s, token, clerk).id == job_id
        assert scans.job_of(s, token, admin) is None
        for forged in ("", "x" * 65, "../" + token, token + "\x00", None):
            assert scans.job_of(s, forged, clerk) is None
    later = utcnow() + dt.timedelta(hours=25)
    with transaction(sessions) as s:
        result = sweep_expired_uploads(s, files_dir(app), later)
    assert (result.ocr_jobs, result.pending_rows) == (1, 1)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(OcrJob)) == 0
        assert s.scalar(select(func.count()).select_from(PendingUpload)) == 0


def test_only_scans_need_ocr_and_telling_runs_none():
    from tests.extraction.conftest import make_pdf
    from tracker.intake.scans import scan_kind

    assert scan_kind(scan_png(), "anh.png") == "png"
    assert scan_kind(scan_png(), "ten-gi-cung-duoc.bin") == "png"  # the bytes say it, not the name
    assert scan_kind(scan_pdf(), "ban-quet.pdf") == "pdf"
    typed = make_pdf(KIEN_GIANG.read_text(encoding="utf-8").splitlines()[:40])
    assert scan_kind(typed, "cong-van.pdf") is None
    assert scan_kind(docx_from_text(KIEN_GIANG.read_text(encoding="utf-8")), "cong-van.docx") is None
    assert scan_kind(KIEN_GIANG.read_bytes(), "cong-van.txt") is None
    assert scan_kind(b"GIF89a......", "anh.gif") is None  # the reader says GIF is not supported
    assert scan_kind(b"%PDF-1.7 broken", "hong.pdf") is None  # the reader says the PDF is damaged


# --------------------------------------------------------------------------- the clerk's pages

def _wait_done(browser, token: str, timeout: float = 60) -> dict:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        answer = browser.get(f"/letters/scan/{token}/status")
        assert answer.status_code == 200 and answer.is_json
        job = answer.get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail("the OCR job did not end")


def test_an_uploaded_scan_is_read_in_the_background_and_reviewed_beside_its_page(web, cast, catalog, sessions,
                                                                                  tesseract):  # noqa: F811
    from tracker.intake.models import Letter

    clerk = web(cast.clerk)
    response = propose(clerk, scan_png(), "ban-quet.png")
    assert response.status_code == 303  # answered at once: no OCR in the request
    token = re.fullmatch(r"/letters/scan/([\w-]+)", response.headers["Location"].replace("http://localhost", "")).group(1)

    progress = clerk.get(f"/letters/scan/{token}")
    if progress.status_code == 200:  # (a fast machine may have finished already: then it goes to the review)
        page = progress.get_data(as_text=True)
        assert "<progress" in page and 'id="scan-status"' in page and 'role="status"' in page
        assert '<noscript><meta http-equiv="refresh"' in page  # without script the page refreshes itself
        assert "ban-quet.png" in page

    job = _wait_done(clerk, token)
    assert job["status"] == "done", job
    assert (job["pages_done"], job["pages_total"]) == (1, 1)
    assert job["next"] == f"/letters/scan/{token}/review"
    assert clerk.get(f"/letters/scan/{token}").headers["Location"].endswith(f"/letters/scan/{token}/review")

    review = clerk.get(f"/letters/scan/{token}/review")
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Kiểm tra thông tin và vào sổ" in page
    assert "Văn bản được đọc bằng nhận dạng chữ (OCR): hãy đối chiếu với ảnh trang" in page
    assert f'src="/letters/scan/{token}/page/1.png"' in page and 'loading="lazy"' in page
    assert 'alt="Trang 1 của văn bản"' in page and "/page/2.png" not in page
    fields = form_fields(page)
    assert "Kiên Giang" in fields["issuer"] and "trợ giúp xã hội" in fields["subject"]
    # the number and day are written by hand on the paper: left empty, never guessed
    assert fields["number"] == "" and fields["issued_on"] == ""

    image = clerk.get(f"/letters/scan/{token}/page/1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    from PIL import Image
    import io

    width, height = Image.open(io.BytesIO(image.data)).size
    assert 850 <= width <= 960 and height > width  # A4 at about 110 dpi
    assert clerk.get(f"/letters/scan/{token}/page/2.png").status_code == 404

    # the clerk types the number and day from the page image and registers; the scan is kept as the original
    fields.update(number="871/VP-VHXH", issued_on="21/02/2019")
    done = clerk.post("/letters/confirm", data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số 1/" in done
    with sessions() as s:
        letter = s.scalar(select(Letter))
        assert letter.number == "871/VP-VHXH" and letter.file.content_type == "image/png"
    # the held upload and its job went with the registration
    assert clerk.get(f"/letters/scan/{token}/status").status_code == 404


def test_another_clerks_job_and_a_missing_one_are_not_found(app, web, cast, sessions):
    from tracker.accounts.operations import create_user

    job_id, token = _held_job(app, sessions, cast.clerk)
    with transaction(sessions) as s:
        create_user(s, username="vanthu2", full_name="Văn thư 2", password="mat-khau-dai", role="clerk")
    intruder = web()
    assert intruder.post("/login", data={"username": "vanthu2", "password": "mat-khau-dai"}).status_code == 302
    for path in ("", "/status", "/review", "/page/1.png"):
        assert intruder.get(f"/letters/scan/{token}{path}").status_code == 404, path
    assert intruder.post(f"/letters/scan/{token}/retry").status_code == 404
    assert _job(sessions, job_id).attempt == 1
    clerk = web(cast.clerk)
    assert clerk.get("/letters/scan/khong-co-viec-nay-dau-nhe/status").status_code == 404
    assert clerk.get("/letters/scan/khong-co-viec-nay-dau-nhe").status_code == 404
    assert clerk.get(f"/letters/scan/{token}/page/0.png").status_code == 404
    # a leader may not register letters at all
    assert web(cast.leader).get(f"/letters/scan/{token}/status").status_code in (403, 404)


def test_a_job_that_stopped_with_its_process_says_so_and_can_be_retried(app, web, cast, sessions):
    from tracker.intake.models import OcrJob

    job_id, token = _held_job(app, sessions, cast.clerk)
    with transaction(sessions) as s:
        s.execute(update(OcrJob).where(OcrJob.id == job_id).values(
            status="running", pages_total=7, pages_done=3, updated_at=utcnow() - dt.timedelta(minutes=10)))
    clerk = web(cast.clerk)
    assert clerk.get(f"/letters/scan/{token}/status").get_json()["status"] == "failed"
    page = clerk.get(f"/letters/scan/{token}").get_data(as_text=True)
    assert "dừng giữa chừng" in page and "Nhận dạng lại" in page and 'href="/letters/new"' in page
    assert "<noscript><meta" not in page  # a failed job's page stays put
    assert clerk.post(f"/letters/scan/{token}/retry").status_code == 303
    job = _job(sessions, job_id)
    assert job.attempt == 2  # queued again, on a new thread (which fails on this fake file: a clear message)
    from tracker.intake import scans

    assert scans.wait_for_jobs(60)
    failed = clerk.get(f"/letters/scan/{token}").get_data(as_text=True)
    assert 'role="alert"' in failed and "Tải lên tệp khác" in failed


def test_without_ocr_on_the_server_the_upload_page_says_so_and_a_scan_gets_the_readers_message(
        web, cast, monkeypatch, tmp_path):
    from tracker.extraction import ocr

    monkeypatch.setenv("TRACKER_TESSERACT", str(tmp_path / "khong-co-tesseract"))
    clerk = web(cast.clerk)
    page = clerk.get("/letters/new").get_data(as_text=True)
    assert ("Máy chủ chưa cài phần nhận dạng chữ (OCR): bản quét và ảnh chưa đọc được; hãy dán nội dung hoặc "
            "tải tệp Word/PDF có chữ.") in page
    assert ".png,.jpg,.jpeg,.tif,.tiff" in page
    for data, name in ((scan_png(), "anh.png"), (scan_pdf(), "ban-quet.pdf")):
        response = propose(clerk, data, name)
        assert response.status_code == 400
        assert ocr.NOT_INSTALLED in response.get_data(as_text=True).replace("&#34;", '"')


def test_with_ocr_the_upload_page_offers_scans(web, cast, tesseract):
    page = web(cast.clerk).get("/letters/new").get_data(as_text=True)
    assert "Máy chủ chưa cài" not in page
    assert 'accept=".docx,.pdf,.txt,.xml,.edxml,.png,.jpg,.jpeg,.tif,.tiff"' in page
    assert "ảnh .png, .jpg, .jpeg, .tif, .tiff" in page and "nhận dạng chữ (OCR)" in page


def test_two_uploads_of_the_same_scan_are_two_jobs(web, cast, sessions, tesseract):
    from tracker.intake.models import OcrJob

    clerk = web(cast.clerk)
    data = scan_png()
    tokens = [propose(clerk, data, "ban-quet.png").headers["Location"].rsplit("/", 1)[1] for _ in range(2)]
    assert tokens[0] != tokens[1]
    assert [_wait_done(clerk, t)["status"] for t in tokens] == ["done", "done"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(OcrJob)) == 2


def test_a_huge_image_fails_at_once_with_the_readers_message(web, cast, tesseract):
    from tests.extraction.test_ocr import _png_declaring

    clerk = web(cast.clerk)
    response = propose(clerk, _png_declaring(100_000, 100_000), "bom.png")
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    job = _wait_done(clerk, token, timeout=10)
    assert job["status"] == "failed" and job["retry"] is False and "ảnh quá lớn" in job["error"]
    page = clerk.get(f"/letters/scan/{token}").get_data(as_text=True)
    assert "ảnh quá lớn" in page and "Nhận dạng lại" not in page and "Tải lên tệp khác" in page
    assert clerk.get(f"/letters/scan/{token}/page/1.png").status_code == 404
