"""The working-day calendar kept in a table: seeded from the shipped file, edited by an admin on the record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.calendar.models import CalendarAdjustment, CalendarChange
from tracker.calendar.store import AdjustmentFields, add_adjustment, build_calendar, import_shipped
from tracker.calendar.workdays import default_calendar, shipped_calendar
from tracker.db import transaction

D = dt.date


def test_the_seeded_table_gives_the_shipped_calendar(sessions):
    shipped = shipped_calendar()
    with sessions() as s:
        from_table = build_calendar(s)
        assert s.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == D(2025, 1, 27))).label == \
            "Tết Nguyên đán"
    day = D(2019, 1, 1)
    while day <= D(2026, 12, 31):
        assert from_table.is_working_day(day) == shipped.is_working_day(day), day
        day += dt.timedelta(days=1)


def add_day(client, **fields):
    data = {"day": "06/03/2026", "kind": "day_off", "label": "Nghỉ bù do thiên tai", "source": "Công văn 99/VPCP-KGVX",
            "verified": "y", "swap_with": "", "note": "", "reason": "Quyết định mới của Chính phủ", **fields}
    return client.post("/admin/calendar/add", data=data)


def test_an_added_day_off_counts_everywhere_and_is_on_the_record(web, cast, sessions):
    admin = web(cast.admin)
    friday = D(2026, 3, 6)
    assert default_calendar().is_working_day(friday)
    response = add_day(admin)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar?year=2026")
    # The whole process counts with it at once: deadlines, relative deadlines of the extractor, reminders.
    assert not default_calendar().is_working_day(friday)
    assert default_calendar().day_off_reason(friday) == "Nghỉ bù do thiên tai"
    assert default_calendar().add_working_days(D(2026, 3, 5), 1) == D(2026, 3, 9)
    page = admin.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Thứ Sáu, 06/03/2026" in page and "Nghỉ bù do thiên tai" in page
    assert "Quyết định mới của Chính phủ" in page and "Admin" in page  # the record: who, why
    with sessions() as s:
        change = s.scalars(select(CalendarChange).order_by(CalendarChange.id.desc())).first()
        assert (change.action, change.day, change.actor_id, change.after["label"]) == (
            "added", friday, cast.admin, "Nghỉ bù do thiên tai")


def test_change_and_removal_keep_the_old_values(web, cast, sessions):
    admin = web(cast.admin)
    add_day(admin)
    with sessions() as s:
        row = s.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == D(2026, 3, 6)))
    form = admin.get(f"/admin/calendar/{row.id}").get_data(as_text=True)
    assert 'value="06/03/2026"' in form
    response = admin.post(f"/admin/calendar/{row.id}", data={
        "day": "06/03/2026", "kind": "day_off", "label": "Nghỉ do bão số 3", "source": "Công văn 99/VPCP-KGVX",
        "verified": "y", "reason": "Sửa tên theo văn bản chính thức"})
    assert response.status_code == 302
    assert default_calendar().day_off_reason(D(2026, 3, 6)) == "Nghỉ do bão số 3"
    response = admin.post(f"/admin/calendar/{row.id}/remove", data={"remove-reason": "Chính phủ hủy quyết định"})
    assert response.status_code == 302
    assert default_calendar().is_working_day(D(2026, 3, 6))
    with sessions() as s:
        changes = list(s.scalars(select(CalendarChange).where(CalendarChange.day == D(2026, 3, 6))
                                 .order_by(CalendarChange.id)))
    assert [c.action for c in changes] == ["added", "changed", "removed"]
    assert changes[1].before["label"] == "Nghỉ bù do thiên tai" and changes[1].after["label"] == "Nghỉ do bão số 3"
    assert changes[2].before["label"] == "Nghỉ do bão số 3" and changes[2].reason == "Chính phủ hủy quyết định"
    page = admin.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "“Nghỉ bù do thiên tai” → “Nghỉ do bão số 3”" in page


def test_mistakes_are_refused_with_a_reason(web, cast):
    admin = web(cast.admin)
    saturday = add_day(admin, day="07/03/2026")
    assert saturday.status_code == 400 and "vốn đã là ngày nghỉ" in saturday.get_data(as_text=True)
    assert add_day(admin, day="31/02/2026").status_code == 400
    assert "đã có trong danh sách" in add_day(admin, day="27/01/2025").get_data(as_text=True)  # Tết 2025
    plain_weekday = add_day(admin, kind="working_day", day="05/03/2026")
    assert "vốn là ngày làm việc" in plain_weekday.get_data(as_text=True)
    assert add_day(admin, reason="").status_code == 400
    assert default_calendar().is_working_day(D(2026, 3, 6))


def test_only_the_admin_edits_the_calendar_and_sees_the_outbox(web, cast):
    for user in (cast.clerk, cast.leader, cast.finance_officer):
        client = web(user)
        assert client.get("/admin/calendar").status_code == 403
        assert add_day(client).status_code == 403
        assert client.get("/admin/outbox").status_code == 403
        assert client.post("/admin/outbox/resend-failed").status_code == 403
    assert default_calendar().is_working_day(D(2026, 3, 6))


def test_a_change_made_by_another_process_reaches_this_one(web, cast, sessions):
    admin = web(cast.admin)
    admin.get("/admin/calendar")
    with transaction(sessions) as s:  # e.g. another web worker
        add_adjustment(s, AdjustmentFields(D(2026, 3, 6), "day_off", "Nghỉ đột xuất", "Công văn 1/VPCP"),
                       actor=None, reason="Thử")
    assert default_calendar().is_working_day(D(2026, 3, 6))  # this process has not looked yet
    admin.get("/")
    assert not default_calendar().is_working_day(D(2026, 3, 6))


def test_shipped_days_come_back_only_if_nobody_touched_them(web, cast, sessions):
    admin = web(cast.admin)
    with sessions() as s:
        tet = s.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == D(2025, 1, 27)))
        newyear = s.scalar(select(CalendarAdjustment).where(CalendarAdjustment.day == D(2026, 1, 2)))
    admin.post(f"/admin/calendar/{tet.id}/remove", data={"remove-reason": "Thử xóa"})
    with transaction(sessions) as s:  # as if a new release shipped a day the table does not have
        s.delete(s.get(CalendarAdjustment, newyear.id))
    response = admin.post("/admin/calendar/import")
    assert response.status_code == 302
    with sessions() as s:
        days = set(s.scalars(select(CalendarAdjustment.day)))
    assert D(2026, 1, 2) in days and D(2025, 1, 27) not in days
    with transaction(sessions) as s:
        assert import_shipped(s) == 0
