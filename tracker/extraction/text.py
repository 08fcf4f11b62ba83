"""Normalisation of letter text: Unicode, legacy fonts, OCR and web-copy artefacts.

Everything the other extraction modules read goes through :func:`normalize` first, so
that they can rely on NFC text with one spelling of the tone marks, plain spaces and
hyphens, no markdown marks, and header tables turned into lines.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from tracker.extraction._lazy import lazy_compiler
from tracker.text import fold_keep_length

# patterns are compiled on first use (see _lazy.LazyPattern): importing this module stays cheap
_lazy_re = lazy_compiler(globals())

# ---------------------------------------------------------------------------
# Legacy 8-bit Vietnamese encodings.
#
# Text typed with the old .VnTime (TCVN3 / ABC) or VNI-Times fonts reaches us as the
# Windows-1252 / Latin-1 reading of its bytes, e.g. "Céng hoµ x· héi chñ nghÜa ViÖt Nam"
# (TCVN3) or "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam" (VNI).
# ---------------------------------------------------------------------------

# TCVN 5712:1993 VN3 ("ABC"): one byte per precomposed lower-case letter; the upper-case
# letters with a tone mark do not exist (the .VnTimeH font draws the same codes in capitals).
_TCVN3_PAIRS = (
    "¸á µà ¶ả ·ã ¹ạ "
    "¨ă ¾ắ »ằ ¼ẳ ½ẵ Æặ "
    "©â Êấ Çầ Èẩ Éẫ Ëậ "
    "®đ "
    "Ðé Ìè Îẻ Ïẽ Ñẹ "
    "ªê Õế Òề Óể Ôễ Öệ "
    "Ýí ×ì Øỉ Üĩ Þị "
    "ãó ßò áỏ âõ äọ "
    "«ô èố åồ æổ çỗ éộ "
    "¬ơ íớ êờ ëở ìỡ îợ "
    "óú ïù ñủ òũ ôụ "
    "\u00adư øứ õừ öử ÷ữ ùự "
    "ýý úỳ ûỷ üỹ þỵ "
    "¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ"
)
TCVN3_TO_UNICODE: dict[str, str] = {pair[0]: pair[1] for pair in _TCVN3_PAIRS.split()}
TCVN3_TO_UNICODE["\u00ad"] = "ư"  # the soft hyphen code is the letter ư in TCVN3

# Characters that occur in TCVN3 text but never in Vietnamese Unicode text.
_TCVN3_MARKERS = frozenset("¸µ¶·¹¨¾»¼½Æ©ÇË®ÐÎÏÑªÖÞ×ØÜßä«åæç¬îïñ\u00adøö÷þ¡¢£¤¥¦§ëü")

# VNI-Windows: a base letter followed by one or two modifier characters.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT_TONES = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE_TONES = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ", "ô": "ơ", "ö": "ư",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ", "Ñ": "Đ", "Ô": "Ơ", "Ö": "Ư",
}


def _build_vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for lower in (False, True):
        def cased(s: str) -> str:
            return s.lower() if lower else s.upper()

        for base in "AEOUY":
            for mod, mark in _VNI_TONES.items():
                table[cased(base) + cased(mod)] = unicodedata.normalize("NFC", cased(base) + mark)
        for base in "AEO":
            for mod, mark in _VNI_HAT_TONES.items():
                table[cased(base) + cased(mod)] = unicodedata.normalize("NFC", cased(base) + "\u0302" + mark)
        for mod, mark in _VNI_BREVE_TONES.items():
            table[cased("A") + cased(mod)] = unicodedata.normalize("NFC", cased("A") + "\u0306" + mark)
        # horn letters ơ/ư are single characters, their tone follows
        for horn_src, horn in (("Ô", "Ơ"), ("Ö", "Ư")):
            for mod, mark in _VNI_TONES.items():
                table[cased(horn_src) + cased(mod)] = unicodedata.normalize("NFC", cased(horn) + mark)
    return table


_VNI_PAIRS = _build_vni_table()
_VNI_ALL = {**_VNI_SINGLE, **_VNI_PAIRS}
# One pass, pairs first: a converted letter must never be read again as a VNI code.
_VNI_RE = _lazy_re("_VNI_RE", "|".join(sorted(map(re.escape, _VNI_ALL), key=len, reverse=True)))
# Sequences that only VNI produces: a vowel followed by a character Vietnamese never uses.
_VNI_MARKER_RE = _lazy_re("_VNI_MARKER_RE", "[aeouyAEOUYôöÔÖ][øùûõïäåëüØÙÛÕÏÄÅËÜ]")

# Letters that only Unicode Vietnamese has (outside Latin-1): their presence means the
# line is already Unicode and must not be touched.
_UNICODE_VIET_RE = _lazy_re("_UNICODE_VIET_RE", "[ăđĩũơưĂĐĨŨƠƯ\u1ea0-\u1ef9]")


def tcvn3_to_unicode(text: str) -> str:
    """Convert a string typed in a TCVN3 (.VnTime, ABC) font to Unicode."""
    return "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)


def vni_to_unicode(text: str) -> str:
    """Convert a string typed in a VNI-Windows font to Unicode."""
    return _VNI_RE.sub(lambda m: _VNI_ALL[m.group(0)], text)


def detect_legacy_encoding(text: str) -> str | None:
    """Return "tcvn3" or "vni" when the text is in a legacy font encoding, else None.

    Ordinary Unicode Vietnamese is never reported: it contains letters (ơ, ư, ạ, ế...)
    that no legacy encoding produces, and hardly any of the marker characters.
    """
    if not text:
        return None
    unicode_letters = len(_UNICODE_VIET_RE.findall(text))
    vni = len(_VNI_MARKER_RE.findall(text))
    tcvn = sum(1 for ch in text if ch in _TCVN3_MARKERS)
    best = max(vni, tcvn)
    letters = sum(1 for ch in text if ch.isalpha())
    # legacy Vietnamese is dense in marker characters; a few "ï" or "ä" in a foreign word are not
    if best < 3 or best < 2 * unicode_letters or best < 0.03 * letters:
        return None
    # VNI text also contains TCVN3 marker letters (ä, ë, ï...), but TCVN3 text rarely has
    # vowel+modifier pairs in the proportion VNI does.
    if vni >= 0.6 * tcvn and vni >= 3:
        return "vni"
    return "tcvn3"


def _convert_legacy_lines(text: str, encoding: str) -> str:
    out = []
    for line in text.split("\n"):
        if _UNICODE_VIET_RE.search(line) and len(_UNICODE_VIET_RE.findall(line)) * 2 > sum(
            1 for ch in line if ch in _TCVN3_MARKERS
        ):
            out.append(line)  # a Unicode line inside a mostly legacy document
        elif encoding == "tcvn3":
            out.append(_convert_tcvn3_line(line))
        else:
            out.append(vni_to_unicode(line))
    return "\n".join(out)


_WORD_RE = _lazy_re("_WORD_RE", r"\S+")


def _convert_tcvn3_line(line: str) -> str:
    """Convert one TCVN3 line; words typed for the capitals font (.VnTimeH) become capitals.

    TCVN3 has no code for a capital letter with a tone mark, so "CéNG HOµ" is how
    "CỘNG HÒA" is stored: a word without lower-case ASCII letters is upper case.
    """
    words = _WORD_RE.findall(line)
    plain = [w for w in words if not any(c.isdigit() or c == "/" for c in w) and any("a" <= c.lower() <= "z" for c in w)]
    capital_words = [w for w in plain if not any("a" <= c <= "z" for c in w)]
    line_upper = len(plain) >= 2 and len(capital_words) >= 0.8 * len(plain)

    def convert_word(match: re.Match) -> str:
        word = match.group(0)
        converted = tcvn3_to_unicode(word)
        if converted == word:
            return word
        uppers = sum(1 for c in word if "A" <= c <= "Z")
        lowers = sum(1 for c in word if "a" <= c <= "z")
        if lowers == 0 and (uppers >= 2 or (uppers == 1 and line_upper)):
            return converted.upper()
        return converted

    return _WORD_RE.sub(convert_word, line)


def convert_legacy(text: str) -> str:
    """Convert TCVN3 or VNI text (as decoded with Latin-1/Windows-1252) to Unicode; other text unchanged."""
    encoding = detect_legacy_encoding(text)
    if encoding is None:
        return text
    return _convert_legacy_lines(text, encoding)


# ---------------------------------------------------------------------------
# Folding (for matching): same length as the input, so positions found in the folded
# text can be used to slice the original.
# ---------------------------------------------------------------------------

# folding lives in the shared text layer (tracker.text): here, the length-keeping form the header reader uses
fold = fold_keep_length


# ---------------------------------------------------------------------------
# Tone-mark placement: "hoà/hòa", "uỷ/ủy", "khoẻ/khỏe". The canonical form puts the
# tone on the first vowel of a closing "oa", "oe", "uy" ("hóa", "Ủy", "thủy", "khỏe").
# ---------------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_OA_RE = _lazy_re("_OA_RE", 
    r"([oO])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ])(?![^\W\d_])"
    r"|(?<![qQ])([uU])([ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])"
)


def _move_tone(match: re.Match) -> str:
    first = match.group(1) or match.group(3)
    second = match.group(2) or match.group(4)
    decomposed = unicodedata.normalize("NFD", second)
    tone = "".join(c for c in decomposed if c in _TONE_MARKS)
    bare = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", first + tone) + unicodedata.normalize("NFC", bare)


def unify_tone_marks(text: str) -> str:
    """Put tone marks of closing oa/oe/uy on the first vowel: "Uỷ" -> "Ủy", "hoá" -> "hóa"."""
    return _OA_RE.sub(_move_tone, text)


# ---------------------------------------------------------------------------
# OCR and web artefacts
# ---------------------------------------------------------------------------

# Abbreviations that OCR breaks with a space ("LĐT BXH") or doubles a letter in ("LĐTĐBXH").
KNOWN_ABBREVIATIONS = (
    "LĐTBXH", "BLĐTBXH", "BHXH", "KHĐT", "BKHĐT", "GDĐT", "BGDĐT", "TNMT", "BTNMT", "NNPTNT",
    "BNNPTNT", "GTVT", "BGTVT", "VHTTDL", "BVHTTDL", "KHCN", "BKHCN", "UBND", "HĐND", "MTTQ",
    "BTTTT", "VPCP", "NNMT", "VHXH", "KGVX", "QLDA",
)


def _abbreviation_variants() -> dict[str, str]:
    variants: dict[str, str] = {}
    known = set(KNOWN_ABBREVIATIONS)
    for abbr in KNOWN_ABBREVIATIONS:
        if len(abbr) < 5:
            continue
        for i in range(1, len(abbr)):
            for letter in set(abbr):
                variant = abbr[:i] + letter + abbr[i:]
                if variant not in known and variant != abbr:
                    variants.setdefault(variant, abbr)
    return variants


_ABBR_DOUBLED = _abbreviation_variants()
_ABBR_SPLIT_RE = _lazy_re("_ABBR_SPLIT_RE", 
    r"(?<![\w])("
    + "|".join(
        re.escape(a[:i]) + " " + re.escape(a[i:])
        for a in sorted(KNOWN_ABBREVIATIONS, key=len, reverse=True)
        if len(a) >= 4
        for i in range(2, len(a) - 1)
    )
    + r")(?![\w])"
)
_UPPER_TOKEN_RE = _lazy_re("_UPPER_TOKEN_RE", r"(?<![\w])[A-ZĐ]{6,}(?![\w])")

# Phrases that web copies glue together ("Kínhgửi", "Nơinhận").
_GLUED_PHRASES = [
    (re.compile(r"(?i)(?<![^\W\d_])(kính)\s*(gửi)(?![^\W\d_])"), r"\1 \2"),
    (re.compile(r"(?i)(?<![^\W\d_])(đồng)\s*(kính gửi)"), r"\1 \2"),
    (re.compile(r"(?i)(?<![^\W\d_])(nơi)\s*(nhận)(?![^\W\d_])"), r"\1 \2"),
    # "... biết, thực hiện./.Nơi nhận:": the list of copies starts a line of its own
    (re.compile(r"(?<=[./])[ \t]*(?=(?:Nơi nhận|NƠI NHẬN)\s*:)"), "\n"),
    (re.compile(r"(?i)(?<![^\W\d_])(như)\s*(trên)(?![^\W\d_])"), r"\1 \2"),
    (re.compile(r"(?i)(độc)\s*(lập)\s*-?\s*(tự)\s*(do)\s*-?\s*(hạnh)\s*(phúc)"), r"\1 \2 - \3 \4 - \5 \6"),
    (re.compile(r"(?i)(cộng)\s*-?\s*(hòa|hoà)\s*(xã)\s*(hội)\s*(chủ)\s*(nghĩa)\s*(việt)\s*(nam)"),
     r"\1 \2 \3 \4 \5 \6 \7 \8"),
    # "ngày09", "tháng8", "năm2019", "Số:871" keep their number apart from the word
    (re.compile(r"(?i)(?<![^\W\d_])(ngày|tháng|năm)(?=\d)"), r"\1 "),
    (re.compile(r"(\d)(ngày|tháng|năm)(?![^\W\d_])"), r"\1 \2"),
    # a place glued to the date: "Hà Nộingày" is rare, but "Nội,ngày" is common
    (re.compile(r",(ngày)(?=\s|\d)"), r", \1"),
    (re.compile(r"(?<=[^\W_])(V/v)(?=\s|[^\W\d_])"), r" \1"),
    (re.compile(r"(?<=[^\W_])(Kính gửi)"), r" \1"),
    (re.compile(r"\b(KT|TM|TL|TUQ)\.(?=[^\W\d_])"), r"\1. "),
    # capital agency lines glued by a web copy: "ỦY BAN NHÂN DÂNTỈNH BẮC KẠN"
    (re.compile(r"(NHÂN DÂN|UBND|HĐND)(?=(?:TỈNH|HUYỆN|XÃ|THÀNH PHỐ|QUẬN|PHƯỜNG|THỊ XÃ|THỊ TRẤN)\b)"), r"\1 "),
]

_SUPERSCRIPT_RE = _lazy_re("_SUPERSCRIPT_RE", "[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_SPACES_RE = _lazy_re("_SPACES_RE", r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE_RE = _lazy_re("_INVISIBLE_RE", "[\u200b-\u200d\u2060\ufeff\u00ad]")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2212": "-", "\u00d0": "Đ", "\u00f0": "đ"})
_PAGE_NUMBER_RE = _lazy_re("_PAGE_NUMBER_RE", r"^\s*(?:[-–]\s*)?\d{1,3}(?:\s*[-–])?\s*$|^\s*(?:Trang|trang)\s+\d+(?:\s*/\s*\d+)?\s*$")
_SIGNATURE_BOX_RE = _lazy_re("_SIGNATURE_BOX_RE", 
    r"^\s*(Ký bởi|Người ký|Thời gian ký|Ngày ký|Email|E-mail|Cơ quan|Chức vụ|Tổ chức)\s*:", re.IGNORECASE
)
_SIGNATURE_KEY_RE = _lazy_re("_SIGNATURE_KEY_RE", r"^\s*(Ký bởi|Người ký|Thời gian ký|Ngày ký)\s*:", re.IGNORECASE)

_MD_BOLD_RE = _lazy_re("_MD_BOLD_RE", r"\*\*|(?<![_\w])__(?=[^\W_])|(?<=[^\W_])__(?![_\w])")
_BULLET_RE = _lazy_re("_BULLET_RE", r"^[*•●▪◦]\s+", re.MULTILINE)
_MD_ITALIC_RE = _lazy_re("_MD_ITALIC_RE", r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])")
_MD_UNDERSCORE_RE = _lazy_re("_MD_UNDERSCORE_RE", r"(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])")
_MD_HEADING_RE = _lazy_re("_MD_HEADING_RE", r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_ESCAPE_RE = _lazy_re("_MD_ESCAPE_RE", r"\\([\\`*_{}\[\]()#+\-.!|>])")
_TABLE_SEPARATOR_CELL_RE = _lazy_re("_TABLE_SEPARATOR_CELL_RE", r"^\s*:?-{2,}:?\s*$")
_HYPHEN_BREAK_UPPER_RE = _lazy_re("_HYPHEN_BREAK_UPPER_RE", r"(?<=[A-ZĐ])-\n(?=[A-ZĐ][A-Za-zĐ]*\b)")
_HYPHEN_BREAK_LOWER_RE = _lazy_re("_HYPHEN_BREAK_LOWER_RE", r"(?<=[^\W\d_])-\n(?=[a-zà-ỹđ])")
# a hyphen at a line end with letters on both sides: "Trung ư-" / "ơng", "tài sản cô-" / "ng"
_HYPHEN_BREAK_WORD_RE = _lazy_re("_HYPHEN_BREAK_WORD_RE", r"(?<![^\W\d_])([^\W\d_]{1,7})-\n([^\W\d_]{1,7})(?![^\W\d_])")

# -- Vietnamese syllables ------------------------------------------------------------------------
# A written syllable is an initial consonant (possibly none) and a rhyme; the rhymes are few, so a
# fragment such as "ơng" or "ng" is recognisably not a syllable of its own.
_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
             "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_RHYMES = frozenset("""
