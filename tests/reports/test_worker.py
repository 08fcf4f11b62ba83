"""Reports are built by a worker process, never by the web process that was asked for them."""

from __future__ import annotations

import io
import sys

from docx import Document

from tests.reports.conftest import all_text
from tests.reports.test_web import ask
from tracker.db import transaction, utcnow
from tracker.reports import builders, runs, spreadsheet
from tracker.reports.models import ReportRun


def _refuse_to_build_here(monkeypatch):
    """Make every builder of this (the web's) process fail loudly: the report must come from elsewhere."""
    def refuse(*args, **kwargs):
        raise AssertionError("the web process built a report")

    for module, names in ((runs, ["build_file", "execute_run"]),
                          (builders, ["build_summary", "build_register", "build_followup", "build_agency_report",
                                      "build_letter_report"]),
                          (spreadsheet, ["build_xlsx"])):
        for name in names:
            monkeypatch.setattr(module, name, refuse)


def test_the_web_request_queues_the_run_and_a_worker_process_builds_it(web, cast, office, app, monkeypatch):
    app.config["TRACKER_REPORT_RUNNER"] = "subprocess"  # what production does (the default)
    app.config["TRACKER_REPORT_WAIT_SECONDS"] = 120  # long enough for any machine: the test does not time out
    _refuse_to_build_here(monkeypatch)
    started = []
    real_spawn = runs.spawn_worker

    def spawn(*args, **kwargs):
        started.append(real_spawn(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(runs, "spawn_worker", spawn)
    browser = web(cast.leader)
    response = ask(browser, kind="register", period="2019-09")
    assert response.status_code == 303 and response.headers["Location"].endswith("/download")
    assert len(started) == 1 and started[0].returncode == 0  # a process of its own, ended
    download = browser.get(response.headers["Location"])
    text = all_text(Document(io.BytesIO(download.data)))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "101/UBND-VX" in text


def test_a_long_report_goes_to_the_archive_while_its_worker_builds_it(web, cast, office, app, monkeypatch, sessions):
    app.config["TRACKER_REPORT_RUNNER"] = "subprocess"
    app.config["TRACKER_REPORT_WAIT_SECONDS"] = 0
    _refuse_to_build_here(monkeypatch)
    browser = web(cast.clerk)
    response = ask(browser, kind="summary", period="2019-09", file_format="xlsx")
    assert response.status_code == 303 and response.headers["Location"].endswith("/reports/archive")
    with sessions() as s:
        run = s.query(ReportRun).order_by(ReportRun.id.desc()).first()
        assert run.state in ("queued", "running", "done") and run.origin == "web"
    runs.THREADS[run.id].join(120)  # the thread that waits for the worker to end
    page = browser.get("/reports/archive").get_data(as_text=True)
    assert "Hoàn thành" in page and f"/reports/runs/{run.id}/download" in page


def _queued_run(sessions) -> int:
    with transaction(sessions) as s:
        run = ReportRun(kind="summary", file_format="docx", origin="web", state="queued", progress=0,
                        params={"start": "2019-09-01", "end": "2019-09-30", "label": "tháng 9 năm 2019"},
                        created_at=utcnow())
        s.add(run)
        s.flush()
        return run.id


def test_a_worker_that_dies_leaves_its_run_failed_at_once_not_running(app, sessions, monkeypatch):
    run_id = _queued_run(sessions)
    # a worker that dies as soon as it starts (killed, out of memory) without touching its run
    monkeypatch.setattr(runs, "worker_command", lambda *args, **kwargs: [sys.executable, "-c", "raise SystemExit(9)"])
    process = runs.spawn_worker(sessions, app.extensions["tracker.settings"], run_id, utcnow().date())
    runs.THREADS[run_id].join(60)
    assert process.returncode == 9
    with sessions() as s:
        run = s.get(ReportRun, run_id)
        assert run.state == "failed" and run.error == runs.WORKER_DIED


def test_a_worker_killed_mid_run_leaves_its_run_failed(app, sessions):
    run_id = _queued_run(sessions)
    process = runs.spawn_worker(sessions, app.extensions["tracker.settings"], run_id, utcnow().date())
    process.kill()
    runs.THREADS[run_id].join(60)
    with sessions() as s:
        run = s.get(ReportRun, run_id)
        assert run.state == "failed" and "dừng giữa chừng" in run.error


def test_a_worker_never_builds_a_run_that_is_not_queued_any_more(app, sessions, monkeypatch):
    run_id = _queued_run(sessions)
    with transaction(sessions) as s:
        s.get(ReportRun, run_id).state = "failed"  # closed as interrupted before its worker got to it
    _refuse_to_build_here_but_the_runner(monkeypatch)
    runs.execute_run(sessions, sessions, app.extensions["tracker.settings"].instance_path, run_id, utcnow().date())
    with sessions() as s:
        assert s.get(ReportRun, run_id).state == "failed"


def _refuse_to_build_here_but_the_runner(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a run that was not queued was built")

    monkeypatch.setattr(runs, "build_file", refuse)
