"""A clerk corrects a registered letter's header: locked against concurrent edits, every change on the record."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from tests.intake.test_registration import form_fields
from tracker.db import transaction


def snapshot(sessions, letter_id: int):
    """The letter with its events, detached."""
    from tracker.intake.models import Letter

    with sessions() as s:
        letter = s.get(Letter, letter_id)
        _ = [(e.actor, e.changes) for e in letter.events]
        s.expunge_all()
        return letter


def submitted(page: str) -> dict[str, str]:
    """A form's values as a browser submits them (a browser drops the line break after <textarea>, CRLF too)."""
    return {name: value.removeprefix("\r\n") for name, value in form_fields(page).items()}


def edit_form(browser, letter_id: int) -> dict[str, str]:
    """The edit form's values as a browser would submit them."""
    response = browser.get(f"/letters/{letter_id}/edit")
    assert response.status_code == 200
    return submitted(response.get_data(as_text=True))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_edit_form_shows_the_header_with_dates_as_dd_mm_yyyy_and_not_the_incoming_number(web, cast, letter):
    fields = edit_form(web(cast.clerk), letter.letter)
    assert fields["number"] == "871/VP-VHXH"
    assert fields["issued_on"] == "21/02/2019" and fields["received_on"] == "22/02/2019"
    assert fields["recipients"] == "Sở Tài chính"
    assert "received_number" not in fields


