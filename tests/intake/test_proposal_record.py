"""What the reader proposed against what the clerk confirmed: unchanged, corrected, removed, added; by month."""

from __future__ import annotations

import datetime as dt

from tracker.db import transaction
from tracker.intake.operations import LetterSpec
from tracker.intake.proposal import ProposedTask
from tracker.intake.proposal_record import (compare, monthly_figures, months_back, read_snapshot, record_proposal,
                                            snapshot, total_of, years_recorded)
from tracker.intake.registration import ConfirmedRow

HEADER = LetterSpec(number="3715/UBND-KGVX", doc_type="Công văn", issuer="Ủy ban nhân dân tỉnh Thái Nguyên",
                    place="Thái Nguyên", issued_on=dt.date(2022, 8, 15), subject="thực hiện chính sách an sinh xã hội",
                    recipients=["Sở Lao động - Thương binh và Xã hội", "Sở Tài chính"])
PROPOSED = [
    ProposedTask("Sở Lao động - Thương binh và Xã hội", "lead", "Kiểm tra, hướng dẫn các huyện",
                 dt.date(2022, 9, 30), source="Kiểm tra, hướng dẫn UBND các huyện hoàn thiện hồ sơ."),
    ProposedTask("Sở Tài chính", "cooperate", "Phối hợp bố trí kinh phí", None),
    ProposedTask("Sở Kế hoạch và Đầu tư", "cooperate", "Phối hợp bố trí kinh phí", None),
    ProposedTask("Công an tỉnh", "lead", "Rà soát nhân khẩu", dt.date(2022, 10, 15)),
]


def _row(index, agency, role="lead", summary="Nội dung", deadline=None) -> ConfirmedRow:
    return ConfirmedRow(agency=agency, role=role, summary=summary, deadline=deadline, proposed=index)


def test_each_proposed_task_is_kept_corrected_or_removed_and_new_rows_are_added():
    proposal = snapshot(HEADER, PROPOSED)
    confirmed = [
        # kept, though the clerk reworded the summary and wrote the agency in capitals
        _row(0, "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", summary="Kiểm tra, hướng dẫn các huyện, thành phố",
             deadline=dt.date(2022, 9, 30)),
        _row(1, "Sở Tài chính", role="lead", summary="Phối hợp bố trí kinh phí"),  # role changed
        # row 2 removed; row 3 given another deadline
        _row(3, "Công an tỉnh", summary="Rà soát nhân khẩu", deadline=dt.date(2022, 10, 31)),
        _row(None, "Sở Nội vụ", summary="Rà soát biên chế"),  # typed by the clerk
    ]
    result = compare(proposal, HEADER, confirmed)
    assert [t.result for t in result.tasks] == ["unchanged", "corrected", "removed", "corrected"]
    assert result.tasks[0].changes == {"summary": ["Kiểm tra, hướng dẫn các huyện",
                                                   "Kiểm tra, hướng dẫn các huyện, thành phố"]}
    assert result.tasks[1].changes == {"role": ["cooperate", "lead"]}
    assert result.tasks[3].changes == {"deadline": ["2022-10-15", "2022-10-31"]}
    assert [row["agency"] for row in result.added] == ["Sở Nội vụ"]
    assert (result.count("unchanged"), result.count("corrected"), result.count("removed")) == (1, 2, 1)
    assert result.header == {}


def test_a_changed_agency_is_a_correction_and_the_catalog_may_say_two_names_are_one():
    proposal = snapshot(HEADER, PROPOSED[:1])
    rows = [_row(0, "Sở LĐTBXH", summary="Kiểm tra, hướng dẫn các huyện", deadline=dt.date(2022, 9, 30))]
    assert compare(proposal, HEADER, rows).tasks[0].result == "corrected"
    same = compare(proposal, HEADER, rows, same_agency=lambda a, b: {a, b} <= {"Sở LĐTBXH", "Sở Lao động - Thương binh "
                                                                                               "và Xã hội"})
    assert same.tasks[0].result == "unchanged"


