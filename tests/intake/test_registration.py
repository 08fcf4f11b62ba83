"""A clerk registers letters through the web: upload or paste, correct the proposal, confirm."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, select

from tests.intake.letters import KIEN_GIANG, THAI_NGUYEN, docx_from_text
from tracker.intake.models import Letter


@pytest.fixture
def catalog(sessions):
    """The shipped catalog as the demo loads it (before the 2025 reorganisation)."""
    from tracker.agencies.catalog import SHIPPED_CATALOGS, read_catalog
    from tracker.agencies.operations import import_catalog
    from tracker.db import transaction
    from tracker.demo import _as_before_2025

    with transaction(sessions) as s:
        for name in ("province-template.toml", "thai-nguyen.toml", "kien-giang.toml"):
            import_catalog(s, _as_before_2025(read_catalog(SHIPPED_CATALOGS / name)))


def form_fields(page: str) -> dict[str, str]:
    """The values a browser would submit from the confirm form (inputs, selects, textareas)."""
    fields: dict[str, str] = {}
    for tag in re.finditer(r"<input\b[^>]*>", page):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs or attrs.get("type") == "file":
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in tag.group(0):
                fields[attrs["name"]] = "y"
            continue
        fields[attrs["name"]] = _unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[match.group(1)] = _unescape(match.group(2)).lstrip("\n")
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                             match.group(2))
        first = re.search(r'<option[^>]*value="([^"]*)"', match.group(2))
        fields[match.group(1)] = next(g for g in selected.groups() if g is not None) if selected else first.group(1)
    return fields


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def propose(browser, data: bytes | None = None, filename: str = "van-ban.txt", text: str | None = None):
    payload = {"text": text or ""}
    if data is not None:
        payload["file"] = (io.BytesIO(data), filename)
    return browser.post("/letters/new", data=payload, content_type="multipart/form-data")


def errors_on(page: str) -> list[str]:
    """The error messages a page shows."""
    return re.findall(r'(?:flash-error|class="error")[^>]*>([^<]*)', page)


def task_rows(fields: dict[str, str]) -> list[tuple[str, str]]:
    rows = []
    index = 0
    while f"tasks-{index}-agency" in fields:
        if fields[f"tasks-{index}-agency"]:
            rows.append((fields[f"tasks-{index}-agency"], fields[f"tasks-{index}-role"]))
        index += 1
    return rows


def test_clerk_registers_the_kien_giang_letter_from_text(web, cast, catalog, sessions):
    from tracker.intake.models import Letter
    from tracker.tasks.models import Task

    browser = web(cast.clerk)
    response = propose(browser, KIEN_GIANG.read_bytes(), "kien-giang.txt")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    fields = form_fields(response.get_data(as_text=True))
    assert fields["number"] == "871/VP-VHXH"
    assert fields["issued_on"] == "21/02/2019"
    assert ("Sở Lao động - Thương binh và Xã hội", "lead") in task_rows(fields)
    confirmed = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    page = confirmed.get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số 1/" in page, errors_on(page)
    with sessions() as s:
        letter = s.scalar(select(Letter).where(Letter.number == "871/VP-VHXH"))
        assert letter.received_number == 1 and letter.file is not None and letter.file_name == "kien-giang.txt"
        task = s.scalar(select(Task).where(Task.letter_id == letter.id, Task.role == "lead"))
        assert task.agency.name == "Sở Lao động - Thương binh và Xã hội"
        assert task.deadline is not None and task.deadline.isoformat() == "2019-09-30"
        enclosed = letter.enclosed
        assert [e.number for e in enclosed] == ["594/LĐTBXH-BTXH"] and enclosed[0].received_number is None


def test_clerk_registers_the_thai_nguyen_letter_from_docx_with_group_fan_out(app, web, cast, catalog, sessions):
    app.config["TRACKER_TODAY"] = "2022-08-20"
    from tracker.agencies.models import Agency
    from tracker.tasks.models import Task

    browser = web(cast.clerk)
    response = propose(browser, docx_from_text(THAI_NGUYEN.read_text(encoding="utf-8")), "3715.docx")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    fields = form_fields(response.get_data(as_text=True))
    assert fields["number"] == "3715/UBND-KGVX"
    rows = task_rows(fields)
    assert ("Sở Tài chính", "lead") in rows
    assert any("các huyện" in agency for agency, _ in rows)
    fields["received_on"] = "17/08/2022"
    page = browser.post("/letters/confirm", data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số 1/" in page, errors_on(page)
    with sessions() as s:
        districts = s.scalars(select(Agency.id).where(Agency.kind == "district")).all()
        grouped = s.scalars(select(Task.agency_id).where(Task.group_label.is_not(None))).all()
        assert set(districts) <= set(grouped)


def test_double_submission_registers_once(web, cast, catalog, sessions):
    from tracker.intake.models import Letter

    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    first = browser.post("/letters/confirm", data=fields)
    second = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    assert first.status_code == 302
    assert "đã được vào sổ" in second.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter).where(Letter.enclosed_in_id.is_(None))) == 1


def test_the_same_letter_registered_again_is_shown_not_registered(web, cast, catalog, sessions):
    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    browser.post("/letters/confirm", data=fields)
    again = propose(browser, KIEN_GIANG.read_bytes(), "b.txt")
    assert "có thể đã được vào sổ" in again.get_data(as_text=True)
    refused = browser.post("/letters/confirm", data=form_fields(again.get_data(as_text=True)))
    assert refused.status_code == 409
    assert "Văn bản này đã được vào sổ: số đến 1/" in refused.get_data(as_text=True)


def test_a_second_cover_letter_forwarding_a_registered_letter_is_registered_and_links_to_it(web, cast, catalog,
                                                                                           sessions):
    """871/VP-VHXH encloses 594/LĐTBXH-BTXH. A later cover letter forwarding 594 again is registered with its own
    number and cites the 594 already in the register (one record of it, still enclosed in 871); registering 594
    on its own is refused with where it already is, not "số đến None/None"."""
    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    assert browser.post("/letters/confirm", data=fields).status_code == 302
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "b.txt").get_data(as_text=True))
    fields["number"] = "905/VP-VHXH"
    fields["submission_key"] = "x" * 32
    second = browser.post("/letters/confirm", data=fields, follow_redirects=True)
    page = second.get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số 2/" in page, errors_on(page)
    with sessions() as s:
        forwarded = s.scalars(select(Letter).where(Letter.number == "594/LĐTBXH-BTXH")).all()
        assert len(forwarded) == 1 and forwarded[0].enclosed_in.number == "871/VP-VHXH"
    assert f'href="/letters/{forwarded[0].id}">594/LĐTBXH-BTXH</a>' in page and "đã vào sổ trước đó" in page

    fields["number"], fields["issuer"] = "594/LĐTBXH-BTXH", forwarded[0].issuer
    fields["issued_on"] = forwarded[0].issued_on.strftime("%d/%m/%Y")
    fields["submission_key"] = "y" * 32
    refused = browser.post("/letters/confirm", data=fields)
    assert refused.status_code == 409
    message = refused.get_data(as_text=True)
    assert "kèm theo văn bản 871/VP-VHXH (số đến 1/" in message and "None" not in message


def test_unknown_agency_must_be_confirmed_as_new(web, cast, catalog, sessions):
    from tracker.agencies.models import Agency

    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    fields["tasks-0-agency"] = "Hội Nạn nhân chất độc da cam tỉnh"
    refused = browser.post("/letters/confirm", data=fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "chưa có trong danh mục" in page
    assert 'value="Hội Nạn nhân chất độc da cam tỉnh"' in page  # the clerk's input is kept
    fields["tasks-0-create_agency"] = "y"
    assert browser.post("/letters/confirm", data=fields).status_code == 302
    with sessions() as s:
        assert s.scalar(select(Agency).where(Agency.name == "Hội Nạn nhân chất độc da cam tỉnh")) is not None


def test_a_date_that_does_not_exist_is_refused_and_nothing_is_saved(web, cast, catalog, sessions):
    from tracker.intake.models import Letter

    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    fields["tasks-0-deadline"] = "30/02/2019"
    response = browser.post("/letters/confirm", data=fields)
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in response.get_data(as_text=True)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 0


def test_rows_can_be_removed_and_added_by_hand(web, cast, catalog, sessions):
    from tracker.tasks.models import Task

    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    count = len(task_rows(fields))
    for i in range(count):
        fields[f"tasks-{i}-remove"] = "y"
    fields.update({f"tasks-{count}-agency": "Sở Tài chính", f"tasks-{count}-role": "cooperate",
                   f"tasks-{count}-summary": "Bố trí kinh phí", f"tasks-{count}-deadline": "2019-10-15"})
    assert browser.post("/letters/confirm", data=fields).status_code == 302
    with sessions() as s:
        tasks = s.scalars(select(Task)).all()
        assert [(t.agency.name, t.role, t.deadline.isoformat()) for t in tasks] == [
            ("Sở Tài chính", "cooperate", "2019-10-15")]


@pytest.mark.parametrize("content, name, message", [
    (b"", "rong.docx", "Chọn một tệp hoặc dán nội dung"),
    (b"PK\x03\x04 not really a zip", "hong.docx", ""),
    (b"%PDF-1.4 broken", "hong.pdf", ""),
])
def test_broken_or_empty_files_get_a_clear_message_and_nothing_saved(web, cast, sessions, content, name, message):
    from tracker.intake.models import Letter

    response = propose(web(cast.clerk), content, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'class="error"' in page
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 0


def test_officers_and_leaders_cannot_register(web, cast):
    for who in (cast.finance_officer, cast.leader):
        assert web(who).get("/letters/new").status_code == 403
        assert web(who).post("/letters/confirm", data={}).status_code == 403


def test_concurrent_registrations_get_unique_gap_free_numbers(app, sessions, cast, catalog):
    import datetime as dt

    from tracker.accounts.models import User
    from tracker.intake.models import Letter
    from tracker.intake.operations import LetterSpec
    from tracker.intake.registration import Confirmation, confirm

    errors = []

    def register(i: int):
        try:
            with sessions() as s:
                clerk = s.get(User, cast.clerk)
                confirm(s, Confirmation(letter=LetterSpec(number=f"{i}/UBND-VX", issuer="UBND tỉnh", subject="x",
                                                          issued_on=dt.date(2024, 3, 1)),
                                        received_on=dt.date(2024, 3, 2), submission_key=f"k{i}"),
                        actor=clerk, files_dir=app.extensions["tracker.settings"].instance_path / "files")
                s.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as s:
        numbers = sorted(s.scalars(select(Letter.received_number).where(Letter.received_year == 2024)))
    assert numbers == list(range(1, 13))


def test_a_receipt_date_in_the_future_is_refused(web, cast, catalog, sessions):
    from tracker.intake.models import Letter

    browser = web(cast.clerk)
    fields = form_fields(propose(browser, KIEN_GIANG.read_bytes(), "a.txt").get_data(as_text=True))
    fields["received_on"] = "21/09/2019"  # the app's today is 20/09/2019
    response = browser.post("/letters/confirm", data=fields)
    assert response.status_code == 400 and "Ngày đến không thể ở tương lai." in errors_on(response.get_data(as_text=True))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 0


@pytest.mark.parametrize("example", ["kien-giang-871-VP-VHXH-2019", "thai-nguyen-3715-UBND-KGVX-2022"])
@pytest.mark.parametrize("form", ["txt", "docx"])
def test_both_examples_register_with_their_expected_tasks(app, web, cast, catalog, sessions, example, form):
    """Each example letter, from .txt and from a .docx built from it, registers with the tasks its
    hand-written expectation lists (groups fanned out to their catalog members)."""
    import json

    from tracker.intake.models import Letter
    from tracker.intake.proposal import group_kinds
    from tracker.text import fold_words
    from tests.intake.letters import EXAMPLES

    expected = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    text = (EXAMPLES / f"{example}.txt").read_text(encoding="utf-8")
    data = text.encode("utf-8") if form == "txt" else docx_from_text(text)
    app.config["TRACKER_TODAY"] = "2022-12-31"
    browser = web(cast.clerk)
    fields = form_fields(propose(browser, data, f"{example}.{form}").get_data(as_text=True))
    fields["received_on"] = "31/12/2022"
    page = browser.post("/letters/confirm", data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến số" in page, errors_on(page)
    with sessions() as s:
        letter = s.scalar(select(Letter).where(Letter.number == expected["number"]))
        registered = {(fold_words(t.group_label or t.agency.name), t.role) for t in letter.tasks}
        deadlines = {(fold_words(t.group_label or t.agency.name), t.deadline.isoformat() if t.deadline else None)
                     for t in letter.tasks}
    wanted = {(fold_words(t["agency"]), t["role"]) for t in expected["tasks"]}
    # Group names may be written out ("UBND" -> "Ủy ban nhân dân"); compare groups by their kind.
    normalise = lambda pairs: {("group:" + ",".join(group_kinds(a) or ()) if group_kinds(a) else a, r) for a, r in pairs}
    assert normalise(registered) == normalise(wanted)
    for task in expected["tasks"]:
        if task.get("deadline"):
            assert (fold_words(task["agency"]), task["deadline"]) in deadlines


def test_an_agency_known_only_to_the_offices_catalog_is_proposed_by_its_full_name(web, cast, catalog, sessions):
    """The catalog feeds the reader: a body the reader's lexicon cuts short is proposed whole and matched."""
    from tracker.agencies.models import Agency
    from tracker.db import transaction

    with transaction(sessions) as s:
        s.add(Agency(code="tt-dieu-hanh", name="Trung tâm Điều hành đô thị thông minh Long Xuyên",
                     kind="department", aliases=["Trung tâm IOC Long Xuyên"], active=True))
    text = ("ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 15/UBND-VP\nV/v vận hành hệ thống giám sát\nKiên Giang, ngày 04 tháng 5 năm 2019\n"
            "Kính gửi: Các sở, ban, ngành tỉnh.\n"
            "Giao Trung tâm Điều hành đô thị thông minh Long Xuyên chủ trì vận hành hệ thống, báo cáo trước ngày "
            "30/6/2019.\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n")
    response = propose(web(cast.clerk), text=text)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("Trung tâm Điều hành đô thị thông minh Long Xuyên", "lead") in task_rows(form_fields(page))


def test_a_recurring_report_is_described_in_words_on_the_review_page(web, cast, catalog):
    """The clerk reads "Hằng tháng, hạn ngày 20", never the stored code "monthly:20"."""
    text = ("ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 16/UBND-VP\nV/v báo cáo tiến độ giải ngân\nKiên Giang, ngày 04 tháng 5 năm 2019\n"
            "Kính gửi: Sở Tài chính.\nGiao Sở Tài chính báo cáo tiến độ giải ngân trước ngày 20 hằng tháng.\n"
            "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A\n")
    page = propose(web(cast.clerk), text=text).get_data(as_text=True)
    assert "Định kỳ: Hằng tháng, hạn ngày 20" in page
    assert "Định kỳ: monthly" not in page
