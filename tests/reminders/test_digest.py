"""Digests a person can read at any scale: bounded lists, counts, links, escalation that backs off, bounded work."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import event, select

from tests.reminders.conftest import BASE_URL
from tests.reminders.helpers import outbox, register
from tracker.calendar.workdays import default_calendar
from tracker.reminders.operations import ReminderService, deliver_all, run_pass

D = dt.date
CAL = default_calendar()
PASS_DAY = D(2019, 10, 21)  # a Monday


def working_days_before(day: dt.date, count: int) -> list[dt.date]:
    """The ``count`` working days before ``day``, oldest first."""
    return [CAL.add_working_days(day, -k) for k in range(count, 0, -1)]


def listed_deadlines(text: str) -> list[dt.date]:
    """The deadlines of the tasks a mail lists, in the order it lists them."""
    return [dt.datetime.strptime(found, "%d/%m/%Y").date()
            for found in re.findall(r"Hạn xử lý: \S+ \S+, (\d\d/\d\d/\d{4})", text)]


def overdue_tasks(sessions, cast, count: int, agency: int, last: dt.date) -> dict[dt.date, int]:
    """``count`` tasks of ``agency``, one letter, deadlines on the ``count`` working days before ``last``."""
    deadlines = working_days_before(last, count)
    ids = register(sessions, cast.clerk, [(agency, "lead", day) for day in deadlines], received_on=D(2019, 6, 3),
                   subject="báo cáo tiến độ giải ngân vốn đầu tư công")
    return dict(zip(deadlines, ids))


def test_a_leader_with_50_overdue_tasks_reads_the_20_most_overdue_and_a_count_with_a_link(
        make_app, smtp_server, sessions, cast):
    tasks = overdue_tasks(sessions, cast, 50, cast.finance, D(2019, 10, 7))  # all at least 10 working days late
    service = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    result = run_pass(service, PASS_DAY)
    assert result.reminder_count == 50
    deliver_all(service)

    [leader] = smtp_server.recorder.to("leader@example.gov.vn")
    text = leader.text
    print(leader.message["Subject"], text, sep="\n")  # what the leader reads (pytest -s shows it)
    assert leader.message["Subject"] == ("Báo cáo nhiệm vụ quá hạn: 50 nhiệm vụ quá hạn cần lãnh đạo chỉ đạo "
                                         "(21/10/2019)")
    assert unicodedata.is_normalized("NFC", text)
    assert "xin nhắc 50 nhiệm vụ cần xử lý, tính đến Thứ Hai, 21/10/2019." in text
    assert "Thư này liệt kê 20 nhiệm vụ cần chú ý nhất" in text
    assert "== Nhiệm vụ quá hạn cần lãnh đạo chỉ đạo (50) ==" in text
    assert text.count("Xem và cập nhật:") == 20
    assert listed_deadlines(text) == sorted(tasks)[:20]  # the most overdue first
    oldest = min(tasks)
    assert f"Tình trạng: Quá hạn {CAL.working_days_between(oldest, PASS_DAY)} ngày làm việc" in text
    assert f"… và 30 nhiệm vụ khác. Xem đầy đủ: {BASE_URL}/tasks/?due=overdue" in text
    assert f'href="{BASE_URL}/tasks/?due=overdue"' in leader.html and "… và 30 nhiệm vụ khác." in leader.html
    assert leader.ics.count("BEGIN:VEVENT") == 20  # the calendar holds what the mail lists

    [agency] = smtp_server.recorder.to("finance@example.gov.vn")
    assert agency.message["Subject"] == "Nhắc hạn xử lý: 50 nhiệm vụ quá hạn (21/10/2019)"
    assert agency.text.count("Xem và cập nhật:") == 20
    assert listed_deadlines(agency.text) == sorted(tasks)[:20]
    assert f"… và 30 nhiệm vụ khác. Xem đầy đủ: {BASE_URL}/tasks/mine?due=overdue" in agency.text
    assert "(đã báo cáo lãnh đạo)" in agency.text
    # The timeline of a listed task says which mail named it; the outbox row names only the listed tasks.
    rows = {row.recipient: row for row in outbox(sessions)}
    assert len(rows["leader@example.gov.vn"].task_ids) == 20
    assert tasks[oldest] in rows["leader@example.gov.vn"].task_ids


def test_the_digest_length_is_a_policy_setting(make_app, sessions, cast, tmp_path):
    overdue_tasks(sessions, cast, 12, cast.finance, D(2019, 10, 7))
    (tmp_path / "instance" / "workflows").mkdir(parents=True)
    (tmp_path / "instance" / "workflows" / "reminders.toml").write_text("[digest]\nmax_items = 5\n", encoding="utf-8")
    result = run_pass(ReminderService.from_app(make_app()), PASS_DAY, dry_run=True)
    leader = next(m for m in result.messages if m.address == "leader@example.gov.vn")
    assert leader.tasks == 12 and leader.text.count("Xem và cập nhật:") == 5
    assert "… và 7 nhiệm vụ khác." in leader.text


def test_what_falls_due_this_week_is_listed_even_behind_a_long_overdue_backlog(make_app, sessions, cast):
    overdue_tasks(sessions, cast, 30, cast.finance, D(2019, 10, 7))
    soon = register(sessions, cast.clerk, [(cast.finance, "lead", D(2019, 10, 23)), (cast.finance, "lead", D(2019, 10, 28))],
                    received_on=D(2019, 10, 1))
    result = run_pass(ReminderService.from_app(make_app()), PASS_DAY, dry_run=True)
    text = next(m for m in result.messages if m.address == "finance@example.gov.vn").text
    assert "== Nhiệm vụ quá hạn (30) ==" in text and "== Nhiệm vụ sắp đến hạn (2) ==" in text
    assert text.count("Xem và cập nhật:") == 20  # 18 overdue + the 2 due soon
    assert all(f"/tasks/{task_id}" in text for task_id in soon)
    assert "… và 12 nhiệm vụ khác." in text
    assert "Tình trạng: Còn 2 ngày làm việc" in text and "Tình trạng: Còn 5 ngày làm việc" in text


def test_escalation_backs_off_and_is_not_repeated_in_between(make_app, sessions, cast, letter):
    service = ReminderService.from_app(make_app())
    day = D(2019, 9, 16)
    while day <= D(2019, 12, 31):
        run_pass(service, day)
        day += dt.timedelta(days=1)
    sent: dict[str, list[dt.date]] = {}
    for row in outbox(sessions):
        sent.setdefault(row.recipient, []).append(row.for_date)
    # Deadline Monday 30/9/2019: 3, 6, 12, 24 and 48 working days late, never every third day.
    assert sent["leader@example.gov.vn"] == [D(2019, 10, 8), D(2019, 10, 16), D(2019, 11, 1), D(2019, 12, 5)]
    assert sent["finance@example.gov.vn"] == [D(2019, 9, 23), D(2019, 9, 26), D(2019, 9, 30), D(2019, 10, 3),
                                              D(2019, 10, 8), D(2019, 10, 16), D(2019, 11, 1), D(2019, 12, 5)]
    with sessions() as s:
        from tracker.reminders.models import Reminder

        stages = s.execute(select(Reminder.stage, Reminder.escalated).where(Reminder.task_id == letter.finance_task)
                           .order_by(Reminder.stage)).all()
    assert [(stage, bool(escalated)) for stage, escalated in stages] == [
        (-5, False), (-2, False), (0, False), (3, False), (6, True), (12, True), (24, True), (48, True)]


def test_the_weekly_note_names_the_count_and_the_oldest_undated_task(make_app, smtp_server, sessions, cast):
    first_day = D(2019, 3, 4)
    undated = []
    for k in range(25):
        received = first_day + dt.timedelta(days=7 * k)
        [task] = register(sessions, cast.clerk, [(cast.police, "lead", None)], received_on=received,
                          number=f"{300 + k}/UBND-NC")
        undated.append(task)
    register(sessions, cast.clerk, [(cast.police, "lead", None)], received_on=D(2019, 10, 1))  # not arrived yet
    service = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    run_pass(service, D(2019, 9, 23))
    run_pass(service, D(2019, 9, 25))  # same week: no second note
    deliver_all(service)
    [note] = smtp_server.recorder.to("clerk@example.gov.vn")
    text = note.text
    print(note.message["Subject"], text, sep="\n")
    assert note.message["Subject"] == "Nhiệm vụ chưa có hạn xử lý: 25 nhiệm vụ cần xác định hạn (tuần 39/2019)"
    assert unicodedata.is_normalized("NFC", text)
    assert "Tuần 39/2019 có 25 nhiệm vụ đang thực hiện nhưng chưa có hạn xử lý" in text
    assert ("Nhiệm vụ chưa có hạn lâu nhất thuộc Công văn số 300/UBND-NC ngày 03/03/2019 của Ủy ban nhân dân tỉnh "
            "Kiên Giang, nhận ngày 04/03/2019.") in text
    assert text.count("Cập nhật hạn:") == 20
    assert [int(t) for t in re.findall(r"/tasks/(\d+)\s", text)] == undated[:20]  # the oldest first
    assert f"… và 5 nhiệm vụ khác. Xem đầy đủ: {BASE_URL}/tasks/?due=none&status=open" in text


def test_nothing_is_sent_twice_across_passes(make_app, smtp_server, sessions, cast):
    overdue_tasks(sessions, cast, 50, cast.finance, D(2019, 10, 7))
    service = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    assert run_pass(service, PASS_DAY).reminder_count == 50
    deliver_all(service)
    before = len(smtp_server.received)
    again = run_pass(service, PASS_DAY)
    assert again.reminder_count == 0 and again.messages == [] and again.already_sent == 50
    deliver_all(service)
    assert len(smtp_server.received) == before
    # The next day the 30 tasks that were only counted are not reminded again: their stage went out.
    following = run_pass(service, CAL.add_working_days(PASS_DAY, 1))
    with sessions() as s:
        from tracker.reminders.models import Reminder

        keys = s.execute(select(Reminder.task_id, Reminder.stage)).all()
    assert len(keys) == len(set(keys)) == 50 + following.reminder_count
    assert following.reminder_count < 5  # only tasks that reached a later stage that day


def test_the_task_lists_the_mails_link_to_exist(web, cast, letter, sessions):
    register(sessions, cast.clerk, [(cast.police, "lead", None)], received_on=D(2019, 9, 2))
    for user, path in [(cast.leader, "/tasks/?due=overdue"), (cast.finance_officer, "/tasks/mine?due=overdue"),
                       (cast.finance_officer, "/tasks/mine?status=open"), (cast.clerk, "/tasks/?due=none&status=open")]:
        page = web(user).get(path)
        assert page.status_code == 200, path


def count_statements(engine):
    """A list that grows by one per SQL statement sent on ``engine``."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *args: seen.append(statement))
    return seen


