"""Background report runs: a bar that moves through named stages, interrupted runs closed and compiled again."""

from __future__ import annotations

import datetime as dt
import threading

from tests.reports.conftest import TODAY
from tests.reports.test_web import ask
from tracker.db import transaction, utcnow
from tracker.reports import builders, progress, runs
from tracker.reports.models import ReportRun
from tracker.reports.vn import period_from_text


class Recorder(progress.Progress):
    """A Progress that keeps every (value, stage) it went through."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[int, str]] = []

    def set_stage(self, value, label, until=None):
        super().set_stage(value, label, until)
        self.seen.append(self.snapshot())

    def advance(self, done, total):
        super().advance(done, total)
        self.seen.append(self.snapshot())


def test_building_a_register_reports_its_stages_and_never_goes_back(sessions, office):
    recorder = Recorder()
    with sessions() as s, progress.tracking(recorder):
        builders.build_register(s, period_from_text("2019"), TODAY)
    stages = [stage for _, stage in recorder.seen]
    assert "Đang lập sổ" in stages
    values = [value for value, _ in recorder.seen]
    assert values == sorted(values) and 40 <= values[-1] <= progress.TABLES_END
    # outside a tracked run the builders report to nobody: the CLI and the scheduler are unaffected
    with sessions() as s:
        builders.build_summary(s, period_from_text("2019"), TODAY)


def test_the_archive_shows_the_stage_and_the_percent_while_a_report_is_built(web, cast, office, app, monkeypatch):
    app.config["TRACKER_REPORT_WAIT_SECONDS"] = 0
    monkeypatch.setattr(runs, "HEARTBEAT_SECONDS", 0.05)
    halfway, release = threading.Event(), threading.Event()
    real_build = runs.build_file

    def build_halfway_then_wait(*args, **kwargs):
        progress.stage(40, "Đang lập sổ", until=90)
        progress.advance(1, 2)  # 65%
        halfway.set()
        release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(runs, "build_file", build_halfway_then_wait)
    browser = web(cast.leader)
    assert ask(browser, kind="register", period="2019").status_code == 303
    assert halfway.wait(10)
    page = ""
    for _ in range(100):  # the heartbeat writes within a few ticks
        page = browser.get("/reports/archive").get_data(as_text=True)
        if "65%" in page:
            break
        threading.Event().wait(0.05)
    assert 'value="65"' in page and "Đang lập sổ…" in page and "Đang lập" in page
    release.set()
    for thread in list(runs.THREADS.values()):
        thread.join(30)
    page = browser.get("/reports/archive").get_data(as_text=True)
    assert "Hoàn thành" in page and "Đang lập sổ" not in page


def _run_row(sessions, *, state, heartbeat_minutes_ago, created_minutes_ago=30, params=None):
    now = utcnow()
    with transaction(sessions) as s:
        run = ReportRun(kind="register", file_format="docx", origin="web", state=state, progress=40,
                        stage="Đang lập sổ", params=params or {"start": "2019-01-01", "end": "2019-12-31",
                                                               "label": "năm 2019"},
                        created_at=now - dt.timedelta(minutes=created_minutes_ago),
                        heartbeat_at=None if heartbeat_minutes_ago is None
                        else now - dt.timedelta(minutes=heartbeat_minutes_ago))
        s.add(run)
        s.flush()
        return run.id


def test_a_run_interrupted_by_a_restart_is_marked_and_can_be_compiled_again(web, cast, office, sessions):
    interrupted = _run_row(sessions, state="running", heartbeat_minutes_ago=10)
    never_started = _run_row(sessions, state="queued", heartbeat_minutes_ago=None, created_minutes_ago=10)
    alive = _run_row(sessions, state="running", heartbeat_minutes_ago=0)
    browser = web(cast.clerk)
    page = browser.get("/reports/archive").get_data(as_text=True)
    with sessions() as s:
        states = {i: s.get(ReportRun, i).state for i in (interrupted, never_started, alive)}
    assert states == {interrupted: "failed", never_started: "failed", alive: "running"}
    assert "bị gián đoạn" in page and page.count(">Lập lại</button>") == 2
    assert 'http-equiv="refresh"' in page  # the live one is still being built
    response = browser.post(f"/reports/runs/{interrupted}/again")
    assert response.status_code == 303 and response.headers["Location"].endswith("/download")
    download = browser.get(response.headers["Location"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    with sessions() as s:
        newest = s.query(ReportRun).order_by(ReportRun.id.desc()).first()
        assert (newest.kind, newest.params["label"], newest.requested_by_id) == ("register", "năm 2019", cast.clerk)


def test_the_scheduler_tick_closes_interrupted_runs_too(app, sessions, office):
    from tracker.reminders.operations import ReminderService
    from tracker.reports.scheduled import run_due_reports

    interrupted = _run_row(sessions, state="running", heartbeat_minutes_ago=5)
    service = ReminderService.from_app(app)
    run_due_reports(service, now_local=dt.datetime(2019, 9, 17, 8, 0))  # a Tuesday: nothing else due
    with sessions() as s:
        run = s.get(ReportRun, interrupted)
        assert run.state == "failed" and "gián đoạn" in run.error


def test_compiling_again_a_report_whose_agency_is_gone_says_so(web, cast, office, sessions):
    gone = _run_row(sessions, state="failed", heartbeat_minutes_ago=None,
                    params={"start": "2019-01-01", "end": "2019-12-31", "label": "năm 2019", "agency": "khong-co"})
    with transaction(sessions) as s:
        s.get(ReportRun, gone).kind = "agency"
    browser = web(cast.leader)
    response = browser.post(f"/reports/runs/{gone}/again")
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "khong-co" in page and "Lưu trữ báo cáo" in page
    assert web(cast.finance_officer).post(f"/reports/runs/{gone}/again").status_code == 403
    assert browser.post("/reports/runs/999/again").status_code == 404


def test_the_archive_is_paginated(web, cast, sessions):
    now = utcnow()
    with transaction(sessions) as s:
        for i in range(55):
            s.add(ReportRun(kind="summary", file_format="docx", origin="scheduler", state="done", progress=100,
                            params={"label": f"tuần {i + 1} năm 2019"}, created_at=now - dt.timedelta(hours=i)))
    browser = web(cast.leader)
    first = browser.get("/reports/archive").get_data(as_text=True)
    assert "tuần 1 năm 2019" in first and "tuần 55 năm 2019" not in first and "1–50 / 55" in first
    second = browser.get("/reports/archive?page=2").get_data(as_text=True)
    assert "tuần 55 năm 2019" in second and "tuần 1 năm 2019<" not in second
