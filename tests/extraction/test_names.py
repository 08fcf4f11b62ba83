"""Agency names: folding, abbreviations, proper case, lists under one head, recognition in running text."""

from __future__ import annotations

import unicodedata

import pytest

from tracker.extraction.names import (
    canonical_agency,
    expand_abbreviations,
    find_agencies,
    fold,
    normalize_text,
    parse_agency_list,
    same_agency,
    split_agency_list,
)


def names_after(text: str, marker: str) -> tuple[list[str], list[bool], str]:
    """Names listed right after ``marker`` in ``text``, their generic flags, and the words that follow."""
    t = expand_abbreviations(normalize_text(text))
    pos = t.index(marker) + len(marker)
    items, end = parse_agency_list(t, pos)
    return [n for it in items for n in it.names], [it.generic for it in items], t[end:].strip()


# -- folding and normalisation ----------------------------------------------------------------------


def test_fold_strips_marks_and_punctuation():
    assert fold("Sở Lao động - Thương binh và Xã hội") == "so lao dong thuong binh va xa hoi"
    assert fold("ĐẮK LẮK") == "dak lak"


def test_normalize_text_gives_one_tone_style_and_nfc():
    decomposed = unicodedata.normalize("NFD", "Uỷ ban nhân dân tỉnh Thanh Hoá")
    assert normalize_text(decomposed) == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert normalize_text("**Sở Y tế**") == "Sở Y tế"


# -- canonical names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "Bộ Nông nghiệp và Phát triển nông thôn"),
        ("UBND TỈNH HÀ TĨNH", "Ủy ban nhân dân tỉnh Hà Tĩnh"),
        ("VĂN PHÒNG UBND TỈNH NGHỆ AN", "Văn phòng Ủy ban nhân dân tỉnh Nghệ An"),
        ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Sở Giáo dục và Đào tạo"),
        ("CÔNG TY ĐIỆN LỰC HÀ TĨNH", "Công ty Điện lực Hà Tĩnh"),
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
        ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
        ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở NN&MT", "Sở Nông nghiệp và Môi trường"),
        ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("BHXH tỉnh", "Bảo hiểm xã hội tỉnh"),
        ("BCHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh"),
        ("UBMTTQVN tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("Phòng TC-KH", "Phòng Tài chính - Kế hoạch"),
        ("UBND TP. Vinh", "Ủy ban nhân dân thành phố Vinh"),
    ],
)
def test_canonical_agency_writes_names_out(printed, canonical):
    assert canonical_agency(printed) == canonical


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("CỤC AN TOÀN THỰC PHẨM DỰ PHÒNG", "Cục An toàn thực phẩm dự phòng"),  # a head word inside a name
        ("CHI CỤC KIỂM LÂM VÙNG II", "Chi cục Kiểm lâm vùng II"),
        ("PHÒNG KINH TẾ - HẠ TẦNG", "Phòng Kinh tế - Hạ tầng"),  # each part after " - " is capitalised
        ("PHÒNG TÀI CHÍNH - KẾ HOẠCH HUYỆN", "Phòng Tài chính - Kế hoạch huyện"),  # "tài" is not "tại"
        ("PHÒNG VĂN HÓA - XÃ HỘI", "Phòng Văn hóa - Xã hội"),  # "xã hội" is no commune
        ("PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI QUẬN", "Phòng Lao động - Thương binh và Xã hội quận"),
        ("HUYỆN ỦY BẮC HÀ", "Huyện ủy Bắc Hà"),  # a local body and its place
        ("ĐIỆN LỰC MƯỜNG KHƯƠNG", "Điện lực Mường Khương"),
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "Ủy ban nhân dân thành phố Cần Thơ"),
        ("ỦY BAN NHÂN DÂN THỊ XÃ KỲ ANH", "Ủy ban nhân dân thị xã Kỳ Anh"),
        ("KHO BẠC NHÀ NƯỚC KHU VỰC XIV", "Kho bạc Nhà nước khu vực XIV"),
    ],
)
def test_all_caps_names_get_their_usual_spelling(printed, canonical):
    assert canonical_agency(printed) == canonical


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("Phòng LĐTB và XH huyện", "Phòng Lao động - Thương binh và Xã hội huyện"),
        ("Sở LĐ - TB và XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở Lao động-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở NN và PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Chi cục PTNT", "Chi cục Phát triển nông thôn"),
        ("Sở KH và ĐT", "Sở Kế hoạch và Đầu tư"),
        ("Trường THPT Nguyễn Du", "Trường trung học phổ thông Nguyễn Du"),
        ("Trung tâm GDTX tỉnh", "Trung tâm Giáo dục thường xuyên tỉnh"),
        ("TTYT huyện Kỳ Sơn", "Trung tâm Y tế huyện Kỳ Sơn"),
        ("CTCP Cấp nước Nghệ An", "Công ty cổ phần Cấp nước Nghệ An"),
        ("Cty TNHH Xây dựng Minh Phát", "Công ty TNHH Xây dựng Minh Phát"),
    ],
)
def test_more_abbreviations_are_written_out(printed, canonical):
    assert canonical_agency(printed) == canonical


