"""Names of Vietnam's provinces and centrally-run cities, to repair a place misread by OCR or a web copy.

The list holds the 63 units of 2008-2025 (the 34 of the 2025 reorganisation keep names among them), so letters
of any year find their province. A name is repaired only when it is close to exactly one known name.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from tracker.extraction.text import fold

PROVINCES: tuple[str, ...] = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
CITIES: tuple[str, ...] = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")

_BY_FOLD = {fold(name): name for name in PROVINCES + CITIES}
_LEVEL_AT_END_RE = re.compile(r"(?i)(?<![^\W\d_])(t[iỉĩíìị]nh|th[aà]nh\s+ph[oốồổỗộ])\s+(?P<name>[^\W\d_][^\W\d_ ]*(?:\s+[^\W\d_]+){0,3})\s*$")


def known_place(name: str, *, min_score: float = 80.0) -> str | None:
    """The province or city ``name`` stands for, spelled right ("Quang Ngaài" -> "Quảng Ngãi"), or None when it
    is not close to exactly one known name."""
    folded = fold(name)
    if folded in _BY_FOLD:
        return _BY_FOLD[folded]
    found = process.extract(folded, list(_BY_FOLD), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < min_score:
        return None
    if len(found) > 1 and found[1][1] >= found[0][1] - 5:
        return None  # two provinces are as close ("Hà Nam" / "Hà Giang"): do not guess
    return _BY_FOLD[found[0][0]]


def repair_province_suffix(issuer: str) -> str:
    """An issuer ending in a misread province ("Ủy ban nhân dân Tinh Quang Ngaài") with the level and the name
    spelled right ("Ủy ban nhân dân tỉnh Quảng Ngãi"); unchanged when the name is not a known province."""
    m = _LEVEL_AT_END_RE.search(issuer)
    if not m or not m.group("name")[:1].isupper():
        return issuer  # "Tỉnh ủy Lào Cai" is the party committee, not a place after "tỉnh"
    place = known_place(m.group("name"))
    if place is None:
        return issuer
    level = "tỉnh" if fold(m.group(1)) == "tinh" else "thành phố"
    if level == "tỉnh" and place in CITIES or level == "thành phố" and place in PROVINCES:
        return issuer
    return issuer[: m.start()] + f"{level} {place}"