a e ê i y o ô ơ u ư ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uy ưa ưi ưu uơ
iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyu
ac ăc âc ec oc ôc uc ưc iêc uôc ươc oac oăc ooc
ach êch ich oach uêch uych
am ăm âm em êm im om ôm ơm um ưm iêm yêm uôm ươm oam oăm
an ăn ân en ên in on ôn ơn un ưn iên yên uôn ươn oan oăn uân uyên oen
ang ăng âng eng ong ông ung ưng iêng uông ương oang oăng uâng oong
anh ênh inh oanh uênh uynh
ap ăp âp ep êp ip op ôp ơp up iêp ươp oap oăp
at ăt ât et êt it ot ôt ơt ut ưt iêt yêt uôt ươt oat oăt uât uyêt oet uyt
""".split())
_TONE_STRIP = str.maketrans("", "", "\u0300\u0301\u0303\u0309\u0323")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is spelled like one Vietnamese syllable ("thường", "công"; not "ơng", "ng")."""
    w = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONE_STRIP))
    if not w:
        return False
    for initial in _INITIALS:
        if w.startswith(initial):
            rest = w[len(initial):]
            if rest in _RHYMES or (initial == "gi" and (rest == "" or "i" + rest in _RHYMES)):
                return True
    return False


_MARKED_RE = re.compile("[àáâãèéêìíòóôõùúýăđĩũơưạ-ỹÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯẠ-Ỹ]")
_GLUED_TOKEN_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]{5,14}(?![^\W\d_])")


