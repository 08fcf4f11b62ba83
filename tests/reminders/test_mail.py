"""Reminder passes and delivery against a real SMTP server on loopback; the tests read what arrived."""

from __future__ import annotations

import datetime as dt
import re

from tests.reminders.conftest import BASE_URL, SmtpServer, free_port
from tests.reminders.helpers import events, outbox, register, set_status
from tracker.reminders.operations import ReminderService, deliver, deliver_all, run_pass

D = dt.date
LATER = dt.timedelta(hours=2)


def service_for(make_app, smtp_url=None) -> ReminderService:
    return ReminderService.from_app(make_app(smtp_url=smtp_url) if smtp_url else make_app())


def test_reminder_reads_well_in_vietnamese(make_app, smtp_server, cast, letter):
    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 9, 25))
    deliver_all(service)
    mail = smtp_server.recorder.to("finance_officer@example.gov.vn")
    assert len(mail) == 1
    got = mail[0]
    print(got.message["Subject"], got.message["From"], got.message["To"], sep="\n")
    print(got.text)  # what a person reads (pytest -s shows it)

    message = got.message
    assert message["Subject"] == "Nhắc hạn xử lý: 1 nhiệm vụ sắp đến hạn (25/09/2019)"
    assert message["From"].addresses[0].display_name == "Văn phòng UBND tỉnh"
    assert message["To"].addresses[0].addr_spec == "finance_officer@example.gov.vn"
    assert message["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<digest\.20190925\.[0-9a-f]{24}@ubnd\.example\.gov\.vn>", message["Message-ID"])
    assert got.mail_from == "theodoi@ubnd.example.gov.vn"

    text = got.text
    assert text.startswith("Kính gửi: Ông/Bà Finance Officer (Sở Tài chính)")
    assert "tính đến Thứ Tư, 25/09/2019" in text
    assert "Công văn số 871/VP-VHXH ngày 21/02/2019 của Văn phòng Ủy ban nhân dân tỉnh Kiên Giang" in text
    assert "V/v chỉ đạo tăng cường triển khai thực hiện việc trợ giúp xã hội" in text
    assert "Hạn xử lý: Thứ Hai, 30/09/2019" in text
    assert "Tình trạng: Còn 3 ngày làm việc" in text
    assert f"{BASE_URL}/tasks/{letter.finance_task}" in text
    assert f"/tasks/{letter.labour_task}" not in text  # the other agency's task is not in this mail
    assert message["Message-ID"] in text  # the footer names the Message-ID, so a repeat is recognisable

    html = got.html
    assert f'href="{BASE_URL}/tasks/{letter.finance_task}"' in html
    assert "Còn 3 ngày làm việc" in html and "Thứ Hai, 30/09/2019" in html and 'lang="vi"' in html

    ics = got.ics
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and "METHOD:PUBLISH" in ics
    unfolded = ics.replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20190930" in unfolded and "DTEND;VALUE=DATE:20191001" in unfolded
    assert f"URL:{BASE_URL}/tasks/{letter.finance_task}" in unfolded
    assert f"UID:task-{letter.finance_task}-20190930@" in unfolded
    assert "SUMMARY:Hạn: Sở Tài chính – Chủ trì triển khai trợ giúp xã hội" in unfolded


def test_one_digest_per_recipient_per_day_and_never_twice(make_app, smtp_server, sessions, cast, letter):
    # A second letter gives finance another task due the same week, and police one due much later.
    register(sessions, cast.clerk, [(cast.finance, "lead", D(2019, 9, 27)), (cast.police, "lead", D(2019, 12, 31))],
             received_on=D(2019, 9, 2))
    service = service_for(make_app, smtp_server.url)
    result = run_pass(service, D(2019, 9, 25))
    assert len(result.reminders) == 3
    deliver_all(service)
    finance = smtp_server.recorder.to("finance@example.gov.vn")
    assert len(finance) == 1
    assert finance[0].text.count("Xem và cập nhật:") == 2
    assert "Tình trạng: Còn 2 ngày làm việc" in finance[0].text  # Friday 27/9
    assert smtp_server.recorder.to("police@example.gov.vn") == []  # nothing due: no (empty) mail
    before = len(smtp_server.received)

    again = run_pass(service, D(2019, 9, 25))
    assert again.reminders == [] and again.already_sent == 3
    deliver_all(service)
    assert len(smtp_server.received) == before


def test_finished_tasks_get_nothing_more(make_app, smtp_server, sessions, cast, letter):
    set_status(sessions, letter.finance_task, "done")
    set_status(sessions, letter.labour_task, "cancelled")
    service = service_for(make_app, smtp_server.url)
    result = run_pass(service, D(2019, 9, 30))
    deliver_all(service)
    assert result.reminders == [] and smtp_server.received == []


