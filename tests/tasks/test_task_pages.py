"""The agency's list and the task page: progress, files, results, hand-over, contributions, edits, the record."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest

from tracker.db import transaction

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def add_tasks(sessions, cast, letter, count: int, **overrides):
    from tracker.accounts.models import User
    from tracker.intake.models import Letter
    from tracker.tasks.operations import TaskSpec, create_task

    with transaction(sessions) as s:
        made = []
        for i in range(count):
            spec = TaskSpec(agency_id=cast.finance, role="cooperate", summary=f"Nhiệm vụ phụ số {i + 1}",
                            deadline=dt.date(2019, 9, 23) + dt.timedelta(days=i))
            for key, value in overrides.items():
                setattr(spec, key, value)
            made.append(create_task(s, s.get(Letter, letter.letter), spec, actor=s.get(User, cast.clerk)).id)
        return made


def test_my_agency_list_counts_filters_sorts_and_pages(web, cast, letter, sessions, tasks):
    extra = add_tasks(sessions, cast, letter, 24)
    tasks.arrange(extra[0], deadline=dt.date(2019, 9, 10))  # overdue
    tasks.arrange(extra[1], status="done", completed_on=dt.date(2019, 9, 1))
    officer = web(cast.finance_officer)
    page = officer.get("/tasks/mine").get_data(as_text=True)
    assert "Chưa thực hiện: <strong>24</strong>" in page and "Hoàn thành: <strong>1</strong>" in page
    assert "Quá hạn: <strong>1</strong>" in page
    assert "1–20 / 25" in page and "Phối hợp triển khai" not in page  # labour's task is not here
    assert "21–25 / 25" in officer.get("/tasks/mine?page=2").get_data(as_text=True)
    overdue = officer.get("/tasks/mine?due=overdue").get_data(as_text=True)
    assert "Nhiệm vụ phụ số 1<" in overdue and "Nhiệm vụ phụ số 3<" not in overdue
    week = officer.get("/tasks/mine?due=week").get_data(as_text=True)  # 20/9 is a Friday: up to Sunday 22/9
    assert "0–0 / 0" in week and "Không có nhiệm vụ nào" in week
    lead = officer.get("/tasks/mine?role=lead").get_data(as_text=True)
    assert "Chủ trì triển khai" in lead and "Nhiệm vụ phụ" not in lead
    by_letter = officer.get(f"/tasks/mine?letter={letter.letter}&per_page=50").get_data(as_text=True)
    assert "1–25 / 25" in by_letter and "871/VP-VHXH" in by_letter
    latest = officer.get("/tasks/mine?sort=-deadline&per_page=50").get_data(as_text=True)
    assert latest.index("Nhiệm vụ phụ số 24<") < latest.index("Nhiệm vụ phụ số 2<")
    done = officer.get("/tasks/mine?status=done").get_data(as_text=True)
    assert "Nhiệm vụ phụ số 2<" in done and "1–1 / 1" in done
    for junk in ("?page=x&per_page=-3", "?sort=drop+table", "?status=%00", "?letter=abc&due=sometime"):
        assert officer.get("/tasks/mine" + junk).status_code == 200


def test_progress_with_a_note_and_the_start_that_comes_with_it(web, cast, letter, tasks, post):
    response = post(web(cast.finance_officer), letter.finance_task, "/progress", progress="35",
                    note="Đã gửi công văn đôn đốc các huyện")
    assert response.status_code == 302
    task = tasks.get(letter.finance_task)
    assert task.progress == 35 and task.status == "in_progress"
    event = task.events[-1]
    assert event.kind == "progress" and event.changes == {"progress": [0, 35], "status": ["assigned", "in_progress"]}
    page = web(cast.leader).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Tiến độ: 0% → 35%" in page and "Đã gửi công văn đôn đốc các huyện" in page


@pytest.mark.parametrize("value, note, message", [
    ("150", "Ghi chú thử", "Tiến độ phải từ 0 đến 100%."),
    ("-5", "Ghi chú thử", "Tiến độ phải từ 0 đến 100%."),
    ("năm mươi", "Ghi chú thử", "Tiến độ phải là một số nguyên từ 0 đến 100."),
    ("0", "", "Không có gì thay đổi"),
])
def test_bad_progress_is_refused_with_the_input_kept(web, cast, letter, tasks, post, value, note, message):
    response = post(web(cast.finance_officer), letter.finance_task, "/progress", progress=value, note=note)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f">{note}</textarea>" in page and f'value="{value}"' in page
    assert len(tasks.events(letter.finance_task)) == 1


def test_files_are_checked_stored_once_by_hash_and_downloadable_by_those_who_may(app, web, cast, letter, tasks,
                                                                                   post, sessions):
    officer = web(cast.finance_officer)
    ok = post(officer, letter.finance_task, "/progress", note="Kèm dự thảo",
              data={"files": [(BytesIO(PDF), "Dự thảo báo cáo.pdf"), (BytesIO(PDF), "ban-sao.pdf")]})
    assert ok.status_code == 302
    task = tasks.get(letter.finance_task)
    assert [a.file_name for a in task.attachments] == ["Dự thảo báo cáo.pdf", "ban-sao.pdf"]
    assert task.attachments[0].file_id == task.attachments[1].file_id  # same content, stored once
    import hashlib

    digest = hashlib.sha256(PDF).hexdigest()
    assert (app.instance_path and (__import__("pathlib").Path(app.instance_path) / "files" / digest[:2] / digest[2:]).read_bytes() == PDF)
    url = f"/tasks/{letter.finance_task}/files/{task.attachments[0].id}"
    download = officer.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert web(cast.leader).get(url).status_code == 200
    assert web(cast.labour_officer).get(url).status_code == 403  # labour cooperates; finance's files are not theirs
    assert web(cast.finance_officer).get(f"/tasks/{letter.labour_task}/files/{task.attachments[0].id}").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("virus.exe", b"MZ\x90\x00", "loại tệp không được chấp nhận"),
    ("bao-cao.pdf", b"just text pretending", "nội dung không đúng với loại tệp .pdf"),
    ("rong.docx", b"", "rỗng"),
])
def test_refused_files_save_nothing(web, cast, letter, tasks, post, name, content, message):
    response = post(web(cast.finance_officer), letter.finance_task, "/progress", progress="20", note="Kèm tệp",
                    data={"files": [(BytesIO(PDF), "tot.pdf"), (BytesIO(content), name)]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and ">Kèm tệp</textarea>" in page
    task = tasks.get(letter.finance_task)
    assert task.progress == 0 and not task.attachments


def test_files_over_the_limit_are_refused(database_url, tmp_path, cast, letter, tasks):
    import secrets

    from tests.conftest import PASSWORD
    from tracker.app import create_app

    app = create_app({"instance_path": tmp_path / "instance", "database_url": database_url,
                      "secret_key": secrets.token_hex(8), "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "TRACKER_TODAY": "2019-09-20", "max_upload_bytes": 64 * 1024})
    try:
        client = app.test_client()
        client.post("/login", data={"username": "finance_officer", "password": PASSWORD})
        big = PDF + b"0" * (40 * 1024)
        response = client.post(f"/tasks/{letter.finance_task}/progress", content_type="multipart/form-data", data={
            "version": "1", "note": "Hai tệp lớn", "files": [(BytesIO(big), "a.pdf"), (BytesIO(big), "b.pdf")]})
        assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)
        assert not tasks.get(letter.finance_task).attachments
    finally:
        app.extensions["tracker.engine"].dispose()


def test_the_result_report_with_files_and_the_lead_sees_the_cooperating_agencys_contribution(web, cast, letter,
                                                                                            tasks, post):
    labour = web(cast.labour_officer)
    response = post(labour, letter.labour_task, "/transitions/submit_result",
                    result="Đã rà soát 1.204 đối tượng bảo trợ xã hội",
                    data={"files": [(BytesIO(PDF), "Danh sách đối tượng.pdf")]})
    assert response.status_code == 302
    task = tasks.get(letter.labour_task)
    assert task.status == "submitted" and task.attachments[0].purpose == "result"
    assert task.events[-1].attachments[0].file_name == "Danh sách đối tượng.pdf"
    lead = web(cast.finance_officer)
    page = lead.get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "Đóng góp của cơ quan phối hợp" in page and "Đã rà soát 1.204 đối tượng bảo trợ xã hội" in page
    assert lead.get(f"/tasks/{letter.labour_task}/files/{task.attachments[0].id}").status_code == 200
    # the other way round: the cooperating agency does not get the lead's page
    assert labour.get(f"/tasks/{letter.finance_task}").status_code == 403
    missing = post(labour, letter.labour_task, "/transitions/submit_result", result=" ")
    assert missing.status_code == 409  # already submitted: the state, not the input, is the reason


def test_the_result_needs_its_text(web, cast, letter, tasks, post):
    response = post(web(cast.finance_officer), letter.finance_task, "/transitions/submit_result", result="  ")
    assert response.status_code == 422 and "Vui lòng nhập nội dung báo cáo kết quả" in response.get_data(as_text=True)
    assert tasks.get(letter.finance_task).status == "assigned"


def test_handing_to_an_officer_of_the_agency_only(web, cast, letter, tasks, post, sessions):
    from tracker.accounts.models import User
    from tracker.accounts.operations import create_user

    with transaction(sessions) as s:
        colleague = create_user(s, username="ke_toan", full_name="Trần Kế Toán", password="mat-khau-dai-1",
                                role="officer", agency_id=cast.finance).id
    officer = web(cast.finance_officer)
    assert post(officer, letter.finance_task, "/assignee", assignee_id=str(colleague)).status_code == 302
    assert tasks.get(letter.finance_task).assignee_id == colleague
    wrong = post(officer, letter.finance_task, "/assignee", assignee_id=str(cast.labour_officer))
    assert wrong.status_code == 422 and "cán bộ đang hoạt động của cơ quan" in wrong.get_data(as_text=True)
    mine = officer.get(f"/tasks/mine?assignee={colleague}").get_data(as_text=True)
    assert "Chủ trì triển khai" in mine
    page = officer.get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "giao người xử lý" in page and "Người xử lý: — → Trần Kế Toán" in page
    # the agency stays responsible: every officer of it still sees and works on the task
    with sessions() as s:
        assert s.get(User, colleague).agency_id == cast.finance


def test_leader_direction_and_reassignment_are_on_the_record(web, cast, letter, tasks, post):
    leader = web(cast.leader)
    assert post(leader, letter.finance_task, "/directions", comment="Đề nghị hoàn thành trước 25/9").status_code == 302
    no_agency = post(leader, letter.finance_task, "/reassign", agency_id="", comment="Sai chức năng")
    assert no_agency.status_code == 422 and "Vui lòng chọn cơ quan" in no_agency.get_data(as_text=True)
    assert post(leader, letter.finance_task, "/reassign", agency_id=str(cast.police),
                comment="Thuộc chức năng Công an tỉnh").status_code == 302
    task = tasks.get(letter.finance_task)
    assert task.agency_id == cast.police
    assert [e.kind for e in task.events] == ["created", "direction", "reassigned"]
    assert task.events[-1].changes["agency"] == ["Sở Tài chính", "Công an tỉnh"]
    assert web(cast.finance_officer).get(f"/tasks/{letter.finance_task}").status_code == 403
    page = leader.get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "cho ý kiến chỉ đạo" in page and "Cơ quan: Sở Tài chính → Công an tỉnh" in page


def test_clerk_edits_a_task_and_the_history_keeps_old_and_new(web, cast, letter, tasks):
    clerk = web(cast.clerk)
    version = tasks.version(letter.finance_task)
    form = {"version": version, "summary": "Chủ trì triển khai trợ giúp xã hội năm 2019", "role": "lead",
            "deadline": "31/02/2019", "comment": "Đính chính theo văn bản"}
    bad = clerk.post(f"/tasks/{letter.finance_task}/edit", data=form)
    assert bad.status_code == 422
    assert "Ngày không hợp lệ" in bad.get_data(as_text=True) and "năm 2019</textarea>" in bad.get_data(as_text=True)
    form["deadline"] = "04/10/2019"
    assert clerk.post(f"/tasks/{letter.finance_task}/edit", data=form).status_code == 302
    task = tasks.get(letter.finance_task)
    assert task.deadline == task.judged_deadline == task.original_deadline == dt.date(2019, 10, 4)
    event = task.events[-1]
    assert event.kind == "edited" and event.changes["deadline"] == ["2019-09-30", "2019-10-04"]
    same = clerk.post(f"/tasks/{letter.finance_task}/edit", data={**form, "version": task.version})
    assert same.status_code == 422 and "Không có thay đổi" in same.get_data(as_text=True)
    assert web(cast.leader).get(f"/tasks/{letter.finance_task}/edit").status_code == 403


def test_clerk_cancels_with_a_reason_and_the_leader_may_reopen(web, cast, letter, tasks, post):
    clerk, leader = web(cast.clerk), web(cast.leader)
    assert post(clerk, letter.labour_task, "/transitions/cancel", comment="").status_code == 422
    assert post(clerk, letter.labour_task, "/transitions/cancel", comment="Giao trùng").status_code == 302
    assert tasks.get(letter.labour_task).status == "cancelled"
    assert post(leader, letter.labour_task, "/transitions/reopen", comment="Cần phối hợp").status_code == 302
    task = tasks.get(letter.labour_task)
    assert task.status == "in_progress" and task.completed_on is None


def test_never_a_500_on_junk(web, cast, letter, tasks):
    officer = web(cast.finance_officer)
    for url, data in [
        (f"/tasks/{letter.finance_task}/progress", {"version": "abc", "progress": "10"}),
        (f"/tasks/{letter.finance_task}/transitions/khong-co", {"version": "1"}),
        (f"/tasks/{letter.finance_task}/extensions/999", {"version": "1", "decision": "approve"}),
        (f"/tasks/{letter.finance_task}/extensions/999", {"version": "1", "decision": "xyz"}),
        (f"/tasks/{letter.finance_task}/periods/999/transitions/submit_result", {"version": "1", "result": "x"}),
        ("/tasks/99999/progress", {"version": "1", "progress": "5"}),
        (f"/tasks/{letter.finance_task}/assignee", {"version": "1", "assignee_id": "xyz"}),
    ]:
        response = officer.post(url, data=data)
        assert response.status_code in (400, 403, 404, 409, 422), (url, response.status_code)
    assert tasks.get(letter.finance_task).version == 1


def test_overview_figures_and_click_through(app, web, cast, letter, tasks):
    tasks.arrange(letter.labour_task, status="done", completed_on=dt.date(2019, 9, 18))
    app.config["TRACKER_TODAY"] = "2019-10-02"
    leader = web(cast.leader)
    page = leader.get("/overview").get_data(as_text=True)
    # the Government Office figures first, then overdue, then due soon, then per agency
    assert page.index("Văn bản có nhiệm vụ") < page.index('id="qua-han-h"') < page.index('id="sap-den-han-h"') \
        < page.index('id="co-quan-h"')
    assert "100,0% đúng hạn" in page and "Quá hạn 2 ngày làm việc" in page
    assert f"/tasks/?agency={cast.finance}" in page
    listing = leader.get(f"/tasks/?agency={cast.finance}&due=overdue").get_data(as_text=True)
    assert "Cơ quan: Sở Tài chính" in listing and "Chủ trì triển khai" in listing and "Phối hợp triển khai" not in listing


def test_the_overview_lists_the_twenty_most_overdue_and_links_to_the_rest(app, web, cast, letter, sessions):
    """With 25 overdue tasks the overview shows the 20 overdue longest, oldest first, says so and links to the
    full list, where all 25 are; with 20 or fewer it adds no such line."""
    import re

    from sqlalchemy import select

    from tracker.tasks.models import Task

    add_tasks(sessions, cast, letter, 25, deadline=None)
    with transaction(sessions) as s:
        extra = s.scalars(select(Task).where(Task.summary.like("Nhiệm vụ phụ số %"))).all()
        for task in extra:  # "Nhiệm vụ phụ số n" falls due n days before 20/09/2019
            task.deadline = dt.date(2019, 9, 19) - dt.timedelta(days=int(task.summary.rsplit(" ", 1)[1]))
    leader = web(cast.leader)
    page = leader.get("/overview").get_data(as_text=True)
    overdue = page[page.index('id="qua-han-h"'):page.index('id="sap-den-han-h"')]
    shown = [int(n) for n in re.findall(r"Nhiệm vụ phụ số (\d+)", overdue)]
    assert shown == list(range(25, 5, -1))
    assert "20 nhiệm vụ quá hạn lâu nhất" in overdue and "Xem tất cả nhiệm vụ quá hạn" in overdue
    full = leader.get("/tasks/?due=overdue&per_page=50").get_data(as_text=True)
    assert len(set(re.findall(r"Nhiệm vụ phụ số (\d+)<", full))) == 25
    with transaction(sessions) as s:
        for task in s.scalars(select(Task).where(Task.summary.like("Nhiệm vụ phụ số %"))):
            if int(task.summary.rsplit(" ", 1)[1]) <= 5:
                task.deadline = None
    overdue = leader.get("/overview").get_data(as_text=True)
    assert "nhiệm vụ quá hạn lâu nhất" not in overdue and overdue.count("Nhiệm vụ phụ số") == 20


def test_letter_rollup(cast, letter, tasks, app):
    from tracker.tasks.rollup import letter_rollup

    workflow = app.extensions["tracker.workflow"]

    def code(today):
        return letter_rollup([tasks.get(letter.finance_task), tasks.get(letter.labour_task)], workflow,
                             dt.date.fromisoformat(today))

    assert code("2019-09-10").code == "in_progress"
    assert code("2019-09-26").code == "due_soon"
    late = code("2019-10-01")
    assert late.code == "overdue" and late.label == "Có 2 nhiệm vụ quá hạn"
    tasks.arrange(letter.finance_task, status="done", completed_on=dt.date(2019, 9, 30))
    tasks.arrange(letter.labour_task, status="done", completed_on=dt.date(2019, 10, 2))
    finished = code("2019-10-05")
    assert finished.code == "done_late" and finished.label == "Đã hoàn thành (1 nhiệm vụ quá hạn)"
    tasks.arrange(letter.labour_task, status="cancelled")
    assert code("2019-10-05").code == "done"
    assert letter_rollup([], workflow, dt.date(2019, 10, 5)).code == "none"


def test_double_submitted_add_and_edit_forms_save_once(web, cast, letter, tasks, sessions):
    from tracker.intake.models import Letter

    clerk = web(cast.clerk)
    form = {"letter": letter.letter, "agency_id": cast.police, "role": "cooperate",
            "summary": "Phối hợp bảo đảm an ninh", "deadline": "30/09/2019"}
    first, second = clerk.post("/tasks/new", data=form), clerk.post("/tasks/new", data=form)
    assert first.status_code == second.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    assert "không thêm lần nữa" in clerk.get(second.headers["Location"]).get_data(as_text=True)
    with sessions() as s:
        assert len(s.get(Letter, letter.letter).tasks) == 3
    edit = {"version": tasks.version(letter.finance_task), "summary": "Nội dung đính chính", "role": "lead",
            "deadline": "30/09/2019", "submission_key": "edit-form-1"}
    assert clerk.post(f"/tasks/{letter.finance_task}/edit", data=edit).status_code == 302
    again = clerk.post(f"/tasks/{letter.finance_task}/edit", data=edit)
    assert again.status_code == 302
    assert "đã được lưu trước đó" in clerk.get(again.headers["Location"]).get_data(as_text=True)
    assert len(tasks.events(letter.finance_task, "edited")) == 1


def test_sorted_by_received_the_list_follows_the_incoming_register(web, cast, sessions):
    """"Theo số đến" lists tasks in the order of the incoming register (year, then number), whatever order the
    letters' rows were written in, and reversed newest first; a state filter keeps that order."""
    from tracker.accounts.models import User
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    # registered in this order, numbered per year of reception: 2019 no. 1, 2018 no. 1, 2019 no. 2, 2018 no. 2
    received = [dt.date(2019, 3, 1), dt.date(2018, 12, 28), dt.date(2019, 3, 4), dt.date(2018, 12, 30)]
    with transaction(sessions) as s:
        clerk = s.get(User, cast.clerk)
        for n, day in enumerate(received, 1):
            spec = LetterSpec(number=f"{n}/UBND-VX", doc_type="Công văn", issuer="UBND tỉnh", issued_on=day,
                              subject=f"việc số {n}", recipients=["Sở Tài chính"], full_text="Giao Sở Tài chính")
            register_letter(s, spec, [TaskSpec(agency_id=cast.finance, role="lead", summary=f"Việc của thư {n}",
                                               deadline=dt.date(2019, 10, 1 + n))],
                            actor=clerk, received_on=day)
    leader = web(cast.leader)
    in_register_order = ["Việc của thư 2<", "Việc của thư 4<", "Việc của thư 1<", "Việc của thư 3<"]
    for query, expected in (("?sort=received", in_register_order), ("?sort=-received", in_register_order[::-1]),
                            ("?sort=received&status=open", in_register_order)):
        page = leader.get(f"/tasks/{query}").get_data(as_text=True)
        assert sorted(expected, key=page.index) == expected, query