def test_the_pass_sends_as_many_statements_for_60_overdue_tasks_as_for_5(make_app, sessions, cast):
    app = make_app()
    service = ReminderService.from_app(app)
    statements = count_statements(app.extensions["tracker.engine"])
    # Five tasks 12 working days late on the first pass day; still at that stage five working days later.
    overdue_tasks(sessions, cast, 5, cast.finance, CAL.add_working_days(PASS_DAY, -12))
    run_pass(service, PASS_DAY, dry_run=True)  # the first pass of a process reads the calendar table once
    dry_few = len(statements)
    assert run_pass(service, PASS_DAY, dry_run=True).reminder_count == 5
    dry_few = len(statements) - dry_few
    real_few = len(statements)
    assert run_pass(service, PASS_DAY).reminder_count == 5
    real_few = len(statements) - real_few

    later = CAL.add_working_days(PASS_DAY, 5)
    overdue_tasks(sessions, cast, 60, cast.finance, CAL.add_working_days(later, -6))  # 6 to 65 working days late
    dry_many = len(statements)
    assert run_pass(service, later, dry_run=True).reminder_count == 60
    dry_many = len(statements) - dry_many
    real_many = len(statements)
    result = run_pass(service, later)
    real_many = len(statements) - real_many
    assert result.reminder_count == 60 and result.already_sent == 5
    assert real_many == real_few and dry_many == dry_few
    assert real_few < 40