def _split_glued_syllables(match: re.Match) -> str:
    return _split_glued_word(match.group(0))


@functools.lru_cache(maxsize=16384)
def _split_glued_word(word: str) -> str:
    """Two syllables a web copy or a PDF ran together ("thôngvận", "dântỉnh") get their space back: only a word
    that is no syllable, carries a Vietnamese mark (so "online" or "Covid" are never cut), and splits in exactly
    one place into two syllables, the second starting with a consonant in lower case."""
    if not _MARKED_RE.search(word) or is_vietnamese_syllable(word):
        return word
    cuts = [i for i in range(1, len(word)) if word[i].islower() and fold(word[i]) not in "aeiouy"
            and is_vietnamese_syllable(word[:i]) and is_vietnamese_syllable(word[i:])]
    return word[: cuts[0]] + " " + word[cuts[0]:] if len(cuts) == 1 else word


def _join_broken_word(match: re.Match) -> str:
    """One word broken by a hyphen at a line end ("ư-" / "ơng") is joined when the whole is a syllable
    and the break could not separate two syllables: a part is no syllable of its own, or the second
    part starts with a vowel (a second syllable would start with its consonant: "kinh tế-" / "xã hội")."""
    first, second = match.group(1), match.group(2)
    if not is_vietnamese_syllable(first + second):
        return match.group(0)
    starts_with_vowel = fold(second[:1]) in "aeiouy"
    if starts_with_vowel or not (is_vietnamese_syllable(first) and is_vietnamese_syllable(second)):
        return first + second
    return match.group(0)


