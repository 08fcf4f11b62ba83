"""The planner: which reminder each task is due for on a day, counted in working days (Tết included)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.calendar.workdays import default_calendar
from tracker.reminders.planner import Planner, Stage, latest_stage, signed_days, weekly_note_week
from tracker.reminders.policy import ReminderPolicy, Stages, parse_policy

CAL = default_calendar()
D = dt.date
DEFAULT = Stages()  # 5 and 2 before, on the day, 3, 6, 12, 24... overdue (then every 60), leaders from 5 overdue


def walk(deadline: dt.date, first: dt.date, last: dt.date, stages: Stages = DEFAULT) -> dict[dt.date, Stage]:
    """Day by day, the stage that becomes due (what a daily pass would send), skipping days already sent."""
    sent: set[tuple[int, dt.date]] = set()
    out = {}
    day = first
    while day <= last:
        if CAL.is_working_day(day):
            stage = latest_stage(deadline, day, stages, CAL)
            if stage is not None and (stage.offset, stage.due_on) not in sent:
                sent.add((stage.offset, stage.due_on))
                out[day] = stage
        day += dt.timedelta(days=1)
    return out


def test_default_stages_of_the_kien_giang_deadline():
    # 30/09/2019 is a Monday: 5 working days before is Monday 23/9, 2 before is Thursday 26/9.
    sent = walk(D(2019, 9, 30), D(2019, 9, 16), D(2019, 12, 10))
    assert [(day, s.name, s.escalated) for day, s in sent.items()] == [
        (D(2019, 9, 23), "before-5", False),
        (D(2019, 9, 26), "before-2", False),
        (D(2019, 9, 30), "on-day", False),
        (D(2019, 10, 3), "overdue-3", False),
        (D(2019, 10, 8), "overdue-6", True),   # from 5 working days overdue on, leaders are copied
        (D(2019, 10, 16), "overdue-12", True),  # then the escalation backs off: 12, 24, 48 working days late
        (D(2019, 11, 1), "overdue-24", True),
        (D(2019, 12, 5), "overdue-48", True),
    ]


def test_overdue_stages_back_off_then_come_every_max_gap_working_days():
    assert DEFAULT.overdue_offsets(400) == [3, 6, 12, 24, 48, 96, 156, 216, 276, 336, 396]
    assert [DEFAULT.latest_overdue(n) for n in (0, 2, 3, 5, 11, 12, 95, 96, 155, 156, 2500)] == [
        0, 0, 3, 3, 6, 12, 48, 96, 96, 156, 2496]
    # A task ten years late hears about it about once a quarter, not every third working day.
    ten_years = DEFAULT.overdue_offsets(2500)
    assert len(ten_years) == 46 and len([o for o in ten_years if DEFAULT.escalated(o)]) == 45
    every = Stages(overdue_backoff=1)  # the old policy: every 3 working days forever
    assert every.overdue_offsets(12) == [3, 6, 9, 12] and every.latest_overdue(2500) == 2499
    uncapped = Stages(overdue_max_gap=0)
    assert uncapped.overdue_offsets(2500) == [3, 6, 12, 24, 48, 96, 192, 384, 768, 1536]
    once = Stages(overdue_every=0, escalate_after=5)
    assert once.overdue_offsets(100) == [5] and once.latest_overdue(100) == 5


def test_backed_off_stages_are_planned_on_working_days_and_old_ones_are_not_repeated():
    # Ten years after a deadline the latest stage is due once, on its own day, then nothing until the next one.
    deadline = D(2016, 12, 9)
    day = D(2026, 12, 7)
    stage = latest_stage(deadline, day, DEFAULT, CAL)
    overdue = CAL.working_days_between(deadline, day)
    assert stage.offset == DEFAULT.latest_overdue(overdue) and stage.offset % 60 == 36 and stage.escalated
    assert stage.due_on == CAL.add_working_days(deadline, stage.offset) and stage.due_on <= day
    assert latest_stage(deadline, CAL.add_working_days(stage.due_on, 59), DEFAULT, CAL) == stage
    assert latest_stage(deadline, CAL.add_working_days(stage.due_on, 60), DEFAULT, CAL).offset == stage.offset + 60


def test_stage_ranges_say_for_each_deadline_what_latest_stage_does():
    policy = parse_policy('[types.urgent]\nbefore = [2, 1]\noverdue_every = 1\nescalate_after = 3\n')
    today = D(2025, 2, 10)
    planner = Planner(policy, CAL, today)
    oldest = D(2023, 1, 1)
    for kind in ("lead", "urgent"):
        ranges = planner.stage_ranges(kind, oldest)
        assert len(ranges) < 40  # a few ranges, not one per deadline
        day = oldest
        while day <= planner.horizon() + dt.timedelta(days=3):
            expected = latest_stage(day, today, policy.stages_for(kind), CAL)
            found = [offset for first, last, offset in ranges if (first is None or first <= day) and day <= last]
            assert found == ([expected.offset] if expected else []), (kind, day)
            day += dt.timedelta(days=1)


def test_stages_step_over_tet():
    # Deadline Wednesday 5/2/2025, just after the Tết break (27/1–2/2/2025 off).
    sent = walk(D(2025, 2, 5), D(2025, 1, 13), D(2025, 2, 14))
    assert [(day, s.name) for day, s in sent.items()] == [
        (D(2025, 1, 22), "before-5"),   # 23, 24 Jan, then 3, 4, 5 Feb: five working days
        (D(2025, 2, 3), "before-2"),
        (D(2025, 2, 5), "on-day"),
        (D(2025, 2, 10), "overdue-3"),
        (D(2025, 2, 13), "overdue-6"),
    ]
    assert all(CAL.is_working_day(day) for day in sent)
    assert signed_days(D(2025, 2, 5), D(2025, 1, 22), CAL) == 5


def test_deadline_on_a_day_off_is_reminded_on_the_last_working_day_before_it():
    # Sunday 29/9/2019: the "on the day" reminder goes out on Friday 27/9.
    stage = latest_stage(D(2019, 9, 29), D(2019, 9, 27), DEFAULT, CAL)
    assert stage == Stage(0, D(2019, 9, 27), False)
    assert signed_days(D(2019, 9, 29), D(2019, 9, 30), CAL) == -1  # Monday: one working day late


def test_reminders_before_a_deadline_on_a_day_off_count_back_from_the_last_working_day_before_it():
    """Sunday 29/9/2019: the working week before it ends on Friday 27/9, so "5 working days before" is Friday
    20/9 (five working days left: 23-27/9), "2 before" Wednesday 25/9 and "on the day" Friday 27/9."""
    sent = walk(D(2019, 9, 29), D(2019, 9, 16), D(2019, 9, 27))
    assert [(day, s.name) for day, s in sent.items()] == [
        (D(2019, 9, 20), "before-5"), (D(2019, 9, 25), "before-2"), (D(2019, 9, 27), "on-day")]
    assert signed_days(D(2019, 9, 29), D(2019, 9, 20), CAL) == 5
    # a deadline on a working day is unchanged: Monday 30/9 is reminded on Monday 23/9, five working days before
    assert latest_stage(D(2019, 9, 30), D(2019, 9, 23), DEFAULT, CAL) == Stage(-5, D(2019, 9, 23), False)


def test_a_scheduler_down_for_days_catches_up_with_the_latest_stage_only():
    # Nothing ran between 20/9 and 2/10/2019: on 2/10 the task is 2 working days late; only "on-day" is due.
    assert latest_stage(D(2019, 9, 30), D(2019, 10, 2), DEFAULT, CAL).name == "on-day"
    # Down until 10/10: 8 working days late, the latest stage is overdue-6 (escalated), not four mails.
    stage = latest_stage(D(2019, 9, 30), D(2019, 10, 10), DEFAULT, CAL)
    assert (stage.name, stage.due_on, stage.escalated) == ("overdue-6", D(2019, 10, 8), True)


def test_nothing_is_due_far_from_the_deadline():
    assert latest_stage(D(2019, 9, 30), D(2019, 9, 20), DEFAULT, CAL) is None


def test_escalation_alone_when_there_are_no_overdue_reminders():
    stages = Stages(before=(2,), on_day=False, overdue_every=0, escalate_after=5)
    sent = walk(D(2019, 9, 30), D(2019, 9, 20), D(2019, 10, 20), stages)
    assert [(day, s.name, s.escalated) for day, s in sent.items()] == [
        (D(2019, 9, 26), "before-2", False), (D(2019, 10, 7), "overdue-5", True)]


def test_stages_per_task_type_from_the_policy_file():
    policy = parse_policy('[types.urgent]\nbefore = [1]\noverdue_every = 1\n')
    planner = Planner(policy, CAL, D(2019, 9, 27))  # Friday before the Monday deadline
    assert planner.stage(D(2019, 9, 30), "urgent").name == "before-1"
    assert planner.stage(D(2019, 9, 30), "lead").name == "before-2"  # the default, inherited


def test_plan_skips_what_went_out_and_tasks_without_deadline():
    planner = Planner(ReminderPolicy(), CAL, D(2019, 9, 26))
    tasks = [(1, D(2019, 9, 30), "lead"), (2, None, "lead"), (3, D(2019, 12, 31), "lead"), (4, D(2019, 9, 30), "lead")]
    sent = {(4, -2, D(2019, 9, 26))}
    assert [(task_id, stage.name) for task_id, stage in planner.plan(tasks, sent)] == [(1, "before-2")]


@pytest.mark.parametrize(("today", "expected"), [
    (D(2019, 9, 23), (2019, 39)),   # Monday
    (D(2019, 9, 25), (2019, 39)),   # Wednesday: the week's note is still due (catch-up)
    (D(2025, 1, 29), None),         # Tết week 2025: no working day at all
    (D(2019, 4, 29), None),         # Monday 29/4/2019 is a swapped day off...
    (D(2019, 5, 2), (2019, 18)),    # ...so the note of that week goes on Thursday 2/5
])
def test_weekly_note_goes_on_the_first_working_day_of_the_week(today, expected):
    assert weekly_note_week(today, 1, CAL) == expected
