"""Header of an official letter: number, type, issuer, place and date, subject, recipients,
signer, urgency and secrecy marks, incoming stamp, cited letters and the Nơi nhận list.

The parser reads the text line by line but does not trust the order of the lines: the
issuer block, the Quốc hiệu, the number and the place/date come in any order (header tables
flattened by copy, PDF text layers, "|" separated cells) and may share one line. Each line
is cut at the anchors that start a header element ("CỘNG HÒA XÃ HỘI...", "Độc lập - ...",
"Số:", "<Place>, ngày", "V/v", "Kính gửi") and every piece is classified on its own.

Public functions: :func:`parse_header`, :func:`parse_letter` (header and body),
:func:`find_references`, :func:`normalize_number`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from tracker.extraction._lazy import lazy_compiler
from tracker.extraction.places import repair_province_suffix
from tracker.extraction.text import fold, normalize

# patterns are compiled on first use (see _lazy.LazyPattern): importing this module stays cheap
_lazy_re = lazy_compiler(globals())

# ---------------------------------------------------------------------------
# Agency names: the shared helpers of names.py, with a small local fallback so the
# header never fails because of them.
# ---------------------------------------------------------------------------

_LOCAL_EXPANSIONS = [
    (r"UBND", "Ủy ban nhân dân"), (r"HĐND", "Hội đồng nhân dân"), (r"LĐTBXH", "Lao động - Thương binh và Xã hội"),
    (r"KHĐT", "Kế hoạch và Đầu tư"), (r"GDĐT", "Giáo dục và Đào tạo"), (r"TNMT", "Tài nguyên và Môi trường"),
    (r"BHXH", "Bảo hiểm xã hội"), (r"MTTQ", "Mặt trận Tổ quốc"), (r"VP", "Văn phòng"),
]


def _local_canonical(name: str) -> str:
    t = name.strip()
    for short, full in _LOCAL_EXPANSIONS:
        t = re.sub(r"(?<![^\W\d_])" + short + r"(?![^\W\d_])", full, t)
    letters = [c for c in t if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.75 * len(letters):
        t = t.lower()
        t = re.sub(r"(?<=(?:tỉnh|huyện|phố|quận|xã|phường|trấn) )(\w+(?: \w+){0,3})$",
                   lambda m: " ".join(w.capitalize() for w in m.group(1).split()), t)
        t = t[:1].upper() + t[1:]
    return t


@functools.lru_cache(maxsize=2048)
def canonical_name(name: str) -> str:
    """An agency name written out in full and in proper case (names.canonical_agency when available)."""
    name = re.sub(r"\s+", " ", name or "").strip(" ;,.:-")
    if len(name) > 200:
        return name  # not a name: never spend time on it
    if not name:
        return ""
    try:
        from tracker.extraction import names

        result = names.canonical_agency(name)
        if result:
            return expand_more(result)
    except Exception:  # the shared helper is being written in parallel; never fail the header on it
        pass
    return expand_more(_local_canonical(name))


def split_recipient(entry: str) -> list[str]:
    """One Kính gửi entry as agency names ("Các Sở: Tư pháp, Nội vụ" -> two names)."""
    result: list[str] = []
    try:
        from tracker.extraction import names

        result = [r for r in (re.sub(r"\s+", " ", x).strip(" ;,.") for x in names.split_agency_list(entry)) if r]
    except Exception:
        result = []
    if not result or (len(result) == 1 and ":" in result[0]):
        result = _local_split_recipient(entry)
    out: list[str] = []
    for name in result:
        out.extend(_split_glued_list(expand_more(name)))
    return out


_HEAD_AFTER_COMMA_RE = _lazy_re("_HEAD_AFTER_COMMA_RE", 
    r",\s+(?=(?:Sở|Bộ|Ban|Cục|Chi cục|Trung tâm|Bệnh viện|Trường|Công an|Ủy ban|UBND|Văn phòng|Phòng|Đài|Báo|Kho bạc"
    r"|Bảo hiểm|Viện|Công ty|Liên đoàn|Tỉnh đoàn|Thanh tra|Cảng vụ|Hạt|Trạm|Bộ Chỉ huy|Tổng công ty|Ngân hàng"
    r"|Hội đồng|Hội Nông dân|Hội Liên hiệp|Hội Cựu chiến binh|Đoàn|Tòa án|Viện kiểm sát)(?![^\W\d_]))"
)


def _split_glued_list(name: str) -> list[str]:
    """ "Bệnh viện A, Bệnh viện B" printed on one bullet: one name each."""
    parts = [p.strip() for p in _HEAD_AFTER_COMMA_RE.split(name) if p.strip()]
    return parts or [name]


_LIST_HEAD_RE = _lazy_re("_LIST_HEAD_RE", r"^(?:Các|các|CÁC)\s+(Sở|Bộ|Ban|Cục|Vụ|Phòng|Chi cục|Trung tâm|Trường|Bệnh viện|Viện|Hội)\s*:\s*(.+)$",
                           re.IGNORECASE)
_UB_LIST_HEAD_RE = _lazy_re("_UB_LIST_HEAD_RE", 
    r"^(Ủy ban nhân dân|UBND)\s+các\s+(tỉnh|huyện|xã|phường|quận|thị xã|thành phố)(?:\s*,\s*[^:]+)?\s*:\s*(.+)$"
)


def _split_commas(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    merged: list[str] = []
    for p in parts:
        if not p:
            continue
        if merged and (p[:1].islower() or (fold(merged[-1]).endswith("van hoa") and fold(p).startswith("the thao"))):
            merged[-1] += ", " + p
        else:
            merged.append(p)
    return merged


def _local_split_recipient(entry: str) -> list[str]:
    entry = entry.strip(" ;,.")
    m = _LIST_HEAD_RE.match(entry)
    if m:
        head = m.group(1)[:1].upper() + m.group(1)[1:].lower()
        return [f"{head} {p}" for p in _split_commas(m.group(2))]
    m = _UB_LIST_HEAD_RE.match(entry)
    if m:
        return [f"Ủy ban nhân dân {m.group(2)} {p}" for p in _split_commas(m.group(3))]
    return [entry] if entry else []


# ---------------------------------------------------------------------------
# Numbers (số và ký hiệu)
# ---------------------------------------------------------------------------

_TYPE_CODES = ("NĐ", "QĐ", "NQ", "TT", "CT", "TTLT", "CĐ", "KH", "TB", "BC", "HD", "TTr", "GM", "CV", "KL")
_ISSUER_CODES = ("CP", "TTg", "UBND", "HĐND", "VPCP", "TW", "TU")
_GLUED_CODE_RE = _lazy_re("_GLUED_CODE_RE", 
    r"^(" + "|".join(sorted(_TYPE_CODES, key=len, reverse=True)) + r")("
    + "|".join(_ISSUER_CODES) + r"|B[A-ZĐ]{1,7})$"
)


def normalize_number(number: str | None) -> str | None:
    """Clean the spelling noise of a document number: spaces, OCR abbreviations, glued codes.

    "591/LĐTĐBXH-BTXH" -> "591/LĐTBXH-BTXH"; "181/2024/NĐCP" -> "181/2024/NĐ-CP";
    "4127 /VP-NC" -> "4127/VP-NC".
    """
    if not number:
        return None
    t = normalize(number).replace(" ", "").strip(".,;:…_")
    t = re.sub(r"[-/]+$", "", t)
    if not t:
        return None
    parts = t.split("/")
    fixed = []
    for part in parts:
        sub = part.split("-")
        # Only the type code opens a part ("NĐCP" -> "NĐ-CP"); a unit code after the issuer's
        # ("SNNMT-TTBVTV") is printed glued on purpose and stays as it is.
        if sub and _GLUED_CODE_RE.match(sub[0]):
            sub[0] = _GLUED_CODE_RE.sub(r"\1-\2", sub[0])
        fixed.append("-".join(sub))
    return "/".join(fixed)


_NUM_TOKEN_RE = _lazy_re("_NUM_TOKEN_RE", r"^[\w.…/&\-]+$")


def _parse_number_text(rest: str) -> tuple[str | None, str | None, str]:
    """Read the number after "Số:"; returns (number, symbol when the number is blank, remainder)."""
    tokens = rest.strip().split(" ")
    taken: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok:
            i += 1
            continue
        if not _NUM_TOKEN_RE.match(tok):
            break
        letters = [c for c in tok if c.isalpha()]
        has_mark = any(c.isdigit() or c in "/-" for c in tok)
        upper = bool(letters) and all(c.isupper() or c in "g" for c in letters)
        if not taken:
            if not (has_mark or set(tok) <= set(".…_")):
                break
            taken.append(tok)
        else:
            prev = taken[-1]
            glued = prev.endswith(("/", "-")) or tok.startswith(("/", "-"))
            inner = ("-" in tok or "/" in tok) and upper and prev[-1:].isalpha()
            # "V .I": a unit code with a dot ("V.I", Vụ I) spaced apart by a web copy
            inner = inner or (tok.startswith(".") and len(tok) <= 4 and upper and prev[-1:].isalpha() and "-" in "".join(taken))
            if (glued and (upper or tok[:1] in "/-" or any(c.isdigit() for c in tok))) or inner:
                taken.append(tok)
            else:
                break
        i += 1
    raw = "".join(taken).strip(".…_,;:")
    remainder = " ".join(tokens[i:]).strip()
    if not raw:
        return None, None, remainder
    if raw[:1].isdigit():
        return normalize_number(raw), None, remainder
    symbol = raw.lstrip(".…_ ")
    return None, (symbol if ("/" in symbol or "-" in symbol) else None), remainder


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DATE_WORDS_RE = _lazy_re("_DATE_WORDS_RE", 
    r"ngày\s*(?P<d>\d{1,2})?\s*[^\d\n]{0,12}?tháng\s*(?P<m>\d{1,2})?\s*[^\d\n]{0,12}?năm\s*(?P<y>\d{4})?",
    re.IGNORECASE,
)
_DATE_NUMERIC_RE = _lazy_re("_DATE_NUMERIC_RE", r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?!\d)")


def _iso(day: int | str | None, month: int | str | None, year: int | str | None) -> str | None:
    try:
        y = int(year)
        if y < 100:
            y += 2000
        return date(y, int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


def parse_date(text: str) -> str | None:
    """ISO date of "ngày 21 tháng 02 năm 2019", "21 tháng 02 năm 2019" or "21/02/2019", None if absent or blank."""
    m = re.match(r"^\s*(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", text)
    if m:
        return _iso(*m.groups())
    m = _DATE_WORDS_RE.search(text)
    if m:
        return _iso(m.group("d"), m.group("m"), m.group("y"))
    m = _DATE_NUMERIC_RE.search(text)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    return None


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

DOC_TYPES = {
    "quyet dinh": "Quyết định", "thong bao": "Thông báo", "ke hoach": "Kế hoạch", "chi thi": "Chỉ thị",
    "bao cao": "Báo cáo", "to trinh": "Tờ trình", "giay moi": "Giấy mời", "nghi quyet": "Nghị quyết",
    "cong dien": "Công điện", "huong dan": "Hướng dẫn", "chuong trinh": "Chương trình", "de an": "Đề án",
    "phuong an": "Phương án", "quy che": "Quy chế", "quy dinh": "Quy định", "thong tu": "Thông tư",
    "nghi dinh": "Nghị định", "bien ban": "Biên bản", "giay gioi thieu": "Giấy giới thiệu",
    "thu moi": "Thư mời", "cong van": "Công văn", "ket luan": "Kết luận", "thong tri": "Thông tri",
    "lenh": "Lệnh", "luat": "Luật", "phap lenh": "Pháp lệnh", "thong cao": "Thông cáo",
    "giay trieu tap": "Giấy triệu tập", "thong bao ket luan": "Thông báo", "chuong trinh hanh dong": "Chương trình",
    "ke hoach hanh dong": "Kế hoạch", "du an": "Dự án", "dieu le": "Điều lệ", "giay uy quyen": "Giấy ủy quyền",
    "thong tu lien tich": "Thông tư liên tịch", "nghi quyet lien tich": "Nghị quyết liên tịch",
    "phieu chuyen": "Phiếu chuyển", "phieu trinh": "Phiếu trình",
}
_TYPE_BY_CODE = {
    "QĐ": "Quyết định", "TB": "Thông báo", "KH": "Kế hoạch", "CT": "Chỉ thị", "BC": "Báo cáo", "TTr": "Tờ trình",
    "GM": "Giấy mời", "NQ": "Nghị quyết", "CĐ": "Công điện", "HD": "Hướng dẫn", "CTr": "Chương trình",
    "ĐA": "Đề án", "PA": "Phương án", "TT": "Thông tư", "NĐ": "Nghị định", "BB": "Biên bản", "KL": "Kết luận",
}
URGENCY = {"hoa toc": "Hỏa tốc", "hoa toc hen gio": "Hỏa tốc hẹn giờ", "thuong khan": "Thượng khẩn", "khan": "Khẩn"}
SECRECY = {"mat": "Mật", "toi mat": "Tối mật", "tuyet mat": "Tuyệt mật"}

_AGENCY_HEAD_RE = _lazy_re("_AGENCY_HEAD_RE", 
    r"^(?:uy ban|ubnd|hdnd|ub |hoi dong|bo |so |van phong|vp |tong cuc|cuc |chi cuc|vu |ban |phong(?!\s*,|\s+chong)"
    r"|trung tam|thanh tra|cong an|bao hiem|bhxh|kho bac|thu tuong|chinh phu|quoc hoi|tinh uy|thanh uy|huyen uy"
    r"|quan uy|thi uy|dang uy|dang bo|doan |tinh doan|thanh doan|truong |benh vien|vien |hoc vien|dai hoc"
    r"|cong ty|tong cong ty|tap doan|ngan hang|dai |bao |hoi |lien doan|lien minh|mat tran|bo chi huy|bo tu lenh"
    r"|toa an|kiem toan|chi nhanh|ubmttq|lien hiep|hoc vien|nha xuat ban|ky tuc|thong tan xa|tong lien doan"
    r"|uy ban mat tran|bch |cuc thue|doi |hat |don |tram |ban chi huy)"
)
_CHILD_HEAD_RE = _lazy_re("_CHILD_HEAD_RE", 
    r"\s(?=VĂN PHÒNG(?:\s|$)|(?:TỔNG CỤC|SỞ|(?<!VĂN )PHÒNG(?!\s*,)|CHI CỤC|(?<!TỔNG )CỤC|BAN QUẢN LÝ|TRUNG TÂM|THANH TRA"
    r"|(?<!NỘI )VỤ)\s)"
)
_PARENT_START_RE = _lazy_re("_PARENT_START_RE", r"^(?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|BỘ|TỔNG CỤC|HĐND|HỘI ĐỒNG NHÂN DÂN)\s")

_BODY_OPENERS = _lazy_re("_BODY_OPENERS", 
    r"^(?:căn cứ|thực hiện|theo|ngày \d|để|trên cơ sở|xét|nhằm|hiện nay|trong|qua|tiếp theo|sau khi|vừa qua|nhận được"
    r"|ủy ban nhân dân tỉnh (?:nhận|đã|có)|liên quan|tiếp nhận|phúc đáp|trả lời|được|chủ tịch|phó chủ tịch"
    r"|nhằm|thời gian|tình hình|vào hồi|hồi \d|năm \d|từ đầu|thi hành|triển khai|với mục|sáng|chiều|ngày|bộ [\w ]+ (?:nhận|đề nghị))",
    re.IGNORECASE,
)

_TITLE_PREFIX_RE = _lazy_re("_TITLE_PREFIX_RE", r"^(?:KT|TM|TL|TUQ|Q|K\.T|T\.M|T\.L)\s*\.?\s+(?=\S)|^(?:THỪA LỆNH|THỪA ỦY QUYỀN|KÝ THAY)\b")
_POSITION_WORDS = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "TRƯỞNG BAN",
    "PHÓ TRƯỞNG BAN", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG", "TỔNG CỤC TRƯỞNG",
    "BÍ THƯ", "PHÓ BÍ THƯ", "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "CHÁNH THANH TRA", "TỔNG GIÁM ĐỐC",
    "HIỆU TRƯỞNG", "VIỆN TRƯỞNG", "THỦ TRƯỞNG", "CHI CỤC TRƯỞNG", "TRƯỞNG ĐOÀN", "CHỦ TỊCH UBND",
)
_PERSON_TITLES_RE = _lazy_re("_PERSON_TITLES_RE", 
    r"^(?:Đồng chí|đồng chí|Đ/c|đ/c|Ông|Bà)?\s*"
    r"(?:Phó Chủ tịch|Chủ tịch|Phó Giám đốc|Giám đốc|Tổng Giám đốc|Thủ trưởng|Chánh Văn phòng|Bộ trưởng|Trưởng ban"
    r"|Trưởng Ban|Cục trưởng|Chi cục trưởng|Hiệu trưởng|Trưởng phòng|Chỉ huy trưởng|Viện trưởng|Vụ trưởng"
    r"|Chánh Thanh tra|Tổng Biên tập|Hạt trưởng|Trưởng Công an)\s+(?=(?:Ủy ban|UBND|Sở|Bộ|Ban|Cục|Công ty|các|Các"
    r"|Văn phòng|Chi cục|Trung tâm|Hội đồng|HĐND|Phòng|Trường|Bệnh viện|Viện|Thanh tra|Tổng cục|Kho bạc|Bảo hiểm|Công an"
    r"|Đài|Báo|Ngân hàng|Chi nhánh|Cảng|Tập đoàn|Tổng công ty|Liên đoàn|Hội))"
)


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def is_upper_line(text: str, minimum: int = 3) -> bool:
    """Whether a line is written in capitals (as agency blocks, headings and signer titles are)."""
    letters = _letters(text)
    if len(letters) < minimum:
        return False
    return sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def sentence_case(text: str) -> str:
    """ "QUYẾT ĐỊNH" -> "Quyết định"."""
    t = text.strip().lower()
    return t[:1].upper() + t[1:]


# ---------------------------------------------------------------------------
# Segments of the header zone
# ---------------------------------------------------------------------------

_QH_RE = _lazy_re("_QH_RE", r"cong\s*-?\s*hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam")
_TN_RE = _lazy_re("_TN_RE", r"doc\s*lap\s*-?\s*tu\s*do\s*-?\s*hanh\s*phuc")
_DANG_RE = _lazy_re("_DANG_RE", r"dang\s+cong\s+san\s+viet\s+nam")
_SO_RE = _lazy_re("_SO_RE", r"(?<![a-z0-9/])so\s*(?:[:.]\s*|\s+(?=[\d.…_/]))")
_VV_RE = _lazy_re("_VV_RE", r"(?<![a-z])v\s*/\s*v(?![a-z])\s*[:.]?")
_VE_VIEC_RE = _lazy_re("_VE_VIEC_RE", r"^(?:Về việc|VỀ VIỆC|Trích yếu)\s*[:.]?\s*")
_KG_RE = _lazy_re("_KG_RE", r"(?<![a-z])(dong\s+)?kinh\s+g(?:u|o)i(?![a-z])\s*:?")  # "gửi", southern "gởi"
_NGAY_RE = _lazy_re("_NGAY_RE", 
    r",?\s*(?<![a-z])ngay(?![a-z])(?=[^\n]{0,30}?thang[^\n]{0,25}?nam|\s*\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})"
)
_DIEN_RE = _lazy_re("_DIEN_RE", r"^(?!CÔNG ĐIỆN|Công điện)(?P<who>[A-ZĐ\u00c0-\u1ef9][A-ZĐ\u00c0-\u1ef9 ,.]{3,}?)\s+(?:điện\s*:?|ĐIỆN\s*:)\s*$")
_SEP_RE = _lazy_re("_SEP_RE", r"^[\s\-_=.*~+·•]{3,}$")


@dataclass
class Seg:
    """A piece of a header line with what it is."""

    text: str
    line: int
    kind: str  # qh, tn, dang, so, date, vv, kg, kgcc, sep, text


def _place_start(line: str, comma_at: int) -> int:
    """Where the place name before ", ngày" starts (walking back over capitalised words)."""
    offset = max(0, comma_at - 80)
    before = line[offset:comma_at]
    tokens = [(m.start() + offset, m.group(0)) for m in re.finditer(r"\S+", before)]
    start = comma_at
    taken = 0
    for tok_start, w in reversed(tokens):
        if taken >= 7:
            break
        if any(c.isdigit() for c in w) or "/" in w or ":" in w:
            break
        fw = fold(w)
        if w[:1].isupper() or fw in {"pho", "xa", "thi", "tran", "-", "tp.", "tp"} or w == "-":
            start = tok_start
            taken += 1
            continue
        break
    return start


# "Ngày 20/7/2018, Ủy ban nhân dân tỉnh nhận được ...": a body sentence that opens with a date, not a date line
_DATED_SENTENCE_RE = _lazy_re("_DATED_SENTENCE_RE",
    r"\s*ngày\s*\d{1,2}(?:\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})\s*,\s*[^\W\d_]+\s+[^\W\d_]+",
    re.IGNORECASE)


_CITED_KIND_BEFORE_RE = _lazy_re("_CITED_KIND_BEFORE_RE",
    r"(?:ke hoach|quyet dinh|cong van|chi thi|nghi quyet|thong bao|van ban|thong tu|nghi dinh|ket luan|chuong trinh"
    r"|cong dien|to trinh|bao cao)\s*$")


def _segments(lines: list[str], start: int, end: int) -> list[Seg]:
    segs: list[Seg] = []
    for idx in range(start, end):
        line = lines[idx]
        if not line.strip():
            segs.append(Seg("", idx, "blank"))
            continue
        if _SEP_RE.match(line):
            segs.append(Seg(line, idx, "sep"))
            continue
        if len(line) > 1500:
            # a whole letter flattened into one line: the header is at its start
            head = _segments([line[:1500]], 0, 1)
            for seg in head:
                seg.line = idx
            segs.extend(head)
            segs.append(Seg(line[1500:].strip(), idx, "text"))
            continue
        f = fold(line)
        cuts: list[tuple[int, int | None, str]] = []  # (start, fixed end or None, kind)
        for regex, kind in ((_QH_RE, "qh"), (_TN_RE, "tn"), (_DANG_RE, "dang")):
            for m in regex.finditer(f):
                cuts.append((m.start(), m.end(), kind))
        for m in _SO_RE.finditer(f):
            if _CITED_KIND_BEFORE_RE.search(f[max(0, m.start() - 30):m.start()]):
                continue  # "... TRIỂN KHAI KẾ HOẠCH SỐ 119-KH/TU": a cited letter inside the title, not the number
            if line[m.start()] == "S" and not any(a <= m.start() < b for a, b, _ in cuts if b):
                cuts.append((m.start(), None, "so"))
        for m in _VV_RE.finditer(f):
            cuts.append((m.start(), None, "vv"))
        for m in _KG_RE.finditer(f):
            cuts.append((m.start(), None, "kgcc" if m.group(1) else "kg"))
        for m in _NGAY_RE.finditer(f):
            comma = m.start()
            has_comma = "," in f[m.start():m.end()]
            place_at = _place_start(line, comma)
            # "<Place>, ngày ..." (or a line that starts with the place); a date inside a subject
            # ("... của UBND tỉnh ngày 5 tháng 3") is not the letter's date
            opens_sentence = line[:comma].strip() == "" and _DATED_SENTENCE_RE.match(line[comma:])
            if (place_at < comma and (has_comma or line[:place_at].strip() == "")) or \
                    (line[:comma].strip() == "" and not opens_sentence):
                cuts.append((place_at if place_at < comma else comma, None, "date"))
        if not cuts:
            segs.append(Seg(line.strip(), idx, "text"))
            continue
        cuts.sort(key=lambda c: c[0])
        pos = 0
        for n, (a, fixed_end, kind) in enumerate(cuts):
            if a < pos:
                continue
            if line[pos:a].strip():
                segs.append(Seg(line[pos:a].strip(), idx, "text"))
            nxt = next((c[0] for c in cuts[n + 1:] if c[0] >= (fixed_end or a + 1)), len(line))
            stop = fixed_end if fixed_end is not None else nxt
            segs.append(Seg(line[a:stop].strip(), idx, kind))
            pos = stop
        if line[pos:].strip():
            segs.append(Seg(line[pos:].strip(), idx, "text"))
    return segs


# ---------------------------------------------------------------------------
# Received stamp
# ---------------------------------------------------------------------------

_STAMP_DEN_RE = _lazy_re("_STAMP_DEN_RE", r"(?<![^\W\d_])(ĐẾN|Đến:)(?![^\W\d_])|CÔNG VĂN ĐẾN|VĂN BẢN ĐẾN")
_STAMP_LINE_RE = _lazy_re("_STAMP_LINE_RE", 
    r"^(?:Số|SỐ|Ngày|NGÀY|Giờ|GIỜ|Chuyển|CHUYỂN|Chuyên|Lưu hồ sơ|LƯU HỒ SƠ|Đến|ĐẾN|Kính chuyển)\b", re.IGNORECASE
)


def _find_stamps(lines: list[str], limit: int) -> tuple[dict | None, set[int]]:
    """The incoming stamp ("Số: 913 ĐẾN Ngày: 19/02/2019") and the lines it occupies."""
    used: set[int] = set()
    received = None
    for i in range(min(limit, len(lines))):
        line = lines[i]
        if len(line) > 120 or not _STAMP_DEN_RE.search(line):
            continue  # a stamp is a few short lines
        lo, hi = i, i
        while lo - 1 >= 0 and lines[lo - 1].strip() and (_STAMP_LINE_RE.match(lines[lo - 1]) or is_upper_line(lines[lo - 1])) \
                and i - lo < 3 and not _QH_RE.search(fold(lines[lo - 1])) and not _TN_RE.search(fold(lines[lo - 1])):
            lo -= 1
            if not _STAMP_LINE_RE.match(lines[lo]):
                break  # the organisation line of the stamp is its first line
        while hi + 1 < len(lines) and lines[hi + 1].strip() and _STAMP_LINE_RE.match(lines[hi + 1]) and hi - i < 4 \
                and not re.match(r"^Số\s*:?\s*[\d.…_ ]*[/-]", lines[hi + 1]):
            hi += 1
        block = lines[lo:hi + 1]
        joined = "\n".join(block)
        num = re.search(r"(?:Số|SỐ)\s*(?:đến|ĐẾN)?\s*[:.]?[\s.…_]*(\d{1,7})(?![/\d])", joined)
        dt = re.search(r"(?:Ngày|NGÀY)\s*[:.]?\s*(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4})", joined)
        partial = None
        if not dt:
            # "Ngày: 19/02" without the year: completed later from the letter's own date
            pm = re.search(r"(?:Ngày|NGÀY)\s*[:.]?\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?!\s*[/.\-]?\s*\d)", joined)
            partial = (int(pm.group(1)), int(pm.group(2))) if pm else None
        if not num and not dt and not partial:
            continue
        org_line = block[0] if is_upper_line(block[0]) and not _STAMP_LINE_RE.match(block[0]) else None
        if org_line and _STAMP_DEN_RE.search(org_line) and fold(org_line).strip() in {"cong van den", "van ban den", "den"}:
            org_line = None
        used.update(range(lo, hi + 1))
        if received is None:
            received = {
                "number": num.group(1) if num else None,
                "date": parse_date(dt.group(1)) if dt else None,
                "by": canonical_name(_expand_stamp_org(org_line)) if org_line else None,
            }
            if partial:
                received["_partial"] = partial
    return received, used


def _expand_stamp_org(org: str) -> str:
    org = re.sub(r"\bVP\s*\.\s*", "VĂN PHÒNG ", org)
    return re.sub(r"\s+", " ", org).strip()


# ---------------------------------------------------------------------------
# Issuer block
# ---------------------------------------------------------------------------

_LOCALITY_RE = _lazy_re("_LOCALITY_RE", r"(?<![^\W\d_])(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(\S.*)$",
                          re.IGNORECASE)
_PARTY_RE = _lazy_re("_PARTY_RE", r"^(?:Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|Đảng ủy|Hội đồng nhân dân|Đoàn đại biểu)", re.IGNORECASE)


def _issuer_units(texts: list[str]) -> list[str]:
    """The agencies of the issuer block, parent first: a line that starts with an agency word opens
    a unit, other lines continue it ("ỦY BAN NHÂN DÂN" + "TỈNH THÁI NGUYÊN")."""
    pieces: list[str] = []
    for t in texts:
        t = t.strip(" -–:")
        if _PARENT_START_RE.match(t):
            pieces.extend(p for p in _CHILD_HEAD_RE.split(t) if p.strip())
        else:
            pieces.append(t)
    units: list[str] = []
    for p in pieces:
        fp = fold(p).strip()
        if units and not _AGENCY_HEAD_RE.match(fp + " "):
            units[-1] = f"{units[-1]} {p}".strip()
            continue
        units.append(p)
    units = [re.sub(r"\s+", " ", u).strip() for u in units if u.strip()]
    # capital lines that name no agency ("SAO Y BẢN CHÍNH", a portal banner) before the real block
    while len(units) > 1 and not _AGENCY_HEAD_RE.match(fold(units[0]) + " ") and \
            any(_AGENCY_HEAD_RE.match(fold(u) + " ") for u in units[1:]):
        units.pop(0)
    return units


def compose_issuer(units: list[str]) -> str | None:
    """The issuer written out, parent included: ["UBND TỈNH LÀO CAI", "SỞ CÔNG THƯƠNG"] -> "Sở Công Thương tỉnh Lào Cai"."""
    names_ = [canonical_name(u) for u in units if len(u) <= 160]
    names_ = [n for n in names_ if n]
    if not names_:
        return None
    result = names_[0]
    for child in names_[1:]:
        result = _compose(result, child)
    return result


def _compose(parent: str, child: str) -> str:
    fchild = fold(child)
    if fchild in {"van phong", "vp"}:
        return f"Văn phòng {parent}"
    own = _LOCALITY_RE.search(child)
    if own and own.group(2).strip():
        return child  # "CỤC THUẾ TỈNH X" under "TỔNG CỤC THUẾ" names itself in full
    if _PARTY_RE.match(parent):
        return f"{child} {parent}"
    if re.match(r"^(?:Bộ|Chính phủ)\s", parent + " "):
        return child  # "BỘ TÀI CHÍNH / TỔNG CỤC HẢI QUAN": the lower line issues, its ministry goes without saying
    if re.match(r"^(?:Ủy ban nhân dân|Hội đồng nhân dân)\s", parent):
        loc = _LOCALITY_RE.search(parent)
        if loc:
            level, place = loc.group(1).lower(), loc.group(2)
            if fold(place) in fchild:
                return child
            if re.search(r"(?<![^\W\d_])" + level + r"$", child, re.IGNORECASE):
                return f"{child} {place}"  # "BAN QUẢN LÝ KHU KINH TẾ TỈNH" + the province's name
            return f"{child} {level} {place}"
        return f"{child} - {parent}"
    return f"{child} - {parent}"


# ---------------------------------------------------------------------------
# Signature
# ---------------------------------------------------------------------------

_NAME_RE = _lazy_re("_NAME_RE", r"^[A-ZĐ\u00c0-\u1ef9][^\s\d:;,/()]*(?:\s+[A-ZĐ\u00c0-\u1ef9][^\s\d:;,/()]*){1,5}$")
_SIGNED_MARK_RE = _lazy_re("_SIGNED_MARK_RE", r"^[\[(]?\s*(?:đã ký|Đã ký|ĐÃ KÝ|ký|Ký|ký tên|Ký tên|đã ký và đóng dấu|Đã ký và đóng dấu"
                             r"|ký, đóng dấu|Ký, ghi rõ họ tên|chữ ký|Chữ ký|Signed)[^)\]]*[)\]]?\s*$")


def _is_title_line(line: str) -> bool:
    s = line.strip()
    if not s or s.startswith(("-", "+", "•")) or len(s) > 80:
        return False
    if _TITLE_PREFIX_RE.match(s):
        return True
    if not is_upper_line(s, 4):
        return False
    f = fold(s)
    if "noi nhan" in f or ":" in s:
        return False
    words = s.split()
    return len(words) <= 12


_GLUED_TITLE_RE = _lazy_re("_GLUED_TITLE_RE", 
    r"(?<=[A-ZĐ\u00c0-\u1ef9])(?=(?:KT|TM|TL|TUQ)\.\s*[A-ZĐ\u00c0-\u1ef9])"
    r"|(?<=[A-ZĐ\u00c0-\u1ef9]{2})(?=(?:PHÓ|CHỦ TỊCH|GIÁM ĐỐC|CHÁNH|THỨ TRƯỞNG|BỘ TRƯỞNG|TRƯỞNG BAN|CỤC TRƯỞNG|VỤ TRƯỞNG)\s*[A-ZĐ\u00c0-\u1ef9])"
)


def _split_glued_titles(lines: list[str]) -> list[str]:
    """Web copies glue the signature lines: "TL. CHỦ TỊCHKT. CHÁNH VĂN PHÒNG"."""
    out: list[str] = []
    for line in lines:
        if is_upper_line(line, 8) and len(line) < 160:
            pieces = [p for p in _GLUED_TITLE_RE.split(line) if p and p.strip()]
            out.extend(pieces if pieces else [line])
        else:
            out.append(line)
    return out


def _clean_title_line(line: str) -> str:
    s = re.sub(r"\s+", " ", line.strip())
    s = re.sub(r"^(KT|TM|TL|TUQ|Q)\s*\.?\s*(?=[A-ZĐ\u00c0-\u1ef9])", r"\1. ", s)
    s = re.sub(r"^K\.T\.?\s*", "KT. ", s)
    return s


_ITEM_LINE_RE = _lazy_re("_ITEM_LINE_RE", r"^\s*(?:[\-+•–]\s|[\-+•–](?=\S)|(?:Nơi nhận|NƠI NHẬN)\s*:?\s*$|Lưu\s*:)")


def parse_signature(lines: list[str]) -> tuple[str | None, str | None, int | None, int | None]:
    """(signer, signer_title, index of the first title line, index after the signature) of a letter's tail.

    Nơi nhận items interleaved with the signature lines (PDF text layers) are skipped.
    """
    keep = [i for i, line in enumerate(lines) if not _ITEM_LINE_RE.match(line)]
    view = [lines[i] for i in keep]
    i = 0
    while i < len(view):
        s = view[i].strip()
        if _is_title_line(s) and (_TITLE_PREFIX_RE.match(s) or _looks_like_position(s)):
            title_lines: list[str] = []
            j = i
            while j < len(view) and _is_title_line(view[j]):
                current = view[j].strip()
                title_lines.append(_clean_title_line(current))
                j += 1
                # KT./TM./TL. lines introduce the next one; a position line ends the block (the name,
                # even in capitals, follows it), unless the position wraps onto a "VÀ ..." line
                if not _TITLE_PREFIX_RE.match(current) or re.match(r"^Q\s*\.", current):
                    if j < len(view) and re.match(r"^(?:VÀ|và)\s", view[j].strip()):
                        continue
                    break
            # the name: next non-empty line that is not a "(Đã ký)" mark
            k = j
            end = keep[j - 1] + 1
            name = None
            while k < len(view) and k < j + 12:
                cand = view[k].strip()
                k += 1
                if not cand or _SIGNED_MARK_RE.match(cand) or _SEP_RE.match(cand):
                    continue
                cand = re.sub(r"^(?:Ông|Bà|Đồng chí)\s+", "", cand)
                if _NAME_RE.match(cand) and len(cand) <= 40 and not _QH_RE.search(fold(cand)):
                    name = cand.title() if is_upper_line(cand) else cand
                    end = keep[k - 1] + 1
                break
            title = " / ".join(title_lines) if title_lines else None
            if title and "BỘ TRƯỞNG" in title:
                title = re.sub(r"(?<![^\W\d_])THỦ TRƯỞNG(?![^\W\d_])", "THỨ TRƯỞNG", title)
            return name, title, keep[i], end
        i += 1
    return None, None, None, None


def last_signature(lines: list[str]) -> tuple[str | None, str | None, int | None, int | None]:
    """Like parse_signature, for the last title block of ``lines`` (preferring one with a name);
    indexes refer to ``lines`` themselves."""
    best: tuple | None = None
    pos = 0
    for _ in range(12):
        region = lines[pos:]
        if not region:
            break
        name, title, title_at, end = parse_signature(_split_tail_lines(region))
        if title_at is None:
            break
        start = pos + _tail_index(region, title_at)
        stop = pos + _tail_index(region, max(title_at, (end or title_at + 1) - 1)) + 1
        if best is None or name is not None or best[0] is None:
            best = (name, title, start, stop)
        pos = max(pos + 1, stop)
    return best if best is not None else (None, None, None, None)


def _looks_like_position(line: str) -> bool:
    f = line.strip().upper()
    return any(f == p or f.startswith(p + " ") or f.endswith(" " + p) for p in _POSITION_WORDS)


# ---------------------------------------------------------------------------
# References: letters cited in the text
# ---------------------------------------------------------------------------

_REF_KINDS = (
    r"Công văn|công văn|Văn bản|văn bản|Quyết định|quyết định|Nghị quyết|nghị quyết|Nghị định|nghị định"
    r"|Thông tư liên tịch|Thông tư|thông tư|Chỉ thị|chỉ thị|Kế hoạch|kế hoạch|Báo cáo|báo cáo|Thông báo kết luận"
    r"|Thông báo|thông báo|Công điện|công điện|Tờ trình|tờ trình|Hướng dẫn|hướng dẫn|Kết luận|kết luận"
    r"|Chương trình|chương trình|Đề án|đề án|Giấy mời|giấy mời|Luật|Pháp lệnh|Quy định|quy định|Quy chế"
    r"|Điện|Thông tri|Phiếu chuyển|Phiếu trình|Nghị quyết liên tịch"
)
_REF_NUMBER = (
    r"\d{1,6}[a-z]?(?:\s?/\s?\d{4})?\s?[/-]\s?[A-ZĐ][A-Za-zĐđ&0-9]*"
    r"(?:\s?[-/]\s?[A-ZĐ0-9][A-Za-zĐđ&0-9]*|\s[A-ZĐ]{2,}(?=[-/]))*"
)
_REF_DATE = r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
_REF_RE = _lazy_re("_REF_RE", 
    r"(?P<kind>" + _REF_KINDS + r")\s+(?:số\s*:?\s*|số hiệu\s+)?(?P<num>" + _REF_NUMBER + r")"
    r"(?:\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<date>" + _REF_DATE + r"))?"
    r"(?:\s*\([^()\n]{0,80}\))?"
    r"(?=\s+(?:của|do)\s+(?P<issuer>[^\n]{2,160}))?"  # a look-ahead: the next reference may follow
)
_ISSUER_STOP_RE = _lazy_re("_ISSUER_STOP_RE", 
    r"\s+(?:về việc|về|V/v|v/v|tại|ngày|theo|đã|đến|cho|với|để|trong|khóa|một số|của|giai đoạn|đối với|phê duyệt|ban hành"
    r"|quy định|hướng dẫn|thực hiện|triển khai|và (?:" + _REF_KINDS + r")|(?:" + _REF_KINDS + r")\s+số|trên|nhằm|như|thì"
    r"|là|năm|kèm|sau|trước|gửi|bổ sung|sửa đổi|công bố|giao|yêu cầu|đề nghị|xin|tổ chức|chỉ đạo|thông báo|báo cáo"
    r"|tham mưu|hỗ trợ|nêu|(?=\d))(?![^\W\d_])"
    r"|\s*[,;:“”\"()]|\.\s|\.$|\s+-\s+(?=[a-zđ])"
)
_ISSUER_BEFORE_RE = _lazy_re("_ISSUER_BEFORE_RE", 
    r"(?:của|Của|và|,)\s+(?:(?:Phó )?(?:Giám đốc|Chủ tịch|Bộ trưởng|Thủ trưởng|Trưởng ban|Chánh Văn phòng|Cục trưởng)\s+)?"
    r"(?P<issuer>(?:Ủy ban|UBND|Bộ|Sở|Ban|Văn phòng|Thủ tướng|Chính phủ|Tỉnh ủy|Thành ủy|Hội đồng|HĐND"
    r"|Cục|Tổng cục|Chủ tịch|Huyện ủy|Đảng ủy|Công an|Kho bạc|Bảo hiểm|Thanh tra|Trung tâm|Phòng)[^\n;:()]{0,100}?)"
    r"\s+(?:tại|theo)\s*$"
)
_SYMBOL_ISSUERS = {
    "CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "VPCP": "Văn phòng Chính phủ", "BTC": "Bộ Tài chính",
    "BYT": "Bộ Y tế", "BGDĐT": "Bộ Giáo dục và Đào tạo", "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "LĐTBXH": "Bộ Lao động - Thương binh và Xã hội", "BNV": "Bộ Nội vụ", "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn", "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BCT": "Bộ Công Thương", "BXD": "Bộ Xây dựng", "BGTVT": "Bộ Giao thông vận tải", "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BTTTT": "Bộ Thông tin và Truyền thông", "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHCN": "Bộ Khoa học và Công nghệ", "BTP": "Bộ Tư pháp", "BCA": "Bộ Công an", "BQP": "Bộ Quốc phòng",
    "BNG": "Bộ Ngoại giao", "NHNN": "Ngân hàng Nhà nước Việt Nam", "TTCP": "Thanh tra Chính phủ",
    "UBDT": "Ủy ban Dân tộc", "BDTTG": "Bộ Dân tộc và Tôn giáo", "TW": "Ban Chấp hành Trung ương",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội", "BHXH": "Bảo hiểm xã hội Việt Nam", "KBNN": "Kho bạc Nhà nước",
}
_TYPE_CODE_SET = set(_TYPE_CODES) | set(_TYPE_BY_CODE)


def _issuer_from_symbol(number: str, context: dict) -> str | None:
    codes = [c for c in re.split(r"[/-]", number) if c and not c.isdigit()]
    for code in codes:
        if code in _TYPE_CODE_SET:
            continue
        if re.fullmatch(r"QH\d*", code):
            return "Quốc hội"
        if code == "TU" and context.get("province"):
            return f"Tỉnh ủy {context['province']}"
        if code == "UBND" and context.get("ubnd"):
            return context["ubnd"]  # the letter's own people's committee cites its earlier letters
        if code == "VP" and (context.get("issuer") or "").startswith("Văn phòng"):
            return context["issuer"]
        return _SYMBOL_ISSUERS.get(code)
    return None


def _clean_ref_issuer(raw: str | None, *, keep_commas: bool = False) -> str | None:
    if not raw:
        return None
    raw = re.sub(r"\s*\((?:[A-ZĐ&]{2,10})\)", "", raw)  # "Ủy ban nhân dân (UBND) tỉnh"
    raw = _PERSON_TITLES_RE.sub("", raw)  # "Bộ trưởng Bộ Tài chính" -> the ministry
    m = _ISSUER_STOP_RE.search(raw.replace(",", "\x00") if keep_commas else raw)
    issuer = raw[: m.start()] if m else raw
    issuer = issuer.strip(" .,-")
    words = issuer.split()
    if not words or len(words) > 14 or not words[0][:1].isupper():
        return None
    return issuer


def _complete_locality(name: str, context: dict) -> str:
    """ "Ủy ban nhân dân tỉnh" -> "Ủy ban nhân dân tỉnh Thái Nguyên" using the letter's own locality."""
    district = context.get("district")
    if district and re.search(r"(?<![^\W\d_])(?:huyện|thị xã|quận)$", name):
        return f"{name} {district}"
    province = context.get("province")
    if not province:
        return name
    if re.search(r"(?<![^\W\d_])tỉnh$", name):
        return f"{name} {province}"
    if re.fullmatch(r"(?:Ban Thường vụ |Ban Chấp hành |Thường trực )?Tỉnh ủy", name):
        return f"{name} {province}"
    if re.match(r"^Sở\s", name) and not _LOCALITY_RE.search(name) and context.get("level") in {"tỉnh", "thành phố"}:
        return f"{name} {context['level']} {province}"
    return name