def _tab_tables_to_rows(text: str) -> str:
    """A table copied from Word or a spreadsheet, its cells separated by tabs, as "|" rows: only blocks of three
    or more lines of three or more cells (a header whose two columns a tab separates is not a table)."""
    lines = text.split("\n")
    cells = [[c.strip() for c in line.split("\t") if c.strip()] if "\t" in line else [] for line in lines]
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(cells[j]) >= 3:
            j += 1
        if j - i >= 3:
            for k in range(i, j):
                out[k] = " | ".join(cells[k])
        i = max(j, i + 1)
    return "\n".join(out)


def _split_table_rows(text: str) -> str:
    """Turn "|"-flattened table rows, and rows whose cells a copy separated by tabs, into one line per cell."""
    if "\t" in text:
        text = _tab_tables_to_rows(text)
    if "|" not in text:
        return text
    out = []
    for line in text.split("\n"):
        if "|" not in line:
            out.append(line)
            continue
        raw = [c.strip() for c in line.split("|")]
        cells = [c for c in raw if c and not _TABLE_SEPARATOR_CELL_RE.match(c)]
        if cells:
            out.extend(cells)
        elif not any(raw):
            out.append("")  # an empty row keeps its paragraph break; a "|---|" rule disappears
    return "\n".join(out)


