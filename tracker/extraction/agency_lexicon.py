"""Vocabulary of Vietnamese public agencies, by kind, used to recognise agency names in running text.

Plain data plus a few helpers. Names are written in their official sentence case ("Sở Nông nghiệp và
Môi trường", "Bộ Lao động - Thương binh và Xã hội"). The lists cover the structure before and after
the 2025 reorganisation (merged ministries and departments, two-level local government without
districts) because letters of both periods are read.
"""

from __future__ import annotations

# -- ministries and agencies of the Government ---------------------------------------------------

#: Names that follow "Bộ" (ministries), current and former.
MINISTRY_NAMES: tuple[str, ...] = (
    "Quốc phòng",
    "Công an",
    "Ngoại giao",
    "Nội vụ",
    "Tư pháp",
    "Tài chính",
    "Công Thương",
    "Nông nghiệp và Môi trường",
    "Xây dựng",
    "Văn hóa, Thể thao và Du lịch",
    "Khoa học và Công nghệ",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Dân tộc và Tôn giáo",
    # before 2025
    "Kế hoạch và Đầu tư",
    "Lao động - Thương binh và Xã hội",
    "Tài nguyên và Môi trường",
    "Nông nghiệp và Phát triển nông thôn",
    "Giao thông vận tải",
    "Thông tin và Truyền thông",
    "Văn hóa - Thông tin",
    "Thủy sản",
)

#: Central agencies named without "Bộ".
CENTRAL_AGENCIES: tuple[str, ...] = (
    "Văn phòng Chính phủ",
    "Thanh tra Chính phủ",
    "Ngân hàng Nhà nước Việt Nam",
    "Ủy ban Dân tộc",
    "Bảo hiểm xã hội Việt Nam",
    "Đài Truyền hình Việt Nam",
    "Đài Tiếng nói Việt Nam",
    "Thông tấn xã Việt Nam",
    "Kiểm toán Nhà nước",
    "Tòa án nhân dân tối cao",
    "Viện kiểm sát nhân dân tối cao",
    "Văn phòng Quốc hội",
    "Văn phòng Chủ tịch nước",
    "Văn phòng Trung ương Đảng",
    "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp",
    "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
    "Viện Hàn lâm Khoa học xã hội Việt Nam",
    "Đại học Quốc gia Hà Nội",
    "Đại học Quốc gia Thành phố Hồ Chí Minh",
    "Học viện Chính trị quốc gia Hồ Chí Minh",
    "Ban Chỉ đạo Trung ương về Phòng, chống thiên tai",
    "Ban Chỉ đạo Quốc gia về Phòng, chống thiên tai",
    "Ủy ban Quốc gia Ứng phó sự cố, thiên tai và Tìm kiếm cứu nạn",
    "Ủy ban Quốc gia về chuyển đổi số",
    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam",
    "Tổng Liên đoàn Lao động Việt Nam",
    "Kho bạc Nhà nước",
    "Tổng cục Thuế",
    "Cục Thuế",
    "Tổng cục Hải quan",
    "Cục Hải quan",
    "Tập đoàn Điện lực Việt Nam",
    "Chính phủ",
    "Thủ tướng Chính phủ",
)

# -- provincial departments ---------------------------------------------------------------------

#: Names that follow "Sở" (provincial departments), after and before the 2025 reorganisation.
DEPARTMENT_NAMES: tuple[str, ...] = (
    "Nội vụ",
    "Tài chính",
    "Tư pháp",
    "Công Thương",
    "Xây dựng",
    "Y tế",
    "Giáo dục và Đào tạo",
    "Khoa học và Công nghệ",
    "Văn hóa, Thể thao và Du lịch",
    "Văn hóa và Thể thao",
    "Văn hóa, Thể thao",
    "Du lịch",
    "Nông nghiệp và Môi trường",
    "Ngoại vụ",
    "Dân tộc và Tôn giáo",
    "Quy hoạch - Kiến trúc",
    "An toàn thực phẩm",
    # before 2025
    "Kế hoạch và Đầu tư",
    "Lao động - Thương binh và Xã hội",
    "Tài nguyên và Môi trường",
    "Nông nghiệp và Phát triển nông thôn",
    "Giao thông vận tải",
    "Giao thông vận tải - Xây dựng",
    "Giao thông - Xây dựng",
    "Thông tin và Truyền thông",
    "Văn hóa - Thông tin",
    "Văn hóa và Thông tin",
    "Thủy sản",
)

