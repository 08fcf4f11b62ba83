"""The agency catalog: import without duplicates, matching, mergers."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.agencies.catalog import AgencyMatcher, parse_catalog
from tracker.db import transaction


def test_matcher_finds_agencies_by_name_abbreviation_alias_without_diacritics_and_with_ocr_noise():
    matcher = AgencyMatcher([
        (1, "Sở LĐTBXH", ["Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH", "SLĐTBXH"]),
        (2, "Sở Tài chính", ["Sở Tài chính", "STC"]),
        (3, "UBND huyện Đại Từ", ["Ủy ban nhân dân huyện Đại Từ", "UBND huyện Đại Từ"]),
    ])
    assert matcher.match("SO LAO DONG THUONG BINH VA XA HOI").agency_id == 1
    assert matcher.match("Sở Lao động – Thương binh và Xã hôi").agency_id == 1  # OCR: wrong tone, en dash
    assert matcher.match("Uỷ ban nhân dân huyện Đại Từ").agency_id == 3
    assert matcher.match("sở tài chính").agency_id == 2
    assert matcher.match("Sở Xây dựng") is None


def test_catalog_rows_are_updated_not_duplicated(sessions, app):
    from tracker.agencies.models import Agency
    from tracker.agencies.operations import import_catalog

    first = parse_catalog('[[agency]]\ncode = "so-tc"\nname = "Sở Tài chính"\nkind = "department"\n'.encode(), "a.toml")
    second = parse_catalog('[[agency]]\ncode = "so-tc"\nname = "Sở Tài chính"\nkind = "department"\n'
                           'emails = ["stc@example.gov.vn"]\n'.encode(), "a.toml")
    with transaction(sessions) as s:
        assert import_catalog(s, first).created == ["so-tc"]
    with transaction(sessions) as s:
        assert import_catalog(s, second).updated == ["so-tc"]
        assert s.scalar(select(func.count()).select_from(Agency)) == 1
        assert s.scalar(select(Agency.emails)) == ["stc@example.gov.vn"]


def test_merge_moves_open_tasks_to_the_successor_and_keeps_history(sessions, cast, letter, app):
    from tracker.agencies.models import Agency
    from tracker.agencies.operations import build_matcher, merge_agency
    from tracker.tasks.models import Task, TaskEvent

    with transaction(sessions) as s:
        s.get(Agency, cast.labour).code = "so-ldtbxh"
        s.add(Agency(code="so-noi-vu", name="Sở Nội vụ", kind="department", aliases=[], emails=[], active=True,
                     search_text="so noi vu"))
    with transaction(sessions) as s:
        moved = merge_agency(s, "so-ldtbxh", "so-noi-vu", actor=None,
                             open_states=app.extensions["tracker.workflow"].open_states)
    assert moved == 1
    with sessions() as s:
        task = s.get(Task, letter.labour_task)
        successor = s.scalar(select(Agency).where(Agency.code == "so-noi-vu"))
        assert task.agency_id == successor.id
        event = s.scalar(select(TaskEvent).where(TaskEvent.task_id == task.id, TaskEvent.kind == "reassigned"))
        assert event.changes["agency_id"] == [cast.labour, successor.id]
        old = s.get(Agency, cast.labour)
        assert not old.active and old.successor_id == successor.id
        # Letters that still name the old department find its successor.
        assert build_matcher(s).match("Sở Lao động - Thương binh và Xã hội").agency_id == successor.id


def test_merge_refuses_unknown_codes(sessions, cast, app):
    import pytest

    from tracker.agencies.operations import MergeError, merge_agency

    with transaction(sessions) as s, pytest.raises(MergeError, match="Không tìm thấy cơ quan"):
        merge_agency(s, "khong-co", "finance", actor=None, open_states=frozenset({"assigned"}))
