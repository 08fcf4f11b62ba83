"""A search matches whole words, on the register and the task list, and the register counts what it finds."""

from __future__ import annotations

import datetime as dt
import html
import re

from tracker.accounts.models import User
from tracker.db import transaction
from tracker.intake.models import Letter
from tracker.intake.operations import LetterSpec, register_letter
from tracker.tasks.operations import TaskSpec


def _register(sessions, cast, number: str, subject: str, *, enclosed_in: int | None = None) -> int:
    with transaction(sessions) as s:
        spec = LetterSpec(number=number, doc_type="Công văn", issuer="Sở Tài chính", place="Kiên Giang",
                          issued_on=dt.date(2019, 9, 2), subject=subject, recipients=["Sở Xây dựng"],
                          full_text=subject)
        cover = s.get(Letter, enclosed_in) if enclosed_in else None
        tasks = [] if cover else [TaskSpec(agency_id=cast.finance, role="lead", summary=f"Thực hiện: {subject}",
                                           deadline=dt.date(2019, 10, 30))]
        letter = register_letter(s, spec, tasks, actor=s.get(User, cast.clerk), received_on=dt.date(2019, 9, 3),
                                 enclosed_in=cover)
        return letter.id


def _page(web, user, path: str, query: str) -> str:
    return html.unescape(web(user).get(path, query_string={"q": query}).get_data(as_text=True))


def test_a_search_finds_letters_with_the_words_not_with_longer_words_they_begin(web, cast, sessions):
    _register(sessions, cast, "101/STC-NS", "giải ngân vốn đầu tư công năm 2019")
    _register(sessions, cast, "102/STC-NS", "giải quyết kiến nghị của ngành y tế")
    _register(sessions, cast, "103/STC-NS", "kế hoạch 8710 về ngân sách")

    register = _page(web, cast.clerk, "/letters/", "giai ngan")
    assert "101/STC-NS" in register and "102/STC-NS" not in register  # "ngan" is not "ngành"
    tasks = _page(web, cast.leader, "/tasks/", "giải ngân")
    assert "giải ngân vốn" in tasks and "kiến nghị của ngành" not in tasks
    # a number is a word too: 871 is not 8710
    assert "103/STC-NS" not in _page(web, cast.clerk, "/letters/", "871")
    assert "103/STC-NS" in _page(web, cast.clerk, "/letters/", "8710")


def test_the_register_counts_the_letters_a_search_finds_without_those_enclosed_in_others(web, cast, sessions):
    first = _register(sessions, cast, "201/STC-NS", "thẩm định dự toán ngân sách")
    _register(sessions, cast, "202/STC-NS", "thẩm định dự toán ngân sách bổ sung")
    _register(sessions, cast, "203/STC-NS", "thẩm định dự toán ngân sách kèm theo", enclosed_in=first)
    _register(sessions, cast, "204/STC-NS", "quyết toán vốn")

    page = _page(web, cast.clerk, "/letters/", "tham dinh du toan")
    # the two registered letters, not the one enclosed in the first (it has no number of its own)
    assert re.search(r"1–2 / 2\b", page), re.findall(r"\d+–\d+ / [^<]*", page)
    assert "202/STC-NS" in page and "204/STC-NS" not in page
    # with another filter, the register counts itself, and the same way
    filtered = html.unescape(web(cast.clerk).get("/letters/", query_string={
        "q": "tham dinh du toan", "type": "Công văn"}).get_data(as_text=True))
    assert re.search(r"1–2 / 2\b", filtered)


def test_a_session_searching_again_in_a_later_transaction_finds_letters_registered_meanwhile(app, cast, sessions):
    """PostgreSQL keeps the letters a search found for the statements of one transaction, never longer."""
    from sqlalchemy import select

    from tracker.intake.search import apply_search

    with sessions() as session:
        dialect = session.get_bind().dialect.name
        assert session.scalars(apply_search(select(Letter.id), "quyet toan", dialect, session=session)).all() == []
        session.commit()
        registered = _register(sessions, cast, "301/STC-NS", "quyết toán vốn năm 2018")
        found = session.scalars(apply_search(select(Letter.id), "quyet toan", dialect, session=session)).all()
        assert found == [registered]