#: Provincial bodies named with their level word ("Công an tỉnh", "Thanh tra tỉnh").
#: Each entry is a head that may be followed by a level word and a place name.
LOCAL_HEADS: tuple[str, ...] = (
    "Công an",
    "Thanh tra",
    "Bộ Chỉ huy Quân sự",
    "Bộ Chỉ huy Bộ đội Biên phòng",
    "Bộ đội Biên phòng",
    "Ban Chỉ huy Quân sự",
    "Bảo hiểm xã hội",
    "Kho bạc Nhà nước",
    "Cục Thuế",
    "Chi cục Thuế",
    "Thuế",
    "Cục Hải quan",
    "Cục Thống kê",
    "Chi cục Thống kê",
    "Thống kê",
    "Ngân hàng Nhà nước",
    "Ngân hàng Nhà nước chi nhánh",
    "Ngân hàng Chính sách xã hội",
    "Chi nhánh Ngân hàng Chính sách xã hội",
    "Đài Phát thanh và Truyền hình",
    "Đài Phát thanh - Truyền hình",
    "Đài Khí tượng Thủy văn",
    "Ủy ban Mặt trận Tổ quốc Việt Nam",
    "Ủy ban Mặt trận Tổ quốc",
    "Mặt trận Tổ quốc",
    "Liên đoàn Lao động",
    "Hội Liên hiệp Phụ nữ",
    "Hội Nông dân",
    "Hội Cựu chiến binh",
    "Hội Chữ thập đỏ",
    "Hội Người cao tuổi",
    "Hội Khuyến học",
    "Liên minh Hợp tác xã",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Văn phòng Ủy ban nhân dân",
    "Văn phòng Hội đồng nhân dân",
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân",
    "Văn phòng Tỉnh ủy",
    "Văn phòng Huyện ủy",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
    "Hội đồng nhân dân",
    "Thường trực Hội đồng nhân dân",
    "Ban Dân tộc",
    "Ban Tôn giáo",
    "Ban Thi đua - Khen thưởng",
    "Ban Quản lý Khu kinh tế",
    "Ban Quản lý các Khu công nghiệp",
    "Ban Quản lý Khu công nghệ cao",
    "Ban Chỉ huy Phòng chống thiên tai và Tìm kiếm cứu nạn",
    "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn",
    "Tòa án nhân dân",
    "Viện kiểm sát nhân dân",
    "Cục Thi hành án dân sự",
    "Chi cục Thi hành án dân sự",
    "Trường Chính trị",
    "Tỉnh đoàn",
    "Thành đoàn",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Thường trực Tỉnh ủy",
    "Ban Thường vụ Tỉnh ủy",
    "Báo",
    "Điện lực",
    "Viễn thông",
    "Bưu điện",
    "Công ty Điện lực",
    # operators often given tasks by provinces, named with their locality
    "Viettel",
    "VNPT",
    "MobiFone",
    "VinaPhone",
    "Bưu điện",
)