def test_an_agency_that_reported_its_result_is_not_reminded_while_the_office_reviews_it(make_app, sessions, cast,
                                                                                        letter):
    """Both tasks of the letter are due 30/9/2019. Finance reports its result on 2/10 and the office sits on it:
    no more reminders to Finance and no escalation to the leaders about it; returned on 21/10, it is late again
    and reminded at its next stage. Labour, which reported nothing, goes on being reminded."""
    from tests.reminders.helpers import set_status
    from tracker.reminders.models import Reminder

    service = ReminderService.from_app(make_app())
    day = D(2019, 9, 16)
    while day <= D(2019, 11, 15):
        if day == D(2019, 10, 2):
            set_status(sessions, letter.finance_task, "submitted")
        if day == D(2019, 10, 21):
            set_status(sessions, letter.finance_task, "returned")
        run_pass(service, day)
        day += dt.timedelta(days=1)
    with sessions() as s:
        def reminded(task_id):
            return s.execute(select(Reminder.stage, Reminder.due_on).where(Reminder.task_id == task_id)
                             .order_by(Reminder.stage)).all()

        finance, labour = reminded(letter.finance_task), reminded(letter.labour_task)
    # Finance: before, on the day; nothing while submitted (stages 3 on 3/10, 6 on 8/10, 12 on 16/10 skipped);
    # returned on 21/10, it gets the stage due then (12) and the next (24, on 1/11)
    assert [stage for stage, _ in finance] == [-5, -2, 0, 12, 24]
    assert [stage for stage, _ in labour] == [-5, -2, 0, 3, 6, 12, 24]