def test_escalation_reaches_the_leader_in_one_report(make_app, smtp_server, sessions, cast, letter):
    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 10, 8))  # six working days after 30/9
    deliver_all(service)
    leader = smtp_server.recorder.to("leader@example.gov.vn")
    assert len(leader) == 1
    assert leader[0].message["Subject"] == "Báo cáo nhiệm vụ quá hạn: 2 nhiệm vụ quá hạn cần lãnh đạo chỉ đạo (08/10/2019)"
    text = leader[0].text
    assert "Kính gửi: Ông/Bà Leader" in text and "Nhiệm vụ quá hạn cần lãnh đạo chỉ đạo (2)" in text
    assert "Cơ quan: Sở Tài chính (chủ trì)" in text
    assert "Cơ quan: Sở Lao động - Thương binh và Xã hội (phối hợp)" in text
    assert text.count("Tình trạng: Quá hạn 6 ngày làm việc") == 2
    agency = smtp_server.recorder.to("finance@example.gov.vn")[0].text
    assert "Tình trạng: Quá hạn 6 ngày làm việc (đã báo cáo lãnh đạo)" in agency and "gửi đồng thời tới lãnh đạo" in agency
    assert any("gửi lãnh đạo" in c and "Leader <leader@example.gov.vn>" in c for c in events(sessions, letter.finance_task))


def test_timeline_shows_which_reminders_went_out(make_app, smtp_server, sessions, cast, letter):
    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 9, 26))
    deliver_all(service)
    comments = events(sessions, letter.finance_task)
    assert sorted(comments) == [
        "Thư nhắc hạn (còn 2 ngày làm việc, hạn 30/09/2019) đã gửi tới Finance Officer <finance_officer@example.gov.vn>.",
        "Thư nhắc hạn (còn 2 ngày làm việc, hạn 30/09/2019) đã gửi tới Sở Tài chính <finance@example.gov.vn>.",
    ]


def test_smtp_down_for_a_pass_then_up_every_reminder_arrives_once(make_app, sessions, cast, letter):
    port = free_port()  # nothing listens here yet
    service = service_for(make_app, f"smtp://127.0.0.1:{port}?timeout=5")
    run_pass(service, D(2019, 9, 25))
    report = deliver(service)
    assert report.unavailable and len(report.retry) == 4 and report.sent == []
    rows = outbox(sessions)
    assert all(r.state == "pending" and r.attempts == 1 and "127.0.0.1" in r.last_error for r in rows)
    assert all(r.next_attempt_at > r.created_at for r in rows)  # backoff: not retried at once
    assert deliver(service).attempted == 0

    server = SmtpServer(port=port).start()
    try:
        later = dt.datetime.now(dt.timezone.utc) + LATER
        report = deliver(service, now=later)
        assert len(report.sent) == 4
        assert deliver(service, now=later + LATER).attempted == 0
        assert sorted(r.to for r in server.received) == [
            "finance@example.gov.vn", "finance_officer@example.gov.vn", "labour@example.gov.vn",
            "labour_officer@example.gov.vn"]
    finally:
        server.stop()
    rows = outbox(sessions)
    assert all(r.state == "sent" and r.last_error is None for r in rows)
    with sessions() as s:
        from tracker.reminders.models import OutboxMessage

        assert [a.outcome for a in s.get(OutboxMessage, rows[0].id).attempts_log] == ["retry", "sent"]


def test_a_refused_address_does_not_block_the_others(make_app, smtp_server, sessions, cast, letter):
    smtp_server.recorder.reject.add("finance_officer@example.gov.vn")
    smtp_server.recorder.tempfail.add("labour@example.gov.vn")
    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 9, 25))
    report = deliver(service)
    assert sorted(a for _, a, _ in report.sent) == ["finance@example.gov.vn", "labour_officer@example.gov.vn"]
    rows = {r.recipient: r for r in outbox(sessions)}
    refused = rows["finance_officer@example.gov.vn"]
    assert refused.state == "failed" and "550" in refused.last_error
    waiting = rows["labour@example.gov.vn"]
    assert waiting.state == "pending" and "451" in waiting.last_error
    assert any("không gửi được tới Finance Officer" in c and "550" in c for c in events(sessions, letter.finance_task))

    smtp_server.recorder.tempfail.clear()
    report = deliver(service, now=dt.datetime.now(dt.timezone.utc) + LATER)
    assert [a for _, a, _ in report.sent] == ["labour@example.gov.vn"]  # the failed one waits for an admin
    assert len(smtp_server.recorder.to("labour@example.gov.vn")) == 1


