"""Each proposed task's source passage is found in the letter's text the clerk sees, and marked there."""

from __future__ import annotations

from tests.intake.letters import KIEN_GIANG, THAI_NGUYEN
from tracker.intake.sources import locate, segments, source_view


def _found(text: str, source: str) -> str | None:
    span = locate(text, source)
    return text[span[0]:span[1]] if span else None


def test_a_passage_is_found_across_line_breaks_and_spacing():
    text = "Kính gửi: Sở Tài chính.\n\nGiao Sở Tài chính chủ trì,\nphối hợp   với các sở rà soát\nkinh phí.\nNơi nhận:"
    assert _found(text, "chủ trì, phối hợp với các sở rà soát kinh phí.") == (
        "chủ trì,\nphối hợp   với các sở rà soát\nkinh phí.")


def test_a_passage_the_reader_wrote_out_is_found_as_the_letter_has_it():
    # the reader writes "UBND" out; the clerk's text keeps it, and the signature block's "Ủy ban nhân dân tỉnh"
    # after the passage is not taken for its end
    text = ("Giao Sở Y tế chủ trì tổ chức triển khai thực hiện các nội dung, báo cáo và đề xuất trình UBND tỉnh.\n\n"
            "Văn phòng Ủy ban nhân dân tỉnh thông báo để các cơ quan biết.")
    source = ("chủ trì tổ chức triển khai thực hiện các nội dung, báo cáo và đề xuất trình "
              "Ủy ban nhân dân tỉnh.")
    assert _found(text, source) == ("chủ trì tổ chức triển khai thực hiện các nội dung, báo cáo và đề xuất trình "
                                    "UBND tỉnh.")


def test_a_passage_that_is_not_in_the_letter_is_not_placed():
    text = "Giao Sở Tài chính chủ trì rà soát kinh phí năm 2024 và báo cáo trước ngày 30/9."
    assert locate(text, "Sở Xây dựng kiểm tra chất lượng công trình giao thông nông thôn trên địa bàn") is None
    assert locate(text, "rà soát kinh phí năm 2025") is None  # a short passage must be there word for word
    assert locate(text, "") is None and locate(text, None) is None


def test_segments_name_the_rows_that_cover_them():
    text = "aaa bbb ccc ddd"
    pieces = segments(text, {0: (4, 11), 1: (8, 15)})
    assert [(p.text, p.rows, p.starts) for p in pieces] == [
        ("aaa ", (), ()), ("bbb ", (0,), (0,)), ("ccc", (0, 1), (1,)), (" ddd", (1,), ())]
    assert "".join(p.text for p in pieces) == text


def test_every_task_of_the_example_letters_is_placed_in_their_text():
    from tracker.extraction.letter import extract_text
    from tracker.extraction.readers import read_document

    for path in (KIEN_GIANG, THAI_NGUYEN):
        text = read_document(path.read_bytes(), "van-ban.txt", warnings=[])
        tasks = extract_text(text)["tasks"]
        view = source_view(text, {i: t.get("source") for i, t in enumerate(tasks)})
        assert view.unplaced == {} and len(view.spans) == len(tasks), path.name
        assert "".join(s.text for s in view.segments) == text


def test_rows_without_a_source_are_left_out_and_rows_sharing_one_share_its_place():
    text = "Giao Sở Tài chính chủ trì, phối hợp với Sở Nội vụ rà soát biên chế và kinh phí năm 2025."
    source = "chủ trì, phối hợp với Sở Nội vụ rà soát biên chế và kinh phí năm 2025."
    view = source_view(text, {0: source, 1: source, 2: "", 3: None, 4: "kiểm tra  công tác   phòng cháy chữa cháy mùa khô"})
    assert view.spans[0] == view.spans[1] and text[view.spans[0][0]:].startswith("chủ trì")
    assert 2 not in view.spans and 3 not in view.spans
    assert view.unplaced == {4: "kiểm tra công tác phòng cháy chữa cháy mùa khô"}
