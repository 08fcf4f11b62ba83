"""Tasks of a letter: who must do what, lead or cooperating, by when.

How a body is read (see ``extract_tasks``):

1. The text is normalised (NFC, one tone style, abbreviations written out), wrapped lines are joined
   and the paragraphs are arranged as an outline by their markers (I., 1., 1.1., a), -, +, Điều N).
   Labelled lines belong to the item above them ("Thời gian hoàn thành: Quý II/2020", "- Cơ quan chủ
   trì: Sở X", "- Phối hợp: Sở Y"), as do the same labels written inside the item ("(Cơ quan chủ trì:
   ...; thời gian: ...)"): the item is read as "<lead> chủ trì, phối hợp với <partners> <item>".
2. An item whose text starts with agencies is addressed to them: "1. Sở Công Thương" (heading, its
   bullets are its tasks), "2. Sở Tài chính chủ trì, phối hợp với ..." (subject), "1. Bộ X: a) ...".
   Inside such a section only three things add agencies: "phối hợp với Y" (Y cooperates), a clause
   that starts with another agency as its subject ("đồng thời UBND phường X đề xuất ...") and "(đề
   nghị) chỉ đạo Z chủ trì, phối hợp với Y" (Z leads what the section agency passes on, Y
   cooperates); "giao", "đề nghị", "chỉ đạo", "hướng dẫn", "mời" there are otherwise the section
   agency's own actions, and the partner of a unit it directs ("chỉ đạo Trung tâm X phối hợp với Y")
   gets nothing.
3. Outside sections, sentences assign: "Giao X (chủ trì, phối hợp với Y) ...", "Đề nghị/Yêu cầu X ...",
   "Chỉ đạo X chủ trì ...", "X chủ trì ...", "X <verb> ..." at the start of a clause. An
   introduction ("... đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:") makes the
   following items the duty of its addressees; when those are named only by a kind ("các cơ quan,
   đơn vị", "Quý cơ quan", "các chủ đầu tư") and the letter has recipients, the recipients are meant.
4. Not tasks: agencies with no identity ("các cơ quan, đơn vị liên quan"), proposers and objects
   ("theo đề nghị của Sở Y", "hướng dẫn UBND huyện X", "chỉ đạo UBND các xã ..."), the speaker
   (the issuer or its authority asking), narrated assignments of cited letters ("tại Công văn số ...,
   UBND tỉnh giao ...", "trong đó Sở Y đề nghị các xã ...", "Sở Y có Công văn số ... đề nghị ..."),
   future or past statements ("Sở X sẽ ...", "đã ..."), residential groups named by their kind
   ("các thôn nơi ...") unless the letter is addressed to them, recipients marked "(để biết)" for a
   request to all recipients, and the closing formulas ("... chịu trách nhiệm thi hành Quyết định
   này", "... biết, thực hiện", "Giao UBND tỉnh tổ chức thực hiện Nghị quyết này").
5. Deadlines (``deadlines.find_deadlines``) found in an assignment's text belong to it and to its
   cooperators; an assignment with two different deadlines is split at the clause that closes the
   first one. A sentence with a deadline and nobody of its own ("Báo cáo gửi về UBND tỉnh trước
   ngày 12/6/2026") sets the deadline of the undated tasks read before it in its scope (its section,
   or the letter). "Cùng thời hạn nêu tại mục 2" takes the deadline of point 2's tasks, for every
   assignment of the item that says so.
6. Tables of assignments (nhiệm vụ | chủ trì | phối hợp | thời gian), as rows or flattened one cell
   per line, give one lead task per row and one cooperating task per partner.

Each task dict also carries "assignment": tasks with the same number come from one assignment (a lead
and its cooperators), which ``merge_enclosed`` uses to date the cooperators with their lead.
``merge_enclosed`` combines a cover letter's tasks with those of the letters it forwards (see there).
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import re
from dataclasses import dataclass, field

from tracker.extraction import deadlines as dl
from tracker.extraction._lazy import lazy_compiler
from tracker.extraction.names import (
    AgencyMatch,
    LETTER,
    canonical_agency,
    expand_abbreviations,
    fold,
    fold_keep_length,
    match_agency_at,
    normalize_text,
    same_agency,
    split_agency_list,
)
from tracker.extraction.rules import clauses as clause_rules
from tracker.extraction.rules import load_phrases, phrase_alternation

# patterns are compiled on first use (see _lazy.LazyPattern): importing this module stays cheap
_lazy_re = lazy_compiler(globals())

SUMMARY_MAX = 200

# -- text preparation --------------------------------------------------------------------------------

_MARKER_RE = _lazy_re("_MARKER_RE", 
    r"^\s*(?:(?P<dieu>(?i:Điều)\s+\d{1,3})\s*[.:]?"
    r"|(?P<roman>[IVX]{1,5})\s*[.)](?=\s)"
    r"|(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)](?!\d)"
    r"|(?P<alpha>[a-zđ])\s*\)"
    r"|(?P<alpha2>[a-zđ])\.(?=\s)"
    r"|(?P<dash>[-–—−•·*▪➢])(?!\d)"
    r"|(?P<plus>\+))\s*"
)
_CUT_RE = _lazy_re("_CUT_RE", r"(?im)^\s*(?:\*\*)?\s*(?:Nơi\s+nhận|Noi\s+nhan)\s*:?")
_PAGE_NUMBER_RE = _lazy_re("_PAGE_NUMBER_RE", r"(?m)^\s*(?:-\s*)?\d{1,3}\s*(?:-\s*)?$")
_FOOTNOTE_MARK_RE = _lazy_re("_FOOTNOTE_MARK_RE", r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")


@dataclass
class _Item:
    """One paragraph of the outline: its marker type, text and children."""

    mtype: str
    marker: str
    text: str
    children: list["_Item"] = field(default_factory=list)
    parent: "_Item | None" = None
    attached: list[str] = field(default_factory=list)

    def full_text(self) -> str:
        """The item's text and the paragraphs attached to it, each its own sentence."""
        parts = [self.text] + self.attached
        out = ""
        for p in parts:
            if out and not re.search(r"[.:;!?]\s*$", out):
                out += "."
            out = (out + " " + p).strip()
        return out


def _prepare(body: str) -> str:
    t = normalize_text(body)
    cut = _CUT_RE.search(t)
    if cut:
        t = t[: cut.start()]
    t = _FOOTNOTE_MARK_RE.sub("", t)
    t = _PAGE_NUMBER_RE.sub("", t)
    # a word broken by a hyphen at a line end ("Trung ư-" / "ơng"); "Lao động -" / "Thương binh" is kept
    t = re.sub(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[a-zà-ỹđ])", "", t)
    t = expand_abbreviations(t)
    return dl.dates_in_words_to_digits(t)  # "trước ngày mười lăm tháng mười một năm 2018"


def _marker_of(line: str) -> tuple[str, str, str] | None:
    m = _MARKER_RE.match(line)
    if not m:
        return None
    for kind in ("dieu", "roman", "num", "alpha", "alpha2", "dash", "plus"):
        if m.group(kind):
            mark = m.group(kind)
            if kind == "num":
                kind = f"num{mark.count('.') + 1}"
            if kind == "alpha2":
                kind = "alpha"
            rest = line[m.end():]
            if not rest.strip():
                # a marker alone on its line: the text follows on the next line
                return kind, mark, ""
            return kind, mark, rest
    return None


# A line that labels a part of the item above it: its time, its lead or its partners
# ("Thời gian hoàn thành: Quý II/2020", "- Cơ quan chủ trì: Sở Tài chính", "Phối hợp: ...").
_LABEL_LINE_RE = clause_rules.LABEL_LINE  # rule table, see rules/clauses.py (groups: label, value)
_BARE_TIME_LABEL_RE = _lazy_re("_BARE_TIME_LABEL_RE", r"(?i)^thời\s+gian$")
_LEAD_LABEL_RE = _lazy_re("_LEAD_LABEL_RE", r"(?i)^(?:(?:cơ\s+quan|đơn\s+vị)\s+(?:chủ\s+trì|thực\s+hiện|chịu\s+trách\s+nhiệm)|chủ\s+trì)")
_PERSON_VALUE_RE = _lazy_re("_PERSON_VALUE_RE", 
    r"(?i)^(?:đồng\s+chí|đ/c|ông|bà|phó|chủ\s+tịch|giám\s+đốc|lãnh\s+đạo|trưởng|thứ\s+trưởng|bộ\s+trưởng|chánh|thủ\s+trưởng)(?![^\W\d_])"
)
_MEETING_LABEL_RE = _lazy_re("_MEETING_LABEL_RE", r"(?im)^\s*[-+•]?\s*(?:địa\s+điểm|thành\s+phần(?:\s+(?:tham\s+dự|mời))?)\s*:")
_BARE_ROLE_LABEL_RE = _lazy_re("_BARE_ROLE_LABEL_RE", r"(?i)^(?:chủ\s+trì|phối\s+hợp)")
_COOP_LABEL_RE = _lazy_re("_COOP_LABEL_RE", r"(?i)^(?:(?:cơ\s+quan|đơn\s+vị)\s+)?phối\s+hợp")


def _with_labels(text: str, labels: list[tuple[str, str]]) -> str:
    """An item and its labelled parts as one assignment: "<lead> chủ trì, phối hợp với <partners> <item>. <time>".

    Lines or parts that only name the lead or the partners of an item (the columns of a
    distribution table written out) are read as the sentence the item would be; a labelled time
    stays a sentence of its own, which the deadline finder reads ("Thời gian hoàn thành: Quý II/2020").
    """
    leads = [v for k, v in labels if _LEAD_LABEL_RE.match(k)]
    coops = [v for k, v in labels if _COOP_LABEL_RE.match(k)]
    others = [f"{k[:1].upper()}{k[1:]}: {v}" for k, v in labels if not _LEAD_LABEL_RE.match(k) and not _COOP_LABEL_RE.match(k)]
    body = text.strip().rstrip(":").strip()
    if leads:
        # a labelled list separates its agencies with semicolons ("phối hợp với A; B; C"): one list
        lead = ", ".join(re.sub(r"\s*;\s*", ", ", v.strip().rstrip(".;,")) for v in leads)
        partners = ", ".join(re.sub(r"\s*;\s*", ", ", v.strip().rstrip(".;,")) for v in coops)
        if re.match(r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]", body):
            body = body[:1].lower() + body[1:]  # the item's title becomes the action of the sentence
        # "Cơ quan thực hiện: Sở A chủ trì, phối hợp với B" already says who leads
        says_roles = re.search(r"(?<![^\W\d_])chủ\s+trì(?![^\W\d_])", lead, re.IGNORECASE)
        body = lead + ("" if says_roles else " chủ trì") + (f", phối hợp với {partners}" if partners else "") + \
            (f" {body}" if body else "")
    elif coops:
        partners = ", ".join(v.strip().rstrip(".;,") for v in coops)
        body = body.rstrip(".;: ") + f", phối hợp với {partners}"
    for line in others:
        if body and not re.search(r"[.:;!?]\s*$", body):
            body += "."
        body = (body + " " + line.strip()).strip()
    return body


# the labelled parts written inside an item: "... (Cơ quan chủ trì: Sở X; cơ quan phối hợp: Sở Y; thời gian: ...)"
_INLINE_LEAD_RE = _lazy_re(
    "_INLINE_LEAD_RE",
    r"(?i)\s*[(.;]\s*(?=(?:cơ\s+quan|đơn\s+vị)\s+(?:chủ\s+trì|thực\s+hiện|chịu\s+trách\s+nhiệm)(?:\s+thực\s+hiện)?\s*:\s*\S)",
)
_INLINE_PART_RE = _lazy_re("_INLINE_PART_RE", r"(?i)^\s*(?P<label>[^:;()]{2,40}?)\s*:\s*(?P<value>[^;()]*?)\s*$")


