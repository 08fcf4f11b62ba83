"""A small office for the report tests: letters of September 2019 with tasks in every category."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from docx import Document

from tracker.db import transaction

D = dt.date
TODAY = D(2019, 9, 20)


@dataclass
class Office:
    """Ids of what the tests check against."""

    letters: list[int]
    tasks: dict[str, int]


def _register(session, clerk, agency_tasks, *, number, received_on, subject):
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    spec = LetterSpec(number=number, doc_type="Công văn", issuer="Ủy ban nhân dân tỉnh Kiên Giang",
                      place="Kiên Giang", issued_on=received_on - dt.timedelta(days=2), subject=subject,
                      recipients=[], full_text=subject)
    return register_letter(session, spec, [TaskSpec(agency_id=a, role=r, summary=s, deadline=dl)
                                           for a, r, s, dl in agency_tasks], actor=clerk, received_on=received_on)


@pytest.fixture(autouse=True)
def reports_built_on_a_thread(request):
    """The web builds reports on a thread of the test's process here, so tests can replace the builder
    (monkeypatch) and wait for it; test_worker.py sets it back to the worker process that production uses."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["TRACKER_REPORT_RUNNER"] = "thread"


@pytest.fixture
def office(sessions, cast, letter) -> Office:
    """Besides the shared letter (finance lead, labour cooperate, due 30/9/2019): tasks done on time, done
    late, overdue (police, 5/9), without deadline, and one cancelled, across three more letters."""
    from tracker.accounts.models import User
    from tracker.tasks.models import Task

    with transaction(sessions) as s:
        clerk = s.get(User, cast.clerk)
        first = _register(s, clerk, [
            (cast.finance, "lead", "Rà soát kinh phí hỗ trợ 1.234 hộ", D(2019, 9, 10)),
            (cast.labour, "lead", "Báo cáo kết quả đợt 1", D(2019, 9, 10)),
            (cast.police, "lead", "Bảo đảm an ninh trật tự", D(2019, 9, 5)),
        ], number="101/UBND-VX", received_on=D(2019, 9, 2), subject="triển khai chương trình an sinh")
        second = _register(s, clerk, [
            (cast.finance, "cooperate", "Theo dõi chung, không hạn", None),
            (cast.police, "cooperate", "Nhiệm vụ đã hủy", D(2019, 9, 12)),
        ], number="102/UBND-KT", received_on=D(2019, 9, 9), subject="kiểm tra công tác phòng cháy")
        third = _register(s, clerk, [
            (cast.labour, "lead", "Tổng kết năm 2018", D(2019, 3, 1)),
        ], number="55/UBND-VX", received_on=D(2019, 2, 10), subject="tổng kết năm 2018")
        closed = _register(s, clerk, [
            (cast.labour, "lead", "Báo cáo nhanh tình hình lũ", D(2019, 9, 15)),
        ], number="103/UBND-VX", received_on=D(2019, 9, 5), subject="báo cáo nhanh tình hình lũ")
        s.flush()
        closed_task = closed.tasks[0]
        closed_task.status, closed_task.completed_on = "done", D(2019, 9, 14)
        on_time, late, overdue = first.tasks
        no_deadline, cancelled = second.tasks
        old = third.tasks[0]
        for task, status, completed in ((on_time, "done", D(2019, 9, 9)), (late, "done", D(2019, 9, 13)),
                                        (cancelled, "cancelled", None), (old, "done", D(2019, 2, 28))):
            task.status = status
            task.completed_on = completed
        ids = {"on_time": on_time.id, "late": late.id, "overdue": overdue.id, "no_deadline": no_deadline.id,
               "cancelled": cancelled.id, "old": old.id, "finance_lead": letter.finance_task,
               "labour_cooperate": letter.labour_task,
               "closed": closed_task.id}
        assert s.get(Task, ids["overdue"]).deadline == D(2019, 9, 5)
        return Office([letter.letter, first.id, second.id, third.id, closed.id], ids)


def all_text(document) -> str:
    """Every paragraph and table cell of a python-docx document, one per line."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def reopen(report, tmp_path, name="report.docx"):
    """Save a ReportDocument and open the file again with python-docx, as a reader would."""
    path = tmp_path / name
    report.save(path)
    return Document(str(path)), path