def find_references(text: str, context: dict | None = None) -> list[dict]:
    """Letters cited in a text: [{"number", "date", "issuer"}], in order, each number once.

    ``context`` may give "province" (name) and "own_number" so that "của UBND tỉnh" is written
    out and the letter does not cite itself.
    """
    context = context or {}
    found: list[dict] = []
    matches = list(_REF_RE.finditer(text))
    for idx, m in enumerate(matches):
        number = normalize_number(m.group("num"))
        if not number or not re.search(r"[A-Za-z]", number):
            continue
        issuer = _clean_ref_issuer(m.group("issuer"))
        if issuer is None:
            before = text[max(0, m.start() - 160): m.start()]
            b = _ISSUER_BEFORE_RE.search(before)
            if b:
                issuer = _clean_ref_issuer(b.group("issuer") + ".", keep_commas=True)
        found.append({
            "kind": fold(m.group("kind")),
            "number": number,
            "date": parse_date(m.group("date")) if m.group("date") else None,
            "issuer": issuer,
            "_span": (m.start(), m.end()),
        })
    # "Quyết định số A ngày X và Quyết định số B ngày Y của Thủ tướng Chính phủ": A shares B's issuer
    for i in range(len(found) - 2, -1, -1):
        if found[i]["issuer"] is None and found[i + 1]["issuer"]:
            gap = text[found[i]["_span"][1]: found[i + 1]["_span"][0]]
            same_kind = found[i]["kind"] == found[i + 1]["kind"]
            if re.fullmatch(r"\s*(?:,|và)?\s*", gap) and (same_kind or not _issuer_from_symbol(found[i]["number"], context)):
                found[i]["issuer"] = found[i + 1]["issuer"]
    result: list[dict] = []
    seen: dict[str, dict] = {}
    own = normalize_number(context.get("own_number")) if context.get("own_number") else None
    for ref in found:
        ref.pop("_span", None)
        ref.pop("kind", None)
        key = ref["number"].upper()
        if own and key == own.upper():
            continue
        if key in seen:
            old = seen[key]
            old["date"] = old["date"] or ref["date"]
            old["issuer"] = old["issuer"] or ref["issuer"]
            continue
        seen[key] = ref
        result.append(ref)
    for ref in result:
        if ref["issuer"]:
            ref["issuer"] = _complete_locality(canonical_name(ref["issuer"]), context)
        else:
            ref["issuer"] = _issuer_from_symbol(ref["number"], context)
    return result


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