def _inline_labels(text: str) -> str:
    """An item whose lead, partners and time are written inside it, rewritten as its assignment."""
    m = _INLINE_LEAD_RE.search(text)
    if not m or m.start() < 10:
        return text
    segment = text[m.end():]
    segment = re.sub(r"\)\s*[.;]?\s*$", "", segment).strip().rstrip(".")
    labels = []
    for part in re.split(r"\s*;\s*|\.\s+(?=[A-ZĐÀ-Ỹ])", segment):
        found = _INLINE_PART_RE.match(part)
        if not found or not found.group("value") or not _LABEL_LINE_RE.matches(f"{found.group('label')}: {found.group('value')}"):
            return text  # not only labelled parts: leave the item as written
        labels.append((found.group("label"), found.group("value")))
    return _with_labels(text[: m.start()], labels)


def _paragraphs(text: str, is_heading=None) -> list[tuple[str | None, str, str]]:
    """(marker type, marker, text) per paragraph, wrapped lines joined.

    Labelled lines ("Thời gian hoàn thành: ...", "- Cơ quan chủ trì: ...") belong to the paragraph
    above them. ``is_heading`` tells whether a marked line only names agencies (a section heading,
    whose next line is its content even when the heading is long).
    """
    out: list[list] = []
    labels: dict[int, list[tuple[str, str]]] = {}
    prev_blank = True
    # a meeting's "Chủ trì:" is its chair ("- Địa điểm: ...", "- Thành phần: ..." around it)
    meeting = bool(_MEETING_LABEL_RE.search(text))
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            prev_blank = True
            continue
        label = _LABEL_LINE_RE.match_object(line)
        if label and (_PERSON_VALUE_RE.match(label.group("value")) or meeting and _BARE_ROLE_LABEL_RE.match(label.group("label"))):
            label = None  # "Chủ trì: Phó Giám đốc Sở ..." chairs a meeting
        if label and _BARE_TIME_LABEL_RE.match(label.group("label")) and (
                meeting or dl.CLOCK_RE.search(label.group("value"))):
            label = None  # "Thời gian: 8 giờ 00 ngày ..." is when a meeting or an event takes place
        if label and out and not prev_blank:
            # a blank line before it makes it a note for the items above ("Thời hạn: trước ngày ...")
            labels.setdefault(len(out) - 1, []).append((label.group("label"), label.group("value").strip()))
            prev_blank = False
            continue
        mk = _marker_of(line)
        if mk:
            out.append([mk[0], mk[1], mk[2].strip()])
            prev_blank = False
            continue
        if out and not prev_blank:
            last = out[-1][2]
            starts_lower = line[:1].islower() or line[:1] in "(,;" or (line[:1].isdigit() and not _marker_of(line))
            wrapped = len(last) >= 60 and not re.search(r"[.:;!?)]\s*$", last) or bool(
                re.search(r"(?:\s(?:với|của|và|các|tại|cho|về|theo|gửi|đến|trình|giao|nghị|cầu)|,)\s*$", last)
            )
            if (wrapped and not starts_lower and out[-1][0] is not None and is_heading is not None
                    and _is_imperative(line) and is_heading(last)):
                wrapped = False  # "4. Trạm Y tế xã; các trường ... trên địa bàn xã" / "Rà soát ..."
            if last == "" or starts_lower or wrapped:
                out[-1][2] = (last + " " + line).strip()
                continue
        elif out and prev_blank and out[-1][2] and not re.search(r"[.:;!?]\s*$", out[-1][2]) and line[:1].islower():
            out[-1][2] = out[-1][2] + " " + line
            prev_blank = False
            continue
        out.append([None, "", line])
        prev_blank = False
    for index, found in labels.items():
        out[index][2] = _with_labels(out[index][2], found)
    for item in out:
        item[2] = _inline_labels(item[2])
    return [(a, b, c) for a, b, c in out if c.strip()]


# -- agencies in the text, with the letter's own recipients as extra names -------------------------------