def test_a_clerk_corrects_the_header_and_the_letter_page_shows_what_changed(web, cast, letter, sessions):
    clerk = web(cast.clerk)
    fields = edit_form(clerk, letter.letter)
    fields.update(number="872/VP-VHXH", issued_on="20/02/2019", subject="tăng cường công tác bảo trợ xã hội",
                  recipients="Sở Tài chính\nSở Lao động - Thương binh và Xã hội", comment="Sửa theo bản giấy",
                  received_number="999")
    response = clerk.post(f"/letters/{letter.letter}/edit", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/letters/{letter.letter}")
    page = text_of(clerk.get(f"/letters/{letter.letter}"))
    assert "Đã lưu 4 thay đổi của văn bản." in page
    assert "872/VP-VHXH" in page and "tăng cường công tác bảo trợ xã hội" in page
    history = page[page.index("Lịch sử văn bản"):]
    assert "Clerk" in history and "sửa thông tin văn bản" in history
    assert "Số, ký hiệu: 871/VP-VHXH → 872/VP-VHXH" in history
    assert "Ngày văn bản: 21/02/2019 → 20/02/2019" in history
    assert "Kính gửi: Sở Tài chính → Sở Tài chính; Sở Lao động - Thương binh và Xã hội" in history
    assert "Sửa theo bản giấy" in history
    # the newest change first, the registration last
    assert history.index("sửa thông tin văn bản") < history.index("vào sổ văn bản")
    stored = snapshot(sessions, letter.letter)
    assert stored.received_number == 1 and stored.version == 2
    assert [e.kind for e in stored.events] == ["registered", "edited"]


def test_an_edit_updates_search_and_duplicate_detection(web, cast, letter, sessions):
    from tracker.intake.operations import LetterSpec, find_duplicate

    clerk = web(cast.clerk)
    fields = edit_form(clerk, letter.letter)
    fields.update(number="872/VP-VHXH", subject="bảo trợ người cao tuổi")
    assert clerk.post(f"/letters/{letter.letter}/edit", data=fields).status_code == 302
    assert "872/VP-VHXH" in clerk.get("/letters/?q=bao tro nguoi cao tuoi").get_data(as_text=True)
    assert "872/VP-VHXH" not in clerk.get("/letters/?q=tro giup xa hoi").get_data(as_text=True)
    with sessions() as s:
        issuer, issued_on = "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang", dt.date(2019, 2, 21)
        assert find_duplicate(s, LetterSpec(number="872/VP-VHXH", issuer=issuer, issued_on=issued_on)) is not None
        assert find_duplicate(s, LetterSpec(number="871/VP-VHXH", issuer=issuer, issued_on=issued_on)) is None


def test_editing_the_number_to_one_already_registered_is_refused_and_saves_nothing(web, cast, letter, sessions):
    from tracker.accounts.models import User
    from tracker.intake.operations import LetterSpec, register_letter

    with transaction(sessions) as s:
        other = register_letter(s, LetterSpec(number="900/VP-VHXH", issuer="Văn phòng Ủy ban nhân dân tỉnh Kiên Giang",
                                              issued_on=dt.date(2019, 2, 21), subject="khác"), [],
                                actor=s.get(User, cast.clerk), received_on=dt.date(2019, 2, 25))
        other_number = other.received_number
    clerk = web(cast.clerk)
    fields = edit_form(clerk, letter.letter)
    fields.update(number="900/VP-VHXH", subject="một trích yếu mới")
    response = clerk.post(f"/letters/{letter.letter}/edit", data=fields)
    assert response.status_code == 409
    page = text_of(response)
    assert "đã có trong sổ" in page and f"số đến {other_number}/2019" in page
    assert 'value="900/VP-VHXH"' in page  # the input is kept to be corrected
    stored = snapshot(sessions, letter.letter)
    assert stored.number == "871/VP-VHXH" and stored.subject.startswith("chỉ đạo")
    assert [e.kind for e in stored.events] == ["registered"]


def test_a_stale_edit_is_refused_keeps_the_input_and_loses_nothing_of_the_first(web, cast, letter, sessions):
    clerk, admin = web(cast.clerk), web(cast.admin)
    clerk_form, admin_form = edit_form(clerk, letter.letter), edit_form(admin, letter.letter)
    admin_form.update(subject="chỉ đạo trợ giúp xã hội năm 2019")
    assert admin.post(f"/letters/{letter.letter}/edit", data=admin_form).status_code == 302
    clerk_form.update(number="871/VP-VHXH-BS")
    stale = clerk.post(f"/letters/{letter.letter}/edit", data=clerk_form)
    assert stale.status_code == 409
    page = text_of(stale)
    assert "vừa được Admin sửa" in page and "thay đổi của bạn chưa được lưu" in page
    assert "Trích yếu: chỉ đạo tăng cường triển khai thực hiện việc trợ giúp xã hội → " \
           "chỉ đạo trợ giúp xã hội năm 2019" in page
    again = submitted(stale.get_data(as_text=True))
    assert again["number"] == "871/VP-VHXH-BS"  # the clerk's own correction is kept
    assert again["subject"] == "chỉ đạo trợ giúp xã hội năm 2019"  # the admin's is shown, not overwritten
    stored = snapshot(sessions, letter.letter)
    assert stored.number == "871/VP-VHXH" and stored.subject == "chỉ đạo trợ giúp xã hội năm 2019"
    # saving the form again as shown applies the clerk's change on top of the admin's
    assert clerk.post(f"/letters/{letter.letter}/edit", data=again).status_code == 302
    stored = snapshot(sessions, letter.letter)
    assert stored.number == "871/VP-VHXH-BS" and stored.subject == "chỉ đạo trợ giúp xã hội năm 2019"
    assert [list(e.changes) for e in stored.events] == [[], ["subject"], ["number"]]


def test_when_both_change_the_same_field_the_current_value_is_shown_beside_the_users(web, cast, letter, sessions):
    clerk, admin = web(cast.clerk), web(cast.admin)
    clerk_form, admin_form = edit_form(clerk, letter.letter), edit_form(admin, letter.letter)
    admin_form.update(signer="Nguyễn Văn A")
    assert admin.post(f"/letters/{letter.letter}/edit", data=admin_form).status_code == 302
    clerk_form.update(signer="Trần Thị B")
    stale = clerk.post(f"/letters/{letter.letter}/edit", data=clerk_form)
    assert stale.status_code == 409
    page = text_of(stale)
    assert "Người khác vừa sửa ô này; giá trị hiện tại: Nguyễn Văn A" in page
    assert submitted(stale.get_data(as_text=True))["signer"] == "Trần Thị B"
    assert snapshot(sessions, letter.letter).signer == "Nguyễn Văn A"


@pytest.mark.parametrize("who", ["leader", "finance_officer"])
def test_leaders_and_officers_may_not_edit_a_letter(web, cast, letter, sessions, who):
    browser = web(getattr(cast, who))
    assert browser.get(f"/letters/{letter.letter}/edit").status_code == 403
    response = browser.post(f"/letters/{letter.letter}/edit", data={"version": "1", "number": "1/XX",
                                                                      "issuer": "X", "subject": "Y",
                                                                      "received_on": "22/02/2019"})
    assert response.status_code == 403
    assert snapshot(sessions, letter.letter).number == "871/VP-VHXH"
    assert "Sửa thông tin văn bản" not in browser.get(f"/letters/{letter.letter}").get_data(as_text=True)


def test_admin_may_edit_and_sees_the_edit_button(web, cast, letter):
    admin = web(cast.admin)
    assert "Sửa thông tin văn bản" in admin.get(f"/letters/{letter.letter}").get_data(as_text=True)
    fields = edit_form(admin, letter.letter)
    fields.update(urgency="Khẩn")
    assert admin.post(f"/letters/{letter.letter}/edit", data=fields).status_code == 302
    assert "Độ khẩn: (trống) → Khẩn" in text_of(admin.get(f"/letters/{letter.letter}"))


@pytest.mark.parametrize("changes, status, message", [
    ({"issued_on": "31/02/2019"}, 422, "Ngày không hợp lệ (ví dụ: 30/09/2019)."),
    ({"received_on": "21/09/2019"}, 422, "Ngày đến không thể ở tương lai."),
    ({"received_on": "02/01/2018"}, 422, "Ngày đến phải thuộc năm 2019"),
    ({"issued_on": "23/02/2019"}, 422, "Ngày văn bản sau ngày đến"),
    ({"issuer": "  "}, 422, "Nhập cơ quan ban hành."),
])
def test_wrong_input_is_refused_with_a_message_and_saves_nothing(web, cast, letter, sessions, changes, status,
                                                                 message):
    clerk = web(cast.clerk)
    fields = edit_form(clerk, letter.letter)
    fields.update(changes)
    response = clerk.post(f"/letters/{letter.letter}/edit", data=fields)
    assert response.status_code == status and message in text_of(response)
    stored = snapshot(sessions, letter.letter)
    assert stored.version == 1 and len(stored.events) == 1


def test_saving_without_a_change_records_nothing(web, cast, letter, sessions):
    clerk = web(cast.clerk)
    response = clerk.post(f"/letters/{letter.letter}/edit", data=edit_form(clerk, letter.letter),
                          follow_redirects=True)
    assert "Không có thay đổi nào để lưu." in text_of(response)
    assert len(snapshot(sessions, letter.letter).events) == 1


def test_the_history_cannot_be_rewritten(sessions, letter):
    from tracker.intake.models import HistoryIsAppendOnly, LetterEvent

    with sessions() as s:
        event = s.scalar(select(LetterEvent).where(LetterEvent.letter_id == letter.letter))
        event.comment = "sửa lại lịch sử"
        with pytest.raises(HistoryIsAppendOnly):
            s.flush()
        s.rollback()
        event = s.scalar(select(LetterEvent).where(LetterEvent.letter_id == letter.letter))
        s.delete(event)
        with pytest.raises(HistoryIsAppendOnly):
            s.flush()