_NOI_NHAN_RE = _lazy_re("_NOI_NHAN_RE", r"^\s*(?:Nơi nhận|NƠI NHẬN)\s*:?", re.IGNORECASE)
_MARK_CLEAN_RE = _lazy_re("_MARK_CLEAN_RE", r"[\s!.:()\[\]*-]+")


def _mark_of(text: str) -> tuple[str | None, str | None]:
    key = _MARK_CLEAN_RE.sub(" ", fold(text)).strip()
    if not key or not is_upper_line(text, 3) and key not in {"khan", "mat"}:
        return None, None
    if key in URGENCY:
        return "urgency", URGENCY[key]
    if key in SECRECY and text.strip().isupper():
        return "secrecy", SECRECY[key]
    return None, None


def _doc_type_of(text: str) -> tuple[str | None, str | None]:
    """(type, urgency) when the text is a type heading ("THÔNG BÁO", "CÔNG ĐIỆN KHẨN")."""
    raw = text.strip().rstrip(":")
    if re.fullmatch(r"(?:[A-ZĐ\u00c0-\u1ef9]\s){2,}[A-ZĐ\u00c0-\u1ef9]", raw):
        raw = raw.replace(" ", "")  # letter-spaced heading "T H Ô N G B Á O"
        key = fold(raw)
        for k in sorted(DOC_TYPES, key=len, reverse=True):
            if key == k.replace(" ", ""):
                return DOC_TYPES[k], None
        return None, None
    if not is_upper_line(raw, 3):
        return None, None
    key = _MARK_CLEAN_RE.sub(" ", fold(raw)).strip()
    if key in DOC_TYPES:
        return DOC_TYPES[key], None
    for urgent, label in URGENCY.items():
        if key.endswith(" " + urgent) and key[: -len(urgent) - 1] in DOC_TYPES:
            return DOC_TYPES[key[: -len(urgent) - 1]], label
    return None, None