def _drop_signature_box(lines: list[str]) -> list[str]:
    """Remove the signature box that signed PDFs print ("Ký bởi: ...", "Thời gian ký: ...")."""
    keys = [i for i, line in enumerate(lines) if _SIGNATURE_KEY_RE.match(line)]
    if not keys:
        return lines
    drop: set[int] = set()
    for i in keys:
        drop.add(i)
        for j in range(max(0, i - 4), min(len(lines), i + 5)):
            if _SIGNATURE_BOX_RE.match(lines[j]):
                drop.add(j)
    return [line for i, line in enumerate(lines) if i not in drop]


def _fix_abbreviations(text: str) -> str:
    text = _ABBR_SPLIT_RE.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _UPPER_TOKEN_RE.sub(lambda m: _ABBR_DOUBLED.get(m.group(0), m.group(0)), text)


# A web portal's page around a letter: its banner, menu and metadata table, then "Nội dung văn bản:" and the
# letter itself. What comes before that line is the portal's, not the letter's (its banner is no issuer).
_CONTENT_MARK_RE = re.compile(r"(?im)^[ \t]*(?:nội\s+dung\s+văn\s+bản|toàn\s+văn(?:\s+văn\s+bản)?|chi\s+tiết\s+văn\s+bản)[ \t]*:?[ \t]*$")
_QUOC_HIEU_RE = re.compile(r"(?i)cộng\s+hòa\s+xã\s+hội\s+chủ\s+nghĩa|cộng\s+hoà\s+xã\s+hội\s+chủ\s+nghĩa")


