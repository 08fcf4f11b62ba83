"""The overview's running counts (tracker.tasks.tally): right after every change, and repaired when something
wrote tasks behind the app's back.

Every test's app is also checked against a full count when it ends (tests/conftest.py), so the workflow,
permission, recurrence and registration tests all exercise the counts; these tests name what a leader sees.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import text

from tracker.db import transaction
from tracker.tasks import queries, tally

TODAY = dt.date(2019, 9, 20)


def overview_numbers(web, cast) -> dict[str, int]:
    """The figure cards of the overview as a leader reads them: label -> number."""
    page = web(cast.leader).get("/overview").get_data(as_text=True)
    cards = re.findall(r'<a class="figure[^"]*"[^>]*><strong>([\d.]+)</strong><span>([^<:]+)', page)
    return {label.strip(): int(number.replace(".", "")) for number, label in cards}


def test_the_overview_counts_a_task_done_and_a_task_reopened_at_once(app, web, cast, letter, tasks, post):
    before = overview_numbers(web, cast)
    officer = web(cast.finance_officer)
    for name, fields in (("start", {}), ("submit_result", {"result": "Đã hoàn thành rà soát"})):
        assert post(officer, letter.finance_task, f"/transitions/{name}", **fields).status_code == 302
    assert post(web(cast.leader), letter.finance_task, "/transitions/accept").status_code == 302
    done = overview_numbers(web, cast)
    assert done["Đã hoàn thành"] == before["Đã hoàn thành"] + 1
    assert done["Nhiệm vụ được giao"] == before["Nhiệm vụ được giao"]
    with app.extensions["tracker.write_sessions"]() as session:
        workflow = app.extensions["tracker.workflow"]
        assert queries.overview_figures(session, TODAY, workflow.open_states) == (
            queries.figures_by_scan(session, TODAY, workflow.open_states),
            queries.per_agency_by_scan(session, TODAY, workflow.open_states))


def test_tasks_written_behind_the_apps_back_are_recounted_by_the_scheduler(app, web, cast, letter, caplog):
    """A hand-made fix in SQL (or a bulk import) is not seen as it happens; the nightly recount repairs the
    figures and says so in the log."""
    from tracker.reminders.operations import ReminderService
    from tracker.reminders.scheduler import JOB_RECOUNT, Ticks, build_scheduler

    before = overview_numbers(web, cast)
    with app.extensions["tracker.engine"].begin() as conn:
        conn.execute(text("UPDATE task SET status = 'cancelled' WHERE id = :id"), {"id": letter.labour_task})
    assert overview_numbers(web, cast)["Nhiệm vụ được giao"] == before["Nhiệm vụ được giao"]  # not seen yet
    with app.extensions["tracker.write_sessions"]() as session:
        assert tally.differences(session) != []

    service = ReminderService.from_app(app)
    ticks = Ticks(service)
    assert build_scheduler(service, ticks).get_job(JOB_RECOUNT) is not None
    ticks.recount_figures()
    assert overview_numbers(web, cast)["Nhiệm vụ được giao"] == before["Nhiệm vụ được giao"] - 1
    assert "recounted" in caplog.text
    with app.extensions["tracker.write_sessions"]() as session:
        assert tally.differences(session) == []


def test_the_recount_command_checks_then_repairs(app, letter):
    from click.testing import CliRunner

    from tracker.cli import cli

    env = {"TRACKER_INSTANCE": str(app.instance_path),
           "TRACKER_DATABASE_URL": app.extensions["tracker.settings"].database_url}

    def run(*args):
        return CliRunner().invoke(cli, ["tasks", "recount", *args], env=env)

    assert run("--check").exit_code == 0
    with app.extensions["tracker.engine"].begin() as conn:
        conn.execute(text("DELETE FROM figures_tally"))
    checked = run("--check")
    assert checked.exit_code != 0 and "tracker tasks recount" in checked.output
    repaired = run()
    assert repaired.exit_code == 0 and "Đã đếm lại" in repaired.output
    with transaction(app.extensions["tracker.write_sessions"]) as session:
        assert tally.differences(session) == []


def test_the_overview_counts_once_between_two_changes(app, web, cast, letter, tasks, post):
    """A second leader opening the overview reads the figures counted for the first (no statement counts tasks),
    and the next change to a task makes the overview count again."""
    from sqlalchemy import event

    engine = app.extensions["tracker.engine"]
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    def counting_statements() -> list[str]:
        return [s for s in seen if "count(" in s and ("FROM task " in s + " " or "FROM task_occurrence" in s)]

    web(cast.leader).get("/overview")
    event.listen(engine, "before_cursor_execute", record)
    try:
        second = overview_numbers(web, cast)
        assert counting_statements() == []
        assert post(web(cast.finance_officer), letter.finance_task, "/transitions/start").status_code == 302
        seen.clear()
        third = overview_numbers(web, cast)
        assert counting_statements() != []
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert third == second  # starting a task moves no card; the count was made again all the same


def test_the_lists_due_counts_follow_an_extension_and_are_counted_once_between_changes(app, web, cast, letter,
                                                                                        tasks, post):
    """The "Quá hạn" count above the task lists is counted once between two changes, and an extension that
    moves the only overdue task's deadline past today takes it off at once (for the agency and for everybody)."""
    from sqlalchemy import event

    tasks.arrange(letter.finance_task, deadline=dt.date(2019, 9, 10))
    engine = app.extensions["tracker.engine"]
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    def overdue_chip(path: str, who: int) -> int:
        page = web(who).get(path).get_data(as_text=True)
        return int(re.search(r"Quá hạn: <strong>(\d+)</strong>", page).group(1))

    assert overdue_chip("/tasks/mine", cast.finance_officer) == 1 and overdue_chip("/tasks/", cast.leader) == 1
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert overdue_chip("/tasks/", cast.leader) == 1
        assert [s for s in seen if "count(" in s and "task.deadline <" in s] == []
    finally:
        event.remove(engine, "before_cursor_execute", record)
    officer = web(cast.finance_officer)
    assert post(officer, letter.finance_task, "/extensions", new_deadline="15/10/2019",
                reason="Chờ số liệu của các huyện").status_code == 302
    pending = tasks.get(letter.finance_task).extensions[-1].id
    assert post(web(cast.leader), letter.finance_task, f"/extensions/{pending}", decision="approve",
                comment="Đồng ý").status_code == 302
    assert overdue_chip("/tasks/mine", cast.finance_officer) == 0 and overdue_chip("/tasks/", cast.leader) == 0