def _strip_end(text: str) -> str:
    return re.sub(r"[\s.;,:]+$", "", text).strip()


_INNER_TITLES_RE = _lazy_re("_INNER_TITLES_RE", 
    r",\s*(?:Thủ trưởng|Giám đốc|Chủ tịch|Chánh Văn phòng|Trưởng ban|Trưởng Ban|Tổng Giám đốc)\s+các\s+"
)
_LOCAL_ABBREVIATIONS = [
    (re.compile(r"(?<![^\W\d_])(?:NN\s*(?:&|và)\s*PTNT|NNPTNT)(?![^\W\d_])"), "Nông nghiệp và Phát triển nông thôn"),
    (re.compile(r"(?<![^\W\d_])PTNT(?![^\W\d_])"), "Phát triển nông thôn"),
    (re.compile(r"(?<![^\W\d_])LĐ\s*-?\s*TB\s*(?:&|và)?\s*XH(?![^\W\d_])"), "Lao động - Thương binh và Xã hội"),
    (re.compile(r"(?<![^\W\d_])TB\s*(?:&|và)\s*XH(?![^\W\d_])"), "Thương binh và Xã hội"),
    (re.compile(r"(?<![^\W\d_])THPT(?![^\W\d_])"), "trung học phổ thông"),
    (re.compile(r"(?<![^\W\d_])THCS(?![^\W\d_])"), "trung học cơ sở"),
    (re.compile(r"(?<![^\W\d_])GDTX(?![^\W\d_])"), "Giáo dục thường xuyên"),
    (re.compile(r"(?<![^\W\d_])GDNN(?![^\W\d_])"), "Giáo dục nghề nghiệp"),
    (re.compile(r"(?<![^\W\d_])KT-XH(?![^\W\d_])"), "kinh tế - xã hội"),
    (re.compile(r"(?<![^\W\d_])QLDA(?![^\W\d_])"), "Quản lý dự án"),
    (re.compile(r"(?<![^\W\d_])ĐTXD(?![^\W\d_])"), "đầu tư xây dựng"),
    (re.compile(r"(?<![^\W\d_])CHQS(?![^\W\d_])"), "Chỉ huy Quân sự"),
    (re.compile(r"(?<![^\W\d_])BĐBP(?![^\W\d_])"), "Bộ đội Biên phòng"),
    (re.compile(r"(?<![^\W\d_])PCTT(?:\s*(?:&|và)\s*|-)TKCN(?![^\W\d_])"),
     "Phòng, chống thiên tai và Tìm kiếm cứu nạn"),
]


