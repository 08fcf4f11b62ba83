"""The review page shows where each proposed task was read; the registration keeps what the clerk changed in the
proposal, and the admin's "Chất lượng đề xuất" page adds it up by month."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.intake.letters import THAI_NGUYEN
from tests.intake.test_registration import catalog, errors_on, form_fields, propose  # noqa: F401  (fixture)


@pytest.fixture
def review(app, web, cast, catalog):  # noqa: F811
    """The clerk's browser on the review page of the Thái Nguyên letter (20 proposed tasks), and its form."""
    app.config["TRACKER_TODAY"] = "2022-08-20"
    browser = web(cast.clerk)
    response = propose(browser, text=THAI_NGUYEN.read_text(encoding="utf-8"))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    fields = form_fields(page)
    fields["received_on"] = "17/08/2022"
    return browser, page, fields


def marked(page: str, row: int) -> str:
    """The text the page marks as the source passage of task row ``row`` (1-based), spaces collapsed."""
    pieces = [html.unescape(m.group(2)) for m in re.finditer(r'<mark class="src" data-rows="([\d ]+)">(.*?)</mark>',
                                                            page, re.S) if str(row - 1) in m.group(1).split()]
    return " ".join("".join(pieces).split())


def test_each_proposed_task_shows_the_passage_of_the_letter_it_was_read_from(review):
    _browser, page, _fields = review
    assert "Nội dung văn bản" in page and "Xem đoạn nguồn dòng 1" in page
    # as the letter has it ("UBND"), whatever the reader wrote out, line breaks and all
    assert marked(page, 1).startswith("Kiểm tra, hướng dẫn UBND các huyện, thành phố hoàn thiện đầy đủ")
    assert marked(page, 1).endswith("trên địa bàn tỉnh theo đúng quy định.")
    assert marked(page, 20).startswith("Chỉ đạo UBND các xã, phường, thị trấn bố trí kinh phí")
    # the cooperating agencies of one clause share its passage
    assert marked(page, 3) == marked(page, 2) != ""
    # the row the clerk adds has none
    assert "Xem đoạn nguồn dòng 21" not in page and marked(page, 21) == ""


def test_a_passage_not_in_the_text_is_shown_under_its_row_and_survives_a_refused_form(review):
    browser, page, fields = review
    # the clerk's text is not the one read (changed by hand in the form): the passages are shown under the rows
    fields["full_text"] = "Văn bản khác hẳn."
    fields["issuer"] = ""  # refused: the page comes back with the clerk's input
    again = browser.post("/letters/confirm", data=fields)
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert "Nhập cơ quan ban hành." in page
    assert "Đoạn văn bản của dòng 1 (không tìm thấy nguyên văn trong nội dung văn bản)" in page
    assert "Kiểm tra, hướng dẫn Ủy ban nhân dân các huyện, thành phố" in page  # the reader's own words


def test_the_admin_sees_what_clerks_changed_in_the_proposals_by_month(review, web, cast, sessions):
    from tracker.intake.models import Letter, LetterProposal

    browser, _page, fields = review
    fields["tasks-1-deadline"] = "30/09/2022"  # row 2 gets a deadline
    fields["tasks-2-remove"] = "y"  # row 3 is removed
    fields["tasks-20-agency"] = "Công an tỉnh"  # and one is added in the empty row
    fields["tasks-20-summary"] = "Phối hợp rà soát nhân khẩu"
    fields["subject"] = fields["subject"] + " năm 2022"  # one header field corrected
    done = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    assert "Đã vào sổ văn bản đến số 1/" in done.get_data(as_text=True), errors_on(done.get_data(as_text=True))

    with sessions() as s:
        record = s.scalar(select(LetterProposal))
        assert record.letter.number == "3715/UBND-KGVX" and record.registered_on.isoformat() == "2022-08-20"
        results = [t["result"] for t in record.outcome["tasks"]]
        assert results[1:3] == ["corrected", "removed"] and results.count("unchanged") == 18
        assert record.outcome["tasks"][1]["changes"] == {"deadline": [None, "2022-09-30"]}
        assert [row["agency"] for row in record.outcome["added"]] == ["Công an tỉnh"]
        assert list(record.outcome["header"]) == ["subject"]
        assert record.tasks[0]["source"].startswith("Kiểm tra, hướng dẫn Ủy ban nhân dân các huyện")
        assert s.scalar(select(Letter).where(Letter.number == "3715/UBND-KGVX")).tasks  # tasks created as before

    admin = web(cast.admin)
    home = admin.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/proposal-quality"' in home and "Chất lượng đề xuất" in home
    page = admin.get("/admin/proposal-quality").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">08/2022</th>(.*?)</tr>", page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # letters, proposed, unchanged, corrected, removed, added, kept, header fields corrected
    assert cells == ["1", "20", "18", "1", "1", "1", "90,0 %", "1 / 10 trường"]
    # the year picker shows that year; another year has nothing
    assert "<th scope=\"row\">08/2022</th>" in admin.get("/admin/proposal-quality?year=2022").get_data(as_text=True)
    other = admin.get("/admin/proposal-quality?year=2019").get_data(as_text=True)
    assert "Chưa có văn bản nào được vào sổ từ đề xuất" in other


def test_a_form_whose_proposal_was_tampered_with_registers_the_letter_without_counting_it(review, sessions):
    from tracker.intake.models import Letter, LetterProposal

    browser, _page, fields = review
    fields["proposal"] = fields["proposal"][:-4] + "AAAA"
    done = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    assert "Đã vào sổ văn bản đến số 1/" in done.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(Letter).where(Letter.number == "3715/UBND-KGVX")) is not None
        assert s.scalar(select(LetterProposal)) is None


@pytest.mark.parametrize("who", ["clerk", "leader", "finance_officer"])
def test_only_the_admin_may_see_the_proposal_quality(web, cast, letter, who):
    browser = web(getattr(cast, who))
    assert browser.get("/admin/proposal-quality").status_code == 403
    assert "Chất lượng đề xuất" not in browser.get("/", follow_redirects=True).get_data(as_text=True)


def test_letters_registered_by_hand_are_not_counted(web, cast, letter):
    page = web(cast.admin).get("/admin/proposal-quality").get_data(as_text=True)
    assert "Chưa có văn bản nào được vào sổ từ đề xuất trong khoảng thời gian này." in page
    assert "Từ 01/10/2017 đến 20/09/2019." in page  # the last 24 months, dd/mm/yyyy
