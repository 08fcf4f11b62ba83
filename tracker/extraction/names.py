"""Agency names: folding for comparison, abbreviations written out, canonical spelling, recognition in text.

Public functions:

- :func:`fold` -- lower case without diacritics, punctuation as spaces (the form names are compared in).
- :func:`normalize_text` -- NFC, one tone-mark convention ("Uỷ" -> "Ủy"), markdown marks removed.
- :func:`expand_abbreviations` -- "UBND" -> "Ủy ban nhân dân", "Sở LĐTBXH" -> "Sở Lao động - Thương binh và Xã hội".
- :func:`canonical_agency` -- a name as printed, written out in full, ALL-CAPS turned into proper case.
- :func:`match_agency_at` / :func:`parse_agency_list` / :func:`find_agencies` -- agencies in running text.
- :func:`split_agency_list` -- "Các Sở: Tư pháp, Nội vụ" -> ["Sở Tư pháp", "Sở Nội vụ"].
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from tracker.extraction import agency_lexicon as lex
from tracker.extraction._lazy import lazy_compiler
from tracker.text import fold_keep_length, fold_words


# patterns are compiled on first use (see _lazy.LazyPattern): importing this module stays cheap
_lazy_re = lazy_compiler(globals())


# -- character classes -----------------------------------------------------------------------------

# Upper-case Latin letters of Vietnamese text (Basic Latin, Latin-1, Latin Extended-A/B, Vietnamese block),
# written as ranges to keep the patterns small
_UPPER = sorted(
    chr(i) for r in ((0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00)) for i in range(*r) if chr(i).isupper()
)


def _char_ranges(chars: list[str]) -> str:
    out, i = [], 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        out.append(re.escape(chars[i]) if i == j else f"{re.escape(chars[i])}-{re.escape(chars[j])}")
        i = j + 1
    return "".join(out)


UP = f"[{_char_ranges(_UPPER)}]"
LETTER = r"[^\W\d_]"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
CAPWORD = rf"{UP}(?:{LETTER}|['’])*"


# -- folding and normalisation ----------------------------------------------------------------------


# folding lives in the shared text layer (tracker.text); these names are the reader's for it
fold = fold_words


def _longest_first(items) -> list:
    """Distinct items, longest first and alphabetical among equals: alternations built from them try the longer
    name first, and are the same regex in every process (set order depends on the hash seed)."""
    return sorted(set(items), key=lambda item: (-len(item), item))


_ALL_BODY_PHRASES = (
    list(lex.NAME_BODY_PHRASES)
    + [re.sub(r"[,\-]", " ", n).lower() for n in lex.DEPARTMENT_NAMES + lex.MINISTRY_NAMES]
    # the parts of department names: "Tài chính - Kế hoạch", "Văn hóa - Thông tin"
    + [part.lower() for n in lex.DEPARTMENT_NAMES + lex.MINISTRY_NAMES for part in re.split(r"\s+và\s+|\s*,\s*|\s+-\s+", n)]
)
# compared in lower case with their diacritics: folding would confuse "có" with "cổ", "vụ" with "vũ"
_BODY_WORDS = frozenset(w for p in _ALL_BODY_PHRASES for w in p.lower().split() if w != "và")
_BODY_PHRASES = tuple(_longest_first(tuple(p.lower().split()) for p in _ALL_BODY_PHRASES if p.strip()))

_OLD_STYLE = {}
for _base, _marked in (("a", "àáảãạ"), ("e", "èéẻẽẹ"), ("y", "ỳýỷỹỵ")):
    for _i, _m in enumerate(_marked):
        _first = "o" if _base in "ae" else "u"
        _new_first = "òóỏõọ"[_i] if _first == "o" else "ùúủũụ"[_i]
        _OLD_STYLE[_first + _m] = _new_first + _base
        _OLD_STYLE[_first.upper() + _m] = _new_first.upper() + _base
        _OLD_STYLE[_first.upper() + _m.upper()] = _new_first.upper() + _base.upper()
_OLD_STYLE_RE = _lazy_re("_OLD_STYLE_RE", 
    r"(?<![qQ])(" + "|".join(map(re.escape, sorted(_OLD_STYLE, key=len, reverse=True))) + r")" + _NOT_LETTER_AFTER
)


def normalize_text(text: str | None) -> str:
    """NFC text with one tone-mark style ("Uỷ" -> "Ủy", "hoà" -> "hòa"), markdown marks and odd spaces removed.

    Newlines are kept; runs of spaces and tabs become one space.
    """
    t = unicodedata.normalize("NFC", text or "")
    t = t.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    t = re.sub(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", t)
    t = _OLD_STYLE_RE.sub(lambda m: _OLD_STYLE[m.group(1)], t)
    t = re.sub(r"[ \t\f\v]+", " ", t)
    return t


# -- abbreviations ---------------------------------------------------------------------------------

_SEP = r"(?:\s*(?:&|và)\s*|[\s.\-&,]{0,3})"
_VA = r"(?:\s*(?:&|và|-|,)\s*|\s*)"


def _abbr(*groups: str) -> str:
    """A regex for an abbreviation printed as letter groups with optional separators ("TN&MT", "TN-MT")."""
    return _SEP.join(re.escape(g) for g in groups)


# (pattern, replacement); the order matters: longer, more specific forms first.
_ABBREVIATIONS: list[tuple[str, str]] = [
    (r"UBMTTQ\s*VN|UB\s*MTTQ\s*VN", "Ủy ban Mặt trận Tổ quốc Việt Nam"),
    (r"UBMTTQ|UB\s*MTTQ", "Ủy ban Mặt trận Tổ quốc"),
    (r"MTTQ\s*VN", "Mặt trận Tổ quốc Việt Nam"),
    (r"MTTQ", "Mặt trận Tổ quốc"),
    (r"U\s?BND", "Ủy ban nhân dân"),
    (r"UB\s+ND", "Ủy ban nhân dân"),
    (r"HĐND", "Hội đồng nhân dân"),
    (r"LĐ" + _SEP + r"T[ĐB]?" + _SEP + r"Đ?B" + _SEP + r"&?" + _SEP + r"XH", "Lao động - Thương binh và Xã hội"),
    (r"LĐ[\s\-,]{0,2}TB[\s&]{0,3}XH", "Lao động - Thương binh và Xã hội"),
    (r"Lao\s+động\s*-\s*TB\s*(?:&|và|-)\s*XH", "Lao động - Thương binh và Xã hội"),
    (r"TB\s*(?:&|và)\s*XH", "Thương binh và Xã hội"),
    (_abbr("KH", "ĐT") + "|" + _abbr("KHĐT"), "Kế hoạch và Đầu tư"),
    (_abbr("TN", "MT") + "|TNMT", "Tài nguyên và Môi trường"),
    (_abbr("NN", "PTNT") + "|NNPTNT", "Nông nghiệp và Phát triển nông thôn"),
    (r"NN\s*(?:&|và)\s*MT|NN-MT|NNMT", "Nông nghiệp và Môi trường"),
    # companies written with their legal form only ("CTCP ...", "Cty TNHH ...")
    (r"CTCP|C[Tt][Yy]\.?\s*CP", "Công ty cổ phần"),
    (r"C[Tt][Yy]\.?", "Công ty"),
    (r"(?<=Công\sty\s)CP", "cổ phần"),
    (r"TTYT", "Trung tâm Y tế"),
    (r"TTGDNN\s*-\s*GDTX", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên"),
    (r"TTGDTX", "Trung tâm Giáo dục thường xuyên"),
    (_abbr("GD", "ĐT") + "|GDĐT", "Giáo dục và Đào tạo"),
    (r"VH\s*[,\-]?\s*TT\s*[&,\-]?\s*DL|VHTTDL", "Văn hóa, Thể thao và Du lịch"),
    (r"TT\s*(?:&|và)\s*TT|TTTT|TT-TT", "Thông tin và Truyền thông"),
    (r"KH\s*(?:&|và)\s*CN|KHCN|KH-CN", "Khoa học và Công nghệ"),
    (r"GTVT|GT-VT", "Giao thông vận tải"),
    (r"DT\s*(?:&|và)\s*TG|DTTG", "Dân tộc và Tôn giáo"),
    (r"BHXH", "Bảo hiểm xã hội"),
    (r"KBNN", "Kho bạc Nhà nước"),
    (r"NHNN", "Ngân hàng Nhà nước"),
    (r"NHCSXH", "Ngân hàng Chính sách xã hội"),
    (r"BCH\s*QS|BCHQS", "Bộ Chỉ huy Quân sự"),
    (r"(?<=Bộ\s)CHQS|(?<=BỘ\s)CHQS", "Chỉ huy Quân sự"),
    (r"(?<=Ban\s)CHQS|(?<=BAN\s)CHQS", "Chỉ huy Quân sự"),
    (r"(?<=Bộ\s)CH\s*BĐBP", "Chỉ huy Bộ đội Biên phòng"),
    (r"BCH\s*BĐBP|BCHBĐBP", "Bộ Chỉ huy Bộ đội Biên phòng"),
    (r"BĐBP", "Bộ đội Biên phòng"),
    (r"BQLDA|BQL\s+DA", "Ban Quản lý dự án"),
    (r"QLDA", "quản lý dự án"),
    (r"BQL", "Ban Quản lý"),
    (r"BCĐ", "Ban Chỉ đạo"),
    (r"KKT", "Khu kinh tế"),
    (r"KCN", "Khu công nghiệp"),
    (r"CCN", "Cụm công nghiệp"),
    (r"VPCP", "Văn phòng Chính phủ"),
    (r"TTCP", "Thanh tra Chính phủ"),
    (r"LĐLĐ", "Liên đoàn Lao động"),
    (r"PT\s*(?:-|&|và)\s*TH|PTTH", "Phát thanh - Truyền hình"),
    (r"PTNT", "Phát triển nông thôn"),
    (r"TC\s*-\s*KH|TC\s*&\s*KH", "Tài chính - Kế hoạch"),
    (r"KT\s*-\s*HT|KT\s*&\s*HT", "Kinh tế - Hạ tầng"),
    (r"VH\s*-\s*TT|VH\s*&\s*TT", "Văn hóa - Thông tin"),
    (r"PTDTBT", "Phổ thông dân tộc bán trú"),
    (r"PTDTNT", "Phổ thông dân tộc nội trú"),
    (r"THPT", "trung học phổ thông"),
    (r"MN\s*-\s*MG", "mầm non - mẫu giáo"),
    (r"CL\s*-\s*NCL", "công lập - ngoài công lập"),
    (r"KCB|KBCB", "khám bệnh, chữa bệnh"),
    (r"BHYT", "bảo hiểm y tế"),
    (r"HQCK", "Hải quan cửa khẩu"),
    (r"THCS", "trung học cơ sở"),
    (r"GDNN\s*-\s*GDTX", "Giáo dục nghề nghiệp - Giáo dục thường xuyên"),
    (r"GDTX", "Giáo dục thường xuyên"),
    (r"GDNN", "Giáo dục nghề nghiệp"),
    (r"PCTT\s*(?:&|và)\s*TKCN", "Phòng chống thiên tai và Tìm kiếm cứu nạn"),
    (r"PCTT", "Phòng chống thiên tai"),
    (r"TKCN", "Tìm kiếm cứu nạn"),
    (r"ĐBQH", "đại biểu Quốc hội"),
    (r"TNCS\s*HCM", "Thanh niên Cộng sản Hồ Chí Minh"),
    (r"CNTT", "công nghệ thông tin"),
    (r"KT\s*-\s*XH", "kinh tế - xã hội"),
    (r"TW", "Trung ương"),
    (r"TP\.?\s*HCM", "Thành phố Hồ Chí Minh"),
    (r"HCM", "Hồ Chí Minh"),
    (r"VP", "Văn phòng"),
    (r"TX\.?", "thị xã"),
]

def _top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its "|" that are outside groups and classes."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _leading_literals(pattern: str) -> tuple[str, ...] | None:
    """The literal text each alternative of ``pattern`` starts with ("UBMTTQ\\s*VN|UB\\s*MTTQ" -> ("UBMTTQ", "UB")),
    or None when an alternative starts with something else (a class, a group, a look-around)."""
    literals = []
    for alternative in _top_level_alternatives(pattern):
        m = re.match(r"[A-ZĐ]+", alternative)
        if not m:
            return None
        literal = m.group(0)
        if re.match(r"[?*{]", alternative[m.end():]):
            literal = literal[:-1]  # "TX\\.?": the last letter is optional only if a quantifier follows it
        if not literal:
            return None
        literals.append(literal)
    return tuple(literals)


@functools.lru_cache(maxsize=1)
def _abbr_res() -> list[tuple[re.Pattern, str, tuple[str, ...] | None]]:
    """The abbreviation patterns, compiled on first use, with the literals one of which a match must start
    with; not inside a document symbol ("7569/UBND-KT")."""
    return [
        (re.compile(r"(?<![^\W\d_/])(?<![/\-])(?:" + p + ")" + r"(?![^\W\d_])(?!\s*[\-/]\s*[A-ZĐ]{2})"), r,
         _leading_literals(p))
        for p, r in _ABBREVIATIONS
    ]


# Short forms that mean something only after "Sở"/"Bộ" ("Sở TC", "Bộ CA"), or before a level word.
_AFTER_HEAD = {
    "TC": "Tài chính", "TP": "Tư pháp", "NV": "Nội vụ", "CT": "Công Thương", "XD": "Xây dựng",
    "YT": "Y tế", "QP": "Quốc phòng", "CA": "Công an", "NG": "Ngoại giao", "VH": "Văn hóa",
}
_AFTER_HEAD_RE = _lazy_re("_AFTER_HEAD_RE", r"(?<![^\W\d_])((?:Sở|SỞ|sở|Bộ|BỘ|bộ|Phòng|PHÒNG)\s+)(" + "|".join(_AFTER_HEAD) + r")" + _NOT_LETTER_AFTER)
# "Các Sở: XD, GTVT, NN&PTNT": short forms inside a list under one head
_HEAD_LIST_RE = _lazy_re("_HEAD_LIST_RE", r"(?i:(?<![^\W\d_])các\s+(?:sở|bộ|phòng)\s*:?\s*)([^;\n]{1,200})")
_SHORT_ITEM_RE = _lazy_re("_SHORT_ITEM_RE", r"(?<![^\W\d_])(" + "|".join(["TC", "TP", "NV", "CT", "XD", "YT", "QP", "CA", "NG"]) + r")(?=\s*(?:,|;|và|$|\)))")
_CITY_RE = _lazy_re("_CITY_RE", r"(?<![^\W\d_])(?:TP|Tp)\.?(?=\s*" + UP + r")")
_TOWN_RE = _lazy_re("_TOWN_RE", r"(?<![^\W\d_])(?:TT)\.(?=\s*" + UP + r")")
_POLICE_RE = _lazy_re("_POLICE_RE", r"(?<![^\W\d_])CA(?=\s+(?:tỉnh|TỈNH|huyện|HUYỆN|xã|XÃ|phường|thành phố|các|cấp)" + _NOT_LETTER_AFTER + ")")


_HAS_ABBREVIATION_RE = _lazy_re("_HAS_ABBREVIATION_RE", r"[A-ZĐ]{2}|(?<![^\W\d_])(?:TP|Tp|TT|TX|CA|Cty|CTy)(?![^\W\d_])")


def expand_abbreviations(text: str) -> str:
    """Write out the abbreviations of agency names ("UBND tỉnh" -> "Ủy ban nhân dân tỉnh").

    Tolerates OCR spaces and stray letters inside the common ones ("LĐT BXH", "LĐTĐBXH").
    """
    if not _HAS_ABBREVIATION_RE.search(text):
        return text
    if len(text) <= 200:
        return _expand_short(text)
    return _expand(text)


@functools.lru_cache(maxsize=8192)
def _expand_short(text: str) -> str:
    return _expand(text)


def _expand(text: str) -> str:
    t = _POLICE_RE.sub("Công an", text)
    t = _CITY_RE.sub("thành phố", t)
    t = _TOWN_RE.sub("thị trấn", t)
    for pattern, replacement, literals in _abbr_res():
        # a plain substring test first: most abbreviations do not occur in a given text
        if literals is None or any(lit in t for lit in literals):
            t = pattern.sub(replacement, t)
    t = _AFTER_HEAD_RE.sub(lambda m: m.group(1) + _AFTER_HEAD[m.group(2)], t)
    t = _HEAD_LIST_RE.sub(
        lambda m: m.group(0)[: m.start(1) - m.start(0)] + _SHORT_ITEM_RE.sub(lambda k: _AFTER_HEAD[k.group(1)], m.group(1)), t
    )
    return t


# -- proper case -----------------------------------------------------------------------------------

_ALWAYS_CAPITALISED = (
    "Việt Nam", "Trung ương", "Chính phủ", "Nhà nước", "Quốc hội", "Tổ quốc", "Hồ Chí Minh", "Thủ tướng",
    "Đảng", "Quân sự", "Biên phòng", "Công an", "Khu kinh tế", "Khu công nghiệp", "Cụm công nghiệp",
)


@functools.lru_cache(maxsize=1)
def _casing_regex() -> tuple[re.Pattern, dict[str, str]]:
    """One case-insensitive alternation of canonical spellings, longest first, and folded -> spelling."""
    names = set(lex.all_canonical_names())
    names |= {f"Bộ {m}" for m in lex.MINISTRY_NAMES} | set(lex.OPEN_HEADS) | set(_ALWAYS_CAPITALISED)
    names |= {"Ủy ban nhân dân", "Hội đồng nhân dân", "Ban Quản lý dự án", "Bộ Chỉ huy"}
    # sector names of two parts keep their spelling inside other names ("Phòng Lao động - Thương binh và Xã hội")
    names |= {n for n in lex.DEPARTMENT_NAMES + lex.MINISTRY_NAMES if len(n.split()) >= 4}
    ordered = _longest_first(names)
    pattern = re.compile(
        _NOT_LETTER_BEFORE + "(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered) + ")" + _NOT_LETTER_AFTER,
        re.IGNORECASE,
    )
    spelling = {}
    for n in ordered:
        spelling.setdefault(fold(n), n)
    return pattern, spelling


_LEVEL_CASE_RE = _lazy_re("_LEVEL_CASE_RE", 
    r"(?<![^\W\d_])(tỉnh|thành phố|huyện|quận|thị xã|xã(?!\s+hội(?![^\W\d_]))|phường|thị trấn|đặc khu)\s+"
    r"((?:(?!(?:và|các|của|trực|thuộc|về|cho|với)(?![^\W\d_]))" + LETTER + r"+(?:\s+|$)){1,4})"
)
# small words that stay in lower case inside a name; compared with their marks ("tài" is not "tại")
_LOWER_KEPT = frozenset({"và", "các", "của", "cho", "về", "với", "tại", "theo", "trong", "trên", "thuộc", "trực", "vùng"})
_ROMAN_AFTER_RE = _lazy_re("_ROMAN_AFTER_RE", r"(?<![^\W\d_])((?:khu vực|vùng|quân khu|số)\s+)([ivxlc]{1,5})(?![^\W\d_])")


@functools.lru_cache(maxsize=1)
def _case_vocabulary() -> tuple[frozenset, tuple, frozenset]:
    """Folded open heads, level words as word tuples (longest first), folded local heads."""
    open_heads = frozenset(fold(h) for h in lex.OPEN_HEADS)
    levels = tuple(_longest_first(tuple(x.lower().split()) for x in lex.LEVEL_WORDS))
    local_heads = frozenset(fold(h) for h in lex.LOCAL_HEADS)
    return open_heads, levels, local_heads


def _is_mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.75


def _level_at(tokens: list[tuple[int, int, str]], i: int, levels: tuple) -> int:
    """Number of tokens from ``i`` that spell an administrative level word ("thành phố" = 2), else 0."""
    low = tuple(x[2].lower() for x in tokens[i:i + 5])
    if low[:2] == ("xã", "hội"):
        return 0  # "Văn hóa - Xã hội"
    return next((len(lv) for lv in levels if low[:len(lv)] == lv), 0)


def proper_case(text: str) -> str:
    """Turn an ALL-CAPS agency name into its usual spelling ("SỞ CÔNG THƯƠNG" -> "Sở Công Thương").

    Known names and heads take their lexicon spelling; a bare head word inside a name is a common
    word ("CỤC Y TẾ DỰ PHÒNG" -> "Cục Y tế dự phòng"); after an open head, proper nouns are capitalised
    and each part after " - " starts with a capital ("Phòng Tài chính - Kế hoạch"); a level word stays
    in lower case and the place after it is capitalised ("thành phố Đà Nẵng"), as is a place right
    after a local body ("Tỉnh ủy Lào Cai").
    """
    pattern, spelling = _casing_regex()
    open_heads, levels, local_heads = _case_vocabulary()
    t = text.lower()
    pieces = []
    canonical_spans = []
    last = 0
    for m in pattern.finditer(t):
        word = spelling.get(fold(m.group(0)), m.group(0))
        if m.start() > 0 and fold(word) in open_heads and not re.search(r"-\s*$", t[:m.start()]):
            continue  # "dự phòng", "đoàn", "hội" inside a name are not heads
        pieces.append(t[last:m.start()])
        canonical_spans.append((m.start(), m.start() + len(word), word))
        pieces.append(word)
        last = m.end()
    pieces.append(t[last:])
    t = "".join(pieces)

    def place(m: re.Match) -> str:
        body = m.group(2)
        stripped = body.rstrip()
        words = stripped.split()
        return m.group(1) + " " + " ".join(w[:1].upper() + w[1:] for w in words) + body[len(stripped):]

    t = _LEVEL_CASE_RE.sub(place, t)
    t = _ROMAN_AFTER_RE.sub(lambda m: m.group(1) + m.group(2).upper(), t)
    first_name = fold(canonical_spans[0][2]) if canonical_spans and canonical_spans[0][0] == 0 else ""
    head_end = canonical_spans[0][1] if first_name else 0
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", t) if m.start() >= head_end]
    out = list(t)
    if first_name and any(first_name == h or first_name.startswith(h + " ") for h in open_heads):
        # after an open head ("Công ty", "Trung tâm") that starts the name: proper nouns follow, except
        # the common lower-case phrases of such names ("Công ty cổ phần Điện lực Lào Cai")
        covered = [(a, b) for a, b, _ in canonical_spans[1:]]
        i = 0
        first = True
        while i < len(tokens):
            a, b, w = tokens[i]
            if any(ca <= a < cb for ca, cb in covered) or not w[:1].isalpha():
                first = w == "-"  # "Phòng Tài chính - Kế hoạch": each part starts with a capital
                i += 1
                continue
            level = _level_at(tokens, i, levels)
            if level:
                i += level  # the place after a level word is capitalised already
                first = False
                continue
            folded = [x[2].lower() for x in tokens[i:i + 4]]
            phrase = next((p for p in _BODY_PHRASES if tuple(folded[: len(p)]) == p), None)
            if phrase and not first:
                i += len(phrase)
                continue
            if w.lower() in _LOWER_KEPT:
                pass
            elif first or w[:1].islower():
                out[a] = w[:1].upper()
            first = False
            i += len(phrase) if phrase else 1
    elif first_name in local_heads and 0 < len(tokens) <= 4 and all(
        x[2].isalpha() and x[2].lower() not in _LOWER_KEPT and x[2].lower() not in _BODY_WORDS for x in tokens
    ) and not _level_at(tokens, 0, levels):
        # a local body followed by its place only: "TỈNH ỦY LÀO CAI" -> "Tỉnh ủy Lào Cai"
        for a, _, w in tokens:
            out[a] = w[:1].upper()
    t = "".join(out)
    return t[:1].upper() + t[1:]


@functools.lru_cache(maxsize=8192)
def canonical_agency(text: str) -> str:
    """Return an agency name as printed but written out in full and in proper case.

    "Sở LĐTBXH" -> "Sở Lao động - Thương binh và Xã hội";
    "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" -> "Bộ Lao động - Thương binh và Xã hội";
    "UBND TỈNH THÁI NGUYÊN" -> "Ủy ban nhân dân tỉnh Thái Nguyên".
    """
    t = normalize_text(text).replace("\n", " ")
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"^[\-+•*–—\s]+", "", t)
    t = re.sub(r"[\s;,.:]+$", "", t).strip()
    upper = _is_mostly_upper(re.sub(_NOT_LETTER_BEFORE + r"[A-ZĐ&]{2,8}" + _NOT_LETTER_AFTER, "", t) or t) and _is_mostly_upper(t)
    t = expand_abbreviations(t)
    if upper:
        t = proper_case(t)
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s*-\s*", " - ", t) if " - " in t or re.search(r"\w -\w|\w- \w", t) else t
    if t[:1].islower():
        t = t[:1].upper() + t[1:]
    return t


# -- recognition in running text -------------------------------------------------------------------


@dataclass
class AgencyMatch:
    """An agency mention: the span in the text, the name(s) it stands for, and whether it is generic.

    ``names`` has several entries for a list under one head ("Các Sở: Tư pháp, Nội vụ").
    ``generic`` marks groups with no identity ("các cơ quan, đơn vị liên quan"): never a task.
    ``group`` marks a definite group named by its kind ("UBND các huyện, thành phố").
    """

    start: int
    end: int
    names: list[str]
    generic: bool = False
    group: bool = False
    kind: str = "agency"
    titled: bool = False
    extra: dict = field(default_factory=dict)


def _alt(words, flexible: bool = True) -> str:
    """A case-insensitive alternation of names, longest first, with flexible spaces and separators."""
    parts = []
    for w in _longest_first(words):
        p = re.escape(w)
        if flexible:
            p = p.replace(r"\ ", r"\s+").replace(r",\s+", r"\s*,\s*").replace(r"\s+\-\s+", r"\s*-\s*")
            p = p.replace(r"\-", r"\s*-\s*") if r"\s*-\s*" not in p else p
        parts.append(p)
    return "(?i:" + "|".join(parts) + ")"


_LEVEL = _alt(lex.LEVEL_WORDS)
_LEVEL_ANY = r"(?i:" + _LEVEL + r"|địa phương|cấp\s+(?:tỉnh|huyện|xã))"
_LEVEL_LIST = rf"{_LEVEL_ANY}(?:\s*,\s*{_LEVEL_ANY}|\s+(?i:và)\s+{_LEVEL_ANY})*"
_PLACE_WORD = rf"(?:{CAPWORD}|\d{{1,2}}{_NOT_LETTER_AFTER})"
PLACE = rf"{_PLACE_WORD}(?:[ \-]{_PLACE_WORD}){{0,4}}"
# a list of places ends where another agency starts ("UBND các thành phố: Hạ Long, Cẩm Phả và UBND các huyện: ...")
_NOT_AGENCY_NEXT = r"(?!(?i:ủy\s+ban|hội\s+đồng|sở|ban|phòng|công\s+an|trung\s+tâm|bộ|các)(?![^\W\d_]))"
_PLACE_LIST = rf"{PLACE}(?:\s*[,;]\s*{_NOT_AGENCY_NEXT}{PLACE}|\s+(?i:và)\s+{_NOT_AGENCY_NEXT}{PLACE})*"
_CONNECTOR_WORDS = {"và", "các", "của", "cho", "về", "với", "tại", "theo", "trong", "trên"}

_CENTRAL_CITIES = {"ha noi", "ho chi minh", "thanh pho ho chi minh", "hai phong", "da nang", "can tho", "hue"}

_UB = r"(?i:ủy\s+ban\s+nhân\s+dân|hội\s+đồng\s+nhân\s+dân)"
_QUALIFIER = (
    r"(?:\s+(?i:trực\s+thuộc\s+Trung\s+ương|thuộc\s+(?:Ủy ban nhân dân\s+)?(?:tỉnh|thành\s+phố|Trung\s+ương)"
    r"|trên\s+địa\s+bàn(?:\s+(?:tỉnh|thành\s+phố|huyện))?|(?:có\s+)?liên\s+quan|ven\s+biển|biên\s+giới|miền\s+núi"
    r"|vùng\s+[^\W\d_]+(?:\s+[^\W\d_]+)?)"
    rf"|\s+(?i:từ)\s+{PLACE}\s+(?i:đến)\s+{PLACE}"
    # "các xã có rừng", "các huyện có đường biên giới"; never "có trách nhiệm", "có nhiệm vụ" (the duty itself)
    r"|[ \t]+(?i:có)[ \t]+(?!liên|trách[ \t]+nhiệm|nhiệm[ \t]+vụ|ý[ \t]+kiến)(?:[a-zà-ỹđ]+)(?:[ \t]+(?!(?:và|thực|triển|tổ|báo|chủ|phối|khẩn|tập|rà|nghiên|tham|đẩy|hoàn)\b)[a-zà-ỹđ]+){0,5}"
    r")*"
)

# "UBND các huyện, thị xã", and with a count instead of "các": "UBND 28 tỉnh, thành phố trực thuộc Trung ương có biển"
_UBND_GROUP_RE = _lazy_re("_UBND_GROUP_RE", rf"{_UB}\s+(?P<count>(?i:các)|\d{{1,3}})\s+(?P<levels>{_LEVEL_LIST})(?P<qual>{_QUALIFIER})")
_UBND_LIST_TAIL_RE = _lazy_re("_UBND_LIST_TAIL_RE", rf"\s*:\s*(?P<places>{_PLACE_LIST})|\s+(?P<places2>{_PLACE_LIST})")
_UBND_BARE_LIST_RE = _lazy_re("_UBND_BARE_LIST_RE", rf"{_UB}\s+(?P<levels>{_LEVEL}\s*,\s*{_LEVEL_LIST})(?P<qual>{_QUALIFIER})")
_UBND_LEVEL_RE = _lazy_re("_UBND_LEVEL_RE", rf"{_UB}\s+(?i:cấp)\s+(?i:tỉnh|huyện|xã)")
_UBND_ONE_RE = _lazy_re("_UBND_ONE_RE", rf"{_UB}\s+(?P<level>{_LEVEL})(?:\s+(?P<place>{PLACE}))?")
_UBND_RE = _lazy_re("_UBND_RE", _UB)

_DEPT = _alt(lex.DEPARTMENT_NAMES)
_MIN = _alt(lex.MINISTRY_NAMES)
_LOC_SUFFIX = rf"(?:\s+(?i:các)\s+{_LEVEL_LIST}(?:\s+(?i:trực\s+thuộc\s+Trung\s+ương))?|\s+{_LEVEL}(?:\s+{PLACE})?|\s+(?i:khu\s+vực)\s+(?:[IVXLC]+|\d+){_NOT_LETTER_AFTER}(?:\s+{PLACE})?|\s+(?i:chi\s+nhánh)(?:\s+{_LEVEL})?\s+{PLACE}|\s+(?i:Việt\s+Nam))"
# suffixes are matched on their own after the head: one shared pattern keeps compilation short
_LOC_SUFFIX_RE = _lazy_re("_LOC_SUFFIX_RE", _LOC_SUFFIX)
_PLACE_SUFFIX_RE = _lazy_re("_PLACE_SUFFIX_RE", rf"\s+(?={UP}){PLACE}")
_SO_RE = _lazy_re("_SO_RE", rf"(?i:sở)\s+(?P<name>{_DEPT}){_NOT_LETTER_AFTER}")
_SO_LIST_RE = _lazy_re("_SO_LIST_RE", 
    rf"(?i:các\s+sở)\s*:?\s*(?P<items>{_DEPT}(?:(?:\s*[,;]\s*|\s+(?i:và)\s+){_DEPT})*){_NOT_LETTER_AFTER}"
)
_BO_RE = _lazy_re("_BO_RE", rf"(?i:bộ)\s+(?P<name>{_MIN}){_NOT_LETTER_AFTER}")
_BO_LIST_RE = _lazy_re("_BO_LIST_RE", 
    rf"(?i:các\s+bộ)\s*:?\s*(?P<items>{_MIN}(?:\s*[,;]\s*{_MIN}|\s+(?i:và)\s+{_MIN})*){_NOT_LETTER_AFTER}"
)
_CENTRAL_RE = _lazy_re("_CENTRAL_RE", _alt(lex.CENTRAL_AGENCIES) + _NOT_LETTER_AFTER)
_REQUIRES_SUFFIX = {"Công an", "Thanh tra", "Thuế", "Thống kê", "Báo", "Điện lực", "Viễn thông", "Bưu điện", "Hội đồng nhân dân", "Viettel", "VNPT", "MobiFone", "VinaPhone"}
_LOCAL_RE = _lazy_re("_LOCAL_RE", rf"(?P<head>{_alt(lex.LOCAL_HEADS)}){_NOT_LETTER_AFTER}")
_OPEN_RE = _lazy_re("_OPEN_RE", rf"(?P<head>{_alt(lex.OPEN_HEADS)}){_NOT_LETTER_AFTER}")
_OPEN_LIST_RE = _lazy_re("_OPEN_LIST_RE", rf"(?i:các)\s+(?P<head>{_alt(lex.OPEN_HEADS)})\s*:\s*")
_TITLE_RE = _lazy_re("_TITLE_RE", rf"(?:(?:Đ/c|đ/c|Đồng\s+chí|đồng\s+chí)\s+)?(?P<title>{_alt(lex.HEAD_TITLES)})(?:\s+(?i:các))?\s+(?=\S)")

_GROUP_NOUNS = _longest_first([*lex.DEFINITE_GROUP_NOUNS, *lex.GENERIC_GROUP_WORDS])
_GROUP_NOUN = _alt(_GROUP_NOUNS)
_ADMIN_NOUNS = {"bo", "so", "ban", "nganh", "co quan", "don vi", "dia phuong", "cap", "bo phan", "luc luong"}
_GROUP_RE = _lazy_re("_GROUP_RE", 
    rf"(?i:các)\s+(?P<nouns>{_GROUP_NOUN}(?:\s*,\s*(?i:các\s+)?{_GROUP_NOUN}(?:\s+(?i:ngang\s+bộ|thuộc\s+Chính\s+phủ|khác\s+ở\s+Trung\s+ương))?|\s+(?i:và)\s+(?i:các\s+)?{_GROUP_NOUN})*)"
    rf"{_NOT_LETTER_AFTER}"
    # "các trường hợp" are cases and "các hội nghị, hội thảo" meetings, not schools or associations
    r"(?!\s+(?i:hợp|nghị|thảo)(?![^\W\d_]))"
)
_GENERIC_BARE_RE = _lazy_re("_GENERIC_BARE_RE", 
    r"(?i:(?:(?:Hội|Ban\s+đại\s+diện)\s+cha\s+mẹ\s+học\s+sinh|chính\s+quyền|cơ\s+quan|đơn\s+vị|địa\s+phương|cơ\s+quan\s+chức\s+năng|lực\s+lượng\s+chức\s+năng|cấp\s+có\s+thẩm\s+quyền|cơ\s+quan\s+có\s+thẩm\s+quyền|người\s+đứng\s+đầu)"
    r"(?:\s*,\s*(?:cơ\s+quan|đơn\s+vị|địa\s+phương|tổ\s+chức|cá\s+nhân))*"
    r"(?:\s+(?:có\s+)?liên\s+quan|\s+địa\s+phương|\s+cơ\s+sở|\s+các\s+cấp|\s+chức\s+năng)?)" + _NOT_LETTER_AFTER
)
_SCOPE_RE = _lazy_re("_SCOPE_RE", 
    r"\s*(?i:thuộc\s+(?:Ủy ban nhân dân\s+)?(?:tỉnh|thành\s+phố|Chính\s+phủ|Trung\s+ương|huyện)|cấp\s+(?:tỉnh|huyện|xã)|của\s+tỉnh|trực\s+thuộc(?:\s+(?:tỉnh|Trung\s+ương))?|tỉnh|ngang\s+bộ|khác\s+ở\s+Trung\s+ương|trên\s+địa\s+bàn(?:\s+(?:tỉnh|thành\s+phố|huyện|xã|phường))?)"
    + _NOT_LETTER_AFTER + rf"(?:\s+(?={UP}){PLACE})?"
)
_LIEN_QUAN_RE = _lazy_re("_LIEN_QUAN_RE", r"\s*(?i:(?:có\s+)?liên\s+quan)" + _NOT_LETTER_AFTER)

# Words that open the action after an agency name: a qualifier or a name never runs into them.
_STOP_BIGRAMS = frozenset(
    " ".join(w.split())
    for w in """
    triển khai|thực hiện|tổ chức|báo cáo|chủ trì|phối hợp|khẩn trương|tập trung|rà soát|nghiên cứu|tham mưu|
    đẩy nhanh|đẩy mạnh|hoàn thành|hoàn thiện|kiểm tra|theo dõi|đôn đốc|hướng dẫn|tăng cường|bố trí|đề xuất|
    ban hành|giải quyết|xử lý|tuyên truyền|vận động|cập nhật|thống kê|tiếp tục|chỉ đạo|đảm bảo|bảo đảm|
    kịp thời|nghiêm túc|chịu trách|có trách|chủ động|khắc phục|phát hiện|ngăn chặn|thu hồi|cung cấp|tham gia|
    duy trì|căn cứ|thường xuyên|sẵn sàng|quan tâm|tích cực|phấn đấu|xây dựng kế|lập danh|rà soát|gửi báo|
    trình ủy|đăng ký|tổng hợp|huy động|nâng cao|sắp xếp|giám sát|hỗ trợ|thẩm định|phê duyệt|chuẩn bị|
    công bố|ứng phó|di dời|sơ tán|tiếp nhận|bàn giao|quyết liệt|theo chức|theo quy|có ý|đã có|không để
    """.split("|")
    if w.strip()
)
_STOP_WORDS = frozenset(
    "trình gửi lập mời cử và của theo tại để trong với như là sẽ đã đang được bị nếu khi cho về từ do qua nhằm phải cần".split()
)


def _is_stop(text: str, pos: int) -> bool:
    """Whether the words at ``pos`` open an action (a verb phrase) rather than continue a name."""
    m = re.match(r"\s*(" + LETTER + r"+)(?:\s+(" + LETTER + r"+))?", text[pos:])
    if not m:
        return True
    w1 = m.group(1).lower()
    w2 = (m.group(2) or "").lower()
    if f"{w1} {w2}" in _STOP_BIGRAMS or w1 in _STOP_WORDS:
        return True
    m3 = re.match(r"\s*" + LETTER + r"+\s+" + LETTER + r"+\s+(" + LETTER + r"+)", text[pos:])
    return bool(m3) and f"{w1} {w2} {m3.group(1).lower()}" in _STOP_BIGRAMS


_QUALIFIER_LEVELS_RE = _lazy_re("_QUALIFIER_LEVELS_RE", rf"\s*,\s*{_LEVEL_ANY}(?:\s*,\s*{_LEVEL_ANY}|\s+(?i:và)\s+{_LEVEL_ANY})*{_NOT_LETTER_AFTER}")


#: name phrases that hold a comma of their own ("khám bệnh, chữa bệnh"): a list never ends inside them
_COMMA_PHRASES = tuple((fold(p.split(",", 1)[0]), fold(p.split(",", 1)[1])) for p in lex.NAME_BODY_PHRASES if "," in p)


def _comma_inside_phrase(text: str, comma_at: int) -> bool:
    """Whether the comma after ``comma_at`` is part of a known name phrase rather than a list separator."""
    before = fold(text[max(0, comma_at - 30):comma_at])
    after = fold(text[comma_at:comma_at + 30])
    return any(before.endswith(head) and after.startswith(tail) for head, tail in _COMMA_PHRASES)


def _qualifier_end(text: str, pos: int, max_words: int = 11) -> int:
    """End of the lower-case qualifier after a group noun ("các chủ đầu tư hạ tầng cụm công nghiệp").

    A qualifier opened by "được"/"có" ("các tổ chức, cá nhân được cấp giấy phép thăm dò, khai thác
    khoáng sản") may contain a comma; others stop at punctuation.
    """
    end = pos
    words = 0
    opened_by = None
    while words < max_words:
        m = re.match(r"(\s*,\s*|\s+)(" + LETTER + r"+)", text[end:])
        if not m:
            break
        sep, word = m.group(1), m.group(2)
        low = word.lower()
        if "," in sep and opened_by is None and not _comma_inside_phrase(text, end):
            break
        if words == 0 and low in ("được", "có") and not re.match(r"\s*(?:liên\s+quan|trách\s+nhiệm|nhiệm\s+vụ)",
                                                                  text[end + m.end():]):
            opened_by = low
            end += m.end()
            words += 1
            continue
        if _is_stop(text, end + len(sep)) and not (opened_by and low in ("cấp", "khai", "thăm")):
            break
        if opened_by and low in ("có", "chịu", "phải", "thực", "triển", "chủ", "khẩn", "tổ"):
            break
        end += m.end()
        words += 1
    # "các Trung tâm Y tế huyện, thị xã, thành phố": the levels the group covers
    levels = _QUALIFIER_LEVELS_RE.match(text, end)
    if levels and words:
        end = levels.end()
    return end


def _clean_name(text: str) -> str:
    return canonical_agency(text)


def _make_ubnd_places(ub_word: str, levels_text: str, places_text: str) -> list[str]:
    levels = [lv.strip() for lv in re.split(r"\s*,\s*|\s+và\s+", levels_text) if lv.strip()]
    places = [p.strip() for p in re.split(r"\s*[,;]\s*|\s+(?i:và)\s+", places_text) if p.strip()]
    names = []
    for p in places:
        level = levels[0] if levels else ""
        if len(levels) > 1:
            fp = fold(p)
            city = next((lv for lv in levels if fold(lv).startswith("thanh pho")), None)
            province = next((lv for lv in levels if fold(lv) == "tinh"), None)
            if city and fp in _CENTRAL_CITIES:
                level = city
            elif province:
                level = province
        names.append(_clean_name(f"{ub_word} {level.lower()} {p}"))
    return names


def _match_ubnd(text: str, pos: int) -> AgencyMatch | None:
    m = _UBND_GROUP_RE.match(text, pos)
    if m:
        ub_word = "Hội đồng nhân dân" if fold(text[pos:pos + 3]) == "hoi" else "Ủy ban nhân dân"
        end = m.end()
        levels = m.group("levels")
        single_level = not re.search(r",|\svà\s", levels)
        if not m.group("qual").strip():
            tail = _UBND_LIST_TAIL_RE.match(text, end)
            if tail and (tail.group("places") or (single_level and tail.group("places2"))):
                places = tail.group("places") or tail.group("places2")
                names = _make_ubnd_places(ub_word, levels, places)
                return AgencyMatch(pos, tail.end(), names, kind="ubnd")
            if tail and tail.group("places2") and not single_level:
                # "UBND các huyện, thành phố Cà Mau": the group with the provincial city, as printed
                end = tail.end()
        # "UBND các xã, phường có liên quan" keeps its identity (the communes): not generic
        return AgencyMatch(pos, end, [_clean_name(text[pos:end])], group=True, kind="ubnd")
    m = _UBND_LEVEL_RE.match(text, pos)
    if m:
        return AgencyMatch(pos, m.end(), [_clean_name(text[pos:m.end()])], group=True, kind="ubnd")
    m = _UBND_BARE_LIST_RE.match(text, pos)
    if m:
        return AgencyMatch(pos, m.end(), [_clean_name(text[pos:m.end()])], group=True, kind="ubnd")
    m = _UBND_ONE_RE.match(text, pos)
    if m:
        return AgencyMatch(pos, m.end(), [_clean_name(text[pos:m.end()])], kind="ubnd")
    m = _UBND_RE.match(text, pos)
    if m:
        return AgencyMatch(pos, m.end(), [_clean_name(text[pos:m.end()])], kind="ubnd")
    return None


def _suffix_ok(head: str, suffix: str | None) -> bool:
    if suffix and suffix.strip():
        return True
    return head not in _REQUIRES_SUFFIX


def _match_fixed(text: str, pos: int) -> AgencyMatch | None:
    candidates: list[AgencyMatch] = []
    m = _SO_LIST_RE.match(text, pos)
    if m:
        items = re.findall(_DEPT, m.group("items"))
        sm = _LOC_SUFFIX_RE.match(text, m.end())
        suffix = sm.group(0) if sm else ""
        end = sm.end() if sm else m.end()
        names = [_clean_name(f"Sở {it}{suffix}") for it in items]
        candidates.append(AgencyMatch(pos, end, names, kind="department"))
    m = _SO_RE.match(text, pos)
    if m:
        sm = _LOC_SUFFIX_RE.match(text, m.end())
        end = sm.end() if sm else m.end()
        candidates.append(AgencyMatch(pos, end, [_clean_name(text[pos:end])], kind="department"))
    m = _BO_LIST_RE.match(text, pos)
    if m:
        items = re.findall(_MIN, m.group("items"))
        candidates.append(AgencyMatch(pos, m.end(), [_clean_name(f"Bộ {it}") for it in items], kind="ministry"))
    m = _BO_RE.match(text, pos)
    if m:
        candidates.append(AgencyMatch(pos, m.end(), [_clean_name(m.group(0))], kind="ministry"))
    m = _CENTRAL_RE.match(text, pos)
    if m:
        candidates.append(AgencyMatch(pos, m.end(), [_clean_name(m.group(0))], kind="central"))
    m = _LOCAL_RE.match(text, pos)
    if m:
        head = next((h for h in lex.LOCAL_HEADS if fold(h) == fold(m.group("head"))), m.group("head"))
        sm = _LOC_SUFFIX_RE.match(text, m.end()) or _PLACE_SUFFIX_RE.match(text, m.end())
        suffix = sm.group(0) if sm else None
        end = sm.end() if sm else m.end()
        if _suffix_ok(head, suffix) and text[pos].isupper():
            group = bool(suffix and re.match(r"\s+(?i:các)\s", suffix))
            candidates.append(AgencyMatch(pos, end, [_clean_name(text[pos:end])], kind="local", group=group))
    if not candidates:
        return _match_folded(text, pos)
    return max(candidates, key=lambda c: c.end)


def _folded_alt(names) -> str:
    parts = _longest_first(re.sub(r"\s+", " ", fold_keep_length(n).lower()) for n in names)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+").replace(",", ",?").replace(r"\-", r"\s*-?\s*") for p in parts)


# Names of departments and ministries with their marks lost or garbled by OCR ("So Tai chinh", "Sớ Y tế"):
# matched on the folded text, written in their lexicon spelling.
_FOLDED_SO_RE = _lazy_re("_FOLDED_SO_RE", r"so\s+(?P<name>" + _folded_alt(lex.DEPARTMENT_NAMES) + r")(?![a-z])")
_FOLDED_BO_RE = _lazy_re("_FOLDED_BO_RE", r"bo\s+(?P<name>" + _folded_alt(lex.MINISTRY_NAMES) + r")(?![a-z])")
_FOLDED_UB_RE = _lazy_re("_FOLDED_UB_RE", r"uy\s+ban\s+nhan\s+dan(?![a-z])")


@functools.lru_cache(maxsize=8)
def _folded_text(text: str) -> str:
    return fold_keep_length(text).lower()


def _match_folded(text: str, pos: int) -> AgencyMatch | None:
    if not text[pos:pos + 1].isalpha() or fold(text[pos:pos + 2]) not in ("so", "bo"):
        return None
    folded = _folded_text(text)
    for rx, names, word, kind in (
        (_FOLDED_SO_RE, lex.DEPARTMENT_NAMES, "Sở", "department"),
        (_FOLDED_BO_RE, lex.MINISTRY_NAMES, "Bộ", "ministry"),
    ):
        m = rx.match(folded, pos)
        if m:
            key = re.sub(r"[\s,\-]+", " ", m.group("name")).strip()
            name = next((n for n in names if re.sub(r"[\s,\-]+", " ", fold(n)).strip() == key), None)
            if name:
                return AgencyMatch(pos, m.end(), [f"{word} {name}"], kind=kind)
    return None


def _body_phrase_at(text: str, pos: int) -> int | None:
    """End of a common name phrase ("dự án đầu tư", "cổ phần") starting with the word after ``pos``."""
    words = list(re.finditer(r"\s+(" + LETTER + "+)", text[pos:pos + 80]))
    lowered = [w.group(1).lower() for w in words[:5]]
    # words must follow each other directly (no punctuation between)
    for phrase in _BODY_PHRASES:
        n = len(phrase)
        if n <= len(lowered) and tuple(lowered[:n]) == phrase and phrase != ("và",):
            if all(words[k].start() == words[k - 1].end() for k in range(1, n)):
                return pos + words[n - 1].end()
    return None


def _phrase_continuation(text: str, name_start: int, end: int) -> int:
    """End of a known name phrase that the words before ``end`` have started ("Giáo dục" + "thường xuyên")."""
    before = [w.lower() for w in re.findall(LETTER + "+", text[name_start:end])][-3:]
    after_m = list(re.finditer(r"\s+(" + LETTER + "+)", text[end:end + 60]))
    after = [m.group(1).lower() for m in after_m[:4]]
    best = end
    for phrase in _BODY_PHRASES:
        n = len(phrase)
        for k in range(1, min(n, len(before) + 1)):
            if tuple(before[-k:]) == phrase[:k] and tuple(after[: n - k]) == phrase[k:] and n - k >= 1:
                candidate = end + after_m[n - k - 1].end()
                if candidate > best:
                    best = candidate
    return best


_NAME_LEVEL_RE = _lazy_re("_NAME_LEVEL_RE", 
    r"\s+(?:" + _LEVEL + r"(?:\s+" + PLACE + r")?|(?i:các)\s+" + _LEVEL_LIST
    + r"(?:\s+(?i:trực\s+thuộc\s+Trung\s+ương))?)" + _NOT_LETTER_AFTER
)
_NAME_WORD_RE = _lazy_re("_NAME_WORD_RE", r"(\s+(?:và|&)\s+|\s*-\s*|\s+)(" + LETTER + r"[^\s,;:.()\"“”]*|\d+)")


# names whose official form has a comma: "Khám, chữa bệnh", "Phòng, chống ...", "Đầu tư, Thương mại và Du lịch"
_COMMA_IN_NAME_RE = _lazy_re("_COMMA_IN_NAME_RE", r"\s*,(?=\s*(?i:chữa\s+bệnh|chống|thương\s+mại(?:\s+và\s+du\s+lịch)?)(?![^\W\d_]))")
_COMMA_NAME_BEFORE_RE = _lazy_re("_COMMA_NAME_BEFORE_RE", r"(?i)(?:khám|phòng|đầu\s+tư)$")
_BRANCH_SUFFIX_RE = _lazy_re("_BRANCH_SUFFIX_RE", rf"\s+(?i:chi\s+nhánh)(?:\s+(?i:tỉnh|thành\s+phố|huyện|khu\s+vực))?\s+(?={UP}){PLACE}")
_ACTION_LIST_RE = _lazy_re("_ACTION_LIST_RE", r"\s*,\s*([a-zà-ỹđ]+)")
_NAME_GOES_ON_RE = _lazy_re("_NAME_GOES_ON_RE", r"\s*(?:$|[.;:)(]|\n)|\s+(?=" + UP + r"|\d)")


# name phrases that are also the verbs of actions ("xây dựng phương án", "tổng hợp số liệu")
_VERB_PHRASES = frozenset({
    ("xây", "dựng"), ("tổng", "hợp"), ("quản", "lý"), ("kiểm", "soát"), ("bảo", "vệ"), ("phát", "triển"),
    ("đăng", "ký"), ("khai", "thác"), ("giám", "sát"), ("hỗ", "trợ"), ("đầu", "tư"), ("tìm", "kiếm"),
    ("chăm", "sóc"), ("xúc", "tiến"), ("điều", "phối"), ("phòng", "chống"), ("kinh", "doanh"), ("chế", "biến"),
})


def _verb_phrase_at(text: str, pos: int) -> bool:
    """Whether the two words after ``pos`` are a name phrase that is also an action verb."""
    m = re.match(r"\s+(" + LETTER + r"+)\s+(" + LETTER + r"+)", text[pos:pos + 40])
    return bool(m) and (m.group(1).lower(), m.group(2).lower()) in _VERB_PHRASES


def _opens_action(text: str, phrase_end: int, limit: int) -> bool:
    """Whether the words after a verb-like name phrase make it the start of an action.

    A name goes on with a capitalised word, a level word ("tỉnh"), another name phrase ("cấp xã")
    or ends at punctuation; a lower-case word that is none of these, or a comma and another verb,
    is the object of an action.
    """
    listed = _ACTION_LIST_RE.match(text, phrase_end)
    if listed:
        return listed.group(1).lower() not in _BODY_WORDS
    if phrase_end >= limit or _NAME_GOES_ON_RE.match(text, phrase_end) or _NAME_LEVEL_RE.match(text, phrase_end):
        return False
    if _body_phrase_at(text, phrase_end):
        return False
    return bool(re.match(r"\s+[a-zà-ỹđ]", text[phrase_end:]))
_LEGAL_FORMS = frozenset({"TNHH", "MTV", "CP", "TMCP", "JSC", "HTX", "DNTN"})


def _open_name_end(text: str, pos: int, head_end: int, head: str) -> int:
    """End of a body name opened by an OPEN_HEAD: capitalised words, name-body words, level + place.

    Lower-case words are kept when they are common name words ("dự án đầu tư xây dựng") or when a
    capitalised word or a level word follows them shortly ("Khu di tích lịch sử Đền Hùng",
    "Văn phòng Điều phối nông thôn mới tỉnh"); "và"/"-" joins only capitalised parts that do not
    start another agency ("Phòng Nông nghiệp và Phát triển nông thôn").
    """
    end = head_end
    found_any = False
    ends_with_number = False
    capital_run = 0
    capital_run_before = 0
    line_end = text.find("\n", pos)
    limit = len(text) if line_end < 0 else line_end
    level_re = _NAME_LEVEL_RE
    word_re = _NAME_WORD_RE
    while end < limit:
        lm = level_re.match(text, end)
        if lm and lm.end() <= limit:
            end = lm.end()
            found_any = True
            break
        comma = _COMMA_IN_NAME_RE.match(text, end) if found_any else None
        if comma and comma.end() <= limit and _COMMA_NAME_BEFORE_RE.search(text[max(pos, end - 12):end]):
            end = comma.end()  # "Cục Quản lý Khám, chữa bệnh", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"
            continue
        m = word_re.match(text, end)
        if not m or m.end() > limit:
            break
        sep, word = m.group(1), m.group(2)
        joiner = "và" in sep or "&" in sep or "-" in sep
        if joiner:
            if not word[:1].isupper() and "và" in sep and _body_phrase_at(text, end + len(sep) - 1):
                # "dân dụng và công nghiệp": two name phrases joined
                end = _body_phrase_at(text, end + len(sep) - 1)
                continue
            if not word[:1].isupper() or _match_core(text, end + len(sep)) is not None:
                break
            end = m.end()
            found_any = True
            continue
        if word in _LEGAL_FORMS:
            # "Công ty TNHH MTV hạ tầng công nghiệp Bảo Hưng": the legal form is no proper name that
            # would close the name; the name's own words follow it
            end = m.end()
            found_any = True
            continue
        if word[:1].isupper() or word[:1].isdigit():
            other = _match_core(text, end + len(sep)) if found_any else None
            if other is not None and other.kind in ("ubnd", "department", "ministry"):
                break
            end = m.end()
            found_any = True
            capital_run += 1
            ends_with_number = word[:1].isdigit()
            continue
        if ends_with_number:
            break  # "Vùng Cảnh sát biển 4 tuần tra ...": a number closes the name
        fw = fold(word)
        branch = _BRANCH_SUFFIX_RE.match(text, end)
        if branch and branch.end() <= limit:
            end = branch.end()  # "Ngân hàng ... Việt Nam chi nhánh Lào Cai": the branch is part of the name
            found_any = True
            break
        if capital_run >= 2 and not lm:
            # a proper name ("... Gia Lai") closes the name: what follows in lower case is the action
            phrase_end = _phrase_continuation(text, pos, end)
            if phrase_end <= end:
                break
        capital_run_before = capital_run
        capital_run = 0
        if fw == "so" and re.match(r"\s+\d", text[m.end():]):
            end = m.end()
            continue
        phrase_end = _phrase_continuation(text, pos, end)
        if phrase_end > end:
            end = phrase_end
            found_any = True
            continue
        body_end = _body_phrase_at(text, end)
        if body_end and (_is_stop(text, end + len(sep)) or _verb_phrase_at(text, end)) and _opens_action(text, body_end, limit):
            # "Cục An toàn thông tin tổng hợp, phân tích số liệu", "Phòng Tài chính - Kế hoạch tổng hợp
            # dự toán": a phrase that is also a verb ("tổng hợp", "xây dựng") starts the action when
            # what follows cannot continue a name
            break
        if body_end:
            end = body_end
            found_any = True
            continue
        if _is_stop(text, end + len(sep)):
            break
        if capital_run_before == 1:
            # "Vụ Thị trường trong nước chủ trì": the rest of a one-word proper name, up to the action
            words = []
            for w in re.finditer(r"\s+[a-zà-ỹđ]+", text[end:min(limit, end + 60)]):
                if w.start() != (words[-1].end() if words else 0):
                    break  # only the words that follow each other from here
                words.append(w)
            run_end = None
            for k in range(min(3, len(words))):
                if _is_stop(text, end + words[k].start()) or words[k].group(0).strip() == "các":
                    break
                closes = (
                    _is_stop(text, end + words[k + 1].start()) if k + 1 < len(words)
                    else bool(re.match(r"\s*(?:[(,;:.]|$)", text[end + words[k].end():limit]))
                )
                if closes:
                    run_end = end + words[k].end()
                    break
            if run_end:
                end = run_end
                joined = re.match(r"\s+(?:và|&)\s+(?=" + UP + ")", text[end:limit])
                if joined and _match_core(text, end + joined.end()) is None:
                    continue  # "Trung tâm Nước sạch và Vệ sinh môi trường": two phrases of one name
                break
        # a short lower-case run is part of the name if a capitalised word or a level word closes it
        look = re.match(
            r"((?:\s+(?!các\s)[a-zà-ỹđ]+){1,4}?)(?=\s+(?:" + UP + r"|" + _LEVEL + _NOT_LETTER_AFTER + r")|\s*-\s*" + UP + ")",
            text[end:limit],
        )
        if look and not any(_is_stop(text, end + k.start()) for k in re.finditer(r"\s+", look.group(1))):
            end += look.end()
            continue
        break
    return end if found_any else head_end


def _match_open(text: str, pos: int) -> AgencyMatch | None:
    m = _OPEN_RE.match(text, pos)
    if not m or not text[pos].isupper():
        return None
    head = m.group("head")
    end = _open_name_end(text, pos, m.end(), head)
    if end == m.end():
        return None
    first_word = re.match(r"\s+(\S+)", text[m.end():end])
    single = len(head.split()) == 1 or fold(head) in ("van phong", "uy ban")
    if single and first_word and not (first_word.group(1)[:1].isupper() or first_word.group(1)[:1].isdigit()):
        return None
    name = text[pos:end]
    return AgencyMatch(pos, end, [_clean_name(name)], kind="open")


_LIST_HEAD_RE = _lazy_re("_LIST_HEAD_RE", 
    rf"(?i:các)\s+(?P<head>(?:{_alt(lex.OPEN_HEADS)})(?:\s+[^\s:;,.()]+){{0,6}}?|doanh\s+nghiệp|đơn\s+vị|cơ\s+quan|tổ\s+chức|địa\s+phương|nhà\s+mạng|ngân\s+hàng|"
    rf"trường|Trường|phòng|Phòng|ban|Ban|hội|Hội|đoàn\s+thể|cơ\s+sở)\s*:\s*"
)
_OPEN_HEAD_FOLDS = None


def _list_items(text: str, pos: int) -> tuple[list[str], int]:
    """Capitalised items separated by commas ("Vệ sinh dịch tễ Trung ương, Pasteur Thành phố Hồ Chí Minh").

    Lower-case words stay inside an item only when a capitalised word follows them before the next
    separator; the list ends at the first item that does not start with a capital.
    """
    items = []
    cur = pos
    end = pos
    while True:
        m = re.match(rf"({CAPWORD}|[A-ZĐ0-9][\w&.\-]*)", text[cur:])
        if not m:
            break
        item_end = cur + m.end()
        while True:
            nxt = re.match(rf"(\s+|\s*-\s*|\s+(?:và|&)\s+(?={UP}))({CAPWORD}|\d+|[A-ZĐ][\w&.\-]*)", text[item_end:])
            if nxt and not re.match(r"\s+và\s+", nxt.group(1)) and "\n" not in nxt.group(1):
                item_end += nxt.end()
                continue
            look = re.match(rf"((?:\s+[a-zà-ỹđ]+){{1,4}}?)\s+(?={UP})", text[item_end:])
            if look and not _is_stop(text, item_end) and "\n" not in look.group(0):
                item_end += len(look.group(1))
                continue
            tail = re.match(r"((?:\s+[a-zà-ỹđ]+){1,2})(?=\s*(?:[,;.]|$|\n))", text[item_end:])
            if tail and not _is_stop(text, item_end):
                item_end += len(tail.group(1))
            break
        items.append(text[cur:item_end])
        end = item_end
        sep = re.match(r"\s*[,;]\s*|\s+và\s+", text[end:])
        if not sep or "\n" in sep.group(0):
            break
        cur = end + sep.end()
    return items, end


def _match_open_list(text: str, pos: int) -> AgencyMatch | None:
    """A list under one head: "các Viện: A, B" -> "Viện A", "Viện B"; "các doanh nghiệp: A, B" -> "A", "B"."""
    m = _LIST_HEAD_RE.match(text, pos)
    if not m:
        return None
    head = m.group("head")
    items, end = _list_items(text, m.end())
    if not items:
        return None
    open_heads = {fold(h) for h in lex.OPEN_HEADS}
    # "các Viện: A, B" and "các Ban Quản lý Khu bảo tồn thiên nhiên: A, B" (a head with its name body)
    head_is_open = any(fold(head) == h or fold(head).startswith(h + " ") for h in open_heads)
    names = []
    for it in items:
        if head_is_open and not fold(it).startswith(fold(head)):
            names.append(_clean_name(f"{head[:1].upper() + head[1:]} {it}"))
        else:
            sub = _match_core(it, 0)
            names.append(_clean_name(it) if sub is None or sub.end < len(it) else sub.names[0])
    return AgencyMatch(pos, end, names, kind="open")


def _match_group(text: str, pos: int) -> AgencyMatch | None:
    m = _GROUP_RE.match(text, pos)
    if m:
        nouns = [fold(n) for n in re.split(r"\s*,\s*|\s+và\s+", m.group("nouns")) if n.strip()]
        nouns = [re.sub(r"^cac ", "", n) for n in nouns]
        end = m.end()
        if _LIEN_QUAN_RE.match(text, end):
            end = _LIEN_QUAN_RE.match(text, end).end()
            return AgencyMatch(pos, end, [_clean_name(text[pos:end])], generic=True, group=True, kind="group")
        # "và địa phương liên quan" closing the list
        tail = re.match(r"\s+(?i:và|,)\s*(?:các\s+)?(?i:địa\s+phương|đơn\s+vị|cơ\s+quan)(?:\s+(?:có\s+)?liên\s+quan)?" + _NOT_LETTER_AFTER, text[end:])
        if tail:
            end += tail.end()
            return AgencyMatch(pos, end, [_clean_name(text[pos:end])], generic=True, group=True, kind="group")
        scope = _SCOPE_RE.match(text, end)
        admin_only = all(n in _ADMIN_NOUNS or n.startswith("co quan") or n in ("to chuc", "ca nhan") for n in nouns)
        generic_words = {fold(w) for w in lex.GENERIC_GROUP_WORDS}
        if scope:
            end = scope.end()
            return AgencyMatch(pos, end, [_clean_name(text[pos:end])], group=True, kind="group")
        central = any(n.startswith("co quan ngang") or "chinh phu" in n or "trung uong" in n for n in nouns)
        if all(n in generic_words for n in nouns) and not central:
            qend = _qualifier_end(text, end)
            if qend > end and re.match(r"\s+(?:được|có)\s", text[end:]) and not _LIEN_QUAN_RE.match(text, qend):
                return AgencyMatch(pos, qend, [_clean_name(text[pos:qend])], group=True, kind="group")
            return AgencyMatch(pos, end, [_clean_name(text[pos:end])], generic=True, group=True, kind="group")
        if admin_only:
            # a kind mixed with "địa phương", "cơ quan", "đơn vị" has no identity ("các bộ, ngành, địa
            # phương"); "các sở, ban, ngành" or the central bodies ("các Bộ, cơ quan ngang Bộ") do
            vague = any(n in ("dia phuong", "co quan", "don vi", "cap", "luc luong", "bo phan", "to chuc", "ca nhan") for n in nouns)
            # bare "các sở, ban, ngành" in a list of named bodies names nobody; "các sở, ban, ngành tỉnh" does
            bare = _qualifier_end(text, end) == end and re.match(r"\s*[;,]\s*\S", text[end:]) is not None
            return AgencyMatch(pos, end, [_clean_name(text[pos:end])], generic=(vague or bare) and not central,
                               group=True, kind="group")
        qend = _qualifier_end(text, end)
        if _LIEN_QUAN_RE.match(text, qend):
            qend = _LIEN_QUAN_RE.match(text, qend).end()
            return AgencyMatch(pos, qend, [_clean_name(text[pos:qend])], generic=True, group=True, kind="group")
        name = text[pos:qend]
        if re.search(r"(?i)liên\s+quan", name):
            return AgencyMatch(pos, qend, [_clean_name(name)], generic=True, group=True, kind="group")
        return AgencyMatch(pos, qend, [_clean_name(name)], group=True, kind="group")
    m = _GENERIC_BARE_RE.match(text, pos)
    if m:
        return AgencyMatch(pos, m.end(), [_clean_name(m.group(0))], generic=True, group=True, kind="group")
    return None


def _match_core(text: str, pos: int) -> AgencyMatch | None:
    """The longest agency mention starting exactly at ``pos`` (no person title)."""
    candidates = []
    for matcher in (_match_ubnd, _match_fixed, _match_open_list, _match_group, _match_open):
        found = matcher(text, pos)
        if found:
            candidates.append(found)
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.end, not c.generic))
    # a following parenthesis that only annotates the name ("(CCN Thống Nhất 1)") is skipped by callers
    return best


@functools.lru_cache(maxsize=4096)
def _match_cached(text: str, pos: int) -> AgencyMatch | None:
    if pos >= len(text) or not text[pos].isalpha():
        return None
    m = _TITLE_RE.match(text, pos)
    if m:
        # the agency after the title; "Thủ trưởng các sở, ban, ngành": with its "các" when that reads longer
        candidates = [_match_core(text, m.end())]
        back = text.rfind("các", m.start(), m.end())
        if back >= 0:
            candidates.append(_match_core(text, back))
        head = re.search(r"(?i)(?<=\s)(?:ban|phòng)\s*$", m.group("title"))
        if head:
            # "Trưởng Ban Quản lý các khu công nghiệp": the title's last word opens the agency's name
            candidates.append(_match_core(text, m.start("title") + head.start()))
        found = [c for c in candidates if c is not None]
        if found:
            inner = max(found, key=lambda c: (c.end, -c.start))
            return AgencyMatch(pos, inner.end, inner.names, inner.generic, inner.group, inner.kind, True, inner.extra)
    return _match_core(text, pos)


def match_agency_at(text: str, pos: int) -> AgencyMatch | None:
    """The agency mentioned at ``pos`` in ``text`` (already normalised and expanded), or None.

    A person's title stands for the agency ("Chủ tịch Ủy ban nhân dân các xã" -> "Ủy ban nhân dân các xã").
    """
    return _match_cached(text, pos)


_LIST_SEP_RE = _lazy_re("_LIST_SEP_RE", r"\s*[,;]\s*(?:và\s+|cùng\s+)?|\s+(?:và|cùng|với)\s+|\s*/\s*")
_PAREN_RE = _lazy_re("_PAREN_RE", r"\s*\([^()\n]{0,120}\)")


def parse_agency_list(text: str, pos: int) -> tuple[list[AgencyMatch], int]:
    """Agencies listed from ``pos`` ("Sở Tài chính, Sở Xây dựng và các đơn vị liên quan").

    Returns the matches in order (generic ones included, flagged) and the end of the list.
    """
    items: list[AgencyMatch] = []
    cur = pos
    while cur < len(text) and text[cur] == " ":
        cur += 1
    end = cur
    while True:
        m = match_agency_at(text, cur)
        if m is None:
            break
        items.append(m)
        end = m.end
        paren = _PAREN_RE.match(text, end)
        if paren:
            end = paren.end()
        sep = _LIST_SEP_RE.match(text, end)
        if not sep:
            break
        nxt = sep.end()
        if match_agency_at(text, nxt) is None:
            break
        cur = nxt
    return items, end


def find_agencies(text: str) -> list[AgencyMatch]:
    """Every agency mention in ``text`` (normalised and expanded), left to right, non-overlapping."""
    found = []
    pos = 0
    n = len(text)
    starts = re.finditer(r"(?<![^\W\d_])" + LETTER, text)
    for s in starts:
        p = s.start()
        if p < pos:
            continue
        m = match_agency_at(text, p)
        if m:
            found.append(m)
            pos = m.end
    return found


def split_agency_list(text: str) -> list[str]:
    """Names in a recipients-style entry: "Các Sở: Tư pháp, Nội vụ" -> ["Sở Tư pháp", "Sở Nội vụ"].

    Groups such as "UBND các huyện, thành phố" are kept whole; unknown text is returned as printed.
    """
    t = expand_abbreviations(normalize_text(text)).strip()
    t = re.sub(r"^[\-+•*–\s]+", "", t)
    t = re.sub(r"[\s;,.]+$", "", t)
    if not t:
        return []
    items, end = parse_agency_list(t, 0)
    rest = t[end:].strip(" ;,.")
    names = [n for it in items for n in it.names]
    if not items or (rest and not re.match(r"^\(.*\)$", rest)):
        return [canonical_agency(t)]
    return names


def same_agency(a: str, b: str) -> bool:
    """Whether two names denote the same agency, tolerant of abbreviations and OCR noise."""
    fa, fb = fold(expand_abbreviations(a)), fold(expand_abbreviations(b))
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    if _different_tails(fa, fb):
        return False
    return fuzz.ratio(fa, fb) >= 92 or (fuzz.token_set_ratio(fa, fb) >= 95 and fuzz.ratio(fa, fb) >= 80)


def _different_tails(fa: str, fb: str) -> bool:
    """Two names that share their words but for the ones that tell them apart ("... huyện Hàm Thuận Nam" and
    "... huyện Hàm Thuận Bắc", "... huyện Trấn Yên" and "... huyện Văn Yên"): not one agency misread."""
    wa, wb = fa.split(), fb.split()
    start = 0
    while start < min(len(wa), len(wb)) and wa[start] == wb[start]:
        start += 1
    stop = 0
    while stop < min(len(wa), len(wb)) - start and wa[-1 - stop] == wb[-1 - stop]:
        stop += 1
    rest_a, rest_b = " ".join(wa[start:len(wa) - stop]), " ".join(wb[start:len(wb) - stop])
    return bool(rest_a and rest_b) and fuzz.ratio(rest_a, rest_b) < 75