def expand_more(name: str) -> str:
    """Abbreviations of agency names that the shared list may not write out (PTNT, THPT, GDTX...)."""
    for pattern, full in _LOCAL_ABBREVIATIONS:
        name = pattern.sub(full, name)
    return name


def _clean_recipient_entry(entry: str) -> str:
    e = re.sub(r"^[\-+•–*\s]+", "", entry).strip()
    e = re.sub(r"[\s;,.]+$", "", e)
    e = re.sub(r"\s*\((?:để\s[^)]*|[^)]{0,60})\)\s*$", "", e)  # "(để biết)", "(CCN Thống Nhất 1)"
    e = _PERSON_TITLES_RE.sub("", e)
    e = _INNER_TITLES_RE.sub(", ", e)
    e = e.strip()
    return e[:1].upper() + e[1:] if e[:1].islower() and e.lower().startswith("các ") else e


def _looks_like_recipient(line: str) -> bool:
    s = re.sub(r"^[\-+•–*\s]+", "", line).strip()
    if not s or len(s) > 180 or _BODY_OPENERS.match(s):
        return False
    if s.endswith(":") and not _KG_RE.search(fold(s)):
        return False
    f = fold(s) + " "
    return bool(_AGENCY_HEAD_RE.match(f) or f.startswith(("cac ", "chu tich ", "giam doc ", "thu truong ", "dong chi ",
                                                            "ong ", "ba ", "quy ", "lanh dao ", "truong ", "pho ")))