def _drop_portal_chrome(text: str) -> str:
    """The text from a portal's "Nội dung văn bản:" line on, when the letter's Quốc hiệu follows it closely."""
    mark = _CONTENT_MARK_RE.search(text[:6000])
    if not mark:
        return text
    following = text[mark.end():].lstrip("\n").split("\n")[:6]
    if not any(_QUOC_HIEU_RE.search(line) for line in following):
        return text
    return text[mark.end():].lstrip("\n")


# A letter forwarded by e-mail: the mail's own header and greeting, then the letter quoted ("> " lines) under
# "-----Original Message-----" or "---------- Forwarded message ---------".
_QUOTED_LINE_RE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_MAIL_MARK_RE = re.compile(
    r"(?im)^[ \t]*(?:-{2,}[ \t]*(?:original\s+message|forwarded\s+message|thư\s+chuyển\s+tiếp|tin\s+nhắn\s+gốc)[ \t]*-*"
    r"|begin\s+forwarded\s+message:?)[ \t]*$")
_MAIL_HEADER_RE = re.compile(r"(?i)^(?:from|sent|date|to|cc|subject|attachments|từ|gửi|ngày|đến|chủ\s+đề|tiêu\s+đề)\s*:")


def _unwrap_email(text: str) -> str:
    """The letter inside a forwarded e-mail: from its mail marker on, mail header lines dropped, one level of
    "> " quoting removed; the text unchanged when no letter (Quốc hiệu) follows such a marker."""
    mark = _MAIL_MARK_RE.search(text)
    quoted = len(_QUOTED_LINE_RE.findall(text))
    if not mark and quoted < 5:
        return text
    body = text[mark.end():] if mark else text
    lines = body.split("\n")
    while lines and (not lines[0].strip() or _MAIL_HEADER_RE.match(lines[0].strip())):
        lines.pop(0)
    body = "\n".join(lines)
    if quoted >= 5:
        body = _QUOTED_LINE_RE.sub("", body)
    if not _QUOC_HIEU_RE.search(body):
        return text
    return body


