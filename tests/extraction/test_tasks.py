"""Tasks of a letter: who leads, who cooperates, by when; what is not a task; enclosed letters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.extraction.names import fold
from tracker.extraction.tasks import extract_tasks, merge_enclosed

PROVINCE = {"issuer": "Ủy ban nhân dân tỉnh Hà Tĩnh", "issued_on": "2024-09-16", "doc_type": "Công văn", "recipients": []}


def pairs(tasks: list[dict]) -> set[tuple[str, str]]:
    return {(t["agency"], t["role"]) for t in tasks}


def deadlines_of(tasks: list[dict], agency: str) -> set[str | None]:
    return {t["deadline"] for t in tasks if fold(t["agency"]) == fold(agency)}


def header(**kw) -> dict:
    return {**PROVINCE, **kw}


# -- sections ------------------------------------------------------------------------------------------


SECTIONS = """Để chủ động ứng phó với mùa mưa bão năm 2024, Chủ tịch UBND tỉnh yêu cầu:
1. Sở Nông nghiệp và Phát triển nông thôn:
- Chủ trì, phối hợp với Công ty TNHH MTV Thủy lợi Nam Hà Tĩnh và các đơn vị liên quan kiểm tra an toàn hồ đập; hoàn thành trước ngày 30/9/2024.
- Hướng dẫn UBND các huyện rà soát phương án sơ tán dân.
2. Sở Giao thông vận tải chủ trì, phối hợp với Công an tỉnh bố trí lực lượng bảo đảm giao thông tại các ngầm, tràn.
3. UBND các huyện, thị xã, thành phố:
- Rà soát khu dân cư có nguy cơ sạt lở; báo cáo kết quả về Sở Nông nghiệp và Phát triển nông thôn trước ngày 05/10/2024.
- Chủ tịch UBND các huyện, thị xã, thành phố chịu trách nhiệm nếu để xảy ra thiệt hại về người do chủ quan.
4. Đài Phát thanh - Truyền hình tỉnh, Báo Hà Tĩnh tăng thời lượng đưa tin về diễn biến thời tiết.
Yêu cầu Thủ trưởng các sở, ngành, Chủ tịch UBND các huyện, thị xã, thành phố nghiêm túc thực hiện./."""


def test_sections_give_leads_and_named_cooperators():
    tasks = extract_tasks(SECTIONS, header=header())
    assert pairs(tasks) == {
        ("Sở Nông nghiệp và Phát triển nông thôn", "lead"),
        ("Công ty TNHH MTV Thủy lợi Nam Hà Tĩnh", "cooperate"),
        ("Sở Giao thông vận tải", "lead"),
        ("Công an tỉnh", "cooperate"),
        ("Ủy ban nhân dân các huyện, thị xã, thành phố", "lead"),
        ("Đài Phát thanh - Truyền hình tỉnh", "lead"),
        ("Báo Hà Tĩnh", "lead"),
    }


def test_cooperators_share_the_lead_deadline():
    tasks = extract_tasks(SECTIONS, header=header())
    assert deadlines_of(tasks, "Công ty TNHH MTV Thủy lợi Nam Hà Tĩnh") == {"2024-09-30"}
    assert "2024-09-30" in deadlines_of(tasks, "Sở Nông nghiệp và Phát triển nông thôn")
    assert "2024-10-05" in deadlines_of(tasks, "Ủy ban nhân dân các huyện, thị xã, thành phố")


def test_objects_of_guidance_and_the_closing_formula_are_not_tasks():
    tasks = extract_tasks(SECTIONS, header=header())
    names = {fold(t["agency"]) for t in tasks}
    assert "uy ban nhan dan cac huyen" not in names  # "Hướng dẫn UBND các huyện ..." is an object
    assert not any(fold(t["agency"]).startswith("cac so") for t in tasks)  # closing "nghiêm túc thực hiện"


def test_summary_is_the_bullet_trimmed():
    tasks = extract_tasks(SECTIONS, header=header())
    summaries = {t["summary"] for t in tasks if t["agency"] == "Sở Giao thông vận tải"}
    assert summaries == {"Chủ trì, phối hợp với Công an tỉnh bố trí lực lượng bảo đảm giao thông tại các ngầm, tràn"}
    assert all(len(t["summary"]) <= 200 for t in tasks)


# -- sentences --------------------------------------------------------------------------------------------


def test_giao_chu_tri_phoi_hop():
    body = (
        "Phó Chủ tịch UBND tỉnh có ý kiến chỉ đạo như sau:\n"
        "Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính, Bảo hiểm xã hội tỉnh và các cơ quan có liên quan "
        "xây dựng phương án thanh toán chi phí khám chữa bệnh, trình UBND tỉnh trước ngày 15/10/2024."
    )
    tasks = extract_tasks(body, header=header())
    assert pairs(tasks) == {("Sở Y tế", "lead"), ("Sở Tài chính", "cooperate"), ("Bảo hiểm xã hội tỉnh", "cooperate")}
    assert {t["deadline"] for t in tasks} == {"2024-10-15"}
    assert {t["deadline_text"] for t in tasks} == {"trình Ủy ban nhân dân tỉnh trước ngày 15/10/2024"}


def test_phoi_hop_without_voi_after_chu_tri():
    body = "Giao Sở Xây dựng chủ trì, phối hợp Sở Tài chính kiểm tra giá vật liệu xây dựng."
    assert pairs(extract_tasks(body, header=header())) == {("Sở Xây dựng", "lead"), ("Sở Tài chính", "cooperate")}


def test_proposer_and_generic_partners_get_nothing():
    body = (
        "Xét đề nghị của Sở Tư pháp tại Tờ trình số 88/TTr-STP ngày 02/9/2024, Chủ tịch UBND tỉnh có ý kiến như sau: "
        "Giao Sở Nội vụ phối hợp với các sở, ngành, địa phương hoàn thiện quy chế phối hợp."
    )
    assert pairs(extract_tasks(body, header=header())) == {("Sở Nội vụ", "lead")}


def test_two_agencies_in_one_point_each_have_their_deadline():
    body = (
        "Đồng ý chủ trương như đề nghị của Sở Kế hoạch và Đầu tư. Giao Sở Kế hoạch và Đầu tư hoàn thiện hồ sơ, "
        "trình UBND tỉnh trong tháng 10/2024; Sở Tài chính thẩm định dự toán, hoàn thành trước ngày 20/10/2024."
    )
    tasks = extract_tasks(body, header=header())
    assert deadlines_of(tasks, "Sở Kế hoạch và Đầu tư") == {"2024-10-31"}
    assert deadlines_of(tasks, "Sở Tài chính") == {"2024-10-20"}


def test_a_point_with_two_deadlines_is_split():
    body = (
        "1. Sở Tài nguyên và Môi trường rà soát quỹ đất công, hoàn thành trong quý IV/2024; "
        "định kỳ trước ngày 25 hằng tháng báo cáo UBND tỉnh tiến độ thực hiện."
    )
    tasks = extract_tasks(body, header=header())
    assert {(t["deadline"], t["recurrence"]) for t in tasks} == {("2024-12-31", None), (None, "monthly:25")}


def test_a_group_with_identity_is_one_task_and_an_unnamed_one_is_none():
    body = "Yêu cầu UBND các huyện, thành phố và các cơ quan, đơn vị liên quan rà soát, cập nhật danh mục dự án."
    assert pairs(extract_tasks(body, header=header())) == {("Ủy ban nhân dân các huyện, thành phố", "lead")}


def test_request_to_the_front_is_a_lead_task():
    body = "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp tuyên truyền, vận động nhân dân thực hiện."
    assert pairs(extract_tasks(body, header=header())) == {("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "lead")}


# -- letters addressed to their recipients ---------------------------------------------------------------------


def test_the_same_request_to_every_recipient():
    recipients = ["Các Sở: Y tế, Tài chính", "UBND các huyện: Can Lộc, Đức Thọ"]
    body = (
        "Để có cơ sở tổng hợp, Sở Nội vụ đề nghị các cơ quan, đơn vị thực hiện như sau:\n"
        "- Rà soát số lượng viên chức theo mẫu gửi kèm.\n"
        "- Báo cáo gửi về Sở Nội vụ trước ngày 30/9/2024."
    )
    tasks = extract_tasks(body, header=header(issuer="Sở Nội vụ tỉnh Hà Tĩnh", recipients=recipients))
    assert pairs(tasks) == {
        ("Sở Y tế", "lead"),
        ("Sở Tài chính", "lead"),
        ("Ủy ban nhân dân huyện Can Lộc", "lead"),
        ("Ủy ban nhân dân huyện Đức Thọ", "lead"),
    }
    assert {t["deadline"] for t in tasks} == {"2024-09-30"}


def test_quy_co_quan_is_the_recipient():
    body = "Văn phòng UBND tỉnh đề nghị Quý cơ quan cử 01 lãnh đạo tham gia Đoàn kiểm tra, gửi danh sách trước ngày 20/9/2024."
    tasks = extract_tasks(body, header=header(issuer="Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh", recipients=["Sở Công Thương"]))
    assert pairs(tasks) == {("Sở Công Thương", "lead")}
    assert tasks[0]["deadline"] == "2024-09-20"


def test_agencies_named_before_are_the_ones_meant():
    body = (
        "Đến nay còn 03 đơn vị chưa gửi báo cáo, gồm: Sở Xây dựng, UBND huyện Hương Khê, UBND huyện Vũ Quang.\n"
        "Văn phòng UBND tỉnh đề nghị:\n"
        "1. Các đơn vị nêu trên khẩn trương gửi báo cáo chậm nhất ngày 25/9/2024."
    )
    tasks = extract_tasks(body, header=header(issuer="Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh"))
    assert pairs(tasks) == {
        ("Sở Xây dựng", "lead"),
        ("Ủy ban nhân dân huyện Hương Khê", "lead"),
        ("Ủy ban nhân dân huyện Vũ Quang", "lead"),
    }
    assert {t["deadline"] for t in tasks} == {"2024-09-25"}


# -- what is not a task ----------------------------------------------------------------------------------------


def test_a_narrated_assignment_and_its_old_deadline_are_not_tasks():
    body = (
        "Tại Công văn số 3021/UBND-KT ngày 12/8/2024, UBND tỉnh giao Sở Công Thương báo cáo tình hình cung ứng "
        "xăng dầu trước ngày 31/8/2024. Đến nay Sở Công Thương chưa báo cáo.\n"
        "Văn phòng UBND tỉnh đề nghị Sở Công Thương khẩn trương báo cáo trước ngày 20/9/2024."
    )
    tasks = extract_tasks(body, header=header(issuer="Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh"))
    assert pairs(tasks) == {("Sở Công Thương", "lead")}
    assert deadlines_of(tasks, "Sở Công Thương") == {"2024-09-20"}


def test_the_issuer_telling_what_it_does_is_not_a_task():
    body = (
        "UBND tỉnh tổ chức hội nghị tổng kết công tác phòng chống thiên tai vào lúc 14 giờ ngày 25/9/2024.\n"
        "Giao Sở Nông nghiệp và Phát triển nông thôn chuẩn bị báo cáo tổng kết, gửi Văn phòng UBND tỉnh trước ngày 23/9/2024."
    )
    tasks = extract_tasks(body, header=header())
    assert pairs(tasks) == {("Sở Nông nghiệp và Phát triển nông thôn", "lead")}


def test_a_report_has_no_tasks():
    body = "UBND huyện đề nghị Sở Tài chính bổ sung kinh phí cho các xã khó khăn."
    assert extract_tasks(body, header=header(doc_type="Báo cáo")) == []


def test_the_execution_formula_of_a_decision_is_not_a_task():
    body = (
        "Điều 1. Phê duyệt danh mục dự án ưu tiên năm 2025.\n"
        "Điều 2. Giao Sở Kế hoạch và Đầu tư hướng dẫn các chủ đầu tư lập hồ sơ trong quý I/2025.\n"
        "Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc các Sở, Chủ tịch UBND các huyện, thành phố chịu trách "
        "nhiệm thi hành Quyết định này./."
    )
    tasks = extract_tasks(body, header=header(doc_type="Quyết định"))
    assert pairs(tasks) == {("Sở Kế hoạch và Đầu tư", "lead")}
    assert tasks[0]["deadline"] == "2025-03-31"


# -- tables ------------------------------------------------------------------------------------------------------

TABLE_ROWS = """III. PHÂN CÔNG NHIỆM VỤ
| TT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành |
|---|---|---|---|---|
| 1 | Xây dựng bản đồ số du lịch | Sở VHTTDL | Sở TT&TT | Quý II/2025 |
| 2 | Tổ chức lễ hội mùa hè | UBND thành phố Hà Tĩnh | Công an tỉnh; Sở Y tế | Tháng 6/2025 |
IV. TỔ CHỨC THỰC HIỆN"""

TABLE_CELLS = """III. PHÂN CÔNG NHIỆM VỤ
TT
Nội dung
Đơn vị chủ trì
Đơn vị phối hợp
Thời gian hoàn thành
Xây dựng bản đồ số du lịch
Sở VHTTDL
Sở TT&TT
Quý II/2025
Tổ chức lễ hội mùa hè
UBND thành phố Hà Tĩnh
Công an tỉnh; Sở Y tế
Tháng 6/2025
Rà soát cơ sở lưu trú
Sở VHTTDL
Hằng năm
IV. TỔ CHỨC THỰC HIỆN"""


def test_assignment_table_with_rows():
    tasks = extract_tasks(TABLE_ROWS, header=header(doc_type="Kế hoạch"))
    assert pairs(tasks) == {
        ("Sở Văn hóa, Thể thao và Du lịch", "lead"),
        ("Sở Thông tin và Truyền thông", "cooperate"),
        ("Ủy ban nhân dân thành phố Hà Tĩnh", "lead"),
        ("Công an tỉnh", "cooperate"),
        ("Sở Y tế", "cooperate"),
    }
    assert deadlines_of(tasks, "Sở Y tế") == {"2025-06-30"}


def test_assignment_table_flattened_one_cell_per_line():
    tasks = extract_tasks(TABLE_CELLS, header=header(doc_type="Kế hoạch"))
    assert deadlines_of(tasks, "Sở Thông tin và Truyền thông") == {"2025-06-30"}
    assert deadlines_of(tasks, "Công an tỉnh") == {"2025-06-30"}
    # the last row has no partner: its time is not shifted into the partner column
    assert {t["recurrence"] for t in tasks if t["summary"].startswith("Rà soát")} == {"yearly"}


# -- enclosed letters ---------------------------------------------------------------------------------------------

COVER = {"issuer": "Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh", "issued_on": "2024-09-16", "recipients": ["Sở Y tế"]}
MINISTRY = {
    "number": "5120/BYT-KCB",
    "issuer": "Bộ Y tế",
    "recipients": ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"],
    "tasks": [
        {"agency": "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", "role": "lead", "summary": "Báo cáo kết quả",
         "deadline": "2024-10-31", "deadline_text": "báo cáo về Bộ Y tế trước ngày 31/10/2024", "recurrence": None},
        {"agency": "Sở Giáo dục và Đào tạo", "role": "lead", "summary": "Phối hợp khám sức khỏe học sinh",
         "deadline": None, "deadline_text": None, "recurrence": None},
    ],
}


def test_the_enclosed_deadline_becomes_the_cover_tasks_deadline():
    cover = extract_tasks(
        "Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính triển khai các nội dung theo đề nghị của Bộ Y tế tại Công văn nêu trên.",
        header=COVER,
    )
    merged = merge_enclosed(cover, [MINISTRY], header=COVER)
    assert pairs(merged) == {("Sở Y tế", "lead"), ("Sở Tài chính", "cooperate")}
    assert {t["deadline"] for t in merged} == {"2024-10-31"}
    assert all("văn bản kèm theo" in t["deadline_text"] for t in merged)


def test_the_cover_letters_own_deadline_wins():
    cover = extract_tasks("Giao Sở Y tế tham mưu UBND tỉnh báo cáo Bộ Y tế, trình trước ngày 20/10/2024.", header=COVER)
    merged = merge_enclosed(cover, [MINISTRY], header=COVER)
    assert {t["deadline"] for t in merged} == {"2024-10-20"}


def test_a_cover_letter_that_assigns_nothing_passes_the_request_to_its_recipients():
    merged = merge_enclosed([], [MINISTRY], header=COVER)
    assert pairs(merged) == {("Sở Y tế", "lead")}
    assert {t["deadline"] for t in merged} == {"2024-10-31"}


# -- robustness -------------------------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["Giao", "Sở Y tế", "chủ trì", ",", "phối hợp với", "UBND các huyện", "các cơ quan liên quan", "trước ngày",
     "15/9/2024", "\n", "1.", "-", "a)", "Đề nghị", "Quý cơ quan", "hằng tháng", "| Chủ trì | Phối hợp | Thời gian |",
     "Các Sở:", "Tài chính", ";", ".", "gồm:", "nêu trên", "Điều 2.", "Nơi nhận:", "(", ")", "đã", "trong quý IV"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=40),
       st.lists(st.sampled_from(["Sở Y tế", "UBND các xã: A, B", "", "Các Sở: Nội vụ"]), max_size=3))
def test_extract_tasks_never_raises(parts, recipients):
    tasks = extract_tasks(" ".join(parts), header={"recipients": recipients, "issued_on": "2024-02-30", "issuer": None})
    assert all(t["role"] in ("lead", "cooperate") for t in tasks)


# -- rules added after the first held-out evaluation -------------------------------------------------------------------

PLAN_WITH_TIME_LINES = """IV. TỔ CHỨC THỰC HIỆN
1. Sở Giáo dục và Đào tạo
a) Chủ trì, phối hợp với Sở Y tế xây dựng bộ tài liệu hướng dẫn phòng chống đuối nước cho học sinh.
Thời gian hoàn thành: Tháng 5/2025.
b) Tổ chức tập huấn cho giáo viên thể dục các trường trung học cơ sở.
Thời gian thực hiện: Quý III/2025.
c) Kiểm tra việc dạy bơi tại các trường học.
Thời gian thực hiện: Thường xuyên.
2. Sở Văn hóa, Thể thao và Du lịch
Chủ trì mở các lớp dạy bơi miễn phí trong dịp hè.
Thời gian hoàn thành: Trước ngày 31/8/2025.
3. Tỉnh đoàn
Phối hợp với Sở Giáo dục và Đào tạo tuyên truyền kỹ năng an toàn dưới nước cho đoàn viên."""


def test_a_time_line_dates_the_item_above_it_not_the_next_section():
    tasks = extract_tasks(PLAN_WITH_TIME_LINES, header=header(doc_type="Kế hoạch", issued_on="2025-03-10"))
    education = sorted((t["deadline"] or "") for t in tasks if t["agency"] == "Sở Giáo dục và Đào tạo" and t["role"] == "lead")
    assert education == ["", "2025-05-31", "2025-09-30"]  # three items: May, Q3, and a standing duty
    assert deadlines_of(tasks, "Sở Y tế") == {"2025-05-31"}
    assert deadlines_of(tasks, "Sở Văn hóa, Thể thao và Du lịch") == {"2025-08-31"}
    assert deadlines_of(tasks, "Tỉnh đoàn") == {None}


PLAN_WITH_LABELLED_COLUMNS = """III. NHIỆM VỤ CỤ THỂ
1. Xây dựng cơ sở dữ liệu về giá đất trên địa bàn tỉnh
- Cơ quan chủ trì: Sở Tài nguyên và Môi trường.
- Cơ quan phối hợp: Sở Tài chính, Cục Thuế tỉnh.
- Thời gian hoàn thành: Quý IV/2024.
2. Công khai bảng giá đất tại trụ sở cấp xã
- Đơn vị thực hiện: UBND các huyện, thị xã.
- Thời gian thực hiện: Trong tháng 01/2025."""


def test_labelled_lead_partner_and_time_lines_make_the_assignment_of_their_item():
    tasks = extract_tasks(PLAN_WITH_LABELLED_COLUMNS, header=header(doc_type="Kế hoạch", issued_on="2024-08-20"))
    assert pairs(tasks) == {
        ("Sở Tài nguyên và Môi trường", "lead"),
        ("Sở Tài chính", "cooperate"),
        ("Cục Thuế tỉnh", "cooperate"),
        ("Ủy ban nhân dân các huyện, thị xã", "lead"),
    }
    assert deadlines_of(tasks, "Cục Thuế tỉnh") == {"2024-12-31"}
    assert deadlines_of(tasks, "Ủy ban nhân dân các huyện, thị xã") == {"2025-01-31"}
    assert any("cơ sở dữ liệu về giá đất" in t["summary"] for t in tasks if t["role"] == "lead")


def test_the_chair_of_a_meeting_is_not_a_lead():
    body = (
        "Sở Nội vụ tổ chức hội nghị tập huấn công tác thi đua như sau:\n"
        "- Thời gian: 14 giờ 00, ngày 12/11/2024.\n"
        "- Chủ trì: Phó Giám đốc Sở Nội vụ.\n"
        "- Thành phần: đại diện lãnh đạo các đơn vị có tên tại phần Kính gửi."
    )
    assert extract_tasks(body, header=header(doc_type="Giấy mời", issuer="Sở Nội vụ tỉnh Hà Tĩnh")) == []


def test_an_agency_chairing_a_meeting_is_not_a_lead():
    body = (
        "Văn phòng UBND tỉnh tổ chức hội nghị trực tuyến về chuyển đổi số như sau:\n"
        "- Thời gian: 14 giờ 00, ngày 12/11/2024.\n"
        "- Địa điểm: Hội trường tầng 3, trụ sở UBND tỉnh.\n"
        "- Chủ trì: Sở Thông tin và Truyền thông.\n"
        "- Phối hợp: Viễn thông Hà Tĩnh."
    )
    assert extract_tasks(body, header=header(doc_type="Giấy mời", issuer="Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh")) == []


def test_a_time_before_the_verb_does_not_hide_an_instruction():
    body = (
        "Sở Tài chính đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:\n"
        "1. Rà soát danh mục tài sản dôi dư, gửi về Sở Tài chính trước ngày 15/10/2024.\n"
        "2. Từ tháng 01/2025, định kỳ 6 tháng, trước ngày 10 của tháng cuối kỳ, cập nhật tình hình xử lý tài sản."
    )
    recipients = ["Sở Xây dựng", "UBND các huyện, thị xã"]
    tasks = extract_tasks(body, header=header(issuer="Sở Tài chính tỉnh Hà Tĩnh", recipients=recipients))
    recurring = {(t["agency"], t["recurrence"]) for t in tasks if t["recurrence"]}
    assert recurring == {("Sở Xây dựng", "semiannual:10"), ("Ủy ban nhân dân các huyện, thị xã", "semiannual:10")}


def test_a_partner_of_a_directed_unit_gets_nothing():
    body = (
        "Giao Sở Y tế chủ trì triển khai chiến dịch tiêm chủng, báo cáo UBND tỉnh trước ngày 30/11/2024. "
        "Đồng thời, Sở Y tế chỉ đạo Trung tâm Kiểm soát bệnh tật tỉnh phối hợp với Bệnh viện Đa khoa tỉnh "
        "giám sát các ca phản ứng sau tiêm, hoàn thành trước ngày 15/12/2024."
    )
    tasks = extract_tasks(body, header=header())
    assert pairs(tasks) == {("Sở Y tế", "lead")}
    assert deadlines_of(tasks, "Sở Y tế") == {"2024-11-30", "2024-12-15"}


def test_a_unit_directed_to_lead_leads_and_its_partner_cooperates():
    body = (
        "1. Ủy ban nhân dân các huyện, thị xã, thành phố: đề nghị chỉ đạo Phòng Tài chính - Kế hoạch chủ trì, "
        "phối hợp với Chi cục Thống kê huyện rà soát số liệu thu ngân sách, hoàn thành trong tháng 12/2024."
    )
    tasks = extract_tasks(body, header=header(issuer="Sở Tài chính tỉnh Hà Tĩnh"))
    assert ("Phòng Tài chính - Kế hoạch", "lead") in pairs(tasks)
    assert ("Chi cục Thống kê huyện", "cooperate") in pairs(tasks)
    assert deadlines_of(tasks, "Chi cục Thống kê huyện") == {"2024-12-31"}


def test_a_directed_unit_without_chu_tri_stays_an_object():
    body = "1. Sở Nông nghiệp và Phát triển nông thôn: chỉ đạo Chi cục Thủy lợi phối hợp với Công ty TNHH MTV Thủy lợi kiểm tra hồ đập."
    assert pairs(extract_tasks(body, header=header())) == {("Sở Nông nghiệp và Phát triển nông thôn", "lead")}


def test_a_point_referring_to_another_points_deadline_takes_it():
    body = (
        "Sở Kế hoạch và Đầu tư đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:\n"
        "1. Rà soát danh mục dự án chuyển tiếp.\n"
        "2. Gửi báo cáo đề xuất kế hoạch vốn về Sở Kế hoạch và Đầu tư chậm nhất ngày 05/8/2024.\n"
        "3. Sở Giao thông vận tải chủ trì tổng hợp nhu cầu vốn các dự án giao thông; Sở Y tế chủ trì tổng hợp "
        "nhu cầu vốn các dự án y tế; gửi Sở Kế hoạch và Đầu tư cùng thời hạn quy định tại mục 2."
    )
    recipients = ["Các sở, ban, ngành tỉnh"]
    tasks = extract_tasks(body, header=header(issuer="Sở Kế hoạch và Đầu tư tỉnh Hà Tĩnh", issued_on="2024-07-22", recipients=recipients))
    assert deadlines_of(tasks, "Sở Giao thông vận tải") == {"2024-08-05"}
    assert deadlines_of(tasks, "Sở Y tế") == {"2024-08-05"}


def test_what_another_agency_asked_in_a_cited_letter_is_neither_a_task_nor_a_deadline():
    body = (
        "Ủy ban nhân dân huyện nhận được Công văn số 2210/SYT-NVY ngày 02/10/2024 của Sở Y tế về phòng chống "
        "sốt xuất huyết; trong đó Sở Y tế yêu cầu các địa phương báo cáo số ca mắc trước ngày 25/10/2024.\n"
        "Chủ tịch UBND huyện yêu cầu:\n"
        "1. Trung tâm Y tế huyện tổ chức phun hóa chất diệt muỗi tại các ổ dịch."
    )
    tasks = extract_tasks(body, header=header(issuer="Ủy ban nhân dân huyện Can Lộc", issued_on="2024-10-07"))
    assert pairs(tasks) == {("Trung tâm Y tế huyện", "lead")}
    assert deadlines_of(tasks, "Trung tâm Y tế huyện") == {None}


def test_hamlets_named_only_by_their_kind_get_no_task():
    body = "3. Công an xã\nPhối hợp với các bản có đường mòn qua biên giới tuần tra, kiểm soát người ra vào địa bàn."
    tasks = extract_tasks(body, header=header(issuer="Ủy ban nhân dân xã Mường Lống"))
    assert pairs(tasks) == {("Công an xã", "lead")}


def test_hamlets_the_letter_is_addressed_to_get_their_task():
    body = "Các khu phố: rà soát, lập danh sách hộ gia đình có người cao tuổi neo đơn, gửi về UBND phường trước ngày 20/12/2024."
    recipients = ["Công an phường", "Các khu phố"]
    tasks = extract_tasks(body, header=header(issuer="Ủy ban nhân dân phường Bắc Hà", recipients=recipients))
    assert ("Các khu phố", "lead") in pairs(tasks)


def test_a_long_heading_of_agencies_is_not_joined_with_its_content():
    body = (
        "4. Ban Quản lý rừng phòng hộ Nam Hà Tĩnh; các chủ rừng trên địa bàn huyện Hương Sơn\n"
        "Tổ chức trực cháy rừng 24/24 giờ trong những ngày nắng nóng, báo cáo Hạt Kiểm lâm trước ngày 10/7/2024."
    )
    tasks = extract_tasks(body, header=header())
    assert ("Ban Quản lý rừng phòng hộ Nam Hà Tĩnh", "lead") in pairs(tasks)
    assert deadlines_of(tasks, "Ban Quản lý rừng phòng hộ Nam Hà Tĩnh") == {"2024-07-10"}


def test_a_recipient_marked_only_informed_does_not_get_the_request_to_all():
    body = (
        "Để chuẩn bị kỳ họp, UBND tỉnh đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:\n"
        "1. Rà soát các kiến nghị của cử tri thuộc lĩnh vực quản lý.\n"
        "2. Gửi báo cáo về Văn phòng UBND tỉnh trước ngày 12/11/2024."
    )
    recipients = ["Sở Tài chính", "Sở Giao thông vận tải", "Ban Văn hóa - Xã hội Hội đồng nhân dân tỉnh"]
    tasks = extract_tasks(body, header=header(recipients=recipients,
                                              recipients_informed=["Ban Văn hóa - Xã hội Hội đồng nhân dân tỉnh"]))
    assert pairs(tasks) == {("Sở Tài chính", "lead"), ("Sở Giao thông vận tải", "lead")}


COUNCIL_RESOLUTION = """Điều 1. Thông qua danh mục công trình cần thu hồi đất năm 2025.
Điều 2. Tổ chức thực hiện
1. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này.
2. Thường trực Hội đồng nhân dân tỉnh, các Ban của Hội đồng nhân dân tỉnh và các đại biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết này."""


def test_the_execution_article_of_a_council_resolution_is_not_a_task():
    council = header(issuer="Hội đồng nhân dân tỉnh Hà Tĩnh", doc_type="Nghị quyết", issued_on="2024-12-09")
    assert extract_tasks(COUNCIL_RESOLUTION, header=council) == []


def test_a_concrete_charge_in_a_council_resolution_is_a_task():
    body = COUNCIL_RESOLUTION.replace(
        "tổ chức thực hiện Nghị quyết này.",
        "rà soát, điều chỉnh danh mục công trình, báo cáo Hội đồng nhân dân tỉnh trước ngày 30/6/2025.",
    )
    council = header(issuer="Hội đồng nhân dân tỉnh Hà Tĩnh", doc_type="Nghị quyết", issued_on="2024-12-09")
    tasks = extract_tasks(body, header=council)
    assert pairs(tasks) == {("Ủy ban nhân dân tỉnh", "lead")}
    assert tasks[0]["deadline"] == "2025-06-30"


def test_a_time_line_after_a_blank_line_dates_every_item_above_it():
    body = (
        "Sở Nội vụ đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:\n"
        "1. Rà soát số lượng công chức, viên chức hiện có.\n"
        "2. Báo cáo nhu cầu tuyển dụng năm 2025.\n\n"
        "Thời hạn hoàn thành: trước ngày 30/9/2024."
    )
    tasks = extract_tasks(body, header=header(issuer="Sở Nội vụ tỉnh Hà Tĩnh", recipients=["Sở Y tế", "Sở Tài chính"]))
    assert {t["deadline"] for t in tasks} == {"2024-09-30"}
    assert len(tasks) == 4


def test_after_a_comma_the_partner_belongs_to_the_subject_again():
    body = "2. Sở Xây dựng kiểm tra, hướng dẫn UBND các huyện, phối hợp với Sở Tài chính thẩm định dự toán công trình."
    assert ("Sở Tài chính", "cooperate") in pairs(extract_tasks(body, header=header()))


PLAN_WITH_INLINE_LABELS = """II. NHIỆM VỤ
1. Xây dựng bộ tiêu chí đánh giá chính quyền thân thiện (Cơ quan chủ trì: Sở Nội vụ; cơ quan phối hợp: Sở Tư pháp, Văn phòng UBND tỉnh; thời gian hoàn thành: tháng 10/2024).
2. Khảo sát mức độ hài lòng của người dân. Đơn vị thực hiện: UBND các huyện, thành phố; thời gian thực hiện: Quý IV/2024.
3. Đưa tin về kết quả cải cách hành chính
- Chủ trì: Đài Phát thanh - Truyền hình tỉnh
- Phối hợp: Báo Hà Tĩnh
- Thời gian thực hiện: Thường xuyên."""


def test_lead_partners_and_time_written_inside_an_item_make_its_assignment():
    tasks = extract_tasks(PLAN_WITH_INLINE_LABELS, header=header(doc_type="Kế hoạch", issued_on="2024-07-01"))
    assert pairs(tasks) == {
        ("Sở Nội vụ", "lead"), ("Sở Tư pháp", "cooperate"), ("Văn phòng Ủy ban nhân dân tỉnh", "cooperate"),
        ("Ủy ban nhân dân các huyện, thành phố", "lead"),
        ("Đài Phát thanh - Truyền hình tỉnh", "lead"), ("Báo Hà Tĩnh", "cooperate"),
    }
    assert deadlines_of(tasks, "Sở Tư pháp") == {"2024-10-31"}
    assert deadlines_of(tasks, "Ủy ban nhân dân các huyện, thành phố") == {"2024-12-31"}
    assert deadlines_of(tasks, "Báo Hà Tĩnh") == {None}
    assert any(t["summary"].startswith("Chủ trì, phối hợp với Sở Tư pháp") and "tiêu chí" in t["summary"] for t in tasks)


def test_an_agency_that_sent_a_cited_letter_is_not_given_its_request():
    body = (
        "Sở Nội vụ có Công văn số 915/SNV-CCVC ngày 03/6/2025 đề nghị các huyện rà soát biên chế trước ngày 20/6/2025.\n"
        "Chủ tịch UBND huyện yêu cầu Phòng Nội vụ tham mưu báo cáo, trình UBND huyện trước ngày 16/6/2025."
    )
    tasks = extract_tasks(body, header=header(issuer="Ủy ban nhân dân huyện Hương Khê", issued_on="2025-06-05"))
    assert pairs(tasks) == {("Phòng Nội vụ", "lead")}
    assert deadlines_of(tasks, "Phòng Nội vụ") == {"2025-06-16"}


def test_this_letters_assignment_after_a_narrated_one_in_the_same_sentence():
    body = (
        "Thực hiện Công văn số 420/UBND-NC ngày 11/3/2025 của UBND tỉnh yêu cầu các huyện hoàn thành trước ngày "
        "30/4/2025, UBND huyện giao Công an huyện rà soát các điểm nóng về trật tự xã hội, báo cáo trước ngày 15/4/2025."
    )
    tasks = extract_tasks(body, header=header(issuer="Ủy ban nhân dân huyện Hương Khê", issued_on="2025-03-20"))
    assert pairs(tasks) == {("Công an huyện", "lead")}
    assert deadlines_of(tasks, "Công an huyện") == {"2025-04-15"}


def test_a_request_ending_with_a_colon_introduces_the_items_below():
    body = (
        "Sở Tài chính đề nghị các cơ quan, đơn vị thực hiện:\n"
        "1. Gửi báo cáo quyết toán ngân sách về Sở Tài chính trước ngày 15/3/2025.\n"
        "2. Sở Y tế tổng hợp số liệu của các bệnh viện công lập, gửi cùng thời hạn như mục 1."
    )
    recipients = ["Sở Y tế", "Sở Xây dựng"]
    tasks = extract_tasks(body, header=header(issuer="Sở Tài chính tỉnh Hà Tĩnh", issued_on="2025-02-20", recipients=recipients))
    assert pairs(tasks) == {("Sở Y tế", "lead"), ("Sở Xây dựng", "lead")}
    assert {t["deadline"] for t in tasks} == {"2025-03-15"}
    assert len([t for t in tasks if t["agency"] == "Sở Y tế"]) == 2


def test_a_recurring_report_whose_doer_is_named_by_its_kind_stays_the_recipients_task():
    body = (
        "Sở Xây dựng đề nghị các nhà thầu thực hiện các nội dung sau:\n"
        "1. Bố trí đủ nhân lực, thiết bị trên công trường.\n"
        "2. Định kỳ hằng tuần, trước 10 giờ 00 ngày thứ Hai, nhà thầu gửi báo cáo tiến độ thi công về Sở Xây dựng."
    )
    recipients = ["Công ty cổ phần Xây dựng Hồng Lĩnh", "Công ty TNHH Thành Vinh"]
    tasks = extract_tasks(body, header=header(issuer="Sở Xây dựng tỉnh Hà Tĩnh", recipients=recipients))
    assert {(t["agency"], t["recurrence"]) for t in tasks if t["recurrence"]} == {
        ("Công ty cổ phần Xây dựng Hồng Lĩnh", "weekly:1"), ("Công ty TNHH Thành Vinh", "weekly:1"),
    }