def _parse_recipients(lines: list[str], k: int, first: str) -> tuple[list[str], int]:
    """Entries of the Kính gửi list starting at line k (``first`` = text after "Kính gửi:")."""
    entries: list[str] = []
    current = ""
    after_blank = False
    end = k

    def push():
        nonlocal current
        for part in re.split(r";\s*(?=\S)", current):
            part = part.strip()
            if part:
                entries.append(part)
        current = ""

    if len(first) > 200:
        # the list and the body on one line (a flattened copy): the list ends with its first sentence
        cut = re.search(r"\.\s+(?=[A-ZĐ\u00c0-\u1ef9])", first)
        first = first[: cut.start() + 1] if cut else first[:200]
    if first.strip():
        current = first.strip()
        if current.endswith("."):
            push()
            return entries, k
    for i in range(k + 1, min(len(lines), k + 60)):
        raw = lines[i]
        s = raw.strip()
        if not s:
            after_blank = True
            continue
        if _NOI_NHAN_RE.match(s):
            break
        bullet = bool(re.match(r"^[\-+•–*]\s*\S", s))
        if bullet:
            if current:
                push()
            current = s
        elif current and not current.endswith((";", ".")) and not after_blank and (
                current.endswith((",", "-", "và")) or s[:1].islower() or (len(s) < 70 and not _BODY_OPENERS.match(s))):
            current = f"{current} {s}"
        elif _looks_like_recipient(s) and (not entries or not entries[-1].endswith(".")) and not (
                current and current.endswith(".")):
            if current:
                push()
            current = s
        else:
            break
        end = i
        after_blank = False
        if current.endswith(".") and not re.search(r"(?:TP|Tp|TT|v\.v)\.$", current):
            push()
            break
    if current:
        push()
    return entries, end


def _title_after(segs: list[Seg], start: int) -> tuple[str | None, int]:
    """Title lines under a type heading; returns (title, index of the last segment used)."""
    parts: list[str] = []
    last = start
    j = start + 1
    pending_blank = False
    while j < len(segs):
        seg = segs[j]
        if seg.kind == "blank":
            if parts:
                pending_blank = True
            j += 1
            continue
        if seg.kind in {"sep", "kg", "kgcc", "qh", "tn", "so", "date"}:
            if parts:
                break
            j += 1
            continue
        s = seg.text
        if parts and not any(c.isalnum() for c in s):
            break  # the rule under the title, as a scan's OCR reads it ("—_—__ `")
        # a lower-case line continues the title ("năm 2021 trên địa bàn tỉnh"): body sentences open with a capital
        if parts and (is_upper_line(s, 6) or (_BODY_OPENERS.match(s) and not s[:1].islower()) or len(s) > 220):
            break
        if not parts and (_BODY_OPENERS.match(s) and not s.lower().startswith("về")) and len(s) > 120:
            break
        if pending_blank and not s[:1].islower():
            break
        parts.append(s)
        last = j
        pending_blank = False
        j += 1
        if len(parts) >= 6:
            break
    title = _strip_end(" ".join(parts)) if parts else None
    return title, last


_AUTHORITY_TAIL_RE = _lazy_re("_AUTHORITY_TAIL_RE",
    r"\s+(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|GIÁM ĐỐC|HỘI ĐỒNG NHÂN DÂN)"
    r"(?:\s+[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ\-]*)*\s*$")


def _subject_after_vv(segs: list[Seg], start: int) -> tuple[str, int]:
    first = segs[start].text
    first = re.sub(r"^[Vv]\s*/\s*[Vv]\s*[:.]?\s*", "", first)
    first = _VE_VIEC_RE.sub("", first)
    # a flattened decision runs its title into the authority line and the preamble on one line:
    # "V/V BAN HÀNH ... TÌNH HÌNH MỚI” ỦY BAN NHÂN DÂN TỈNH KON TUM Căn cứ Luật ..."
    body = re.search(r"\s(?:Căn cứ|Thực hiện|Xét đề nghị)\s", first)
    if body:
        first = first[: body.start()]
    parts = [first] if first else []
    preamble_follows = bool(body)
    last = start
    j = start + 1
    pending_blank = False
    while j < len(segs):
        seg = segs[j]
        if seg.kind == "blank":
            pending_blank = True
            j += 1
            continue
        if seg.kind != "text":
            # a flattened header may put the motto or the date between two lines of the subject
            nxt = next((s for s in segs[j + 1:] if s.kind != "blank"), None)
            if seg.kind in {"qh", "tn", "date", "sep", "so"} and nxt is not None and nxt.kind == "text" \
                    and nxt.text[:1].islower() and nxt.line - seg.line <= 2:
                j += 1
                continue
            break
        s = seg.text
        if is_upper_line(s) or _STAMP_DEN_RE.search(s):
            break
        if re.match(r"(?:Căn cứ|Xét đề nghị)\s", s):
            preamble_follows = True
            break
        if pending_blank and not s[:1].islower():
            break
        if len(s) > 160 or len(parts) >= 5:
            break  # a trích yếu is a few short lines; longer text is the body
        parts.append(s)
        last = j
        pending_blank = False
        j += 1
    subject = " ".join(parts)
    if preamble_follows:
        subject = _AUTHORITY_TAIL_RE.sub("", subject)
    return _strip_end(subject), last


_PLACE_NAME = r"([A-ZĐ\u00c0-\u1ef9][^\W\d_]*(?:\s[A-ZĐ\u00c0-\u1ef9][^\W\d_]*){0,3})"
_PROVINCE_IN_TEXT_RE = _lazy_re("_PROVINCE_IN_TEXT_RE", r"(?<![^\W\d_])tỉnh\s+" + _PLACE_NAME)
_DISTRICT_IN_TEXT_RE = _lazy_re("_DISTRICT_IN_TEXT_RE", r"(?<![^\W\d_])(?:huyện|thị xã|quận)\s+" + _PLACE_NAME)


