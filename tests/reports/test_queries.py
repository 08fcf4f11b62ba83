"""How much the reports ask of the database: the work is bounded by the period, not by the database's size.

No timing: the statements are counted and read, and ORM loads are counted.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.reports.conftest import TODAY, _register, all_text, reopen
from tracker.db import transaction
from tracker.reports import builders, data
from tracker.reports.vn import period_from_text

D = dt.date
SEPTEMBER = period_from_text("2019-09")


@contextmanager
def recorded(app):
    """The (SQL, parameters) of every statement the app's engine runs within the block."""
    engine = app.extensions["tracker.engine"]
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def orm_loads():
    """How many Task, Occurrence and Letter objects the ORM builds within the block, by class name."""
    from tracker.intake.models import Letter
    from tracker.tasks.models import Occurrence, Task

    counts = {"Task": 0, "Occurrence": 0, "Letter": 0}
    listeners = []
    for model in (Task, Occurrence, Letter):
        def load(target, context, name=model.__name__):
            counts[name] += 1
        event.listen(model, "load", load)
        listeners.append((model, load))
    try:
        yield counts
    finally:
        for model, load in listeners:
            event.remove(model, "load", load)


def _more_agencies_and_tasks(sessions, cast, count: int) -> None:
    """``count`` more agencies, each given tasks in September (one overdue, one done) and tasks finished long
    before it."""
    from tracker.accounts.models import User
    from tracker.agencies.models import Agency

    with transaction(sessions) as s:
        clerk = s.get(User, cast.clerk)
        agencies = [Agency(code=f"extra{i}", name=f"Ủy ban nhân dân huyện số {i}", kind="district", aliases=[],
                           emails=[], active=True, search_text=f"huyen so {i}") for i in range(count)]
        s.add_all(agencies)
        s.flush()
        for i, agency in enumerate(agencies):
            letter = _register(s, clerk, [(agency.id, "lead", f"Việc tháng 9 số {i}", D(2019, 9, 6)),
                                          (agency.id, "lead", f"Việc đã xong số {i}", D(2019, 9, 12))],
                               number=f"{300 + i}/UBND-VX", received_on=D(2019, 9, 3), subject=f"việc số {i}")
            old = _register(s, clerk, [(agency.id, "lead", f"Việc năm trước số {i}", D(2018, 3, 1))],
                            number=f"{400 + i}/UBND-VX", received_on=D(2018, 2, 1), subject=f"năm trước {i}")
            s.flush()
            letter.tasks[1].status, letter.tasks[1].completed_on = "done", D(2019, 9, 11)
            old.tasks[0].status, old.tasks[0].completed_on = "done", D(2018, 2, 20)


def _summary_statements(app, sessions) -> list[tuple[str, object]]:
    with sessions() as s, recorded(app) as seen:
        data.summary_data(s, SEPTEMBER, TODAY)
    return seen


def test_the_summary_asks_a_fixed_number_of_statements_whatever_the_agencies_and_tasks(app, sessions, cast,
                                                                                      office):
    before = _summary_statements(app, sessions)
    _more_agencies_and_tasks(sessions, cast, 12)
    with sessions() as s:
        grown = data.summary_data(s, SEPTEMBER, TODAY)
    assert len(grown.per_agency) == 3 + 12 and len(grown.overdue) == 1 + 12
    after = _summary_statements(app, sessions)
    assert len(after) == len(before) <= 8


def test_the_summary_filters_by_the_period_in_sql_and_loads_no_task_or_letter(app, sessions, office):
    with sessions() as s, recorded(app) as seen, orm_loads() as loads:
        summary = data.summary_data(s, SEPTEMBER, TODAY)
    assert summary.total == 7
    assert loads == {"Task": 0, "Occurrence": 0, "Letter": 0}
    # the one statement that reads the units (into a temporary table) carries the period's first and last day
    units = [(sql, params) for sql, params in seen if sql.startswith("INSERT INTO report_units")]
    assert len(units) == 1
    sql, params = units[0]
    values = {str(v) for v in (params.values() if isinstance(params, dict) else params)}
    assert {"2019-09-01", "2019-09-30"} <= values, values
    assert all("full_text" not in sql for sql, _ in seen)


def test_a_task_finished_before_the_period_is_never_read_back(app, sessions, office):
    with sessions() as s, recorded(app):
        summary = data.summary_data(s, SEPTEMBER, TODAY)
        overdue_tasks = {line.task_id for line in summary.overdue}
    assert office.tasks["old"] not in overdue_tasks
    # the task done in February is counted over all time, not in September
    with sessions() as s:
        assert data.summary_data(s, period_from_text("2019"), TODAY).total == 8


@pytest.mark.parametrize("build", [builders.build_register, builders.build_followup])
def test_a_register_is_read_in_batches_and_reads_the_same_as_in_one(app, sessions, cast, office, tmp_path,
                                                                     monkeypatch, build):
    _more_agencies_and_tasks(sessions, cast, 4)  # 8 more letters, 4 of them in September
    with sessions() as s:
        whole, _ = reopen(build(s, SEPTEMBER, TODAY), tmp_path, "whole.docx")
    monkeypatch.setattr(builders, "REGISTER_BATCH", 2)
    with sessions() as s, orm_loads() as loads, recorded(app) as seen:
        batched, _ = reopen(build(s, SEPTEMBER, TODAY), tmp_path, "batched.docx")
    assert all_text(batched) == all_text(whole)
    assert "300/UBND-VX" in all_text(batched) and "400/UBND-VX" not in all_text(batched)
    assert loads == {"Task": 0, "Occurrence": 0, "Letter": 0}
    assert all("full_text" not in sql for sql, _ in seen)
    tasks_asked = [sql for sql, _ in seen if "FROM task JOIN agency" in sql]
    assert len(tasks_asked) >= 3  # one question per batch of 2 letters, not one for the whole register


def test_a_table_is_written_outside_the_document_tree_until_the_file_is_saved(tmp_path):
    from docx.oxml.ns import qn

    from tracker.reports.document import ReportDocument

    report = ReportDocument()
    tables = len(report.document.element.body.findall(qn("w:tbl")))
    report.table(["TT", "Nội dung"], ([str(i), f"dòng {i} <&>"] for i in range(1, 3001)), [2.0, 10.0], total=3000)
    # the tree holds a marker line, not 3,000 rows
    assert len(report.document.element.body.findall(qn("w:tbl"))) == tables
    document, _ = reopen(report, tmp_path)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    assert len(table.rows) == 3001 and table.rows[-1].cells[1].text == "dòng 3000 <&>"
    assert "tracker-table-" not in all_text(document)
