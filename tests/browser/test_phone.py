"""On a phone (390 × 844), an officer's pages and the leader's overview fit the screen: lists become cards, nothing
is wider than the screen and the deadline of each task is in view without scrolling sideways."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.test_sign_in import sign_in
from tracker.db import transaction

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: every element drawn past the right edge of the screen, except the visually hidden headers of card tables
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('thead') && e.getBoundingClientRect().width > 0
                 && e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + e.textContent.trim().slice(0, 40))"""


@pytest.fixture
def phone(chromium, live_server):
    """A browser page the size of a phone."""
    context = chromium.new_context(base_url=live_server, locale="vi-VN", viewport=PHONE, is_mobile=True,
                                   has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def long_tasks(sessions, cast, letter):
    """Three more tasks of Sở Tài chính on the letter, with the long summaries real letters give."""
    from tracker.accounts.models import User
    from tracker.intake.models import Letter
    from tracker.tasks.operations import TaskSpec, create_task

    summary = ("Chủ trì, phối hợp với các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố rà soát, tổng hợp "
               "nhu cầu kinh phí thực hiện chính sách trợ giúp xã hội năm {n}, báo cáo Ủy ban nhân dân tỉnh")
    with transaction(sessions) as s:
        for n in range(3):
            create_task(s, s.get(Letter, letter.letter),
                        TaskSpec(agency_id=cast.finance, role="cooperate", summary=summary.format(n=2020 + n),
                                 deadline=dt.date(2019, 10, 15 + n)), actor=s.get(User, cast.clerk))


def overflowing(page) -> list[str]:
    return page.evaluate(OVERFLOWING)


def test_an_officers_pages_fit_a_phone(phone, cast, letter, long_tasks):
    sign_in(phone, "finance_officer")
    phone.get_by_role("heading", level=1, name="Nhiệm vụ của Sở Tài chính").wait_for()
    for path in ("/tasks/mine", "/tasks/mine?status=open&sort=-deadline", f"/tasks/{letter.finance_task}",
                 f"/letters/{letter.letter}"):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert overflowing(phone) == [], path
    # the list: one card per task, its deadline in view
    phone.goto("/tasks/mine")
    cards = phone.locator("table.cards tbody tr")
    assert cards.count() == 4
    deadline = cards.first.locator("td[data-label='Hạn xử lý']")
    box = deadline.bounding_box()
    assert deadline.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert "Hạn xử lý" in deadline.evaluate("e => getComputedStyle(e, '::before').content")


def test_the_leaders_overview_fits_a_phone(phone, app, cast, letter, long_tasks):
    app.config["TRACKER_TODAY"] = "2019-10-02"  # the letter's two tasks are overdue, the others due soon
    sign_in(phone, "leader")
    phone.get_by_role("heading", level=1, name="Tổng quan tình hình thực hiện nhiệm vụ").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert overflowing(phone) == []
    assert phone.locator("#qua-han-h ~ table tbody tr").count() == 2


def test_the_clerks_register_fits_a_phone(phone, cast, letter):
    """Each letter of the register is a card: its number, issuer and subject in view, nothing past the edge."""
    sign_in(phone, "clerk")
    for path in ("/letters/", "/letters/?q=tro+giup"):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert overflowing(phone) == [], path
    card = phone.locator("table.cards tbody tr").first
    number = card.locator("td[data-label='Số, ký hiệu']")
    box = number.bounding_box()
    assert "871/VP-VHXH" in number.inner_text() and box["x"] + box["width"] <= PHONE["width"]
    assert "trợ giúp xã hội" in card.locator("td.summary").inner_text()
