"""Each role's home page, letter and task pages, permissions and error pages."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("who, lands_on, shows", [
    ("clerk", "/letters/", "Sổ đăng ký văn bản đến"),
    ("leader", "/overview", "Tổng quan tình hình thực hiện nhiệm vụ"),
    ("finance_officer", "/tasks/mine", "Nhiệm vụ của Sở Tài chính"),
    ("admin", "/admin/users", "Thêm người dùng"),
])
def test_each_role_lands_on_its_home_page(web, cast, letter, who, lands_on, shows):
    browser = web(getattr(cast, who))
    response = browser.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith(lands_on)
    page = browser.get(lands_on).get_data(as_text=True)
    assert shows in page


def test_the_register_lists_the_letter_and_finds_it_without_diacritics(web, cast, letter):
    browser = web(cast.clerk)
    page = browser.get("/letters/?q=tro giup xa hoi").get_data(as_text=True)
    assert "871/VP-VHXH" in page
    assert "22/02/2019" in page  # ngày đến, dd/mm/yyyy
    nothing = browser.get("/letters/?q=khong co van ban nay").get_data(as_text=True)
    assert "871/VP-VHXH" not in nothing and "Không có văn bản nào" in nothing


def test_letter_page_shows_header_and_tasks(web, cast, letter):
    page = web(cast.leader).get(f"/letters/{letter.letter}").get_data(as_text=True)
    assert "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang" in page
    assert "Sở Tài chính" in page and "Chủ trì" in page and "Phối hợp" in page
    assert "30/09/2019" in page


def test_officer_sees_own_agency_task_with_history(web, cast, letter):
    response = web(cast.finance_officer).get(f"/tasks/{letter.finance_task}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lịch sử" in page and "giao nhiệm vụ" in page
    assert "Thứ Hai, 30/09/2019" in page


def test_officer_opening_another_agencys_task_gets_403(web, cast, letter):
    response = web(cast.finance_officer).get(f"/tasks/{letter.labour_task}")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.get_data(as_text=True)


def test_officer_cannot_open_the_register_or_admin_pages(web, cast, letter):
    browser = web(cast.labour_officer)
    for url in ("/letters/", "/admin/users", "/admin/agencies", "/overview", "/tasks/"):
        assert browser.get(url).status_code == 403, url


def test_officer_may_read_a_letter_that_gives_their_agency_a_task(web, cast, letter):
    assert web(cast.labour_officer).get(f"/letters/{letter.letter}").status_code == 200


def test_unknown_letter_or_task_is_a_vietnamese_404(web, cast):
    browser = web(cast.clerk)
    for url in ("/letters/99999", "/tasks/99999", "/khong-ton-tai"):
        response = browser.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy" in response.get_data(as_text=True)


def test_pages_need_sign_in(web, letter):
    response = web().get(f"/letters/{letter.letter}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_overview_counts_overdue_tasks(web, cast, letter, app):
    app.config["TRACKER_TODAY"] = "2019-10-03"
    page = web(cast.leader).get("/overview").get_data(as_text=True)
    assert "Quá hạn" in page
    assert "Quá hạn 3 ngày làm việc" in page  # 30/9 (Mon) -> 3/10 (Thu)


def test_task_list_filters_and_paginates(web, cast, letter):
    browser = web(cast.leader)
    page = browser.get("/tasks/?role=cooperate").get_data(as_text=True)
    assert "Phối hợp triển khai" in page and "Chủ trì triển khai" not in page
    assert browser.get("/tasks/?page=abc&per_page=7").status_code == 200


def test_static_assets_are_served_locally(web, cast):
    page = web(cast.clerk).get("/letters/").get_data(as_text=True)
    assert "/static/app.css" in page and "http" not in page.split("<body")[0].replace("http-equiv", "")
    assert web().get("/static/app.css").status_code == 200


def test_register_filters_by_date_range_in_vietnamese_format(web, cast, letter):
    browser = web(cast.clerk)
    assert "871/VP-VHXH" in browser.get("/letters/?from=01/02/2019&to=28/02/2019").get_data(as_text=True)
    assert "871/VP-VHXH" not in browser.get("/letters/?from=01/03/2019").get_data(as_text=True)
    page = browser.get("/letters/?from=31/02/2019").get_data(as_text=True)
    assert "không hợp lệ" in page and "871/VP-VHXH" in page


def test_a_group_fanned_out_to_many_agencies_is_one_line_beside_a_task(web, cast, sessions, letter):
    from tracker.agencies.models import Agency
    from tracker.db import transaction
    from tracker.intake.models import Letter
    from tracker.tasks.operations import TaskSpec, create_task

    with transaction(sessions) as s:
        target = s.get(Letter, letter.letter)
        for i in range(6):
            district = Agency(code=f"huyen-{i}", name=f"UBND huyện Số {i}", kind="district", aliases=[], emails=[],
                              active=True, search_text="")
            s.add(district)
            s.flush()
            create_task(s, target, TaskSpec(agency_id=district.id, role="cooperate", summary="Phối hợp",
                                            group_label="UBND các huyện, thành phố"), actor=None)
    page = web(cast.finance_officer).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert page.count("UBND các huyện, thành phố") == 1 and "6 cơ quan · 0 đã xong" in page


def test_a_deadline_on_a_day_off_says_so(web, cast, sessions, letter):
    import datetime as dt

    from tracker.db import transaction
    from tracker.tasks.models import Task

    with transaction(sessions) as s:
        s.get(Task, letter.finance_task).deadline = dt.date(2019, 9, 2)  # Quốc khánh
    page = web(cast.finance_officer).get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
    assert "rơi vào ngày nghỉ: Quốc khánh" in page