@functools.lru_cache(maxsize=64)
def _prepared_names(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(folded form, canonical name) of the header's names, longest first."""
    out = []
    for name in names:
        f = fold_keep_length(expand_abbreviations(normalize_text(name)))
        f = re.sub(r"\s+", " ", f).strip()
        if len(f) >= 8:
            out.append((f, canonical_agency(name)))
    out.sort(key=lambda x: len(x[0]), reverse=True)
    return out


#: The office's own agency catalog (names and aliases) for the letter being read: set by extract_tasks from the
#: header's "known_agencies", read by every _Matcher of that reading (a context variable, so concurrent readings
#: in threads of one web process never see each other's catalog).
_KNOWN_AGENCIES: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("known_agencies", default=())


@functools.lru_cache(maxsize=8)
def _known_index(names: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """The catalog's names (folded, canonical) by their first four folded characters, longest first: a position
    in the text is checked against a handful of names instead of the whole catalog."""
    index: dict[str, list[tuple[str, str]]] = {}
    for f, name in _prepared_names(names):
        index.setdefault(f[:4], []).append((f, name))
    return index


class _Matcher:
    """Agency recognition that also knows the names printed in the letter's header and the office's catalog."""

    def __init__(self, text: str, extra_names: list[str]):
        self.text = text
        self.folded = fold_keep_length(text)
        self.extra = _prepared_names(tuple(extra_names))
        known = _KNOWN_AGENCIES.get()
        self.known = _known_index(known) if known else {}

    def _known_at(self, pos: int) -> AgencyMatch | None:
        """A catalog name the reader's lexicon does not know ("Trung tâm Phục vụ hành chính công tỉnh")."""
        for f, name in self.known.get(self.folded[pos:pos + 4], ()):
            end = pos + len(f)
            if self.folded.startswith(f, pos) and not (end < len(self.text) and self.text[end].isalpha()):
                return AgencyMatch(pos, end, [name], kind="catalog")
        return None

    def at(self, pos: int) -> AgencyMatch | None:
        base = match_agency_at(self.text, pos)
        if self.known and (pos == 0 or not self.text[pos - 1].isalpha()):
            # the catalog knows the whole name where the lexicon reads only its head ("Trung tâm Điều ...")
            known = self._known_at(pos)
            if known is not None and (base is None or known.end > base.end):
                base = known
        for f, name in self.extra:
            if not self.folded.startswith(f, pos):
                continue
            end = pos + len(f)
            if end < len(self.text) and self.text[end].isalpha():
                continue
            # the name printed in the header wins unless the text goes on with a level or a place
            tail = self.text[end: base.end] if base is not None else ""
            if base is None or base.end <= end or re.match(r"\s*(?:[a-zà-ỹđ]+)", tail) and not re.match(
                r"\s*(?:tỉnh|thành\s+phố|huyện|quận|thị\s+xã|xã|phường|thị\s+trấn)(?![^\W\d_])", tail
            ):
                return AgencyMatch(pos, end, [name], kind="recipient")
        return base

    def list_at(self, pos: int) -> tuple[list[AgencyMatch], int]:
        items: list[AgencyMatch] = []
        cur = pos
        while cur < len(self.text) and self.text[cur] == " ":
            cur += 1
        end = cur
        while True:
            m = self.at(cur)
            if m is None:
                break
            items.append(m)
            end = m.end
            paren = re.match(r"\s*\([^()\n]{0,160}\)", self.text[end:])
            if paren:
                end += paren.end()
            sep = re.match(r"\s*[,;]\s*(?:và\s+|cùng\s+)?|\s+(?:và|cùng)\s+|\s*/\s*", self.text[end:])
            if not sep:
                break
            nxt = end + sep.end()
            if self.at(nxt) is None:
                break
            cur = nxt
        return items, end


def _is_agency_heading(line: str, recipients: list[str]) -> bool:
    """Whether a line only names agencies ("Trạm Y tế xã; các trường mầm non trên địa bàn xã")."""
    t = line.strip().rstrip(":.")
    if not t:
        return False
    items, end = _Matcher(t, recipients).list_at(0)
    return bool(_names(items)) and not t[end:].strip(" ;,")


# -- vocabulary ----------------------------------------------------------------------------------------

_SPEECH = r"(?:giao(?:\s+nhiệm\s+vụ)?(?:\s+cho)?|phân\s+công(?:\s+cho)?|đề\s+nghị|để\s+nghị|yêu\s+cầu|chỉ\s+đạo)"
_SPEECH_RE = _lazy_re("_SPEECH_RE", rf"(?<![^\W\d_])(?P<verb>{_SPEECH})(?![^\W\d_])\s*:?\s*", re.IGNORECASE)
# a request verb that is a noun or cites a request: what follows it, what precedes it (rule tables,
# see rules/clauses.py)
_NOT_SPEECH_AFTER = clause_rules.NOT_SPEECH_AFTER
_NOT_SPEECH_BEFORE = clause_rules.NOT_SPEECH_BEFORE
# what follows the agency opening a clause: told about it, or it speaks (rule tables, see rules/clauses.py)
_SUBJECT_EXCLUDE_AFTER = clause_rules.SUBJECT_EXCLUDE_AFTER
_SPEAKER_VERBS = clause_rules.SPEAKER_VERBS
# "phối hợp với X"; "chủ trì, phối hợp X" and a clause opening "Phối hợp X ..." also name partners
_COOP_RE = clause_rules.COOP_PHRASE  # rule table, see rules/clauses.py (asked with finditer)
_COOP_PHRASE_RE = _lazy_re("_COOP_PHRASE_RE", r"(?i)^\s*(?:chủ\s+trì\s*,?\s*)?phối\s+hợp(?:\s+(?:chặt\s+chẽ|thường\s+xuyên))?(?:\s+(?:với|cùng))?\s+")
_CHU_TRI_RE = _lazy_re("_CHU_TRI_RE", r"(?i)^\s*,?\s*(?:tiếp\s+tục\s+|khẩn\s+trương\s+|chủ\s+động\s+)?chủ\s+trì")
# the end of a clause that introduces the items below it (rule table, see rules/clauses.py)
_INTRO_END_RE = clause_rules.INTRO_END
_QUY_RE = _lazy_re("_QUY_RE", r"(?i)^(?:quý\s+(?:cơ\s+quan|đơn\s+vị|sở|bộ|ủy\s+ban|ban|ngành|địa\s+phương|công\s+ty)(?:\s*,\s*(?:cơ\s+quan|đơn\s+vị|địa\s+phương))*)(?![^\W\d_])")
# closing formulas, the closing paragraph, a sentence citing a letter (rule tables, see rules/clauses.py)
_CLOSING_RE = clause_rules.CLOSING
_CLOSING_START_RE = clause_rules.CLOSING_START
_NARRATIVE_START_RE = clause_rules.NARRATIVE_START
_CITATION_RE = _lazy_re("_CITATION_RE", r"(?i)(?:số\s+\d+[\w/.\-]*|(?:công\s+văn|văn\s+bản|quyết\s+định|kế\s+hoạch|thông\s+báo)\s+(?:nêu\s+)?trên)")
_ADVERBS_RE = _lazy_re("_ADVERBS_RE", 
    r"(?i)^(?:\s*,?\s*(?:\([^()]{0,160}\)|theo\s+chức\s+năng\s*,\s*nhiệm\s+vụ(?:\s*,\s*(?:lĩnh\s+vực|quyền\s+hạn))*(?:\s+(?:được\s+giao|quản\s+lý))?|"
    r"theo\s+(?:địa\s+bàn|lĩnh\s+vực)(?:\s+được\s+(?:giao|phân\s+công))?|trong\s+phạm\s+vi[^,]{0,40}|căn\s+cứ[^,]{0,120}|"
    + phrase_alternation("manner_adverbs") + r")\s*,?)+"
)

# first words of an instruction (folded), used where the addressee is implicit: prefixes of the clause
# (phrases/action_starts.txt) and whole words (phrases/action_start_words.txt)
_ACTION_STARTS = tuple(dict.fromkeys(
    [fold(p) for p in load_phrases("action_starts")] + [fold(p) + " " for p in load_phrases("action_start_words")]
))


# -- helpers ------------------------------------------------------------------------------------------


def _names(matches: list[AgencyMatch]) -> list[str]:
    return [n for m in matches if not m.generic for n in m.names]


_DOCUMENT_SUBJECT_RE = _lazy_re("_DOCUMENT_SUBJECT_RE", 
    r"(?i)^\s*(?:[-+•]\s*)?(?:báo\s+cáo|văn\s+bản|hồ\s+sơ|kết\s+quả|danh\s+sách|ý\s+kiến|số\s+liệu)"
    r"(?:\s+[^\s,;.]+){0,4}?\s+(?:gửi|nộp|của|được|phải|đề\s+nghị\s+gửi)(?![^\W\d_])"
)


# A time that opens an instruction before its verb ("Kể từ quý IV năm 2024, định kỳ hằng quý, cập nhật ...").
_TIME_LEAD_IN_RE = _lazy_re("_TIME_LEAD_IN_RE", 
    r"(?i)^\s*(?:[-+•]\s*)?(?:(?:(?:kể\s+)?từ\s+(?:ngày|tháng|quý|năm|nay|khi|thời\s+điểm)[^,;:]{0,40}"
    r"|(?:sau|ngay\s+sau)\s+khi[^,;:]{1,80}|trong\s+(?:thời\s+gian|quá\s+trình|thời\s+gian\s+chờ)[^,;:]{1,80}"
    r"|định\s+kỳ(?:\s+(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm))?|(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm)"
    r"|trước\s+(?:ngày|\d)[^,;:]{0,40}|chậm\s+nhất[^,;:]{0,40})\s*,\s*)+"
)


def _is_imperative(text: str) -> bool:
    """Whether a clause with no agency of its own is an instruction (not "Báo cáo gửi về ... trước ngày")."""
    if _DOCUMENT_SUBJECT_RE.match(text):
        return False
    if _starts_with_action(text):
        return True
    lead_in = _TIME_LEAD_IN_RE.match(text)
    return bool(lead_in) and lead_in.end() < len(text) and _starts_with_action(text[lead_in.end():])


def _starts_with_action(text: str) -> bool:
    t = _ADVERBS_RE.sub("", text.strip())
    f = fold(t)
    if not f:
        return False
    return f.startswith(_ACTION_STARTS) or bool(re.match(r"(?i)^\s*(?:tiếp\s+tục|khẩn\s+trương|chủ\s+động)", text))


def _is_closing(action: str) -> bool:
    f = fold(re.sub(r"[./]+\s*$", "", action))
    f = re.sub(r"\s+", " ", f).strip()
    if not f:
        return True
    if _ACCOUNTABLE_RE.match(f):
        # "chịu trách nhiệm trước Thủ tướng Chính phủ nếu để tàu cá ... vi phạm": accountability, no task
        return True
    return bool(_CLOSING_RE.matches(f)) and len(f.split()) <= 16


_ACCOUNTABLE_RE = _lazy_re("_ACCOUNTABLE_RE", r"(?:^|\s)(?:phai )?chiu trach nhiem truoc [^;]{3,80}? (?:neu|khi) ")


def _is_accountability(clause: str) -> bool:
    """ "(Chủ tịch UBND tỉnh) chịu trách nhiệm trước Thủ tướng nếu để ...": who answers for a failure, no task."""
    if "nhiệm" not in clause and "NHIỆM" not in clause:
        return False  # cheap test first: most clauses say nothing of responsibility
    return bool(_ACCOUNTABLE_RE.search(fold(clause)))


def _is_narrative(sentence: str, pos: int) -> bool:
    """Whether the assignment verb at ``pos`` narrates another letter rather than assigning now."""
    before = re.sub(r"\([^()]*\)", " ", sentence[:pos])[-220:]
    if re.search(r"(?i)(?<![^\W\d_])(?:trong\s+đó|theo\s+đó|tại\s+đó|đã|từng|trước\s+đây)\s*(?:,\s*)?(?:[^\W\d_]+\s+){0,6}$", before):
        return True
    if _NARRATIVE_START_RE.matches(sentence.strip()):
        return True
    cite = None
    for cite in _CITATION_RE.finditer(before):
        pass
    if cite is not None and "," not in before[cite.end():] and ":" not in before[cite.end():]:
        return True
    return False


def _summary(text: str) -> str:
    t = re.sub(r"\s+", " ", text).strip(" ,;:-+.")
    t = re.sub(r"[./]+$", "", t).strip()
    if not t:
        return ""
    t = t[:1].upper() + t[1:]
    if len(t) > SUMMARY_MAX:
        cut = t.rfind(" ", 0, SUMMARY_MAX - 1)
        t = t[: cut if cut > 80 else SUMMARY_MAX - 1].rstrip(" ,;:") + "…"
    return t


def _split_clauses(text: str) -> list[str]:
    """Clauses: sentences and ';' parts (outside parentheses), and ', đồng thời' before a new subject."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and c == ";":
            parts.append(text[start:i + 1])
            start = i + 1
        elif depth == 0 and c in ".!?" and i + 1 < n and text[i + 1] == " " and i + 2 < n and text[i + 2].isupper():
            # not after a short abbreviation ("TP. Hồ Chí Minh", "Đ/c.")
            word = re.search(r"(\S+)$", text[start:i])
            if not (word and len(word.group(1)) <= 2 and word.group(1)[:1].isupper()):
                parts.append(text[start:i + 1])
                start = i + 1
        i += 1
    parts.append(text[start:])
    out = []
    for p in parts:
        pieces = re.split(r"(?i)(?<=[,;])\s*(?=đồng\s+thời\s)", p)
        out.extend(x for x in pieces if x.strip())
    return out


@dataclass
class _Assignment:
    leads: list[str]
    coops: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    coop_role: bool = False  # the subject only "phối hợp" (cooperates with the item's lead)
    scope: int = 0
    deadline_texts: list[str] = field(default_factory=list)


@dataclass
class _Context:
    matcher: _Matcher
    recipients: list[str]
    issuer: str
    letter_date: object
    year_hint: int | None
    calendar: object
    received: object
    speakers: list[str]
    # agencies of the numbered points read so far, by number ("nêu tại mục 1, 2, 3")
    sections: dict = field(default_factory=dict)


def _is_speaker(name: str, ctx: _Context) -> bool:
    f = fold(name)
    if f in ("thu tuong chinh phu", "chinh phu", "thu tuong", "uy ban nhan dan", "uy ban nhan dan tinh", "uy ban nhan dan thanh pho"):
        return True
    for sp in ctx.speakers:
        if f == sp or (len(f) > 10 and (sp.startswith(f) or f.startswith(sp))):
            return True
    return False


def _speakers_of(issuer: str) -> list[str]:
    out = []
    f = fold(expand_abbreviations(normalize_text(issuer or "")))
    if f:
        out.append(f)
        parent = re.sub(r"^van phong ", "", f)
        if parent != f:
            out.append(parent)
        # "Ủy ban nhân dân tỉnh X" also speaks as "Ủy ban nhân dân tỉnh"
        m = re.match(r"(uy ban nhan dan (?:tinh|thanh pho|huyen|xa|phuong|quan|thi xa))", parent)
        if m:
            out.append(m.group(1))
        m = re.match(r"(so [a-z ]+?) (?:tinh|thanh pho) ", f + " ")
        if m:
            out.append(m.group(1))
    return out


def _recipients(header: dict) -> list[str]:
    """The recipients a request to "các cơ quan, đơn vị" or "Quý cơ quan" means: those of Kính gửi,
    one per name, without the ones marked as only informed ("(để biết)")."""
    informed = [fold(n) for n in header.get("recipients_informed") or [] if isinstance(n, str)]
    names: list[str] = []
    for r in header.get("recipients") or []:
        if not isinstance(r, str) or not r.strip() or fold(r) in informed:
            continue
        for n in split_agency_list(r):
            n = re.sub(r"\s*\([^()]*\)\s*$", "", n).strip()
            if n and not any(fold(n) == fold(x) for x in names):
                names.append(n)
    return names


# -- assignment detection ---------------------------------------------------------------------------------


@dataclass
class _Found:
    """What a clause assigns: leads, cooperators, where the action starts, and how to take it."""

    leads: list[str]
    coops: list[str]
    action_start: int
    subject_only_coop: bool = False
    intro: bool = False
    generic_only: bool = False
    narrative: bool = False
    joins_only: bool = False  # "Sở B phối hợp thực hiện.": a partner of the item's lead, nothing of its own


# compared with the diacritics: "các bản" (hamlets) is not "các ban" (boards)
_COMMUNITY_GROUP_RE = _lazy_re("_COMMUNITY_GROUP_RE", 
    r"^các\s+(?:thôn|bản|tổ\s+dân\s+phố|khu\s+phố|ấp|buôn|làng|khóm|xóm|khu\s+dân\s+cư|tổ\s+dân\s+cư)(?![^\W\d_])"
)
# "theo thời hạn nêu tại mục 2", "cùng thời hạn quy định tại điểm a": the deadline of another point
_POINT_DEADLINE_RE = _lazy_re("_POINT_DEADLINE_RE", 
    r"(?i)(?<![^\W\d_])(?:theo|cùng|đúng|như|trong)\s+(?:thời\s+hạn|thời\s+gian)(?:\s+(?:đã|được))?"
    r"(?:\s+(?:nêu|quy\s+định|ghi|yêu\s+cầu|xác\s+định))?\s+(?:tại|ở|như|của)\s+(?:mục|điểm|khoản|phần)\s+(?P<n>\d{1,2}|[IVX]{1,4}|[a-zđ])(?![^\W\d_])"
)
_KIND_ADDRESSEES_RE = _lazy_re("_KIND_ADDRESSEES_RE", r"(?:các|những)\s+[a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,3}\s+(?:(?:khẩn\s+trương|nghiêm\s+túc|tập\s+trung)\s+)?(?:thực\s+hiện|triển\s+khai|lưu\s+ý|quan\s+tâm)")
_NARRATED_REQUEST_RE = _lazy_re("_NARRATED_REQUEST_RE", r"(?i)^(?:đề\s+nghị|yêu\s+cầu|giao|chỉ\s+đạo)(?![^\W\d_])")
_DIRECTED_LEAD_RE = _lazy_re("_DIRECTED_LEAD_RE", 
    r"(?i)^\s*(?:[-+•]\s*)?(?:(?:kính\s+)?(?:đề\s+nghị|yêu\s+cầu)\s+)?(?:quan\s+tâm\s*,?\s*)?chỉ\s+đạo\s+"
)
_PARTNER_AFTER_RE = _lazy_re("_PARTNER_AFTER_RE", r"(?i)\s*(?:cùng\s+)?phối\s+hợp(?!\s*(?:,\s*)?(?:với|cùng)(?![^\W\d_]))")


# Verbs whose object is another agency's doer: "chỉ đạo Trung tâm X phối hợp với Y" makes Y the partner
# of Trung tâm X (the object), not of the assignment's lead.
_OBJECT_VERB_RE = clause_rules.OBJECT_VERB  # rule table, see rules/clauses.py (asked with finditer)
# only adverbs between the directed agency and "phối hợp": after a comma a new clause (of the subject) starts
_OBJECT_GAP_RE = _lazy_re("_OBJECT_GAP_RE", r"(?i)^\s*(?:(?:chủ\s+động|tích\s+cực|thường\s+xuyên|kịp\s+thời|tiếp\s+tục|khẩn\s+trương)\s+)*$")


def _partner_of_object(clause_text: str, clause_offset: int, coop_start: int, ctx: "_Context") -> bool:
    """Whether the "phối hợp" at ``coop_start`` is the action of an agency the clause directs ("chỉ đạo X phối hợp với Y")."""
    verb = None
    for verb in _OBJECT_VERB_RE.finditer(clause_text, 0, coop_start):
        pass
    if verb is None:
        return False
    items, end = ctx.matcher.list_at(clause_offset + verb.end())
    if not _names(items) or end > clause_offset + coop_start:
        return False
    return bool(_OBJECT_GAP_RE.match(ctx.matcher.text[end: clause_offset + coop_start]))


def _coops_in(clause_text: str, clause_offset: int, ctx: _Context) -> list[str]:
    """Agencies after "phối hợp với" in a clause, and those that "phối hợp" after a comma (generic ones dropped).

    Partners of an agency that the clause directs ("chỉ đạo Trung tâm X phối hợp với Y") are not
    partners of the assignment: they and the directed agency get nothing.
    """
    out = []
    for m in _COOP_RE.finditer(clause_text):
        if _partner_of_object(clause_text, clause_offset, m.start(), ctx):
            continue
        pos = clause_offset + m.end()
        items, _ = ctx.matcher.list_at(pos)
        for name in _names(items):
            if not any(same_agency(name, x) for x in out):
                out.append(name)
    # "Sở A chủ trì, Sở B, Sở C phối hợp thực hiện": partners named before "phối hợp"
    for m in re.finditer(r"(?:,|;|\svà)\s+(?=[A-ZĐÀ-Ỹ])", clause_text):
        items, end = ctx.matcher.list_at(clause_offset + m.end())
        if items and _PARTNER_AFTER_RE.match(ctx.matcher.text, end):
            for name in _names(items):
                if not any(same_agency(name, x) for x in out):
                    out.append(name)
    return out


_CLAUSE_LEAD_IN = clause_rules.CLAUSE_LEAD_IN
_BULLET_LEAD_RE = _lazy_re("_BULLET_LEAD_RE", r"^\s*(?:[-+•]\s*)?")


def _subject_at(clause: str, offset: int, ctx: _Context) -> tuple[list[AgencyMatch], int] | None:
    """Agencies that open a clause as its subject, and where the action starts."""
    # "Đồng thời, …", "Để bảo đảm tiến độ, …" (rule table, see rules/clauses.py), else only a bullet
    lead_in = _CLAUSE_LEAD_IN.match_object(clause) or _BULLET_LEAD_RE.match(clause)
    start = lead_in.end()
    items, end = ctx.matcher.list_at(offset + start)
    if not items:
        return None
    return items, end - offset


_DUTY_SUBJECT_RE = _lazy_re("_DUTY_SUBJECT_RE", 
    r"^\s*(?P<subj>[A-ZĐÀ-Ỹ][^\s,;:.()]*(?:\s+[^\s,;:.()]+){0,7}?)\s+"
    r"(?P<verb>(?i:có\s+trách\s+nhiệm|có\s+nhiệm\s+vụ|chịu\s+trách\s+nhiệm)(?!\s+(?i:thi\s+hành|trước)))"
)
_NOT_A_BODY_RE = clause_rules.NOT_A_BODY  # rule table, see rules/clauses.py


def _listed_before(text: str, pos: int, ctx: "_Context") -> list[str]:
    """The agencies of the last list announced with "gồm:"/"sau:"/"là:" before ``pos``."""
    for m in reversed(list(re.finditer(r"(?i)(?:gồm|bao\s+gồm|như\s+sau|sau\s+đây|là)\s*:\s*", text[:pos]))):
        items, _ = ctx.matcher.list_at(m.end())
        names = _names(items)
        if names:
            return names
    return []


def _detect(clause: str, offset: int, ctx: _Context, in_section: bool, marked: bool = True) -> _Found | None:
    """The assignment made by one clause, if any.

    ``offset`` is the clause's position in the matcher's text; ``in_section`` limits the reading to
    subjects (inside a section the speech verbs are the section agency's own actions); ``marked``
    tells whether the clause belongs to a numbered or bulleted item (the issuer's own statements in
    running paragraphs are not tasks).
    """
    text = ctx.matcher.text
    stripped = clause.strip()
    if not stripped:
        return None
    if _CLOSING_START_RE.matches(stripped):
        return None
    subj = _subject_at(clause, offset, ctx)
    if subj:
        items, rel_end = subj
        after = clause[rel_end:]
        after_adv = _ADVERBS_RE.sub("", after)
        after_adv_stripped = after_adv.lstrip(" ,:")
        speech = _SPEAKER_VERBS.matches(after_adv_stripped)
        names = _names(items)
        is_speaker = names and all(_is_speaker(n, ctx) for n in names)
        if speech and (is_speaker or re.match(r"(?i)(?:trân\s+trọng|điện)(?![^\W\d_])", after_adv_stripped)):
            pass  # a speaker: what it asks is parsed below
        elif speech and _NARRATED_REQUEST_RE.match(after_adv_stripped) and _is_narrative(clause, items[0].start - offset):
            # "(Văn bản số ... của Sở Tài chính;) trong đó Sở Tài chính đề nghị UBND các xã báo cáo trước ngày
            # ...": what another agency asked in the cited letter, not an assignment of this one
            return _Found([], [], offset, narrative=True)
        elif _SUBJECT_EXCLUDE_AFTER.matches(after_adv_stripped):
            return None
        elif is_speaker and not marked:
            # the issuer telling what it does itself ("UBND tỉnh tổ chức cuộc họp ...") in running text
            return None
        elif names or any(m.generic for m in items):
            if not names:
                referred = re.match(r"(?i)\s*(?:đã\s+)?(?:nêu|nói|kể|có\s+tên|được\s+nêu)(?:\s+(?:ở|tại))?\s+trên", after)
                by_number = re.match(
                    r"(?i)\s*(?:đã\s+)?(?:nêu|có\s+tên|được\s+giao)\s+(?:tại|ở)\s+(?:các\s+)?(?:mục|điểm|khoản|phần)\s+"
                    r"(?P<nums>[\dIVXa-zđ]{1,4}(?:\s*(?:,|và)\s*[\dIVXa-zđ]{1,4}(?![^\W\d_]{2}))*)", after
                )
                if by_number:
                    # "Các đơn vị nêu tại mục 1, 2, 3": the agencies of those points
                    referred = by_number
                    nums = re.findall(r"[\dIVXa-zđ]{1,4}", by_number.group("nums"))
                    names = [n for k in nums for n in ctx.sections.get(k, [])]
                    names = [n for i, n in enumerate(names) if n not in names[:i]]
                elif referred:
                    # "Các cơ quan, đơn vị nêu trên ...": the agencies listed before ("..., gồm: A, B, C")
                    names = _listed_before(text, offset, ctx)
                if referred and names:
                    rel_end += referred.end()
                    after = clause[rel_end:]
                    if _is_closing(after):
                        return None
                    return _Found(names, _coops_in(after, offset + rel_end, ctx), offset + rel_end)
                return _Found([], [], offset + rel_end, generic_only=True)
            action = after
            if re.match(r"(?i)^\s*,?\s*phối\s+hợp(?!\s*(?:,\s*)?với)", after_adv):
                # "…; Sở B phối hợp thực hiện.": a partner of the item's lead, even when the words alone
                # would read as a closing formula (the extractor drops it when no lead precedes)
                return _Found(names, [], offset + rel_end, subject_only_coop=True, joins_only=_is_closing(action))
            if _is_closing(action):
                return None
            if after.strip().startswith(":") or not after.strip() or re.match(r"\s*[\w(]", after) or after_adv != after:
                coops = [c for c in _coops_in(clause[rel_end:], offset + rel_end, ctx) if not any(same_agency(c, n) for n in names)]
                return _Found(names, coops, offset + rel_end)
    directed = _DIRECTED_LEAD_RE.match(clause)
    if directed:
        # "(đề nghị) chỉ đạo Sở X chủ trì, phối hợp với Y ...": Sở X leads what the addressee passes on
        items, end = ctx.matcher.list_at(offset + directed.end())
        names = _names(items)
        if names and _CHU_TRI_RE.match(text[end: offset + len(clause)]):
            rest_at = end - offset
            coops = [c for c in _coops_in(clause[rest_at:], end, ctx) if not any(same_agency(c, n) for n in names)]
            return _Found(names, coops, end)
    if in_section:
        return None
    if not subj:
        # "Tổ công tác có nhiệm vụ ...": a body the letter itself names, unknown to the lexicon
        duty = _DUTY_SUBJECT_RE.match(clause)
        if duty and not _NOT_A_BODY_RE.matches(duty.group("subj")):
            name = canonical_agency(duty.group("subj"))
            return _Found([name], _coops_in(clause[duty.end():], offset + duty.end(), ctx), offset + duty.start("verb"))
    # "Giao X ...", "Đề nghị X ...", "Yêu cầu X ...", "Chỉ đạo X chủ trì ..."
    narrated = False
    for m in _SPEECH_RE.finditer(clause):
        verb = fold(m.group("verb"))
        after_pos = m.end()
        if _NOT_SPEECH_AFTER.matches(clause[after_pos:]) or _NOT_SPEECH_BEFORE.matches(clause[: m.start()]):
            continue
        quy = _QUY_RE.match(clause[after_pos:])
        if (quy or ctx.matcher.at(offset + after_pos) is not None) and _is_narrative(clause, m.start()):
            # a cited letter's assignment; the sentence may go on with this letter's own one
            # ("Thực hiện Công văn số ... yêu cầu các xã ..., UBND xã giao Công an xã ...")
            narrated = True
            continue
        if quy:
            rest = clause[after_pos + quy.end():]
            if _is_closing(rest) or not ctx.recipients:
                return None
            return _Found(list(ctx.recipients), _coops_in(rest, offset + after_pos + quy.end(), ctx), offset + after_pos + quy.end())
        items, end = ctx.matcher.list_at(offset + after_pos)
        if not items:
            if (ctx.recipients and verb in ("de nghi", "yeu cau") and _KIND_ADDRESSEES_RE.match(clause[after_pos:])
                    and _INTRO_END_RE.matches(clause.strip())):
                # "đề nghị các nhà thầu thực hiện các nội dung sau:": addressees named by a kind the
                # lexicon does not know are the letter's recipients
                return _Found(list(ctx.recipients), [], offset + len(clause), intro=True)
            continue
        rest = text[end: offset + len(clause)]
        names = _names(items)
        chu_tri = bool(_CHU_TRI_RE.match(rest))
        if verb.startswith("chi dao"):
            speaker_before = re.search(r"(?i)(?:ủy\s+ban\s+nhân\s+dân|chủ\s+tịch|thủ\s+tướng|bộ\s+trưởng|giám\s+đốc)[^,;]{0,60}$", clause[: m.start()])
            if not (chu_tri or speaker_before):
                continue
        if names and re.fullmatch(r"\s*[:.]?\s*", rest):
            # "Giao Sở Y tế:" followed by its items
            return _Found(names, [], end, intro=True)
        opens_items = rest.rstrip().endswith(":")  # "đề nghị các đơn vị thực hiện:" introduces the items below
        if not opens_items and (_is_closing(rest) or _CLOSING_RE.matches(fold(rest)) and len(fold(rest).split()) <= 6):
            return None
        if not names:
            # "đề nghị các cơ quan, đơn vị ...": the letter's recipients
            if ctx.recipients and verb in ("de nghi", "yeu cau", "giao", "giao cho"):
                intro = bool(_INTRO_END_RE.matches(clause.strip()))
                return _Found(list(ctx.recipients), _coops_in(rest, end, ctx), end, intro=intro)
            return _Found([], [], end, generic_only=True, intro=bool(_INTRO_END_RE.matches(clause.strip())))
        # "đề nghị UBND tỉnh chỉ đạo Sở X chủ trì ..." -> Sở X leads too
        inner = re.match(r"(?i)^\s*(?:quan\s+tâm\s*,?\s*)?chỉ\s+đạo\s+", rest)
        if inner:
            sub_items, sub_end = ctx.matcher.list_at(end + inner.end())
            sub_names = _names(sub_items)
            if sub_names and _CHU_TRI_RE.match(text[sub_end: offset + len(clause)]):
                names = names + [n for n in sub_names if not any(same_agency(n, x) for x in names)]
        coops = [c for c in _coops_in(rest, end, ctx) if not any(same_agency(c, n) for n in names)]
        intro = bool(_INTRO_END_RE.matches(clause.strip()))
        if all(g.group for g in items) and ctx.recipients and intro and not any(
            same_agency(n, r) for n in names for r in ctx.recipients
        ):
            # "đề nghị các chủ đầu tư thực hiện các nội dung sau:" addressed to the recipients
            return _Found(list(ctx.recipients), coops, end, intro=True)
        return _Found(names, coops, end, intro=intro)
    if narrated:
        return _Found([], [], offset, narrative=True)
    # "X chủ trì" deep in the clause is covered by the subject rule; nothing else assigns
    return None


# -- outline --------------------------------------------------------------------------------------------


def _build_outline(paras: list[tuple[str | None, str, str]]) -> list[_Item]:
    root = _Item("root", "", "")
    stack: list[_Item] = [root]
    for index, (mtype, marker, text) in enumerate(paras):
        if mtype is None:
            top = stack[-1]
            if top is not root and not top.children and not top.attached and _heading_only(top.text):
                top.attached.append(text)
                continue
            following = next((p[0] for p in paras[index + 1:] if p[0] is not None), None)
            if top is not root and following is not None and following != "para" and \
                    any(item.mtype == following for item in stack[1:]):
                # a note between b) and c) of one list ("Kể từ quyết toán năm 2014, thời hạn ... là ..."):
                # the list goes on after it, so it belongs to the item above, not to the letter
                top.attached.append(text)
                continue
            item = _Item("para", "", text, parent=root)
            root.children.append(item)
            stack = [root]
            continue
        # a marker type already open: close up to it (sibling); otherwise a child of the top
        idx = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].mtype == mtype), None)
        if idx is not None:
            stack = stack[:idx]
        parent = stack[-1]
        item = _Item(mtype, marker, text, parent=parent)
        parent.children.append(item)
        stack.append(item)
    return root.children


def _heading_only(text: str) -> bool:
    """A short line with no sentence end: a title whose content follows ("3. Sở Xây dựng")."""
    t = text.strip()
    return bool(t) and len(t) <= 160 and not re.search(r"[.;]\s*$", t)


# -- the walk -------------------------------------------------------------------------------------------


@dataclass
class _Task:
    agency: str
    role: str
    text: str
    deadline: object = None
    deadline_text: str | None = None
    recurrence: str | None = None
    scope: int = 0
    lead: str | None = None
    assignment: int = 0
    #: the clause, block or table row the task was read from, untruncated (shown highlighted to the clerk)
    source: str = ""
    #: "before_letter" when the deadline stated is before the letter's date (see ``set_aside_past_deadlines``)
    flag: str | None = None


_ATTEND_RE = clause_rules.ATTEND  # rule table, see rules/clauses.py
def _attends(action: str) -> bool:
    """A short action that is only attending a meeting ("trực tiếp dự và báo cáo", "tham dự đầy đủ")."""
    return len(action.split()) <= 15 and bool(_ATTEND_RE.matches(action))


_LEVEL_SUFFIX_RE = _lazy_re("_LEVEL_SUFFIX_RE", r"^(?:tinh|huyen|xa|thi xa|thanh pho|quan|phuong|thi tran)(?: [a-z]+){0,4}$")
_PARTICIPANTS_RE = clause_rules.PARTICIPANTS  # rule table, see rules/clauses.py
_GROUP_NAME = clause_rules.GROUP_NAME  # rule table, see rules/clauses.py (folded names)
_PARTNER_JOINS_THE_JOB = clause_rules.PARTNER_JOINS_THE_JOB  # rule table, see rules/clauses.py
# the end of a clause inside an assignment's text: a ";" or a sentence end before a capital
_CLAUSE_END_RE = _lazy_re("_CLAUSE_END_RE", r";|[.!?](?=\s+[A-ZĐÀ-Ỹ])")


class _Extractor:
    def __init__(self, text: str, ctx: _Context, has_sections: bool):
        self.text = text
        self.ctx = ctx
        self.tasks: list[_Task] = []
        # (scope id, Deadline, number of tasks read before it): a note dates the tasks it follows
        self.notes: list[tuple[int, object, int]] = []
        self.scope_counter = 0
        self.assignment_counter = 0
        self.cursor = 0
        self.marked = True
        self.last_deadline = None
        self.has_sections = has_sections
        # task index range of each numbered point read so far, by its number
        self.point_tasks: dict[str, tuple[int, int]] = {}

    # positions: items keep their text; we search each item's text in the full text to get offsets
    def offset_of(self, item: _Item) -> int:
        """Position of an item's text in the whole text (see item_start), moving the cursor past its start."""
        pos = self.item_start(item)
        self.cursor = pos + max(1, len(item.text[:40]) // 2)
        return pos

    def new_scope(self) -> int:
        self.scope_counter += 1
        return self.scope_counter

    def walk(self, items: list[_Item], addressees: list[str] | None, section: list[str] | None, scope: int, trailing_after: int):
        """Read items in order; ``addressees`` are the implicit doers, ``section`` the heading agencies.

        Tasks read from the items of one list share ``scope``: a deadline note among them ("Báo cáo
        gửi về ... trước ngày ...") dates their undated tasks. An item with children opens a scope of
        its own for its text and its children.
        """
        current_default = addressees
        for index, item in enumerate(items):
            first_task = len(self.tasks)
            current_default = self.walk_item(item, index, current_default, section, scope, trailing_after)
            if item.marker and item.mtype not in ("dash", "plus"):
                # the tasks of a numbered point, for "cùng thời hạn nêu tại mục 2"
                self.point_tasks[item.marker.rstrip(".)")] = (first_task, len(self.tasks))

    def walk_item(self, item: _Item, index: int, current_default, section, scope: int, trailing_after: int):
        """Read one item and its children; returns the implicit doers of the items that follow it."""
        text = item.full_text()
        if not text:
            return current_default
        heading = self.heading_of(item)
        trailing = section is None and index > trailing_after and item.mtype == "para"
        if heading is not None:
            names, content, offset = heading
            self.ctx.sections[item.marker.rstrip(".)")] = list(names)
            sec_scope = self.new_scope()
            self.read_content(content, offset, names, None, sec_scope, in_section=True, trailing=False)
            self.walk(item.children, None, names, sec_scope, -1)
            self.apply_notes(sec_scope)
            return current_default
        own_scope = self.new_scope() if item.children else scope
        offset = self.offset_of(item)
        self.marked = item.mtype != "para"
        found_intro = self.read_content(
            text, offset, section, current_default, own_scope, in_section=section is not None, trailing=trailing
        )
        if self.last_item_leads and item.marker:
            self.ctx.sections.setdefault(item.marker.rstrip(".)"), list(self.last_item_leads))
        if found_intro is not None and not item.children:
            return found_intro
        if item.children:
            child_default = found_intro or current_default
            if found_intro is None and section is None and self.last_item_leads:
                child_default = self.last_item_leads
            self.walk(item.children, child_default, section, own_scope, -1)
            self.apply_notes(own_scope)
        return current_default

    def point_deadline(self, text: str):
        """The deadline of the point a text refers to ("cùng thời hạn nêu tại mục 2"), as a Deadline, or None."""
        ref = _POINT_DEADLINE_RE.search(text)
        if not ref or ref.group("n") not in self.point_tasks:
            return None
        start, end = self.point_tasks[ref.group("n")]
        dated = [t for t in self.tasks[start:end] if t.deadline is not None and not t.recurrence]
        if not dated:
            return None
        phrase = re.sub(r"\s+", " ", ref.group(0)).strip()
        return dl.Deadline(ref.start(), ref.end(), f"{phrase} ({dated[0].deadline_text})", dated[0].deadline, None, "reference")

    last_item_leads: list[str] | None = None

    def item_start(self, item: _Item) -> int:
        """Where the item's text starts in the whole text: after its own marker at the start of a line when
        that can be found, so a short heading ("2. Sở Giao thông vận tải") is not taken for the same words
        inside the item before it ("... phối hợp với Sở Giao thông vận tải, Công an tỉnh ...")."""
        snippet = item.text[:40]
        if item.marker and snippet:
            anchored = re.compile(r"(?m)^[ \t]*" + re.escape(item.marker) + r"[ \t]*(?=" + re.escape(snippet) + ")")
            m = anchored.search(self.text, self.cursor)
            if m:
                return m.end()
        offset = self.text.find(snippet, self.cursor)
        return offset if offset >= 0 else max(self.text.find(snippet), 0)

    def heading_of(self, item: _Item):
        """(agencies, content, offset) when the item is addressed to agencies named at its start."""
        text = item.text
        offset = self.item_start(item)
        lead_in = re.match(r"(?i)^\s*(?:đối\s+với\s+)?", text)
        start = lead_in.end()
        items, end = self.ctx.matcher.list_at(offset + start)
        names = _names(items)
        if not names:
            return None
        rest = self.text[end: offset + len(text)]
        rest_stripped = rest.strip()
        attached = " ".join(item.attached)
        if not rest_stripped or re.fullmatch(r"[:.]", rest_stripped):
            content = attached
            c_off = self.text.find(attached[:40], offset) if attached else end
            c_off = c_off if c_off >= 0 else end
            return names, content, c_off
        if rest_stripped.startswith(":"):
            colon = self.text.find(":", end)
            content = (self.text[colon + 1: offset + len(text)] + " " + attached).strip()
            return names, content, colon + 1
        return None

    def read_content(self, content: str, offset: int, section: list[str] | None, default: list[str] | None,
                     scope: int, in_section: bool, trailing: bool):
        """Assignments of one item's text. Returns the addressees when the text is an introduction."""
        self.last_item_leads = None
        if not content.strip():
            return None
        clauses = _split_clauses(content)
        current: _Assignment | None = _Assignment(list(section), scope=scope) if section else None
        started: list[_Assignment] = []
        orphan_texts: list[tuple[str, int]] = []
        pos = offset
        intro_addressees = None
        narrative = False
        for clause in clauses:
            c_off = self.text.find(clause.strip()[:30], pos) if clause.strip() else pos
            if c_off < 0:
                c_off = pos
            else:
                c_off -= len(clause) - len(clause.lstrip())
            pos = c_off + len(clause)
            sentence_ends = bool(re.search(r"[.!?]\s*$", clause))
            if not narrative and _PARTICIPANTS_RE.matches(clause):
                # "Tham dự có đại diện các sở ...; lãnh đạo UBND huyện X": who attended a meeting, not a task
                narrative = not sentence_ends
                continue
            found = None if narrative else _detect(clause, c_off, self.ctx, in_section, self.marked)
            if narrative or (found and found.narrative):
                # a cited letter's assignment and what follows it in the same sentence
                narrative = not sentence_ends
                continue
            if found and found.intro and found.leads and not in_section:
                intro_addressees = found.leads
                continue
            if found and found.intro and found.generic_only:
                continue
            if found and found.leads and _attends(self.action_text(clause, found, c_off)):
                # "Giám đốc các Sở, Chủ tịch UBND các xã ... trực tiếp dự và báo cáo": attending a meeting
                continue
            if found and found.leads and not found.subject_only_coop:
                if trailing and self.has_sections and all(self.is_group(n) for n in found.leads) and not self.find(clause):
                    # after the sections, an undated charge to whole groups is the letter's exhortation
                    continue
                if section and all(any(same_agency(n, s) for s in section) for n in found.leads):
                    # the section's own agency named again ("Chủ tịch UBND các xã ... chịu trách nhiệm")
                    if _is_closing(self.action_text(clause, found, c_off)):
                        continue
                    if current is None:
                        current = _Assignment(list(section), scope=scope)
                    current.texts.append(self.action_text(clause, found, c_off))
                    current.coops += [c for c in found.coops if c not in current.coops]
                    if current not in started:
                        started.append(current)
                    continue
                current = _Assignment(found.leads, list(found.coops), [self.action_text(clause, found, c_off)], scope=scope)
                started.append(current)
                continue
            if found and found.subject_only_coop:
                if current is not None and current.leads:
                    current.coops += [n for n in found.leads if n not in current.coops]
                    # the whole clause, names kept: which partner acts after the deadline's clause
                    # (acts_after) and which part of a split text names it are read from them
                    current.texts.append(clause)
                    if current not in started:
                        started.append(current)
                elif found.joins_only:
                    continue  # "Các đơn vị phối hợp thực hiện." with no lead before: a closing formula
                else:
                    current = _Assignment(found.leads, [], [self.action_text(clause, found, c_off)], scope=scope)
                    started.append(current)
                continue
            if found and found.generic_only:
                orphan_texts.append((clause, c_off))
                continue
            # a clause with no agency of its own
            if current is None and default and _is_imperative(clause) and not _is_closing(clause):
                current = _Assignment(list(default), scope=scope)
            if current is not None:
                if _CLOSING_START_RE.matches(clause.strip()) or _is_accountability(clause) or (
                        trailing and self.has_sections and all(self.is_group(n) for n in current.leads)):
                    # after the sections, what follows a charge to whole groups is the letter's exhortation;
                    # what follows "Giao Sở X theo dõi ..." is still Sở X's ("...; báo cáo trước ngày ...")
                    orphan_texts.append((clause, c_off))
                    continue
                current.texts.append(clause)
                current.coops += [c for c in _coops_in(clause, c_off, self.ctx)
                                  if c not in current.coops and not any(same_agency(c, l) for l in current.leads)]
                if current not in started:
                    started.append(current)
            else:
                orphan_texts.append((clause, c_off))
        first_task = len(self.tasks)
        for a in started:
            self.emit(a)
        if started:
            self.last_item_leads = started[-1].leads
        if len(started) > 1 and _POINT_DEADLINE_RE.search(content):
            # "Sở A chủ trì ...; Sở B chủ trì ...; gửi Sở Tài chính cùng thời hạn nêu tại mục 2": the
            # reference to another point's deadline closes the whole item, so it dates each assignment
            referred = self.point_deadline(content)
            for t in self.tasks[first_task:]:
                if referred is not None and t.deadline is None and not t.recurrence:
                    t.deadline, t.deadline_text = referred.date, referred.text
        for clause, c_off in orphan_texts:
            about = self.ctx.matcher.at(c_off + len(clause) - len(clause.lstrip()))
            if about is not None and not about.generic:
                continue  # a clause about a named agency is not a note for others ("Các đơn vị thực hiện trước
                # ngày ..." names nobody in particular: it dates every task before it)
            for d in self.find(clause):
                if d.date and not d.recurrence and not _is_narrative(clause, d.start):
                    self.notes.append((scope, d, len(self.tasks)))
        return intro_addressees

    def is_group(self, name: str) -> bool:
        """A whole class of agencies ("UBND các huyện", "Công an các xã", "các sở, ngành"), not one body whose
        name has "các" in it ("Ban Quản lý các khu công nghiệp tỉnh")."""
        return bool(_GROUP_NAME.matches(fold(name)))  # rule table, see rules/clauses.py

    def action_text(self, clause: str, found: _Found, c_off: int) -> str:
        rel = found.action_start - c_off
        if 0 < rel <= len(clause):
            return clause[rel:]
        return clause

    def find(self, text: str):
        return dl.find_deadlines(
            text, letter_date=self.ctx.letter_date, year_hint=self.ctx.year_hint,
            calendar=self.ctx.calendar, received=self.ctx.received,
        )

    def recipient_form(self, name: str) -> str:
        """A group named in short in the body ("UBND các tỉnh, thành phố") takes its header form."""
        f = fold(name)
        longer = [r for r in self.ctx.recipients if fold(r).startswith(f + " ")]
        if " cac " not in f" {f} ":
            # "Phòng Y tế" in the body of a letter addressed to "Phòng Y tế huyện": the addressee's own form
            longer = [r for r in longer if _LEVEL_SUFFIX_RE.match(fold(r)[len(f) + 1:])]
        return longer[0] if len(longer) == 1 else name

    def addressable(self, name: str) -> bool:
        """Residential communities named as a group in the body ("các thôn nơi có trụ sở cũ") are no
        office the tracker follows up, unless the letter is addressed to them (its recipients)."""
        if not _COMMUNITY_GROUP_RE.match(name.strip().lower()):
            return True
        return any(same_agency(name, r) or fold(r).startswith(fold(name)) for r in self.ctx.recipients)

    def emit(self, a: _Assignment) -> None:
        a.leads = [self.recipient_form(n) for n in a.leads if self.addressable(n)]
        a.coops = [self.recipient_form(n) for n in a.coops if self.addressable(n)]
        if not a.leads:
            return
        if a.leads and all(self.is_group(n) for n in a.leads):
            # a whole class of agencies "phối hợp với Sở X": Sở X coordinates them, it does not cooperate
            a.coops = [c for c in a.coops if self.is_group(c)]
        body = " ".join(t.strip() for t in a.texts if t.strip())
        if not body:
            return
        found = self.find(body)
        if not found:
            referred = self.point_deadline(body)
            if referred is not None:
                found = [referred]
        if not found and self.last_deadline is not None and re.search(
            r"(?i)(?:cùng|đúng)\s+thời\s+(?:hạn|gian)(?:\s+(?:nêu|như))?\s+trên|thời\s+hạn\s+(?:như|nêu)\s+trên", body
        ):
            # "gửi cùng thời hạn nêu trên": the deadline given just before
            found = [self.last_deadline]
        dated = [d for d in found if d.date]
        if dated:
            self.last_deadline = dated[-1]
        groups: list[tuple[str, object]] = []
        distinct = {(d.iso, d.recurrence) for d in found}
        if len(distinct) >= 2:
            # split the text at the end of each deadline's clause
            last = 0
            for d in found:
                stop = _CLAUSE_END_RE.search(body, d.end)
                cut = len(body) if stop is None else stop.end()
                if cut <= last:
                    if d.kind == "round" and groups and d.date:
                        # "báo cáo trước ngày 15/6/2025 và 15/12/2025": the same job due again, a task per round
                        groups.append((groups[-1][0], d))
                    continue
                groups.append((body[last:cut], d))
                last = cut
            if last < len(body) and body[last:].strip():
                tail = body[last:]
                if groups:
                    # to the last part, and to each further round of it
                    last_part = groups[-1][0]
                    for i in range(len(groups) - 1, -1, -1):
                        if groups[i][0] is not last_part:
                            break
                        groups[i] = (last_part + " " + tail, groups[i][1])
                else:
                    groups.append((tail, None))
        else:
            groups.append((body, dl.best_deadline(found)))
        part_at = 0
        for index, (part, d) in enumerate(groups):
            part_lo = body.find(part[:40], part_at) if part else part_at
            part_lo = part_at if part_lo < 0 else part_lo
            part_at = part_lo + 1
            self.assignment_counter += 1
            coops = [c for c in a.coops if not any(same_agency(c, l) for l in a.leads)]
            # when the text was split, a partner goes with the part that names it (all parts if none does)
            named_here = [c for c in coops if fold(c) in fold(part)]
            named_anywhere = [c for c in coops if any(fold(c) in fold(p) for p, _ in groups)]
            part_coops = coops if len(groups) == 1 else named_here + [c for c in coops if c not in named_anywhere]
            what, when = part, ""
            if index > 0 and _only_time(part, d):
                # "Thực hiện định kỳ hằng năm; Riêng năm 2020 hoàn thành trong quý II/2020": a further time of
                # the same job, a round the whole block (its partners too) does, read with the job's action
                part_coops = coops
                what, when = groups[0][0], f"{_summary(d.text)}: "
            summary = _summary(when + self.strip_lead_phrase(what))
            source = _source_of(part)
            for lead in a.leads:
                self.tasks.append(self.make(lead, "lead", summary, d, a.scope, None, source))
            for c in part_coops:
                lead_name = a.leads[0]
                action = _COOP_PHRASE_RE.sub("", self.strip_lead_phrase(what), count=1)
                action = when + self.strip_agency_list(action)
                own = None if self.acts_after(body, d, c, part_lo) else d
                self.tasks.append(self.make(c, "cooperate", _summary(f"Phối hợp với {lead_name}: {action}"), own, a.scope, lead_name, source))

    def acts_after(self, body: str, d, partner: str, lo: int = 0) -> bool:
        """Whether ``partner`` is named in a clause after the one of deadline ``d`` (a ";" or a sentence
        end between them) with an action of its own: then that date is not the partner's.

        "…kiểm tra xong trong tháng 6/2025; trường hợp vi phạm, phối hợp với Công an tỉnh xử lý …": the
        police cooperate on what is found, with no date; "…hoàn thành trước ngày 30/6/2025; Sở B phối hợp
        thực hiện." only joins the job (rules/clauses.py, PARTNER_JOINS_THE_JOB) and keeps the date.
        """
        if d is None or d.end > len(body):
            return False
        folded = fold_keep_length(body)
        at = folded.find(fold_keep_length(partner), lo)
        if at < d.end or not _CLAUSE_END_RE.search(body[d.end:at]):
            return False
        matcher = _Matcher(body, self.ctx.recipients)
        items, end = matcher.list_at(at)
        if not items:
            return False
        stop = _CLAUSE_END_RE.search(body, end)
        rest = body[end: stop.start() if stop else len(body)]
        with_lead = re.match(r"(?i)\s*(?:cùng\s+)?phối\s+hợp\s+(?:với|cùng)\s+", rest)
        if with_lead:
            # "Sở B phối hợp với Sở A thực hiện": the lead's name says nothing of the partner's action
            named, named_end = _Matcher(rest, self.ctx.recipients).list_at(with_lead.end())
            if named:
                rest = "phối hợp " + rest[named_end:]
        return not _PARTNER_JOINS_THE_JOB.matches(rest)

    def strip_agency_list(self, text: str) -> str:
        """The action without the agencies that open it ("Sở X, Sở Y và các đơn vị liên quan rà soát" -> "rà soát")."""
        m = _Matcher(text, self.ctx.recipients)
        items, end = m.list_at(0)
        return text[end:].lstrip(" ,") if items else text

    def strip_lead_phrase(self, part: str) -> str:
        """The action text without the punctuation left in front of it."""
        return re.sub(r"^\s*[,:]?\s*", "", part)

    def make(self, agency, role, summary, d, scope, lead, source: str = "") -> _Task:
        return _make_task(agency, role, summary, d, scope, lead, self.assignment_counter, source)

    def apply_notes(self, scope: int) -> None:
        """Date the undated tasks of ``scope`` read before each deadline note of that scope."""
        for s, d, count in self.notes:
            if s != scope:
                continue
            for t in self.tasks[:count]:
                if t.scope == scope and t.deadline is None and not t.recurrence:
                    t.deadline, t.deadline_text = d.date, d.text
        self.notes = [n for n in self.notes if n[0] != scope]

    def apply_letter_notes(self) -> None:
        """Notes of the letter's own level date every undated task read before them."""
        for _, d, count in self.notes:
            for t in self.tasks[:count]:
                if t.deadline is None and not t.recurrence:
                    t.deadline, t.deadline_text = d.date, d.text
        self.notes = []


# -- tables ("Phụ lục phân công": nhiệm vụ | chủ trì | phối hợp | thời gian) ------------------------------------

_COLUMN_KINDS = (
    ("coop", re.compile(r"(?i)phối\s+hợp")),
    ("time", re.compile(r"(?i)thời\s+(?:gian|hạn|điểm)|tiến\s+độ|hoàn\s+thành|sản\s+phẩm\s+và\s+thời")),
    ("lead", re.compile(r"(?i)chủ\s+trì|(?:cơ\s+quan|đơn\s+vị)\s+(?:thực\s+hiện|chịu\s+trách\s+nhiệm|được\s+giao)|trách\s+nhiệm")),
    ("task", re.compile(r"(?i)nhiệm\s+vụ|nội\s+dung|công\s+việc|hoạt\s+động|giải\s+pháp")),
)


def _split_row(line: str) -> list[str] | None:
    t = line.strip()
    if t.startswith("|"):
        cells = [c.strip() for c in t.strip("|").split("|")]
        return cells
    if t.count("\t") >= 2:
        return [c.strip() for c in t.split("\t")]
    return None


def _extract_tables(text: str) -> tuple[str, list[dict[str, str]]]:
    """Rows of assignment tables, and the text with those tables blanked out."""
    lines = text.split("\n")
    rows: list[dict[str, str]] = []
    keep = list(lines)
    i = 0
    while i < len(lines):
        cells = _split_row(lines[i])
        columns = None
        if cells and len(cells) >= 3:
            kinds = []
            for c in cells:
                kind = next((k for k, rx in _COLUMN_KINDS if rx.search(c)), None)
                kinds.append(kind)
            if "lead" in kinds and ("task" in kinds or "time" in kinds):
                columns = kinds
        if not columns:
            i += 1
            continue
        keep[i] = ""
        j = i + 1
        while j < len(lines):
            row = _split_row(lines[j])
            if row is None:
                break
            keep[j] = ""
            if all(re.fullmatch(r"[:\- ]*", c) for c in row):
                j += 1
                continue
            entry = {}
            for kind, cell in zip(columns, row):
                if kind and cell and kind not in entry:
                    entry[kind] = cell
            if entry.get("lead"):
                rows.append(entry)
            j += 1
        i = j
    return "\n".join(keep), rows


_TIME_CELL_RE = _lazy_re("_TIME_CELL_RE", 
    r"(?i)^(?:trước|trong|chậm\s+nhất|hoàn\s+thành\s+(?:trước|trong|chậm|quý|tháng|năm|ngày|\d)|định\s+kỳ|thường\s+xuyên|liên\s+tục|hằng|hàng|quý|tháng|năm|ngày|"
    r"\d{1,2}\s*[/.\-]\s*\d{1,2}|\d{4}(?:\s*[-–]\s*\d{4})?$|từ\s+năm|giai\s+đoạn|cả\s+năm|6\s+tháng|sau\s+khi|"
    # times without a date: "Khi có yêu cầu", "Theo tiến độ", "Ngay sau khi ...", "Đột xuất", "Suốt thời gian ..."
    r"khi\s+có|theo\s+(?:tiến\s+độ|yêu\s+cầu|kế\s+hoạch|chỉ\s+đạo)|ngay|đột\s+xuất|kịp\s+thời|suốt|xong\s+trước|"
    r"hết\s+(?:năm|tháng|quý)|cuối\s+(?:năm|tháng|quý)|đầu\s+(?:năm|tháng|quý))"
)
_HEADER_CELL_RE = _lazy_re("_HEADER_CELL_RE", r"(?i)^(?:stt|tt|số\s+tt|số\s+thứ\s+tự)\.?$")


def _kind_of_header(line: str) -> str | None:
    return next((k for k, rx in _COLUMN_KINDS if rx.search(line)), None)


def _is_agency_cell(cell: str, ctx: "_Context") -> bool:
    t = expand_abbreviations(normalize_text(cell)).strip(" ;,.")
    if not t or len(t) > 250:
        return False
    m = _Matcher(t, ctx.recipients)
    items, end = m.list_at(0)
    return bool(items) and end >= 0.7 * len(t)


def _extract_cell_tables(text: str, ctx: "_Context") -> tuple[str, list[dict[str, str]]]:
    """Tables whose cells were flattened to one line each ("STT / Nhiệm vụ / Cơ quan chủ trì / ...").

    The header row gives the order of the columns; each following line is put in the next column
    that fits it (an agency for "chủ trì"/"phối hợp", a time for "thời gian"), so that empty cells,
    dropped when the table was flattened, do not shift the columns.
    """
    lines = text.split("\n")
    keep = list(lines)
    rows: list[dict[str, str]] = []
    i = 0
    while i < len(lines):
        j = i
        if _HEADER_CELL_RE.match(lines[j].strip()):
            j += 1
        kinds = []
        while j < len(lines) and len(lines[j].strip()) <= 60 and _kind_of_header(lines[j].strip()) and not _LABEL_LINE_RE.matches(lines[j].strip()):
            kinds.append(_kind_of_header(lines[j].strip()))
            j += 1
        if len(kinds) < 3 or "lead" not in kinds or not ("task" in kinds or "time" in kinds):
            i += 1
            continue
        for k in range(i, j):
            keep[k] = ""
        row: dict[str, str] = {}
        expected = 0
        blank_run = 0

        def flush():
            nonlocal row, expected
            if row.get("lead"):
                rows.append(row)
            row, expected = {}, 0

        while j < len(lines):
            cell = lines[j].strip()
            if not cell:
                blank_run += 1
                if blank_run >= 2:
                    break
                j += 1
                continue
            blank_run = 0
            if re.fullmatch(r"\d{1,3}\.?", cell):
                flush()
                keep[j] = ""
                j += 1
                continue
            if re.match(r"^(?:[IVX]{1,5}\.\s|(?i:Điều)\s+\d)", cell):
                break
            is_time = bool(_TIME_CELL_RE.match(cell)) and len(cell) <= 80
            is_agency = not is_time and _is_agency_cell(cell, ctx)
            placed = False
            while expected < len(kinds):
                kind = kinds[expected]
                if kind in ("lead", "coop"):
                    if is_agency:
                        row[kind] = cell
                        expected += 1
                        placed = True
                        break
                    expected += 1  # an empty agency cell was dropped
                    continue
                if kind == "time":
                    if is_time:
                        row[kind] = cell
                        expected += 1
                        placed = True
                        break
                    expected += 1
                    continue
                # task or another text column
                if row.get("lead") and kind == "task":
                    break
                if is_time and "time" in kinds[expected:]:
                    expected += 1
                    continue
                row.setdefault(kind or "other", cell)
                expected += 1
                placed = True
                break
            if not placed:
                if not row.get("lead"):
                    break  # not a table row: the table has ended
                flush()
                continue  # read the line again as the first cell of a new row
            keep[j] = ""
            if expected >= len(kinds):
                flush()
            j += 1
        flush()
        i = j
    return "\n".join(keep), rows


def _table_tasks(rows: list[dict[str, str]], ctx: "_Context", first_id: int) -> list[_Task]:
    out: list[_Task] = []
    for n, row in enumerate(rows):
        lead_text = expand_abbreviations(normalize_text(row.get("lead", "")))
        matcher = _Matcher(lead_text, ctx.recipients)
        leads = _names(matcher.list_at(0)[0]) or ([canonical_agency(lead_text)] if lead_text.strip() else [])
        coops: list[str] = []
        for part in re.split(r"[;\n]", expand_abbreviations(normalize_text(row.get("coop", "")))):
            if not part.strip():
                continue
            m = _Matcher(part.strip(), ctx.recipients)
            found = _names(m.list_at(0)[0])
            coops += [c for c in found if c not in coops]
        d = dl.parse_time_cell(row.get("time", ""), letter_date=ctx.letter_date, year_hint=ctx.year_hint, calendar=ctx.calendar)
        if d is None and row.get("time"):
            d = dl.Deadline(0, 0, row["time"].strip(), None, None, "text")
        summary = _summary(row.get("task", ""))
        source = _source_of(row.get("task", ""))
        aid = first_id + n
        for lead in leads:
            out.append(_make_task(lead, "lead", summary, d, 0, None, aid, source))
        for c in coops:
            if any(same_agency(c, lead) for lead in leads):
                continue
            out.append(_make_task(c, "cooperate", _summary(f"Phối hợp với {leads[0] if leads else ''}: {row.get('task', '')}"), d, 0, leads[0] if leads else None, aid, source))
    return out


def _only_time(part: str, d) -> bool:
    """Whether a part of a split assignment says only when ("Riêng năm 2020 hoàn thành trong quý II/2020."):
    nothing but its deadline's phrase, so it has no action (and no agency) of its own."""
    if d is None or not d.text or d.text not in part:
        return False
    return not part.replace(d.text, "", 1).strip(" \t\n.;,:")


def _source_of(text: str) -> str:
    """The passage a task was read from, on one line, without the paragraph marks of the walk."""
    return re.sub(r"\s+", " ", text.replace("¶", " ")).strip()


def _make_task(agency, role, summary, d, scope, lead, assignment, source: str = "") -> _Task:
    return _Task(
        agency=agency, role=role, text=summary, source=source,
        deadline=d.date if d is not None and d.date else None,
        deadline_text=d.text if d is not None else None,
        recurrence=d.recurrence if d is not None else None,
        scope=scope, lead=lead, assignment=assignment, flag=getattr(d, "flag", None),
    )


# Documents that report or propose upwards: what they say is not an assignment.
_NO_TASK_TYPES = {"bao cao", "to trinh"}


def _year_hint(header: dict, text: str) -> int | None:
    date = dl.parse_iso(header.get("issued_on"))
    if date:
        return date.year
    for key in ("year", "issued_year"):
        if isinstance(header.get(key), int):
            return header[key]
    years = [int(y) for y in re.findall(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)", text)]
    return max(years) if years else None


def extract_tasks(body: str, *, header: dict, calendar=None) -> list[dict]:
    """Return the tasks a letter body assigns.

    ``body`` is the text between the recipients (or title) and "Nơi nhận", signature excluded;
    ``header`` is the header dict of the same letter (recipients, issued_on as ISO string, issuer, doc_type...,
    and "known_agencies": the office's catalog names, recognised even when the lexicon does not know them).
    Each task: {"agency", "role": "lead"|"cooperate", "summary", "deadline", "deadline_text", "recurrence"}.
    """
    token = _KNOWN_AGENCIES.set(tuple((header or {}).get("known_agencies") or ()))
    try:
        return _extract_tasks(body, header=header, calendar=calendar)
    finally:
        _KNOWN_AGENCIES.reset(token)


def _extract_tasks(body: str, *, header: dict, calendar=None) -> list[dict]:
    header = header or {}
    if fold(header.get("doc_type") or "") in _NO_TASK_TYPES:
        return []
    text = _prepare(body or "")
    if not text.strip():
        return []
    text, table_rows = _extract_tables(text)
    recipients = _recipients(header)
    received = header.get("received") or {}
    text, cell_rows = _extract_cell_tables(text, _Context(_Matcher("", recipients), recipients, "", None, None, None, None, []))
    table_rows += cell_rows
    heading_matcher = functools.lru_cache(maxsize=None)(lambda line: _is_agency_heading(line, recipients))
    paras = _paragraphs(text, heading_matcher)
    # work on the joined paragraphs so that names broken over lines are whole again
    # (each paragraph keeps a marker, "¶" when it has none, so that no name runs into the next one)
    text = "\n".join(f"{p[1] or '¶'} {p[2]}" for p in paras)
    ctx = _Context(
        matcher=_Matcher(text, recipients),
        recipients=recipients,
        issuer=header.get("issuer") or "",
        letter_date=dl.parse_iso(header.get("issued_on")),
        year_hint=_year_hint(header, text),
        calendar=calendar,
        received=received.get("date") if isinstance(received, dict) else None,
        speakers=_speakers_of(header.get("issuer") or ""),
    )
    outline = _build_outline(paras)
    ex = _Extractor(text, ctx, has_sections=False)
    ex.has_sections = sum(1 for it in outline if it.mtype != "para" for _ in [0] if ex.heading_of(it)) >= 2 or any(
        ex.heading_of(c) for it in outline for c in it.children
    )
    last_structured = max((i for i, it in enumerate(outline) if it.mtype != "para"), default=len(outline))
    ex.walk(outline, None, None, 0, last_structured)
    if table_rows:
        ex.tasks += _table_tasks(table_rows, ctx, ex.assignment_counter + 1)
    ex.apply_letter_notes()
    if not ex.tasks:
        ex.tasks = _sent_for_action(text, ctx)
    return _finalise(_spread_over_recipients(ex.tasks, recipients), recipients)


# "Trên đây là ý kiến của Bộ X gửi Tổng công ty Y để tham khảo thực hiện./.": a reply whose only instruction is
# its closing sentence still asks the addressee to act
_SENT_FOR_ACTION_RE = _lazy_re("_SENT_FOR_ACTION_RE",
    r"(?i)(?<![^\W\d_])gửi\s+(?P<who>[^.;:]{3,160}?)\s+để\s+(?:tham\s+khảo,?\s+|nghiên\s+cứu,?\s+)?"
    r"(?:thực\s+hiện|triển\s+khai|áp\s+dụng)(?![^\W\d_])")


def _sent_for_action(text: str, ctx: _Context) -> list[_Task]:
    """The addressee of a closing "gửi X để (tham khảo) thực hiện" leads, when the letter assigns nothing else."""
    tail = text[-600:]
    found = None
    for found in _SENT_FOR_ACTION_RE.finditer(tail):
        pass
    if found is None:
        return []
    start = len(text) - len(tail) + found.start("who")
    items, _ = ctx.matcher.list_at(start)
    names = [n for n in _names(items) if not _is_speaker(n, ctx)]
    source = _source_of(found.group(0))
    return [_make_task(n, "lead", _summary(source), None, 0, None, 1, source) for n in names]


def _spread_over_recipients(tasks: list[_Task], recipients: list[str]) -> list[_Task]:
    """A kind named in short ("Hiệu trưởng các trường") when the letter is addressed to several groups of that
    kind ("các trường mầm non", "các trường tiểu học", "các trường THCS") means each of those groups."""
    out: list[_Task] = []
    for t in tasks:
        short = fold(canonical_agency(t.agency))
        if short.startswith("cac ") and len(short.split()) <= 3:
            named = [r for r in recipients if fold(r).startswith(short + " ")]
            if len(named) >= 2:
                out += [dataclasses.replace(t, agency=r) for r in named]
                continue
        out.append(t)
    return out


def _unify_group_names(tasks: list[_Task]) -> None:
    """A group named again in short ("các chủ đầu tư hạ tầng") takes its full name in the letter."""
    names = {canonical_agency(t.agency) for t in tasks}
    groups = [n for n in names if fold(n).startswith("cac ")]
    for t in tasks:
        f = fold(t.agency)
        if not f.startswith("cac "):
            continue
        longer = [n for n in groups if fold(n).startswith(f + " ")]
        if len(longer) == 1:
            t.agency = longer[0]


# the administrative units of one level: a group that names two or more of them, or "cấp <level>", is the level
_LEVEL_UNITS = {"xa": "xa", "phuong": "xa", "thi tran": "xa", "dac khu": "xa",
                "huyen": "huyen", "quan": "huyen", "thi xa": "huyen", "thanh pho": "huyen"}
_LEVEL_GROUP_RE = _lazy_re("_LEVEL_GROUP_RE", r"^(?P<head>.+?) (?:cap (?P<level>xa|huyen)|cac (?P<units>[a-z ,]+?))(?: tren dia ban(?: [a-z ]+)?)?$")


def _level_key(name: str) -> tuple[str, str] | None:
    """(head, level) when ``name`` means the bodies of one whole level: "UBND cấp xã", "UBND các xã, phường",
    "UBND các phường, xã, thị trấn" are all ("uy ban nhan dan", "xa"); "UBND các xã" alone is not."""
    m = _LEVEL_GROUP_RE.match(fold(name))
    if not m:
        return None
    if m.group("level"):
        return m.group("head"), m.group("level")
    words, units = m.group("units").replace(",", " ").split(), []
    while words:  # "xa phuong thi tran": the units, two-word ones first ("thi tran", "thanh pho")
        if len(words) >= 2 and " ".join(words[:2]) in _LEVEL_UNITS:
            units.append(" ".join(words[:2]))
            words = words[2:]
        elif words[0] in _LEVEL_UNITS:
            units.append(words.pop(0))
        elif words[0] == "va":
            words.pop(0)
        else:
            return None
    levels = {_LEVEL_UNITS[u] for u in units}
    if len(set(units)) >= 2 and len(levels) == 1:
        return m.group("head"), levels.pop()
    return None


def _unify_level_names(tasks: list[_Task], recipients: list[str]) -> None:
    """One body, one name: "UBND cấp xã", "UBND các xã, phường" and "UBND các phường, xã" in one letter are one
    addressee, named as the recipients name it, else as the letter names it first."""
    chosen: dict[tuple[str, str], str] = {}
    for name in list(recipients) + [t.agency for t in tasks]:
        key = _level_key(name)
        if key is not None:
            chosen.setdefault(key, name)
    if not chosen:
        return
    for t in tasks:
        key = _level_key(t.agency)
        if key is not None:
            t.agency = chosen[key]
        if t.lead and _level_key(t.lead) is not None:
            t.lead = chosen[_level_key(t.lead)]


def _finalise(tasks: list[_Task], recipients: list[str] = ()) -> list[dict]:
    out: list[dict] = []
    seen = set()
    _unify_group_names(tasks)
    _unify_level_names(tasks, list(recipients))
    for t in tasks:
        agency = canonical_agency(t.agency)
        key = (fold(agency), t.role, fold(t.text)[:120], t.deadline, t.recurrence)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "agency": agency,
                "role": t.role,
                "summary": t.text,
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "deadline_text": t.deadline_text,
                "recurrence": t.recurrence,
                "assignment": t.assignment,
                "source": t.source,
            }
        )
        if t.flag:
            out[-1]["deadline_flag"] = t.flag
    return out


def set_aside_past_deadlines(tasks: list[dict], issued_on) -> list[str]:
    """Take the deadlines before the letter's date off ``tasks`` (in place); return the warnings for the clerk.

    A task whose stated deadline falls before the letter's date (``"deadline_flag": "before_letter"``,
    see ``deadlines._flag_past``) keeps its ``deadline_text`` and the flag and loses its ``deadline``:
    a letter cannot ask for work by a day already gone, so the date is a slip or a copy to check, not a
    due date. One warning (Vietnamese) per phrase names the agencies that lead it (all of them when none
    leads) and the letter's date.
    """
    letter = dl.parse_iso(issued_on)
    by_phrase: dict[str, list[dict]] = {}
    for t in tasks or []:
        if t.get("deadline_flag") == "before_letter":
            t["deadline"] = None
            by_phrase.setdefault(t.get("deadline_text") or "", []).append(t)
    out = []
    for phrase, flagged in by_phrase.items():
        leads = [t for t in flagged if t.get("role") == "lead"] or flagged
        agencies: list[str] = []
        for t in leads:
            if t["agency"] not in agencies:
                agencies.append(t["agency"])
        when = f" so với ngày ban hành {letter:%d/%m/%Y}" if letter else ""
        out.append(f"Hạn “{phrase}” của {', '.join(agencies)} đã qua{when}: chưa dùng làm hạn, hãy kiểm tra.")
    return out


# -- enclosed letters -------------------------------------------------------------------------------------


def merge_enclosed(cover_tasks: list[dict], enclosed: list[dict], *, header: dict) -> list[dict]:
    """Combine the cover letter's tasks with those of the letters it forwards.

    ``enclosed`` is the list of full extraction dicts of the enclosed letters (each with its own "tasks").
    A deadline set by the enclosed letter for what the cover letter hands on is attached to the cover's task.

    The rule: the cover letter decides who does what. An enclosed letter's task for an agency the
    cover also tasks gives its deadline to the cover's undated tasks of that agency; the enclosed
    letter's dated tasks for its own addressee (the province, "UBND các tỉnh") set the deadline of the
    cover's undated, non-recurring tasks that hand the enclosed letter on (they cite it, "Công văn nêu
    trên", its number or its issuer; all undated tasks when none does), shared by their cooperators.
    The cover's own deadlines always win. Enclosed tasks for agencies the cover does not name are
    not added: the cover letter may have routed the work elsewhere. When the cover assigns nothing,
    its recipients take the enclosed letter's tasks for its addressee.
    """
    tasks = [dict(t) for t in cover_tasks or []]
    header = header or {}
    for letter in enclosed or []:
        if not isinstance(letter, dict):
            continue
        e_tasks = [t for t in letter.get("tasks") or [] if isinstance(t, dict)]
        if not e_tasks:
            continue
        dated = [t for t in e_tasks if t.get("deadline") and not t.get("recurrence")]
        if not tasks:
            # a cover letter that only forwards: each recipient implements the enclosed letter, by the
            # earliest date that letter sets for its addressee
            addressee = letter.get("recipients") or []
            own = [t for t in dated if _is_addressee(t.get("agency") or "", addressee, header)] or dated
            best = min(own, key=lambda t: t["deadline"]) if own else None
            cited = " ".join(x for x in ("Văn bản số", letter.get("number") or "", "của", letter.get("issuer") or "") if x)
            summary = _summary(f"Triển khai {cited}" + (f": {letter['subject']}" if letter.get("subject") else ""))
            for n, r in enumerate(_recipients(header)):
                tasks.append({
                    "agency": r, "role": "lead", "summary": summary,
                    "deadline": best["deadline"] if best else None,
                    "deadline_text": _enclosed_deadline_text(best) if best else None,
                    "recurrence": None, "assignment": 1000 + n,
                })
            continue
        # same agency in both letters: the enclosed deadline for that agency
        for t in tasks:
            if t.get("deadline") or t.get("recurrence") or t.get("deadline_flag"):
                continue
            same = [e for e in dated if same_agency(e.get("agency") or "", t.get("agency") or "")]
            if same:
                best = min(same, key=lambda e: e["deadline"])
                t["deadline"] = best["deadline"]
                t["deadline_text"] = _enclosed_deadline_text(best)
        # the addressee's deadline for the tasks that hand the letter on
        if not dated:
            continue
        addressee = letter.get("recipients") or []
        for_addressee = [e for e in dated if _is_addressee(e.get("agency") or "", addressee, header)]
        pool = for_addressee or dated
        best = min(pool, key=lambda e: e["deadline"])
        candidates = [t for t in tasks if not t.get("deadline") and not t.get("recurrence") and not t.get("deadline_flag")]
        citing = [t for t in candidates if _cites(t, letter)]
        if citing:
            # the cooperators of a citing assignment share its deadline
            ids = {t.get("assignment") for t in citing if t.get("assignment") is not None}
            citing += [t for t in candidates if t not in citing and t.get("assignment") in ids]
        # a cover that sets its own deadlines has dated what it wanted dated: the enclosed letter's deadline
        # goes only to the tasks that hand that letter on by name, not to every undated task
        own_dates = any(t.get("deadline") for t in cover_tasks or [])
        for t in citing or ([] if own_dates else candidates):
            t["deadline"] = best["deadline"]
            t["deadline_text"] = _enclosed_deadline_text(best)
    return tasks


def issued_with(letter: dict, header: dict) -> bool:
    """An enclosed document without a number of its own that the cover letter issues or approves: "Kế hoạch
    ... (Ban hành kèm theo Quyết định số 712/QĐ-UBND ...)" under "Quyết định về việc ban hành Kế hoạch ..."."""
    if letter.get("number"):
        return False
    if not re.search(r"\b(?:ban hanh|phe duyet)\b", fold(header.get("subject") or "")):
        return False
    subject = fold(letter.get("subject") or "")
    if re.search(r"\bkem theo (?:quyet dinh|nghi quyet|chi thi)\b", subject):
        return True
    cover = fold(header.get("number") or "")
    return bool(cover) and any(fold((r or {}).get("number") or "") == cover for r in letter.get("references") or [])


def _enclosed_deadline_text(task: dict) -> str:
    text = task.get("deadline_text") or task.get("deadline") or ""
    return f"{text} (hạn trong văn bản kèm theo)"


def _is_addressee(agency: str, addressees: list, header: dict) -> bool:
    f = fold(expand_abbreviations(agency))
    if re.match(r"uy ban nhan dan (cac )?(tinh|thanh pho)", f):
        return True
    for a in addressees:
        if isinstance(a, str) and same_agency(a, agency):
            return True
    issuer = fold(expand_abbreviations(header.get("issuer") or ""))
    parent = re.sub(r"^van phong ", "", issuer)
    return bool(parent) and (f == parent or parent.startswith(f))


def _cites(task: dict, letter: dict) -> bool:
    s = fold(task.get("summary") or "")
    number = fold(letter.get("number") or "")
    head = number.split(" ")[0] if number else ""
    if head and re.search(rf"\b{re.escape(head)}\b", s):
        return True
    issuer = fold(expand_abbreviations(letter.get("issuer") or ""))
    if issuer and issuer in fold(expand_abbreviations(task.get("summary") or "")):
        return True
    return bool(re.search(r"\b(neu tren|noi tren|dinh kem|kem theo|gui kem|van ban tren|cong van tren)\b", s))