_RULE_RE = re.compile(r"\s*-{3,}\s*")


def _split_flattened_issuer(text: str) -> str:
    """A web copy that runs the page title, the issuer block and the Quốc hiệu into one line
    ("Công văn 778/TCHQ-GSQL. BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN ------- CỘNG HÒA ...") gets the issuer block
    back on a line of its own: it is the run of capital words just before the rule under it. What stands
    before that run on the first line is the portal's title, not the letter's, and is dropped (it would
    otherwise be read as the letter's type or subject)."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or first > 3:
        return text
    for i in range(first, min(len(lines), first + 3)):
        line = lines[i]
        rule = _RULE_RE.search(line)
        if rule is None or rule.start() == 0:
            continue
        words = line[: rule.start()].split()
        k = len(words)
        while k > 0 and words[k - 1].isalpha() and words[k - 1].isupper():
            k -= 1
        run, before, after = words[k:], words[:k], line[rule.end():]
        if len(run) < 2 or not before:
            continue
        if after and not _QUOC_HIEU_RE.search(after):
            continue
        new = ([] if i == first else [" ".join(before)]) + [" ".join(run), "-------"] + ([after] if after else [])
        lines[i: i + 1] = new
        break
    return "\n".join(lines)


_LINE_PREFIX_RE = re.compile(r"^(.{12,100}?[.:])[ \t]+(?=\S)")


def _drop_repeated_prefix(text: str) -> str:
    """A web copy that prints the page's title before every section ("Quyết định 435/QĐ-UBND năm 2020. Điều 1.")
    loses that title: a prefix ending in a full stop that names a document (it has a digit) and opens three
    lines or more is the site's, not the letter's."""
    lines = text.split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        m = _LINE_PREFIX_RE.match(line.strip())
        if m and any(c.isdigit() for c in m.group(1)):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    repeated = [p for p, c in counts.items() if c >= 3]
    if not repeated:
        return text
    out = []
    for line in lines:
        stripped = line.strip()
        prefix = next((p for p in repeated if stripped.startswith(p)), None)
        out.append(stripped[len(prefix):].lstrip() if prefix else line)
    return "\n".join(out)


_BROKEN_DATE_RE = re.compile(r"(?i)((?<![^\W\d_])ngày[ \t]*\d{0,2})[ \t]*\n[ \t]*((?:tháng)[ \t]*\d{0,2}[ \t]*năm)")


def normalize(text: str) -> str:
    """Return letter text cleaned for parsing.

    NFC; TCVN3/VNI legacy fonts converted; one tone-mark placement ("Ủy", "hóa");
    markdown marks stripped; "|" table rows split into lines; signature boxes, page
    numbers and footnote marks of PDF text layers removed; hyphenated line breaks
    rejoined; glued web-copy words and OCR-broken abbreviations repaired; spaces unified.
    """
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = unicodedata.normalize("NFC", text)
    text = convert_legacy(text)
    text = _unwrap_email(text)
    text = _drop_portal_chrome(text)
    text = _INVISIBLE_RE.sub("", text)
    text = _split_flattened_issuer(text)
    text = _drop_repeated_prefix(text)
    text = text.translate(_DASHES)
    text = _SUPERSCRIPT_RE.sub("", text)
    # markdown
    text = _MD_HEADING_RE.sub("", text)
    text = _MD_ESCAPE_RE.sub(r"\1", text)
    text = _MD_BOLD_RE.sub("", text)
    text = _BULLET_RE.sub("- ", text)
    text = _MD_ITALIC_RE.sub(r"\1", text)
    text = _MD_UNDERSCORE_RE.sub(r"\1", text)
    text = _split_table_rows(text)
    text = _SPACES_RE.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    lines = _drop_signature_box(lines)
    kept: list[str] = []
    for line in lines:
        if _PAGE_NUMBER_RE.match(line) and not (kept and kept[-1].rstrip().endswith(":")):
            continue
        if not line and kept and not kept[-1]:
            continue  # one blank line is enough to mark a paragraph
        kept.append(line)
    text = "\n".join(kept).strip("\n")
    text = _HYPHEN_BREAK_WORD_RE.sub(_join_broken_word, text)
    text = _HYPHEN_BREAK_UPPER_RE.sub("-", text)
    text = _HYPHEN_BREAK_LOWER_RE.sub(" ", text)
    for pattern, replacement in _GLUED_PHRASES:
        text = pattern.sub(replacement, text)
    text = _GLUED_TOKEN_RE.sub(_split_glued_syllables, text)
    text = _fix_abbreviations(text)
    # a place-date line broken by a table cell or a page width ("Hà Nội, ngày 03" / "tháng 12 năm 2025")
    text = _BROKEN_DATE_RE.sub(r"\1 \2", text)
    text = unify_tone_marks(text)
    text = _SIGNATURE_LINE_RE.sub(_unglue_signature, text)
    text = _SPACES_RE.sub(" ", text)
    return text


# A signature block flattened onto one line by a web copy: "KT. CHỦ TỊCHPHÓ CHỦ TỊCH(Đã ký)Lê Văn Bình".
# Vietnamese syllables are separated by spaces, so a position word run into the previous capital
# letters, or a "(Đã ký)" mark between title and name, can only be lost line breaks.
_SIGNATURE_LINE_RE = re.compile(r"^(?:KT|TM|TL|Q)\s?\.[^\n]*$", re.MULTILINE)
# where the signer's position starts after the "KT./TM./TL." title, glued or after one space
# ("KT. CHỦ TỊCHPHÓ CHỦ TỊCH", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH"); never inside "PHÓ CHỦ TỊCH" itself
_GLUED_POSITION_RE = re.compile(
    r"(?<=[A-ZÀ-ỸĐ])(?<!\bPHÓ)(?<!\bQ)(?<!\bKT)(?<!\bTM)(?<!\bTL) ?(?<!PHÓ )"
    r"(?=(?:PHÓ|THỨ TRƯỞNG|CHÁNH VĂN PHÒNG|GIÁM ĐỐC|CHỦ TỊCH|TRƯỞNG BAN)\b)")
_SIGNED_MARK_GLUED_RE = re.compile(r"\s*\((?:Đã ký|đã ký|ĐÃ KÝ)\)\s*")


def _unglue_signature(match: re.Match) -> str:
    line = match.group(0)
    if not (_SIGNED_MARK_GLUED_RE.search(line) or _GLUED_POSITION_RE.search(line)):
        return line
    line = _SIGNED_MARK_GLUED_RE.sub("\n(Đã ký)\n", line).strip("\n")
    return _GLUED_POSITION_RE.sub("\n", line)