def test_a_task_moved_to_another_letter_is_listed_with_that_letters_number(web, cast, letter, sessions):
    """Sorted "by received", a task follows the letter it belongs to now, not the one it was written with."""
    from tracker.accounts.models import User
    from tracker.intake.models import Letter
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.models import Task
    from tracker.tasks.operations import TaskSpec

    with transaction(sessions) as s:  # a later letter (số đến 2/2019) with a task of its own
        spec = LetterSpec(number="5/UBND-VX", doc_type="Công văn", issuer="UBND tỉnh", issued_on=dt.date(2019, 3, 1),
                          subject="việc sau", recipients=["Sở Tài chính"], full_text="Giao Sở Tài chính")
        register_letter(s, spec, [TaskSpec(agency_id=cast.finance, role="lead", summary="Việc của thư sau",
                                           deadline=dt.date(2019, 10, 1))],
                        actor=s.get(User, cast.clerk), received_on=dt.date(2019, 3, 2))
    leader = web(cast.leader)
    page = leader.get("/tasks/?sort=received").get_data(as_text=True)
    assert page.index("Chủ trì triển khai trợ giúp xã hội<") < page.index("Việc của thư sau<")
    with transaction(sessions) as s:
        later = s.query(Letter).filter_by(number="5/UBND-VX").one()
        s.get(Task, letter.finance_task).letter = later
    page = leader.get("/tasks/?sort=received").get_data(as_text=True)
    assert page.index("Phối hợp triển khai trợ giúp xã hội<") < page.index("Chủ trì triển khai trợ giúp xã hội<")
