"""A clerk cannot make the server hand out a file it never received; uploads never confirmed are swept."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
from sqlalchemy import func, select

from tests.intake.letters import KIEN_GIANG
from tests.intake.test_registration import form_fields, propose
from tracker.db import transaction


@pytest.fixture
def proposal(web, cast):
    """The clerk's confirm form after uploading the Kiên Giang letter, as the browser would send it back."""
    browser = web(cast.clerk)
    response = propose(browser, KIEN_GIANG.read_bytes(), "kien-giang.txt")
    assert response.status_code == 200
    return browser, form_fields(response.get_data(as_text=True)), response.get_data(as_text=True)


@pytest.mark.parametrize("forged", ["..secret_key", "..tracker.db", "../etc/passwd", "../../../../etc/passwd"])
def test_a_forged_file_field_never_serves_a_file_of_the_server(app, proposal, sessions, forged):
    from tracker.intake.models import Letter

    browser, fields, _ = proposal
    secret = (app.extensions["tracker.settings"].secret_key or "").encode()
    # the old form's hidden hash field, and the new token field, both set to a path
    fields.update(file_sha256=forged, upload_token=forged)
    response = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    assert response.status_code in (200, 400)
    with sessions() as s:
        letters = s.scalars(select(Letter)).all()
        for letter in letters:
            download = browser.get(f"/letters/{letter.id}/file")
            assert download.status_code == 404 or hashlib.sha256(download.data).hexdigest() == letter.file.sha256
            assert secret not in download.data and b"root:" not in download.data and b"SQLite format" not in download.data
    # nothing was registered with a file it did not receive
    assert all(letter.file is None for letter in letters) or not letters


def test_the_confirm_form_carries_no_path_or_hash(proposal):
    _, fields, page = proposal
    digest = hashlib.sha256(KIEN_GIANG.read_bytes()).hexdigest()
    assert digest not in page and digest[2:] not in page
    assert "file_sha256" not in fields and len(fields["upload_token"]) >= 32


def test_another_clerk_cannot_confirm_someone_elses_upload(app, proposal, sessions, web):
    from tracker.accounts.operations import create_user
    from tracker.intake.models import Letter

    _, fields, _ = proposal
    with transaction(sessions) as s:
        other = create_user(s, username="vanthu2", full_name="Văn thư 2", password="mat-khau-dai", role="clerk").id
    intruder = web()
    assert intruder.post("/login", data={"username": "vanthu2", "password": "mat-khau-dai"}).status_code == 302
    response = intruder.post("/letters/confirm", data=fields)
    assert response.status_code == 400
    assert "vui lòng tải lại tệp" in response.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 0
    assert other


def test_the_uploaded_original_is_kept_and_served_after_confirmation(proposal, sessions):
    from tracker.intake.models import Letter, PendingUpload

    browser, fields, _ = proposal
    page = browser.post("/letters/confirm", data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số 1/" in page
    with sessions() as s:
        letter = s.scalar(select(Letter))
        assert s.scalar(select(func.count()).select_from(PendingUpload)) == 0  # taken by the registration
    download = browser.get(f"/letters/{letter.id}/file")
    assert download.status_code == 200 and download.data == KIEN_GIANG.read_bytes()


@pytest.mark.parametrize("name", ["..secret_key" + "0" * 52, "../" + "a" * 61, "A" * 64, "", "ab/cd"])
def test_a_stored_name_is_only_ever_a_hex_sha256(tmp_path, name):
    from tracker.intake.operations import content_path
    from tracker.reports import storage

    with pytest.raises(ValueError):
        content_path(tmp_path, name)
    with pytest.raises(ValueError):
        storage.stored_path(tmp_path, name, "docx")
    with pytest.raises(ValueError):
        storage.stored_path(tmp_path, "a" * 64, "../x")


def test_uploads_never_confirmed_are_swept_after_a_day_with_their_files(app, proposal, sessions):
    from tracker.app import files_dir
    from tracker.intake.models import PendingUpload, StoredFile
    from tracker.intake.operations import content_path, keep_upload, sweep_expired_uploads

    folder = files_dir(app)
    digest = hashlib.sha256(KIEN_GIANG.read_bytes()).hexdigest()
    pending_file = content_path(folder, digest)
    kept_digest = keep_upload(folder, b"an attachment that was confirmed")
    with transaction(sessions) as s:
        s.add(StoredFile(sha256=kept_digest, size=10, content_type="text/plain"))
    stray = keep_upload(folder, b"an upload whose row was lost")
    now = dt.datetime.now(dt.timezone.utc)
    with transaction(sessions) as s:  # a fresh upload is kept
        assert sweep_expired_uploads(s, folder, now).pending_rows == 0
    assert pending_file.exists() and content_path(folder, stray).exists()
    old = (now - dt.timedelta(hours=25)).timestamp()
    for path in (pending_file, content_path(folder, kept_digest), content_path(folder, stray)):
        os.utime(path, (old, old))
    with transaction(sessions) as s:
        for pending in s.scalars(select(PendingUpload)):
            pending.created_at = now - dt.timedelta(hours=25)
    with transaction(sessions) as s:
        result = sweep_expired_uploads(s, folder, now)
    assert result.pending_rows == 1 and result.files == 2
    assert not pending_file.exists() and not content_path(folder, stray).exists()
    assert content_path(folder, kept_digest).exists()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PendingUpload)) == 0


def test_the_scheduler_sweeps_expired_uploads_hourly(app, proposal, sessions):
    from tracker.intake.models import PendingUpload
    from tracker.reminders.operations import ReminderService
    from tracker.reminders.scheduler import JOB_SWEEP_UPLOADS, Ticks, build_scheduler

    service = ReminderService.from_app(app)
    ticks = Ticks(service)
    assert build_scheduler(service, ticks).get_job(JOB_SWEEP_UPLOADS) is not None
    with transaction(sessions) as s:
        for pending in s.scalars(select(PendingUpload)):
            pending.created_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    ticks.sweep_uploads()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PendingUpload)) == 0


@pytest.mark.parametrize("field, value", [("received_on", "01/01/0001"), ("issued_on", "31/12/9999"),
                                          ("tasks-0-deadline", "31/12/9999")])
def test_a_registration_date_nobody_means_is_refused_and_nothing_saved(proposal, sessions, field, value):
    from tracker.intake.models import Letter

    browser, fields, _ = proposal
    fields[field] = value
    response = browser.post("/letters/confirm", data=fields)
    assert response.status_code == 400
    assert "chỉ nhận ngày từ năm 1900 đến năm 2100" in response.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 0
