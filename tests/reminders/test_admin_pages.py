"""The admin's outbox page (states, errors, resend) and the reminders on a task's timeline."""

from __future__ import annotations

import datetime as dt

from tests.reminders.helpers import outbox
from tracker.reminders.operations import ReminderService, deliver, deliver_all, run_pass

D = dt.date


def test_outbox_shows_states_and_errors_and_resends(app, web, cast, letter, sessions, smtp_server, make_app):
    smtp_server.recorder.reject.add("labour_officer@example.gov.vn")
    service = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    run_pass(service, D(2019, 9, 25))
    deliver_all(service)
    admin = web(cast.admin)
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Đã gửi: 3" in page and "Lỗi, không gửi được: 1" in page
    assert "bị từ chối: 550 5.1.1" in page and "Gửi lại 1 thư lỗi" in page
    assert "Lệnh tracker remind" in page  # the day's pass, and who ran it

    failed = next(r for r in outbox(sessions) if r.state == "failed")
    detail = admin.get(f"/admin/outbox/{failed.id}").get_data(as_text=True)
    assert "labour_officer@example.gov.vn" in detail and "550 5.1.1" in detail
    assert "Còn 3 ngày làm việc" in detail and "han-xu-ly.ics" in detail and failed.message_id.replace("<", "&lt;") \
        .replace(">", "&gt;") in detail

    smtp_server.recorder.reject.clear()
    assert admin.post(f"/admin/outbox/{failed.id}/resend").status_code == 302
    assert [a for _, a, _ in deliver(service).sent] == ["labour_officer@example.gov.vn"]
    assert "Yêu cầu gửi lại" in admin.get(f"/admin/outbox/{failed.id}").get_data(as_text=True)

    sent = next(r for r in outbox(sessions) if r.recipient == "finance@example.gov.vn")
    response = admin.post(f"/admin/outbox/{sent.id}/resend")
    copy = outbox(sessions)[-1]
    assert response.headers["Location"].endswith(f"/admin/outbox/{copy.id}")
    assert copy.resent_from_id == sent.id and copy.message_id != sent.message_id
    deliver(service)
    copies = smtp_server.recorder.to("finance@example.gov.vn")
    assert len(copies) == 2 and copies[1].message["Message-ID"] == copy.message_id
    assert copies[0].text.replace(sent.message_id, copy.message_id) == copies[1].text.replace(sent.message_id,
                                                                                               copy.message_id)

    filtered = admin.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "Không có thư nào." in filtered


def test_the_task_timeline_shows_the_reminders_that_went_out(web, cast, letter, smtp_server, make_app):
    service = ReminderService.from_app(make_app(smtp_url=smtp_server.url))
    run_pass(service, D(2019, 9, 26))
    deliver_all(service)
    page = web(cast.finance_officer).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Thư nhắc hạn (còn 2 ngày làm việc, hạn 30/09/2019) đã gửi tới Sở Tài chính" in page
    assert "finance_officer@example.gov.vn" in page