def _reference_context(issuer: str | None, text: str) -> dict:
    """Localities that complete "UBND tỉnh", "Phòng ... huyện" in cited letters: the issuer's own,
    else the one the letter names most often."""
    context: dict = {"issuer": issuer}
    province, level = _province_of(issuer, None)
    context["province"], context["level"] = province, level
    loc = _LOCALITY_RE.search(issuer or "")
    if loc and loc.group(1).lower() in {"huyện", "thị xã", "quận"}:
        context["district"] = loc.group(2).strip()
    if not context.get("province"):
        counts: dict[str, int] = {}
        for m in _PROVINCE_IN_TEXT_RE.finditer(text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        if counts:
            context["province"] = max(counts, key=counts.get)
    if not context.get("district") and loc and loc.group(1).lower() in {"xã", "phường", "thị trấn"}:
        counts = {}
        for m in _DISTRICT_IN_TEXT_RE.finditer(text):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        if counts:
            context["district"] = max(counts, key=counts.get)
    if issuer:
        if issuer.startswith("Ủy ban nhân dân"):
            context["ubnd"] = issuer
        elif loc and issuer.startswith(("Văn phòng Ủy ban nhân dân", "Sở ", "Phòng ")):
            context["ubnd"] = f"Ủy ban nhân dân {loc.group(1).lower()} {loc.group(2).strip()}"
    return context


def _province_of(issuer: str | None, place: str | None) -> tuple[str | None, str | None]:
    if issuer:
        m = re.search(r"(?<![^\W\d_])(tỉnh|thành phố)\s+([A-ZĐ\u00c0-\u1ef9][^,;()]*)$", issuer, re.IGNORECASE)
        if m:
            return m.group(2).strip(), m.group(1).lower()
        m = _LOCALITY_RE.search(issuer)
        if m:
            return None, m.group(1)
    return None, None


# The body's first words run into the Kính gửi line of a flattened copy ("Kính gửi: Bộ Y tế Thực hiện Luật ...",
# "Kính gửi: Tổng công ty X Phúc đáp Công văn số ..."): a capitalised opener inside the line starts the body.
_INLINE_OPENER_RE = _lazy_re("_INLINE_OPENER_RE",
    r"(?:(?<=[^\W\d_])|(?<=\)))[ \t]+(?=(?:Thực hiện|Trong thời gian|Thời gian qua|Phúc đáp|Căn cứ|Theo đề nghị|Tiếp theo|Sau khi"
    r"|Vừa qua|Nhận được|Trả lời|Hiện nay|Triển khai|Ngày \d)(?![^\W\d_]))")


def _split_inline_body(lines: list[str]) -> list[str]:
    """Put the body's first sentence on a line of its own when a flattened copy runs it into the Kính gửi line."""
    out: list[str] = []
    for i, line in enumerate(lines):
        kg = _KG_RE.search(fold(line)) if i < 90 else None
        if kg and not kg.group(1):
            opener = _INLINE_OPENER_RE.search(line, kg.end())
            if opener:
                out += [line[: opener.start()], line[opener.end():]]
                continue
        out.append(line)
    return out


def parse_letter(text: str, *, normalized: bool = False) -> tuple[dict, str]:
    """Parse one letter: returns (header dict, body text).

    The body is the text between the recipients (or the title) and "Nơi nhận" or the
    signature, without the incoming stamp.
    """
    if not normalized:
        text = normalize(text)
    lines = _split_inline_body(text.split("\n"))
    n = len(lines)

    # incoming stamps sit among the header lines; read them first and hide them
    zone_limit = min(n, 90)
    received, stamp_lines = _find_stamps(lines, zone_limit)
    work = [("" if i in stamp_lines else line) for i, line in enumerate(lines)]

    # header zone: up to the Kính gửi line (or a "... điện:" line), else up to the body
    kg_line = None
    dien_line = None
    for i in range(zone_limit):
        f = fold(work[i])
        m = _KG_RE.search(f)
        if m and not m.group(1) and (m.start() < 3 or i < 40):
            kg_line = i
            break
        if _DIEN_RE.match(work[i].strip()) and i < 40:
            dien_line = i
            break
    zone_end = (kg_line if kg_line is not None else dien_line if dien_line is not None else zone_limit)
    segs = _segments(work, 0, min(n, zone_end + 1 if kg_line is not None else zone_end))

    header: dict = {
        "number": None, "doc_type": None, "issuer": None, "place": None, "issued_on": None, "subject": None,
        "recipients": [], "signer": None, "signer_title": None, "received": received, "references": [],
        "urgency": None, "secrecy": None, "copies_to": [],
    }
    symbol = None
    heading_idx = None
    vv_idx = None
    first_date_idx = None
    issuer_texts: list[str] = []
    body_start = None
    title_end_line = None
    subject_end_line = None

    # the first anchor of each kind wins; the issuer is what comes before the heading/subject
    stop_issuer = False
    for idx, seg in enumerate(segs):
        if seg.kind == "so" and header["number"] is None and symbol is None:
            rest = re.sub(r"^(?:Số|SỐ|số)\s*[:.]?\s*", "", seg.text)
            if not rest.strip():
                # "Số:" alone, the number on the next line (a table cell split in two)
                nxt = next((s for s in segs[idx + 1: idx + 3] if s.kind != "blank"), None)
                if nxt is not None and nxt.kind == "text" and re.match(r"^[\d.…_/]", nxt.text):
                    rest = nxt.text
            number, sym, _ = _parse_number_text(rest)
            header["number"] = number
            symbol = sym
        elif seg.kind == "date" and first_date_idx is None:
            first_date_idx = idx
            m = re.search(r"^(?P<place>.*?)\s*,?\s*ngày", seg.text, re.IGNORECASE)
            place = m.group("place").strip(" ,") if m else ""
            header["place"] = place or None
            header["issued_on"] = parse_date(seg.text)
            header["date_text"] = seg.text[len(m.group("place")):].strip(" ,") if m else seg.text
        elif seg.kind == "vv" and vv_idx is None and heading_idx is None:
            vv_idx = idx
            stop_issuer = True
        elif seg.kind in {"kg", "kgcc"}:
            stop_issuer = True
        elif seg.kind == "text" and vv_idx is None and heading_idx is None and _VE_VIEC_RE.match(seg.text) \
                and len(seg.text) > 12:
            seg.kind = "vv"  # "Về việc: ..." written out in the place of "V/v"
            vv_idx = idx
            stop_issuer = True
        elif seg.kind == "text":
            kind, value = _mark_of(seg.text)
            if kind and header.get(kind) is None:
                header[kind] = value
                continue
            if heading_idx is None and vv_idx is None:
                dtype, urgent = _doc_type_of(seg.text)
                if dtype:
                    heading_idx = idx
                    header["doc_type"] = dtype
                    if urgent and not header["urgency"]:
                        header["urgency"] = urgent
                    stop_issuer = True
                    continue
            if not stop_issuer and first_date_idx is None or not stop_issuer and is_upper_line(seg.text):
                if is_upper_line(seg.text) and not re.fullmatch(r"(?:DỰ THẢO|MẪU|BẢN SAO|SAO Y|V/V.*)", seg.text.strip()):
                    issuer_texts.append(seg.text)

    if not issuer_texts:
        # web copies keep the issuer block in proper case: take lines that name an agency
        for seg in segs:
            if seg.kind in {"qh", "so", "date", "vv", "kg"}:
                break
            if seg.kind == "text" and _AGENCY_HEAD_RE.match(fold(seg.text) + " ") and len(seg.text) < 90:
                issuer_texts.append(seg.text)
    header["issuer"] = compose_issuer(_issuer_units(issuer_texts)) if issuer_texts else None
    if header["issuer"]:
        # "TINH QUANG NGAÀI" read by OCR: the province spelled right when it is close to exactly one
        header["issuer"] = repair_province_suffix(header["issuer"])

    if vv_idx is not None:
        header["subject"], last = _subject_after_vv(segs, vv_idx)
        header["subject"] = header["subject"] or None
        # "Số: 435/QĐ-UBND ... QUYẾT ĐỊNH V/V BAN HÀNH ...": the number's type code names the kind better than V/v
        header["doc_type"] = _type_of_number(header["number"] or symbol) or "Công văn"
        subject_end_line = segs[last].line
    elif heading_idx is not None:
        title, last = _title_after(segs, heading_idx)
        if title is None and zone_end == zone_limit:
            # the title can run past the zone we cut; read it from the full text
            more = _segments(work, segs[heading_idx].line, min(n, segs[heading_idx].line + 15))
            title, last2 = _title_after(more, 0)
            if title:
                title_end_line = more[last2].line
        if title and is_upper_line(title, 12):
            title = sentence_case(title)  # "QUY ĐỊNH XỬ PHẠT ..." printed in capitals under the heading
        header["subject"] = title
        if title and title_end_line is None:
            title_end_line = segs[last].line
    if header["doc_type"] is None:
        header["doc_type"] = _type_of_number(header["number"] or symbol) or ("Công văn" if kg_line is not None else None)
    if symbol:
        header["symbol"] = symbol

    # recipients
    if kg_line is not None:
        f = fold(work[kg_line])
        m = _KG_RE.search(f)
        first = work[kg_line][m.end():]
        entries, rec_end = _parse_recipients(work, kg_line, first)
        body_start = rec_end + 1
        cc_entries: list[str] = []
        # "Đồng kính gửi:" right after the list
        for i in range(body_start, min(n, body_start + 4)):
            fm = _KG_RE.search(fold(work[i]))
            if fm and fm.group(1):
                cc_entries, cc_end = _parse_recipients(work, i, work[i][fm.end():])
                body_start = cc_end + 1
                break
        informed: list[str] = []
        header["recipients"] = _expand_entries(entries, informed)
        if informed:
            header["recipients_informed"] = informed
        if cc_entries:
            header["recipients_cc"] = _expand_entries(cc_entries)
    elif dien_line is not None:
        entries, rec_end = _parse_recipients(work, dien_line, "")
        informed = []
        header["recipients"] = _expand_entries(entries, informed)
        if informed:
            header["recipients_informed"] = informed
        body_start = rec_end + 1
    if body_start is None:
        ends = [x for x in (title_end_line, subject_end_line) if x is not None]
        anchors = [s.line for s in segs if s.kind in {"qh", "tn", "so", "date", "sep"} or
                   (s.kind == "text" and is_upper_line(s.text))]
        body_start = max(ends + ([max(anchors)] if anchors and not ends else [])) + 1 if (ends or anchors) else 0

    # the end of the body: "Nơi nhận" or the signature
    noi_nhan = next((i for i in range(body_start, n) if _NOI_NHAN_RE.match(work[i])), None)
    body_end = noi_nhan if noi_nhan is not None else n
    title_at = None
    if noi_nhan is not None:
        signer, title, title_at, _ = parse_signature(_split_tail_lines(work[noi_nhan:]))
    if title_at is None:
        # no Nơi nhận, or the signature stands before it: the last signed block of the body
        signer, title, title_at_body, _ = last_signature(work[body_start:body_end])
        if title_at_body is not None:
            body_end = body_start + title_at_body
    header["signer"] = signer
    header["signer_title"] = title
    if noi_nhan is not None:
        header["copies_to"] = _copies_to(work[noi_nhan:])

    if received and received.get("_partial"):
        day, month = received.pop("_partial")
        if header["issued_on"]:
            year = int(header["issued_on"][:4]) + (1 if month < int(header["issued_on"][5:7]) else 0)
            received["date"] = _iso(day, month, year)

    if not any(s.kind in {"qh", "so", "date"} for s in segs):
        _read_body_only(header, work)
    body = "\n".join(work[body_start:body_end]).strip("\n")
    context = _reference_context(header["issuer"], text)
    context["own_number"] = header["number"]
    refs = find_references((header["subject"] or "") + "\n" + body, context)
    header["references"] = refs
    return header, body


def _type_of_number(number: str | None) -> str | None:
    """The kind of document its number's type code names ("435/QĐ-UBND" -> "Quyết định"), or None."""
    codes = [c for c in re.split(r"[/-]", number or "") if c and not c.isdigit()]
    return _TYPE_BY_CODE.get(codes[0]) if codes else None


# "(Theo Công văn số: 2788/UBND-KT, ngày 18/6/2024)": a portal that quotes only the operative part of a
# letter names the letter at the end.
_QUOTED_FROM_RE = _lazy_re("_QUOTED_FROM_RE",
    r"^\(?\s*(?:Theo|Trích|Nguồn\s*:?)\s+(?P<type>Công văn|Văn bản|Quyết định|Thông báo|Kế hoạch|Chỉ thị|Công điện)"
    r"\s+(?:số\s*:?\s*)?(?P<number>\d+[^\s,;()]*)\s*[,;]?\s*(?:ngày\s+(?P<date>\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?[^()]{0,80}\)?\s*\.?$", re.IGNORECASE)
# who speaks in a body with no header: "UBND tỉnh có ý kiến như sau", "Chủ tịch UBND tỉnh có ý kiến chỉ đạo"
_SPEAKER_RE = _lazy_re("_SPEAKER_RE",
    r"(?<![^\W\d_])(?:Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?P<level>tỉnh|thành phố|huyện|quận|thị xã)"
    r"\s+(?:có ý kiến|chỉ đạo|yêu cầu|giao|nhận được|thông báo|đề nghị)")


def _read_body_only(header: dict, lines: list[str]) -> None:
    """Complete the header of a text that is only a letter's body (a portal's print page, a pasted
    paragraph): no Quốc hiệu, number or place-date line stands above it. A capital line there is the
    page's, not an issuer, and a "Về việc" line the petition's title, not the subject; the number and
    the date come from a closing "(Theo Công văn số ..., ngày ...)" when the page quotes one, the issuer
    from the body's speaker ("UBND tỉnh có ý kiến ..."), with the province when the text names only one."""
    if header["issuer"] and not _AGENCY_HEAD_RE.match(fold(header["issuer"]) + " "):
        header["issuer"] = None
    header["subject"] = None
    tail = [line.strip() for line in lines if line.strip()][-5:]
    for line in reversed(tail):
        m = _QUOTED_FROM_RE.match(line)
        if m:
            number, _, _ = _parse_number_text(m.group("number"))
            header["number"] = header["number"] or number
            header["doc_type"] = m.group("type").capitalize() if m.group("type").lower() != "văn bản" else "Công văn"
            if m.group("date"):
                header["issued_on"] = header["issued_on"] or parse_date("ngày " + m.group("date"))
            break
    if header["issuer"]:
        return
    text = "\n".join(lines)
    m = _SPEAKER_RE.search(text)
    if not m:
        return
    level = m.group("level").lower()
    places = {re.sub(r"\s+", " ", p.group(1)).strip() for p in re.finditer(
        r"(?<![^\W\d_])" + level + r"[ \t]+([A-ZĐ\u00c0-\u1ef9][^\W\d_]*(?:[ \t][A-ZĐ\u00c0-\u1ef9][^\W\d_]*){0,3})", text)}
    if len(places) == 1:
        place = places.pop()
        header["issuer"] = f"Ủy ban nhân dân {level} {place}"
        header["place"] = header["place"] or place
    else:
        header["issuer"] = f"Ủy ban nhân dân {level}"


def _tail_index(lines: list[str], split_index: int) -> int:
    """Map an index in the split tail back to an index in the original lines (splits only add lines)."""
    count = 0
    for i, line in enumerate(lines):
        pieces = len(_split_tail_lines([line]))
        if count + pieces > split_index:
            return i
        count += pieces
    return len(lines)


_TAIL_SPLIT_RE = _lazy_re("_TAIL_SPLIT_RE", r"(?<=\S)\s+(?=(?:KT|TM|TL|TUQ)\.\s*[A-ZĐ\u00c0-\u1ef9])")
_TAIL_UPPER_END_RE = _lazy_re("_TAIL_UPPER_END_RE", r"(?<=[;:.])\s+(?=[A-ZĐ\u00c0-\u1ef9 ]{6,}$)")


_FAMILY_NAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh dao luu trinh mai cao lam ha ta "
    "luong truong vuong thai kieu quach chu to la luc tong tang au doan dam vi hua khong phung trieu mac nong lo "
    "sung giang thach danh kim son ong tieu lai nghiem diep han lac mong ca hau khuat nham quan bach chau cu dieu "
    "thai tiet van".split()
)
_TAIL_NAME_END_RE = _lazy_re("_TAIL_NAME_END_RE", r"(?<=[;:.)])\s+(?=[A-ZĐ\u00c0-\u1ef9][^\s\d,;:()/]*(?:\s+[A-ZĐ\u00c0-\u1ef9][^\s\d,;:()/]*){1,4}$)")