def test_corrected_header_fields_are_listed_with_both_values():
    proposal = snapshot(HEADER, [])
    confirmed = LetterSpec(**{**HEADER.__dict__, "number": "3715/UBND-KGVX ", "issued_on": dt.date(2022, 8, 16),
                              "recipients": ["Sở Tài chính"], "urgency": None, "signer": ""})
    result = compare(proposal, confirmed, [])
    assert result.header == {"issued_on": ["2022-08-15", "2022-08-16"],
                             "recipients": [["Sở Lao động - Thương binh và Xã hội", "Sở Tài chính"], ["Sở Tài chính"]]}


def test_a_row_naming_a_proposed_row_twice_or_one_that_does_not_exist_counts_as_added():
    proposal = snapshot(HEADER, PROPOSED[:1])
    rows = [_row(0, PROPOSED[0].agency_text, summary=PROPOSED[0].summary, deadline=PROPOSED[0].deadline),
            _row(0, "Sở Tài chính"), _row(7, "Công an tỉnh"), _row(-1, "Sở Y tế")]
    result = compare(proposal, HEADER, rows)
    assert [t.result for t in result.tasks] == ["unchanged"] and len(result.added) == 3


def test_a_snapshot_survives_its_trip_through_json_and_a_broken_one_is_refused():
    import json

    proposal = snapshot(HEADER, PROPOSED)
    assert read_snapshot(json.loads(json.dumps(proposal))) == proposal
    assert proposal["tasks"][0]["source"] == "Kiểm tra, hướng dẫn UBND các huyện hoàn thiện hồ sơ."
    assert proposal["tasks"][1]["source"] == ""
    for broken in (None, [], {"header": {}, "tasks": []}, {**proposal, "tasks": [1]},
                   {**proposal, "header": {**proposal["header"], "number": 5}}):
        assert read_snapshot(broken) is None


def test_months_back_counts_this_month_as_one():
    assert months_back(dt.date(2022, 8, 20), 24) == dt.date(2020, 9, 1)
    assert months_back(dt.date(2022, 1, 31), 1) == dt.date(2022, 1, 1)
    assert months_back(dt.date(2022, 1, 31), 2) == dt.date(2021, 12, 1)


def test_records_add_up_by_month_of_registration(sessions, cast):
    from tracker.accounts.models import User
    from tracker.intake.operations import register_letter

    with transaction(sessions) as s:
        clerk = s.get(User, cast.clerk)
        for number, day, kept in [("1/UBND", dt.date(2022, 7, 5), 4), ("2/UBND", dt.date(2022, 8, 1), 2),
                                  ("3/UBND", dt.date(2022, 8, 19), 0)]:
            letter = register_letter(s, LetterSpec(number=number, issuer="UBND tỉnh", subject="an sinh"), [],
                                     actor=clerk, received_on=day)
            proposal = snapshot(HEADER, PROPOSED)
            rows = [_row(i, t.agency_text, t.role, t.summary, t.deadline) for i, t in enumerate(PROPOSED[:kept])]
            record_proposal(s, letter, proposal, compare(proposal, HEADER, rows), registered_on=day)
        # a letter registered by hand has no record and is not counted
        register_letter(s, LetterSpec(number="4/UBND", issuer="UBND tỉnh", subject="an sinh"), [], actor=clerk,
                        received_on=dt.date(2022, 8, 19))
    with sessions() as s:
        months = monthly_figures(s, dt.date(2020, 9, 1), dt.date(2022, 8, 31))
        assert [(m.year, m.month, m.letters, m.proposed, m.unchanged, m.removed) for m in months] == [
            (2022, 8, 2, 8, 2, 6), (2022, 7, 1, 4, 4, 0)]
        total = total_of(months)
        assert (total.letters, total.proposed, total.unchanged) == (3, 12, 6) and total.kept_percent == 50
        assert monthly_figures(s, dt.date(2022, 8, 1), dt.date(2022, 8, 31))[0].letters == 2
        assert years_recorded(s) == [2022]
