"""The register's Tình trạng column, read as plain rows for a whole page, says what each letter's own page says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.demo import load_demo
from tracker.intake.models import Letter
from tracker.tasks.models import Occurrence, Task
from tracker.tasks.queries import letter_rollups
from tracker.tasks.rollup import rollup_of_letter
from tracker.tasks.workflow import workflow_for


def test_the_register_rolls_up_each_letter_as_its_page_does(app, sessions):
    today = dt.date(2019, 9, 20)
    load_demo(sessions, app.extensions["tracker.settings"], today=today)
    with sessions() as session:
        # the demo's recurring report, a cancelled task and a letter without tasks make the rarer roll-ups
        letters = session.scalars(select(Letter).order_by(Letter.id)).all()
        some = letters[0]
        session.add(Task(letter_id=some.id, agency_id=session.scalar(select(Task.agency_id).limit(1)), role="lead",
                         summary="Đã hủy", status="cancelled", progress=0))
        session.add(Letter(received_on=today, issuer="Sở Tài chính", subject="Không giao việc", recipients=[],
                           references=[], full_text="", search_text="khong giao viec"))
        # a monthly report due in years, whose August period is late: the letter is overdue by its periods
        monthly = Task(letter_id=letters[1].id, agency_id=some.tasks[0].agency_id, role="lead", summary="Báo cáo",
                       status="in_progress", progress=0, recurrence="monthly:20", deadline=dt.date(2030, 12, 20))
        session.add(monthly)
        session.flush()
        for start, end, status, completed in ((dt.date(2019, 7, 1), dt.date(2019, 7, 31), "done", dt.date(2019, 8, 2)),
                                              (dt.date(2019, 8, 1), dt.date(2019, 8, 31), "assigned", None)):
            session.add(Occurrence(task_id=monthly.id, period_start=start, period_end=end, label=f"Tháng {start.month}",
                                   deadline=end, status=status, completed_on=completed))
        session.commit()
        letters = session.scalars(select(Letter).order_by(Letter.id)).all()
        workflow = workflow_for(session)
        for day in (today, today + dt.timedelta(days=60), today + dt.timedelta(days=400)):
            page = letter_rollups(session, [letter.id for letter in letters], workflow, day)
            expected = {letter.id: rollup_of_letter(letter, workflow, day) for letter in letters}
            assert page == expected
        codes = {rollup.code for rollup in page.values()}
        assert {"none", "overdue"} <= codes, codes
        assert page[letters[1].id].overdue >= 1