def _split_tail_lines(lines: list[str]) -> list[str]:
    """Separate a signature title or signer name glued to a Nơi nhận line by a flattened PDF layout."""
    out: list[str] = []
    for line in lines:
        parts = _TAIL_SPLIT_RE.split(line)
        expanded: list[str] = []
        for p in parts:
            item = p.lstrip().startswith(("-", "+", "Nơi", "NƠI"))
            m = _TAIL_UPPER_END_RE.search(p) if item else None
            n = _TAIL_NAME_END_RE.search(p) if item and not m else None
            if m and is_upper_line(p[m.end():], 5):
                expanded.extend([p[: m.start()], p[m.end():]])
            elif n and fold(p[n.end():]).split()[0] in _FAMILY_NAMES:
                expanded.extend([p[: n.start()], p[n.end():]])
            else:
                expanded.append(p)
        out.extend(_split_glued_titles(expanded))
    return out


def _copies_to(lines: list[str]) -> list[str]:
    lines = _split_tail_lines(lines[:40])
    items: list[str] = []
    first = re.sub(r"^\s*(?:Nơi nhận|NƠI NHẬN)\s*:?\s*", "", lines[0], flags=re.IGNORECASE).strip()
    pending = [first] if first and not _is_title_line(first) else []
    for line in lines[1:]:
        s = line.strip()
        if not s or _is_title_line(s) or _SIGNED_MARK_RE.match(s):
            continue  # the signature may be interleaved with the list in a PDF text layer
        if re.match(r"^[\-+•–*]\s*", s):
            pending.append(s)
        elif pending and not pending[-1].rstrip().endswith((";", ".")):
            pending[-1] += " " + s
        else:
            break
    for p in pending:
        p = re.sub(r"^[\-+•–*\s]+", "", p)
        p = re.sub(r"[\s;,.]+$", "", p)
        f = fold(p)
        if not p or f.startswith(("nhu tren", "luu")):
            continue
        items.append(p)
    return items


# "(để biết)", "(để b/c)", "(để báo cáo)", "(để theo dõi)": a recipient that is only informed
_INFORMED_MARK_RE = _lazy_re("_INFORMED_MARK_RE", 
    r"\(\s*(?:để\s+)?(?:biết|b/c|báo\s+cáo|theo\s+dõi|giám\s+sát|tham\s+khảo)(?:\s+(?:và\s+)?(?:chỉ\s+đạo|theo\s+dõi))?\s*\)\s*[;,.]?\s*$",
    re.IGNORECASE,
)


def _expand_entries(entries: list[str], informed: list[str] | None = None) -> list[str]:
    """Recipient names of the Kính gửi entries; names marked "(để biết)" are also added to ``informed``."""
    names_: list[str] = []
    for e in entries:
        cleaned = _clean_recipient_entry(e)
        if not cleaned:
            continue
        only_informed = bool(_INFORMED_MARK_RE.search(e.strip()))
        for name in split_recipient(cleaned):
            name = _PERSON_TITLES_RE.sub("", name).strip(" ;,.")
            if name and name not in names_:
                names_.append(name)
                if only_informed and informed is not None:
                    informed.append(name)
    return names_


def parse_header(text: str) -> dict:
    """Return the header fields of one letter.

    Keys: number, doc_type, issuer, place, issued_on, subject, recipients, signer, signer_title,
    received, references, urgency, secrecy, copies_to (and symbol / date_text / recipients_cc
    when present). Unknown values are None (lists empty), never guessed.
    """
    header, _ = parse_letter(text)
    return header