def test_ocr_noise_inside_an_abbreviation_is_tolerated():
    assert canonical_agency("Sở LĐT BXH") == "Sở Lao động - Thương binh và Xã hội"
    assert canonical_agency("Sở LĐ-TB&XH") == "Sở Lao động - Thương binh và Xã hội"


def test_document_symbols_keep_their_abbreviations():
    text = "Công văn số 1520/UBND-NC và số 44/SNN-TTBVTV"
    assert expand_abbreviations(text) == text


def test_same_agency_ignores_abbreviations_and_marks():
    assert same_agency("UBND huyện Kỳ Anh", "Ủy ban nhân dân huyện Kỳ Anh")
    assert not same_agency("Sở Y tế", "Sở Tư pháp")


# -- lists under one head --------------------------------------------------------------------------------


def test_departments_listed_under_one_head_are_one_each():
    assert split_agency_list("Các Sở: Y tế, Nội vụ, Văn hóa, Thể thao và Du lịch;") == [
        "Sở Y tế",
        "Sở Nội vụ",
        "Sở Văn hóa, Thể thao và Du lịch",
    ]


def test_short_forms_in_a_department_list_are_written_out():
    assert split_agency_list("Các Sở: TC, XD, GTVT") == ["Sở Tài chính", "Sở Xây dựng", "Sở Giao thông vận tải"]


def test_communes_listed_under_one_head_get_their_level():
    assert split_agency_list("UBND các xã: Nghi Phong, Nghi Xuân, Phúc Thọ") == [
        "Ủy ban nhân dân xã Nghi Phong",
        "Ủy ban nhân dân xã Nghi Xuân",
        "Ủy ban nhân dân xã Phúc Thọ",
    ]


def test_a_head_title_is_dropped_and_cities_keep_their_level():
    assert split_agency_list("Chủ tịch UBND các tỉnh, thành phố: Nam Định, Hải Phòng, Ninh Bình") == [
        "Ủy ban nhân dân tỉnh Nam Định",
        "Ủy ban nhân dân thành phố Hải Phòng",
        "Ủy ban nhân dân tỉnh Ninh Bình",
    ]
    assert split_agency_list("Giám đốc các Sở: Công Thương, Tài chính") == ["Sở Công Thương", "Sở Tài chính"]


def test_groups_named_by_kind_are_kept_as_printed():
    assert split_agency_list("UBND các huyện, thị xã, thành phố;") == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert split_agency_list("UBND các huyện, thành phố Buôn Ma Thuột") == [
        "Ủy ban nhân dân các huyện, thành phố Buôn Ma Thuột"
    ]


def test_named_bodies_listed_under_a_generic_head():
    assert split_agency_list("các doanh nghiệp: Viettel Nghệ An, VNPT Nghệ An") == ["Viettel Nghệ An", "VNPT Nghệ An"]
    assert split_agency_list("các Viện: Dinh dưỡng Quốc gia, Pasteur Nha Trang") == [
        "Viện Dinh dưỡng Quốc gia",
        "Viện Pasteur Nha Trang",
    ]


# -- recognition in running text -----------------------------------------------------------------------------


def test_partners_end_where_the_action_starts():
    names, generic, rest = names_after(
        "chủ trì, phối hợp với Sở Tài chính, Kho bạc Nhà nước tỉnh và các đơn vị có liên quan rà soát số dư tạm ứng",
        "phối hợp với ",
    )
    assert names == ["Sở Tài chính", "Kho bạc Nhà nước tỉnh", "Các đơn vị có liên quan"]
    assert generic == [False, False, True]
    assert rest.startswith("rà soát")


def test_a_company_name_stops_at_its_place_name():
    names, _, rest = names_after(
        "phối hợp với Công ty Cổ phần Cấp nước Hà Tĩnh kiểm tra chất lượng nước", "phối hợp với "
    )
    assert names == ["Công ty Cổ phần Cấp nước Hà Tĩnh"]
    assert rest.startswith("kiểm tra")