def test_without_smtp_url_mail_is_written_as_eml_files(make_app, sessions, cast, letter, tmp_path):
    import email
    import email.policy

    service = service_for(make_app)
    run_pass(service, D(2019, 9, 25))
    report = deliver_all(service)
    assert len(report.sent) == 4
    files = sorted((tmp_path / "instance" / "outbox").glob("*.eml"))
    assert len(files) == 4 and files[0].name.startswith("20190925-")
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert "Còn 3 ngày làm việc" in message.get_body(preferencelist=("plain",)).get_content()
    assert deliver_all(service).attempted == 0
    assert len(list((tmp_path / "instance" / "outbox").glob("*.eml"))) == 4
    assert any("đã ghi vào hộp thư đi (tệp .eml)" in c for c in events(sessions, letter.finance_task))


def test_a_claim_left_by_a_dead_sender_is_taken_back_once(make_app, smtp_server, sessions, cast, letter):
    from tracker.db import transaction
    from tracker.reminders.outbox import claim

    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 9, 25))
    first = outbox(sessions)[0]
    with transaction(sessions) as s:  # a sender claimed it and died before sending
        assert claim(s, first.id, "dead-sender", dt.datetime.now(dt.timezone.utc), dt.timedelta(minutes=10))
    deliver_all(service)
    assert len(smtp_server.received) == 3
    assert [r.state for r in outbox(sessions)][0] == "sending"
    deliver_all(service, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11))
    assert len(smtp_server.received) == 4
    assert len(smtp_server.recorder.to(first.recipient)) == 1


def test_dry_run_writes_nothing(make_app, smtp_server, sessions, cast, letter):
    service = service_for(make_app, smtp_server.url)
    result = run_pass(service, D(2019, 9, 25), dry_run=True)
    assert len(result.messages) == 4 and all(m.outbox_id is None for m in result.messages)
    assert outbox(sessions) == []
    assert len(run_pass(service, D(2019, 9, 25)).messages) == 4


def test_an_agency_nobody_can_be_written_to_is_reported(make_app, smtp_server, sessions, cast, letter):
    from tracker.agencies.models import Agency
    from tracker.db import transaction

    [task] = register(sessions, cast.clerk, [(cast.police, "lead", D(2019, 9, 30))], received_on=D(2019, 9, 2))
    with transaction(sessions) as s:
        s.get(Agency, cast.police).emails = []
    service = service_for(make_app, smtp_server.url)
    result = run_pass(service, D(2019, 9, 25))
    assert result.unreachable == [(task, "Công an tỉnh")]
    with transaction(sessions) as s:
        s.get(Agency, cast.police).emails = ["congan@example.gov.vn"]
    result = run_pass(service, D(2019, 9, 25))
    assert [r.task_id for r in result.reminders] == [task]


def test_an_extended_deadline_starts_its_own_stages(make_app, smtp_server, sessions, cast, letter):
    from tracker.db import transaction
    from tracker.tasks.models import Task

    service = service_for(make_app, smtp_server.url)
    assert len(run_pass(service, D(2019, 9, 26)).reminders) == 2  # before-2 of 30/9
    with transaction(sessions) as s:
        s.get(Task, letter.finance_task).deadline = D(2019, 10, 4)
    # The new deadline has its own stages: 5 working days before 4/10 is 27/9, a new key, so it goes out.
    result = run_pass(service, D(2019, 9, 27))
    assert [(r.task_id, r.stage.name, r.days) for r in result.reminders] == [(letter.finance_task, "before-5", 5)]
    on_old_day = run_pass(service, D(2019, 9, 30)).reminders  # the old deadline's day: only labour's task
    assert [r.task_id for r in on_old_day] == [letter.labour_task]
    result = run_pass(service, D(2019, 10, 2))
    assert [(r.task_id, r.stage.name) for r in result.reminders] == [(letter.finance_task, "before-2")]


def test_weekly_note_to_the_clerk_about_tasks_without_deadline(make_app, smtp_server, sessions, cast, letter):
    [task] = register(sessions, cast.clerk, [(cast.police, "lead", None)], received_on=D(2019, 9, 16))
    register(sessions, cast.clerk, [(cast.police, "lead", None)], received_on=D(2019, 10, 1))  # not arrived yet
    service = service_for(make_app, smtp_server.url)
    run_pass(service, D(2019, 9, 23))
    run_pass(service, D(2019, 9, 25))  # same week: no second note
    deliver_all(service)
    notes = smtp_server.recorder.to("clerk@example.gov.vn")
    assert len(notes) == 1
    assert notes[0].message["Subject"] == "Nhiệm vụ chưa có hạn xử lý: 1 nhiệm vụ cần xác định hạn (tuần 39/2019)"
    assert f"{BASE_URL}/tasks/{task}" in notes[0].text and "Cơ quan chủ trì: Công an tỉnh" in notes[0].text
    run_pass(service, D(2019, 9, 30))
    deliver_all(service)
    assert len(smtp_server.recorder.to("clerk@example.gov.vn")) == 2