#: Heads of named bodies whose name continues with capitalised words ("Công ty Điện lực Lào Cai").
OPEN_HEADS: tuple[str, ...] = (
    "Tổng công ty",
    "Công ty",
    "Báo",
    "Tập đoàn",
    "Ban Quản lý dự án",
    "Ban Quản lý",
    "Ban Chỉ đạo",
    "Ban Chỉ huy",
    "Ban",
    "Trung tâm",
    "Trường Đại học",
    "Trường Cao đẳng",
    "Trường",
    "Bệnh viện",
    "Học viện",
    "Viện",
    "Tổng cục",
    "Cục",
    "Chi cục",
    "Vụ",
    "Phòng",
    "Đài",
    "Hội đồng",
    "Hội",
    "Quỹ",
    "Chi nhánh",
    "Hợp tác xã",
    "Tổ công tác",
    "Công chức",
    "Trạm",
    "Hạt",
    "Đồn",
    "Đội",
    "Đoàn kiểm tra",
    "Cảng vụ",
    "Liên hiệp Hợp tác xã",
    "Liên hiệp hợp tác xã",
    "Liên hiệp các Hội",
    "Hiệp hội",
    "Khu Quản lý",
    "Vùng Cảnh sát biển",
    # the provincial press body after the 2025 reorganisation: "Báo và Phát thanh, Truyền hình Lâm Đồng"
    "Báo và Phát thanh, Truyền hình",
    "Ngân hàng",
    "Văn phòng",
    "Ủy ban",
    "Liên đoàn",
    "Đoàn",
)

#: Lower-case phrases that may occur inside the name of a body opened by an OPEN_HEAD
#: ("Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh", "Công ty cổ phần ...").
NAME_BODY_PHRASES: tuple[str, ...] = tuple(
    p.strip()
    for p in """
    dự án|đầu tư|xây dựng|công trình|giao thông|dân dụng|công nghiệp|nông nghiệp|phát triển|nông thôn|
    khu vực|kinh tế|cửa khẩu|quản lý|nhà nước|nhân dân|xã hội|chính sách|phát thanh|truyền hình|cổ phần|
    trách nhiệm hữu hạn|một thành viên|hạ tầng|điện lực|cấp nước|thoát nước|môi trường|đô thị|kỹ thuật|
    dịch vụ|tổng hợp|hành chính công|khai thác|thủy lợi|thủy điện|lâm nghiệp|lâm sản|chế biến|kinh doanh|
    thương mại|vận tải|công nghệ|thông tin|y tế|dự phòng|kiểm soát|bệnh tật|giáo dục|đào tạo|nghề nghiệp|
    trợ giúp|bảo trợ|chăm sóc|sức khỏe|sinh sản|xúc tiến|rừng|phòng hộ|đặc dụng|quốc gia|khuyến nông|
    giống|cây trồng|vật nuôi|thú y|bảo vệ|thực vật|chất lượng|an toàn|vệ sinh|thực phẩm|đo lường|tiêu chuẩn|
    phòng chống|thiên tai|tìm kiếm|cứu nạn|tài nguyên|đất đai|đăng ký|quỹ đất|trung tâm|văn hóa|thể thao|
    du lịch|điều dưỡng|người có công|tâm thần|phục hồi chức năng|công tác xã hội|trẻ em|lao động|việc làm|
    bảo hiểm|tiền gửi|tiết kiệm|tín dụng|hợp tác xã|thủy sản|hải sản|bến xe|chi nhánh|cấp|số|dịch tễ|
    vệ sinh dịch tễ|luyện kim|hóa chất|nuôi trồng|đa khoa|chuyên khoa|cấp tỉnh|cấp huyện|cấp xã|và|
    giáo dục thường xuyên|giáo dục nghề nghiệp|trung học phổ thông|trung học cơ sở|phát triển nông thôn|
    phục vụ hành chính công|đô thị thông minh|thị trường|trong nước|kiểm lâm|điều phối|nông thôn mới|di tích|lịch sử|giảm nghèo|
    liên ngành|chuyên|nghiệp vụ|nước sạch|vệ sinh môi trường|nhiệt đới|khám bệnh|chữa bệnh|khám, chữa bệnh|khám bệnh, chữa bệnh|bảo hiểm y tế|mẫu giáo|chỉ huy|phòng thủ|dân sự|phòng thủ dân sự|đường bộ|dược liệu|phổ thông|dân tộc|bán trú|nội trú|phổ thông dân tộc bán trú|phổ thông dân tộc nội trú|tiểu học|mầm non
    """.replace("\n", " ").split("|")
    if p.strip()
)