def test_a_legal_form_does_not_close_a_company_name():
    names, _, rest = names_after(
        "phối hợp với Công ty TNHH MTV khai thác công trình thủy lợi Nghệ An kiểm tra hồ chứa", "phối hợp với "
    )
    assert names == ["Công ty TNHH MTV khai thác công trình thủy lợi Nghệ An"]
    assert rest.startswith("kiểm tra")


def test_a_bank_branch_is_part_of_the_bank_name():
    names, _, rest = names_after(
        "đề nghị Ngân hàng TMCP Ngoại thương Việt Nam chi nhánh Vinh hỗ trợ thanh toán", "đề nghị "
    )
    assert names == ["Ngân hàng TMCP Ngoại thương Việt Nam chi nhánh Vinh"]
    assert rest.startswith("hỗ trợ")


def test_two_phrases_joined_by_va_stay_one_name():
    names, _, rest = names_after(
        "chỉ đạo Trung tâm Nước sạch và Vệ sinh môi trường nông thôn tỉnh lấy mẫu nước", "chỉ đạo "
    )
    assert names == ["Trung tâm Nước sạch và Vệ sinh môi trường nông thôn tỉnh"]
    assert rest.startswith("lấy mẫu")


def test_a_list_of_actions_after_a_name_is_not_part_of_it():
    names, _, rest = names_after("giao Cục Thống kê tỉnh tổng hợp, phân tích số liệu điều tra", "giao ")
    assert names == ["Cục Thống kê tỉnh"]
    names, _, rest = names_after("giao Trung tâm Công nghệ thông tin tổng hợp, đánh giá kết quả", "giao ")
    assert names == ["Trung tâm Công nghệ thông tin"]
    names, _, rest = names_after("giao Phòng Kinh tế - Hạ tầng xây dựng phương án sửa chữa cầu", "giao ")
    assert names == ["Phòng Kinh tế - Hạ tầng"]
    assert rest.startswith("xây dựng phương án")
    names, _, rest = names_after("giao Trung tâm Dịch vụ tổng hợp cấp xã lập hồ sơ", "giao ")
    assert names == ["Trung tâm Dịch vụ tổng hợp cấp xã"]


def test_a_project_board_keeps_its_lower_case_name_words():
    names, _, rest = names_after(
        "giao Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh hoàn thiện hồ sơ", "giao "
    )
    assert names == ["Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh"]
    assert rest.startswith("hoàn thiện")


def test_mixed_kinds_without_scope_are_generic_but_departments_of_the_province_are_not():
    _, generic, _ = names_after("phối hợp với các sở, ngành, địa phương triển khai", "với ")
    assert generic == [True]
    names, generic, _ = names_after("Các sở, ban, ngành thuộc tỉnh chủ động triển khai", "")
    assert names == ["Các sở, ban, ngành thuộc tỉnh"] and generic == [False]


def test_a_group_with_a_qualifier_keeps_it():
    names, generic, rest = names_after("Các tổ chức, cá nhân được cấp phép khai thác cát có trách nhiệm hoàn nguyên", "")
    assert names == ["Các tổ chức, cá nhân được cấp phép khai thác cát"] and generic == [False]
    assert rest.startswith("có trách nhiệm")
    names2, generic2, rest2 = names_after("phối hợp với các chủ đầu tư dự án điện gió đẩy nhanh tiến độ", "với ")
    assert names2 == ["Các chủ đầu tư dự án điện gió"] and generic2 == [False]
    assert rest2.startswith("đẩy nhanh")


def test_districts_listed_after_a_colon_are_expanded():
    names, _, rest = names_after("phối hợp với UBND các huyện: Kỳ Anh, Cẩm Xuyên khắc phục sạt lở", "với ")
    assert names == ["Ủy ban nhân dân huyện Kỳ Anh", "Ủy ban nhân dân huyện Cẩm Xuyên"]
    assert rest.startswith("khắc phục")


def test_find_agencies_lists_every_mention():
    found = find_agencies(expand_abbreviations("Sở Y tế báo cáo UBND tỉnh và Bộ Y tế trước ngày 10/10/2024."))
    assert [m.names[0] for m in found] == ["Sở Y tế", "Ủy ban nhân dân tỉnh", "Bộ Y tế"]


def test_extraction_sources_have_no_invalid_escape_sequences():
    """An invalid escape ("\\s" in a plain string) is a DeprecationWarning today and an error later."""
    import warnings
    from pathlib import Path

    import tracker.extraction

    for path in Path(tracker.extraction.__file__).parent.glob("*.py"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
