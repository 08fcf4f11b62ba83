"""The weekly summary: compiled by the scheduler's report tick, e-mailed once a week to the leaders."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select

from tests.reminders.conftest import make_app, smtp_server  # noqa: F401 (fixtures)
from tests.reports.conftest import all_text
from tracker.db import transaction
from tracker.reminders.operations import ReminderService, deliver_all
from tracker.reminders.policy import PolicyError
from tracker.reports.models import ReportRun
from tracker.reports.policy import find_report_policy, parse_report_policy
from tracker.reports.scheduled import run_due_reports

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2019, 9, 23)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Local office time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def attachments(received) -> list[tuple[str, bytes]]:
    """(file name, bytes) of the attachments of a received mail."""
    return [(part.get_filename(), part.get_content()) for part in received.message.iter_attachments()]


@pytest.fixture
def service(make_app, smtp_server, office) -> ReminderService:  # noqa: F811
    """The scheduler's service of an app that sends through the test's SMTP server."""
    return ReminderService.from_app(make_app(smtp_url=smtp_server.url))


def test_the_leader_gets_last_weeks_summary_as_a_word_file(service, smtp_server, cast):  # noqa: F811
    result = run_due_reports(service, at(MONDAY, 7, 0))
    assert result.key == "weekly-summary:2019-W38"
    report = deliver_all(service)
    assert len(report.sent) == 1 and not report.failed
    [mail] = smtp_server.received
    assert mail.to == "leader@example.gov.vn"
    assert "16/9/2019" in str(mail.message["Subject"]) and "22/9/2019" in str(mail.message["Subject"])
    assert "tuần 38" in mail.text
    [(name, data)] = attachments(mail)
    assert name == "bao-cao-tuan-2019-W38.docx"
    text = all_text(Document(io.BytesIO(data)))
    assert "Tình hình thực hiện nhiệm vụ được giao tuần 38" in text
    # the overdue police task of the office appears in the week's overdue list
    assert "Bảo đảm an ninh trật tự" in text


def test_each_week_is_sent_once_whoever_ticks(service, smtp_server, make_app):  # noqa: F811
    assert run_due_reports(service, at(MONDAY, 6, 59)).key is None  # before 07:00: not yet
    assert run_due_reports(service, at(MONDAY, 7, 5)).key is not None
    # a second scheduler, a restart, a later tick the same week: nothing more
    other = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    assert run_due_reports(other, at(MONDAY, 7, 10)).key is None
    assert run_due_reports(service, at(MONDAY + dt.timedelta(days=3), 9)).key is None
    deliver_all(service)
    assert len(smtp_server.received) == 1
    # the next Monday brings the next week's summary
    assert run_due_reports(service, at(MONDAY + dt.timedelta(days=7), 8)).key == "weekly-summary:2019-W39"
    deliver_all(service)
    assert len(smtp_server.received) == 2


def test_a_scheduler_down_on_monday_catches_up_later_that_week(service, smtp_server):  # noqa: F811
    assert run_due_reports(service, at(MONDAY + dt.timedelta(days=2), 1)).key == "weekly-summary:2019-W38"
    deliver_all(service)
    assert len(smtp_server.received) == 1


def test_the_run_is_kept_in_the_archive_with_its_file(service, sessions):  # noqa: F811
    run_due_reports(service, at(MONDAY, 7))
    with sessions() as s:
        [run] = s.scalars(select(ReportRun)).all()
        assert (run.kind, run.origin, run.state, run.requested_by_id) == ("summary", "scheduler", "done", None)
        assert run.params["start"] == "2019-09-16" and run.params["end"] == "2019-09-22"
    stored = list((service.settings.instance_path / "reports").rglob(f"{run.file_hash}.docx"))
    assert len(stored) == 1 and stored[0].stat().st_size == run.file_size


def test_only_active_people_of_the_policy_roles_receive_it(service, smtp_server, sessions, cast):  # noqa: F811
    from tracker.accounts.models import User

    with transaction(sessions) as s:
        s.get(User, cast.clerk).role = "leader"
        s.get(User, cast.leader).active = False
    run_due_reports(service, at(MONDAY, 7))
    deliver_all(service)
    assert [m.to for m in smtp_server.received] == ["clerk@example.gov.vn"]


def test_a_damaged_instance_template_falls_back_to_the_shipped_one(service, smtp_server):  # noqa: F811
    damaged = service.settings.instance_path / "templates" / "reports" / "bao-cao.docx"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a word file")
    run_due_reports(service, at(MONDAY, 7))
    deliver_all(service)
    [(_, data)] = attachments(smtp_server.received[0])
    assert "BÁO CÁO" in all_text(Document(io.BytesIO(data)))


def test_policy_of_an_instance_is_used(service, smtp_server):  # noqa: F811
    folder = service.settings.instance_path / "workflows"
    folder.mkdir(exist_ok=True)
    (folder / "reports.toml").write_text('[weekly_summary]\nweekday = 3\nsend_at = "16:30"\n', encoding="utf-8")
    assert run_due_reports(service, at(MONDAY, 9)).key is None
    assert run_due_reports(service, at(MONDAY + dt.timedelta(days=2), 16, 29)).key is None
    assert run_due_reports(service, at(MONDAY + dt.timedelta(days=2), 16, 30)).key == "weekly-summary:2019-W38"


def test_the_shipped_policy_is_monday_seven_for_the_leaders():
    weekly = find_report_policy(None).weekly_summary
    assert (weekly.enabled, weekly.weekday, weekly.send_at, weekly.recipients) == (True, 1, dt.time(7), ("leader",))


@pytest.mark.parametrize("text, line, words", [
    ('[weekly_summary]\nweekday = 8\n', 2, "weekday"),
    ('# comment\n[weekly_summary]\nenabled = true\nsend_at = "7h"\n', 4, "send_at"),
    ('[weekly_summary]\nrecipients = ["boss"]\n', 2, "recipients"),
    ('[weekly_summary]\nwhen = 1\n', 2, "unknown key"),
    ('[monthly]\n', 1, "unknown section"),
])
def test_a_wrong_policy_names_its_line(text, line, words):
    with pytest.raises(PolicyError) as error:
        parse_report_policy(text, "reports.toml")
    assert f"reports.toml, line {line}:" in str(error.value) and words in str(error.value)


def test_the_scheduler_has_a_report_tick(service):  # noqa: F811
    from tracker.reminders.scheduler import JOB_REPORTS, Ticks, build_scheduler

    scheduler = build_scheduler(service, Ticks(service))
    assert scheduler.get_job(JOB_REPORTS) is not None


def test_a_wrong_policy_of_an_instance_stops_the_start(make_app, tmp_path):  # noqa: F811
    folder = tmp_path / "instance" / "workflows"
    folder.mkdir(parents=True)
    (folder / "reports.toml").write_text('[weekly_summary]\nenabled = true\nweekday = "Monday"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"reports.toml, line 3: \[weekly_summary\] weekday"):
        make_app()
