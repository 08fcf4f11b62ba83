"""The reply letters: an agency's written report given with its result, the office's reply to a letter, and the
follow-up register's column "số, ký hiệu văn bản trả lời" that prints them."""

from __future__ import annotations

import datetime as dt
import html
import io

from openpyxl import load_workbook

from tests.intake.test_letter_edit import edit_form, snapshot, text_of
from tests.reports.conftest import TODAY, reopen
from tests.reports.test_reports import body_rows, table_with
from tests.tasks.conftest import tasks  # noqa: F401 - the fixture
from tracker.reports import builders
from tracker.reports.vn import period_from_text

YEAR = period_from_text("2019")


def _submit(web, cast, tasks, task_id, **fields):
    """The finance officer reports the result of ``task_id`` with the given form fields."""
    form = {"version": str(tasks.version(task_id)), "result": "Đã chi hỗ trợ cho 1.204 hộ", **fields}
    return web(cast.finance_officer).post(f"/tasks/{task_id}/transitions/submit_result", data=form,
                                          content_type="multipart/form-data")


def _followup_rows(sessions, tmp_path):
    with sessions() as s:
        document, _ = reopen(builders.build_followup(s, YEAR, TODAY), tmp_path)
    return body_rows(table_with(document, "Số, ký hiệu văn bản trả lời"))


def test_an_agencys_written_report_given_with_its_result_reaches_the_follow_up_register(
        web, cast, letter, tasks, sessions, tmp_path):
    response = _submit(web, cast, tasks, letter.finance_task, reply_number=" 245/BC-STC ", reply_date="18/09/2019")
    assert response.status_code == 302
    task = tasks.get(letter.finance_task)
    assert (task.status, task.reply_number, task.reply_date) == ("submitted", "245/BC-STC", dt.date(2019, 9, 18))
    page = html.unescape(web(cast.leader).get(f"/tasks/{letter.finance_task}").get_data(as_text=True))
    assert "Văn bản báo cáo" in page and "245/BC-STC ngày 18/09/2019" in page  # on the page and in the history
    row = next(r for r in _followup_rows(sessions, tmp_path) if "871/VP-VHXH" in r[1])
    assert row[5] == "Sở Tài chính: 245/BC-STC ngày 18/9/2019"


def test_a_result_without_a_written_report_leaves_the_column_blank(web, cast, letter, tasks, sessions, tmp_path):
    assert _submit(web, cast, tasks, letter.finance_task).status_code == 302
    assert tasks.get(letter.finance_task).reply_number is None
    row = next(r for r in _followup_rows(sessions, tmp_path) if "871/VP-VHXH" in r[1])
    assert row[5] == ""


def test_a_wrong_reply_date_is_refused_in_vietnamese_and_nothing_is_saved(web, cast, letter, tasks):
    cases = [({"reply_number": "245/BC-STC", "reply_date": "31/02/2019"}, "Ngày không hợp lệ"),
             ({"reply_number": "245/BC-STC", "reply_date": "21/09/2019"}, "không thể sau hôm nay"),
             ({"reply_number": "", "reply_date": "18/09/2019"}, "Nhập số, ký hiệu của văn bản báo cáo"),
             ({"reply_number": "x" * 121}, "Tối đa 120 ký tự")]
    for fields, message in cases:
        response = _submit(web, cast, tasks, letter.finance_task, **fields)
        assert response.status_code == 422 and message in text_of(response), fields
        task = tasks.get(letter.finance_task)
        assert (task.status, task.reply_number, task.result_text) == ("assigned", None, None)
    # what was typed comes back in the form, to be corrected rather than typed again
    response = _submit(web, cast, tasks, letter.finance_task, reply_number="245/BC-STC", reply_date="31/02/2019")
    assert 'value="245/BC-STC"' in response.get_data(as_text=True)