#: The syllables of NAME_BODY_PHRASES, folded (for quick tests in the recogniser).
NAME_BODY_WORDS: frozenset[str] = frozenset()  # filled in by names.py (needs folding)


# -- local government ------------------------------------------------------------------------------

#: Administrative level words, longest first.
LEVEL_WORDS: tuple[str, ...] = (
    "thành phố trực thuộc Trung ương",
    "thành phố",
    "thị xã",
    "thị trấn",
    "đặc khu",
    "tỉnh",
    "huyện",
    "quận",
    "xã",
    "phường",
)

#: Groups named by their kind that are definite enough to be given a task ("the districts").
#: Keys are folded prefixes; the printed words are kept.
DEFINITE_GROUP_NOUNS: tuple[str, ...] = (
    "bộ",
    "sở",
    "ban",
    "chủ đầu tư",
    "nhà đầu tư",
    "doanh nghiệp",
    "tổ chức, cá nhân",
    "tổ chức và cá nhân",
    "cơ sở",
    "trường",
    "Ban Quản lý",
    "Ban quản lý",
    "đoàn thể",
    "hội",
    "hội đoàn thể",
    "tổ chức chính trị - xã hội",
    "chủ hồ",
    "chủ rừng",
    "hợp tác xã",
    "ngân hàng",
    "tổ chức tín dụng",
    "bệnh viện",
    "đơn vị sự nghiệp",
    "đơn vị dự toán",
    "đơn vị dự toán cấp I",
    "viện",
    "Viện",
    "cục",
    "vụ",
    "trung tâm",
    "công ty",
    "tập đoàn",
    "tổng công ty",
    "huyện",
    "xã",
    "phường",
    "thôn",
    "bản",
    "thôn, bản",
    "tổ dân phố",
    "khu phố",
    "ấp",
    "buôn",
    "làng",
    "bộ phận chuyên môn",
    "phòng",
    "phòng, ban",
)

#: Words after which a group is generic (no identity): "các cơ quan, đơn vị có liên quan".
GENERIC_GROUP_WORDS: tuple[str, ...] = (
    "cơ quan",
    "đơn vị",
    "địa phương",
    "ngành",
    "cấp",
    "bộ phận",
    "lực lượng",
    "cá nhân",
    "tổ chức",
)

#: Person titles that stand for the agency they head ("Chủ tịch UBND các xã" -> "UBND các xã").
HEAD_TITLES: tuple[str, ...] = (
    "Chủ tịch và các Phó Chủ tịch",
    "Phó Chủ tịch Thường trực",
    "Phó Chủ tịch",
    "Chủ tịch",
    "Thủ trưởng",
    "Giám đốc",
    "Phó Giám đốc",
    "Tổng Giám đốc",
    "Chánh Văn phòng",
    "Chánh Thanh tra",
    "Bộ trưởng",
    "Thứ trưởng",
    "Trưởng ban",
    "Trưởng Ban",
    "Cục trưởng",
    "Chi cục trưởng",
    "Viện trưởng",
    "Người đứng đầu",
    "Lãnh đạo",
    "Chỉ huy trưởng",
    "Hiệu trưởng",
    "Trưởng phòng",
    "Hạt trưởng",
    "Trưởng",
)


def all_canonical_names() -> list[str]:
    """Every full agency name the lexicon knows, for proper-casing and fuzzy matching."""
    names = [f"Bộ {m}" for m in MINISTRY_NAMES]
    names += [f"Sở {d}" for d in DEPARTMENT_NAMES]
    names += list(CENTRAL_AGENCIES) + list(LOCAL_HEADS)
    names += ["Ủy ban nhân dân", "Hội đồng nhân dân", "Thanh tra", "Văn phòng"]
    return names