def test_the_clerk_records_the_offices_reply_and_the_register_prints_it_first(
        web, cast, letter, tasks, sessions, tmp_path):
    assert _submit(web, cast, tasks, letter.finance_task, reply_number="245/BC-STC").status_code == 302
    clerk = web(cast.clerk)
    form = edit_form(clerk, letter.letter)
    assert form["reply_number"] == "" and form["reply_date"] == ""
    form.update(reply_number="1234/UBND-VX", reply_date="19/09/2019")
    assert clerk.post(f"/letters/{letter.letter}/edit", data=form).status_code == 302
    saved = snapshot(sessions, letter.letter)
    assert (saved.reply_number, saved.reply_date) == ("1234/UBND-VX", dt.date(2019, 9, 19))
    assert saved.events[-1].changes["reply_number"] == [None, "1234/UBND-VX"]
    page = html.unescape(clerk.get(f"/letters/{letter.letter}").get_data(as_text=True))
    assert "Văn bản trả lời" in page and "1234/UBND-VX ngày 19/09/2019" in page
    row = next(r for r in _followup_rows(sessions, tmp_path) if "871/VP-VHXH" in r[1])
    assert row[5].split("\n") == ["1234/UBND-VX ngày 19/9/2019", "Sở Tài chính: 245/BC-STC"]
    # the register finds the letter by its reply's number
    assert "871/VP-VHXH" in html.unescape(clerk.get("/letters/?q=1234 UBND-VX").get_data(as_text=True))
    # the letter report says it too
    with sessions() as s:
        document, _ = reopen(builders.build_letter_report(s, letter.letter, TODAY), tmp_path, "letter.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Văn bản trả lời: số 1234/UBND-VX ngày 19/9/2019." in text


def test_the_offices_reply_cannot_predate_the_letter_nor_be_in_the_future(web, cast, letter, sessions):
    clerk = web(cast.clerk)
    for fields, message in [({"reply_number": "1/UBND", "reply_date": "20/02/2019"}, "trước ngày của văn bản đến"),
                            ({"reply_number": "1/UBND", "reply_date": "01/10/2019"}, "không thể ở tương lai"),
                            ({"reply_number": "", "reply_date": "19/09/2019"}, "Nhập số, ký hiệu văn bản trả lời"),
                            ({"reply_number": "1/UBND", "reply_date": "30/02/2019"}, "Ngày không hợp lệ")]:
        form = edit_form(clerk, letter.letter)
        form.update(fields)
        response = clerk.post(f"/letters/{letter.letter}/edit", data=form)
        assert response.status_code == 422 and message in text_of(response), fields
        assert snapshot(sessions, letter.letter).reply_number is None


def test_the_follow_up_register_as_a_spreadsheet_has_one_row_per_task_with_its_reply(
        web, cast, letter, tasks, sessions):
    from tracker.reports.spreadsheet import build_xlsx

    assert _submit(web, cast, tasks, letter.finance_task, reply_number="245/BC-STC",
                   reply_date="18/09/2019").status_code == 302
    with sessions() as s:
        workbook = load_workbook(io.BytesIO(build_xlsx(s, "followup", YEAR, TODAY)))
    sheet = workbook["Theo dõi giải quyết"]
    header = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [r["Đơn vị nhận"] for r in rows] == ["Sở Tài chính", "Sở LĐTBXH"]
    finance = rows[0]
    assert finance["Số, ký hiệu văn bản báo cáo"] == "245/BC-STC"
    assert finance["Ngày văn bản báo cáo"].date() == dt.date(2019, 9, 18)
    assert finance["Thời hạn giải quyết"].date() == dt.date(2019, 9, 30)


def test_the_api_takes_and_gives_the_written_report(app, cast, letter, tasks, sessions):
    from tracker.accounts.models import User
    from tracker.db import transaction
    from tracker.tasks.api_tokens import create_token

    with transaction(sessions) as s:
        token = create_token(s, "e-office", s.get(User, cast.finance_officer))[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"version": tasks.version(letter.finance_task), "result": "Xong", "reply_number": "245/BC-STC",
            "reply_date": "2019-09-18"}
    bad = client.post(f"/api/tasks/{letter.finance_task}/transitions/submit_result",
                      json={**body, "reply_date": "2019-02-30"}, headers=headers)
    assert bad.status_code == 422 and "reply_date" in bad.get_json()["error"]["fields"]
    assert tasks.get(letter.finance_task).status == "assigned"
    response = client.post(f"/api/tasks/{letter.finance_task}/transitions/submit_result", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reply"] == {"number": "245/BC-STC", "date": "2019-09-18"}


def test_each_period_of_a_recurring_report_keeps_its_own_written_report(web, cast, letter, tasks, sessions, tmp_path):
    from tracker.accounts.models import User
    from tracker.db import transaction
    from tracker.intake.models import Letter
    from tracker.tasks.operations import TaskSpec, create_task

    with transaction(sessions) as s:
        monthly = create_task(s, s.get(Letter, letter.letter), TaskSpec(
            agency_id=cast.finance, role="lead", summary="Báo cáo tình hình chi trả, trước ngày 20 hằng tháng",
            recurrence="monthly:20", starts_on=dt.date(2019, 7, 1)), actor=s.get(User, cast.clerk)).id
    officer = web(cast.finance_officer)
    officer.get(f"/tasks/{monthly}")  # periods up to today
    periods = {o.label: o.id for o in tasks.get(monthly).occurrences}

    def report(label, **fields):
        return officer.post(f"/tasks/{monthly}/periods/{periods[label]}/transitions/submit_result",
                            data={"version": str(tasks.version(monthly)), "result": f"Báo cáo {label}", **fields},
                            content_type="multipart/form-data")

    bad = report("Tháng 7/2019", reply_number="88/BC-STC", reply_date="31/06/2019")
    assert bad.status_code == 422 and "Ngày không hợp lệ" in text_of(bad)
    assert report("Tháng 7/2019", reply_number="88/BC-STC", reply_date="19/07/2019").status_code == 302
    assert report("Tháng 8/2019", reply_number="95/BC-STC").status_code == 302
    task = tasks.get(monthly)
    by_label = {o.label: (o.reply_number, o.reply_date) for o in task.occurrences}
    assert by_label["Tháng 7/2019"] == ("88/BC-STC", dt.date(2019, 7, 19))
    assert by_label["Tháng 8/2019"] == ("95/BC-STC", None)
    assert task.reply_number is None  # the task itself has no single report letter
    page = html.unescape(officer.get(f"/tasks/{monthly}").get_data(as_text=True))
    assert "văn bản 88/BC-STC ngày 19/07/2019" in page
    row = next(r for r in _followup_rows(sessions, tmp_path) if "871/VP-VHXH" in r[1])
    assert "Sở Tài chính (kỳ Tháng 7/2019): 88/BC-STC ngày 19/7/2019" in row[5].split("\n")
    assert "Sở Tài chính (kỳ Tháng 8/2019): 95/BC-STC" in row[5].split("\n")
