"""Deadlines in the text of a letter: absolute dates, month and quarter ends, working days, recurrences.

:func:`find_deadlines` returns every deadline expression of a text with the date it resolves to,
relative to the letter's date. Only expressions introduced by a deadline cue count ("trước ngày",
"chậm nhất", "hoàn thành trong tháng", "trong quý", "trong thời hạn N ngày làm việc", "hằng tháng"...):
a bare date ("Công văn số 12 ngày 13/02/2019", "Ngày 19/6/2026, UBND tỉnh tổ chức cuộc họp") is never
a deadline. Plan periods ("giai đoạn 2026-2030"), horizons ("đến hết năm 2026"), statistics cut-offs
("tính đến ngày 30/6") and planned events ("dự kiến tổ chức trong tháng 6") are ignored.

Recurring duties ("trước ngày 20 hằng tháng", "định kỳ hằng quý", "trước 16 giờ thứ Sáu hằng tuần")
get a recurrence string in the vocabulary of ``tracker.tasks.recurrence`` -- "daily", "weekly" or
"weekly:5" (Friday), "monthly" or "monthly:20", "quarterly" or "quarterly:20", "semiannual" or
"semiannual:15", "yearly" or "yearly:12-15" -- and **no date**: the deadline of a recurring
task is its rule, and the tracker schedules each occurrence (``Deadline.first_due`` gives the first
one after the letter's date when the rule names a day, for callers that want it).

Dates without a year take the letter's year (the next year when the day would fall before the
letter). Working days are counted with ``tracker.calendar.workdays.default_calendar`` (public holidays
including the lunar ones and the government's swaps), from the letter's date when the text says
"kể từ ngày ký/ban hành" or gives no start, from the received date when it says "kể từ ngày nhận" (null when that date is unknown: not guessed).
"""

from __future__ import annotations

import calendar as _pycal
import datetime as dt
import re
from dataclasses import dataclass

from tracker.extraction._lazy import lazy_compiler
from tracker.extraction.names import LETTER, fold
from tracker.extraction.rules import deadline_cues as deadline_rules
from tracker.extraction.rules import phrase_alternation

# patterns are compiled on first use (see _lazy.LazyPattern): importing this module stays cheap
_lazy_re = lazy_compiler(globals())

__all__ = ["Deadline", "find_deadlines", "best_deadline", "get_calendar", "parse_iso", "last_day_of_month"]


# -- calendar --------------------------------------------------------------------------------------


class _FallbackCalendar:
    """Weekends and the fixed-date public holidays, used only if the project calendar is missing."""

    _FIXED = {(1, 1), (4, 30), (5, 1), (9, 2)}

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and (day.month, day.day) not in self._FIXED

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def get_calendar():
    """The project's working-day calendar (``default_calendar()``), or a weekend-only fallback."""
    try:
        from tracker.calendar.workdays import default_calendar
    except ImportError:  # pragma: no cover - the calendar package ships with the project
        return _FallbackCalendar()
    return default_calendar()


# -- helpers ---------------------------------------------------------------------------------------


def parse_iso(value) -> dt.date | None:
    """A date from an ISO string, a date, or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def last_day_of_month(year: int, month: int) -> dt.date:
    """The last day of ``month`` in ``year``."""
    return dt.date(year, month, _pycal.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year4(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    if y < 100:
        y += 2000
    return y if 1945 <= y <= 2100 else None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WEEKDAYS = {
    "hai": "monday", "2": "monday", "ba": "tuesday", "3": "tuesday", "tu": "wednesday", "4": "wednesday",
    "nam": "thursday", "5": "thursday", "sau": "friday", "6": "friday", "bay": "saturday", "7": "saturday",
}
_WEEKDAY_INDEX = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


@dataclass
class Deadline:
    """A deadline expression found in a text.

    ``date`` is None for recurring duties and for expressions that cannot be resolved (a relative
    delay when the letter's date is unknown). ``text`` is the phrase as printed, from the action
    verb that the deadline closes when there is one ("hoàn thành trước ngày 30/7/2026").
    """

    start: int
    end: int
    text: str
    date: dt.date | None
    recurrence: str | None = None
    kind: str = "date"
    first_due: dt.date | None = None
    #: "before_letter": the phrase resolves to a day before the letter's own date: a slip of the pen or
    #: a copied letter, for the clerk to check; the task reader passes the flag on and the letter reader
    #: drops the date (``tasks.set_aside_past_deadlines``)
    flag: str | None = None

    @property
    def iso(self) -> str | None:
        """The date as an ISO string, or None."""
        return self.date.isoformat() if self.date else None


# -- patterns --------------------------------------------------------------------------------------

_D = r"(?P<d>\d{1,2})"
_M = r"(?P<m>\d{1,2})"
_Y = r"(?P<y>\d{4})"
_NUMERIC_DATE = rf"{_D}\s*[/.\-]\s*{_M}(?:\s*[/.\-]\s*{_Y})?(?![\d/])"
_WORDS_DATE = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})(?:\s*(?:năm|/)\s*(?P<y2>\d{4}))?"
_HOUR = r"(?:(?:\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}(?:\s*phút)?)?|\d{1,2}:\d{2})\s*,?\s*)"

# "trước ngày 30/9/2019", "chậm nhất ngày 15/9", "trước 16 giờ 00 ngày 14/9/2017", "hạn chót: 20/10/2020"
_ABSOLUTE_RE = _lazy_re("_ABSOLUTE_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trước|chậm\s+nhất(?:\s+(?:là|vào|trước))?|muộn\s+nhất(?:\s+(?:là|vào))?|không\s+quá|không\s+muộn\s+hơn"
    r"|hạn\s+(?:chót|cuối)(?:\s+là)?|thời\s+hạn(?:\s+(?:hoàn\s+thành|báo\s+cáo|nộp|gửi|thực\s+hiện))?(?:\s*(?:là|:))?"
    r"|thời\s+gian\s+(?:hoàn\s+thành|gửi|nộp|báo\s+cáo)(?:\s*(?:là|:))?(?:\s+trước)?"
    r"|(?:hoàn\s+thành|xong|nộp|gửi)\s+(?:trong|vào|đến)(?=\s+ngày)"
    r"|(?:báo\s+cáo|gửi|nộp|hoàn\s+thành|xong)\s+trong(?=\s+ngày\s+\d))"
    rf"\s*(?:{_HOUR})?(?:ngày\s*)?(?:thứ\s+\S+\s*,?\s*)?(?:ngày\s*)?)"
    rf"(?:{_NUMERIC_DATE}|{_WORDS_DATE})",
    re.IGNORECASE,
)
# "trong ngày 01/11/2025" after a submission verb (see find_deadlines)
_IN_DAY_RE = _lazy_re("_IN_DAY_RE", rf"(?P<cue>(?<![^\W\d_])(?:ngay\s+)?trong\s+ngày\s*)(?:{_NUMERIC_DATE}|{_WORDS_DATE})",
                      re.IGNORECASE)
# verbs of handing in (phrases/submit_verbs.txt), as whole words
_SUBMIT_VERB_RE = _lazy_re("_SUBMIT_VERB_RE", r"(?i)(?<![^\W\d_])" + phrase_alternation("submit_verbs") + r"(?![^\W\d_])")
# "trong tháng 9/2019", "trong tháng 9 năm 2026", "trước tháng 10/2026", "cuối tháng 8"
_MONTH_RE = _lazy_re("_MONTH_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trong|trước|chậm\s+nhất(?:\s+(?:là|trong|vào))?|cuối|hết|vào\s+cuối|ngay\s+trong)\s+)"
    r"tháng\s+(?P<m>\d{1,2})(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?(?![\d/])",
    re.IGNORECASE,
)
# the further months of "trong tháng 6 và tháng 7/2013", "trong tháng 8, tháng 9 năm 2024"
_MORE_MONTHS_RE = _lazy_re("_MORE_MONTHS_RE",
    r"(?:\s*(?:,|và|-|đến)\s*(?:tháng\s+)?\d{1,2}(?![\d/]))*\s*(?:,|và|-|đến)\s*(?:tháng\s+)?(?P<m>\d{1,2})"
    r"(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?(?![\d/])", re.IGNORECASE)
# "trong quý II/2026", "xong trong quý II năm 2026", "trước quý III/2017"
_QUARTER_RE = _lazy_re("_QUARTER_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trong|trước|chậm\s+nhất(?:\s+(?:là|trong|vào))?|cuối|hết|hoàn\s+thành|xong)\s+)"
    r"quý\s+(?P<q>IV|III|II|I|[1-4])(?![^\W\d_])(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?",
    re.IGNORECASE,
)
# "6 tháng đầu năm 2026"
_HALF_RE = _lazy_re("_HALF_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trong|trước|chậm\s+nhất\s+trong|hoàn\s+thành|xong)\s+)(?P<n>6|sáu)\s+tháng\s+(?P<which>đầu|cuối)\s+năm(?:\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
# "trong năm 2026", "trước năm 2027", "cuối năm 2026"
_YEAR_RE = _lazy_re("_YEAR_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trong|trước|cuối|chậm\s+nhất(?:\s+(?:là|trong|vào))?|ngay\s+trong)\s+)năm\s+(?P<y>\d{4})(?![\d/\-])",
    re.IGNORECASE,
)
# "trong thời hạn 10 ngày làm việc kể từ ngày ký", "trong vòng 05 ngày kể từ ngày nhận được văn bản"
_RELATIVE_RE = _lazy_re("_RELATIVE_RE", 
    r"(?P<cue>(?<![^\W\d_])(?:trong|chậm\s+nhất|sau|không\s+quá)(?:\s+(?:thời\s+hạn|vòng|phạm\s+vi|thời\s+gian))?\s+)"
    r"(?P<n>\d{1,3})\s*(?:\([^)]{0,30}\)\s*)?(?P<unit>ngày\s+làm\s+việc|ngày|tháng|tuần)"
    r"(?P<from>\s*,?\s*(?:kể\s+từ|tính\s+từ|từ)\s+(?:ngày|khi|thời\s+điểm)\s*(?P<what>[^\n.;]{0,60}))?",
    re.IGNORECASE,
)
# "trong 12 tháng qua": a past period, no delay (rule table, see rules/deadline_cues.py)
_PAST_PERIOD_RE = deadline_rules.PAST_PERIOD
_RECURRENCE_RE = _lazy_re("_RECURRENCE_RE", 
    r"(?<![^\W\d_])(?P<kw>(?:hằng|hàng|mỗi)\s+(?P<unit>ngày|tuần|tháng|quý|năm)|định\s+kỳ(?:\s+(?P<period>(?:6|sáu)\s+tháng|01\s+năm|1\s+năm|năm|quý|tháng|tuần|hằng\s+[^\W\d_]+|hàng\s+[^\W\d_]+))?|(?:6|sáu)\s+tháng\s+một\s+lần"
    # a day of a quarter's month names a quarterly schedule: "trước ngày 20 của tháng cuối quý"
    r"|(?P<qtr>tháng\s+(?:cuối|đầu)\s+(?:của\s+)?quý(?:\s+(?:sau|tiếp\s+theo|kế\s+tiếp))?|theo\s+quý))",
    re.IGNORECASE,
)
# an event's, a cut-off's or a start's date (rule table, see rules/deadline_cues.py)
_NOT_DEADLINE_BEFORE = deadline_rules.NOT_DEADLINE_BEFORE
_COMPLETION_BEFORE = _lazy_re("_COMPLETION_BEFORE", 
    r"(?i)(?:hoàn\s+thành|xong|dứt\s+điểm|kết\s+thúc|trình|ban\s+hành|báo\s+cáo|gửi|nộp|công\s+bố|triển\s+khai|phê\s+duyệt|"
    r"thực\s+hiện|hoàn\s+thiện|tổ\s+chức\s+thực\s+hiện|đưa\s+vào|cấp|giải\s+ngân|quyết\s+toán|bàn\s+giao|khắc\s+phục)"
)


# verbs that make a bare year a deadline (phrases/year_action_verbs.txt), as whole words
_YEAR_ACTION_RE = _lazy_re("_YEAR_ACTION_RE", r"(?i)(?<![^\W\d_])" + phrase_alternation("year_action_verbs") + r"(?![^\W\d_])")


# a labelled time, its value and whether the label is a bare "Thời gian:" (rule table, see
# rules/deadline_cues.py; asked with finditer)
_LABEL_RE = deadline_rules.TIME_LABEL
#: a clock time: what a bare "Thời gian:" of a meeting or an event gives
CLOCK_RE = _lazy_re("CLOCK_RE", r"(?i)\d\s*(?:giờ|h(?:\s*\d|\b))|\b(?:sáng|chiều|tối)\b")


def _resolve_numeric(m: re.Match, letter_date: dt.date | None, year_hint: int | None) -> dt.date | None:
    day = int(m.group("d") or m.group("d2"))
    month = int(m.group("m") or m.group("m2"))
    year = _year4(m.group("y") or m.group("y2"))
    if year is None:
        if letter_date:
            candidate = _safe_date(letter_date.year, month, day)
            if candidate and candidate < letter_date - dt.timedelta(days=31):
                candidate = _safe_date(letter_date.year + 1, month, day)
            return candidate
        if year_hint:
            return _safe_date(year_hint, month, day)
        return None
    return _safe_date(year, month, day)


def _year_for_period(y: str | None, month: int, letter_date: dt.date | None, year_hint: int | None) -> int | None:
    year = _year4(y)
    if year:
        return year
    if letter_date:
        return letter_date.year + (1 if month < letter_date.month - 1 else 0)
    return year_hint


def _phrase_start(text: str, cue_start: int) -> int:
    """Start of the phrase a deadline closes: back to the action verb, within the same clause."""
    window_start = max(0, cue_start - 120)
    window = text[window_start:cue_start]
    cut = max(window.rfind(";"), window.rfind("."), window.rfind(":"), window.rfind("\n"), window.rfind("("))
    clause_start = window_start + cut + 1 if cut >= 0 else window_start
    segment = text[clause_start:cue_start]
    comma = segment.rfind(",")
    if comma >= 0:
        before_words = len(segment[comma + 1:].split())
        if before_words >= 2 or comma == -1:
            clause_start += comma + 1
        else:
            earlier = segment[:comma].rfind(",")
            clause_start += earlier + 1 if earlier >= 0 else 0
    words = text[clause_start:cue_start].split()
    if len(words) > 12:
        # keep the last twelve words
        keep = " ".join(words[-12:])
        return cue_start - len(keep) - 1 if cue_start - len(keep) - 1 > clause_start else clause_start
    while clause_start < cue_start and text[clause_start] in " ,;-+\t":
        clause_start += 1
    return clause_start


def _context_blocks(text: str, start: int) -> bool:
    """Whether the words right before a date expression make it a non-deadline (event, cut-off, period)."""
    before = text[max(0, start - 60):start]
    return bool(_NOT_DEADLINE_BEFORE.matches(before))


def _recurrence_at(text: str, start: int, end: int) -> tuple[str | None, int, int]:
    """A recurrence rule around [start, end) (same clause), with the span it covers."""
    clause_lo = max(text.rfind(";", 0, start), text.rfind(".", 0, start - 1) if start > 1 else -1, text.rfind("\n", 0, start)) + 1
    sentence_end = re.search(r"[.!?](?=\s+[A-ZĐÀ-Ỹ])", text[end:])
    clause_hi_candidates = [i for i in (text.find(";", end), text.find("\n", end)) if i >= 0]
    if sentence_end:
        clause_hi_candidates.append(end + sentence_end.start())
    clause_hi = min(clause_hi_candidates) if clause_hi_candidates else len(text)
    best = None
    for m in _RECURRENCE_RE.finditer(text, clause_lo, clause_hi):
        if best is None or abs(m.start() - start) < abs(best.start() - start):
            best = m
    if best is None:
        return None, start, end
    return _recurrence_from(best, text), min(start, best.start()), max(end, best.end())


def _recurrence_from(m: re.Match, text: str) -> str | None:
    kw = fold(m.group(0))
    unit = fold(m.group("unit") or "")
    period = fold(m.group("period") or "")
    if m.group("qtr"):
        return "quarterly"
    if "6 thang" in kw or "sau thang" in kw or period in ("6 thang", "sau thang"):
        return "semiannual"
    if unit == "ngay" or period.endswith("ngay"):
        return "daily"
    if unit == "tuan" or "tuan" in period:
        return "weekly"
    if unit == "thang" or period.endswith("thang"):
        return "monthly"
    if unit == "quy" or "quy" in period:
        return "quarterly"
    if unit == "nam" or period.endswith("nam"):
        return "yearly"
    if kw == "dinh ky":
        # "định kỳ" alone: the unit is stated nearby ("báo cáo định kỳ (trước ngày 20 hằng tháng)")
        return None
    return None


def _recurrence_is_duty(text: str, m: re.Match) -> bool:
    """Whether a "hằng tháng/quý/năm" phrase is a recurring duty, not an attribute ("ngân sách hằng năm")."""
    kw = fold(m.group(0))
    if kw.startswith("dinh ky") or "mot lan" in kw or kw.startswith("thang"):
        return True
    before = fold(text[max(0, m.start() - 40):m.start()])
    after = fold(text[m.end():m.end() + 40])
    if re.search(r"(bao cao|gui|cap nhat|tong hop|hop|kiem tra|truoc \d+ gio|truoc ngay \d+|vao ngay \d+|che do)\s*(\S+\s*){0,6}$", before):
        return True
    if re.search(r"ngay \d{1,2}(?: \d{1,2})?\s*$", before):
        return True  # "trước ngày 15/6 và ngày 15/12 hằng năm"
    if re.search(r"(?:thu (?:hai|ba|tu|nam|sau|bay|[2-7])|chu nhat)\s*$", before):
        return True  # "(báo cáo ...) vào thứ Năm hằng tuần"
    if re.match(r"\s*(\(|truoc|vao|bao cao|gui|chu nhat|thu )", after):
        return True
    return False


def _weekday_near(text: str, lo: int, hi: int) -> str | None:
    m = re.search(r"(?i)(?<![^\W\d_])(thứ\s+(Hai|Ba|Tư|Năm|Sáu|Bảy|[2-7])|chủ\s+nhật)(?![^\W\d_])", text[lo:hi])
    if not m:
        return None
    if fold(m.group(1)).startswith("chu"):
        return "sunday"
    return _WEEKDAYS.get(fold(m.group(2)))


def _day_of_month_near(text: str, lo: int, hi: int) -> int | None:
    m = re.search(r"(?i)ngày\s+(\d{1,2})(?!\d)(?!\s*[/.\-]\s*\d)(?!\s+tháng\s+\d)", text[lo:hi])
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 31 else None


def _first_due(rule: str, letter_date: dt.date | None) -> dt.date | None:
    if not letter_date or ":" not in rule:
        return None
    kind, arg = rule.split(":", 1)
    if kind == "monthly" and arg.isdigit():
        day = int(arg)
        y, mth = letter_date.year, letter_date.month
        for _ in range(2):
            cand = _safe_date(y, mth, min(day, _pycal.monthrange(y, mth)[1]))
            if cand and cand > letter_date:
                return cand
            y, mth = (y + 1, 1) if mth == 12 else (y, mth + 1)
        return None
    if kind == "weekly" and arg.isdigit() and 1 <= int(arg) <= 7:
        delta = (int(arg) - 1 - letter_date.weekday()) % 7 or 7
        return letter_date + dt.timedelta(days=delta)
    return None


def _relative_base(m: re.Match, letter_date: dt.date | None, received: dt.date | None) -> tuple[bool, dt.date | None]:
    """(resolvable, base date) of "trong N ngày [kể từ ...]"."""
    if not m.group("from"):
        return True, letter_date
    what = fold(m.group("what") or "")
    if re.match(r"(ky|ban hanh|van ban nay|cong van nay|thong bao nay|ngay ky|phat hanh)", what):
        return True, letter_date
    if re.match(r"(nhan|tiep nhan)", what):
        # counted from the day the addressee receives the letter: known only from its stamp
        return True, received
    return False, None


def find_deadlines(
    text: str,
    *,
    letter_date=None,
    year_hint: int | None = None,
    calendar=None,
    received=None,
) -> list[Deadline]:
    """Every deadline expression in ``text``, in order, resolved against the letter's date.

    ``letter_date`` (date or ISO string) anchors dates without a year and relative delays;
    ``year_hint`` is used for dates without a year when the letter's date is unknown;
    ``calendar`` counts working days (default: the project calendar); ``received`` is the date the
    letter was received, used for "kể từ ngày nhận được".
    """
    if not text:
        return []
    letter = parse_iso(letter_date)
    received_date = parse_iso(received)
    if year_hint is None and letter:
        year_hint = letter.year
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(dl: Deadline) -> None:
        found.append(dl)
        taken.append((dl.start, dl.end))

    def finish(start: int, end: int, date: dt.date | None, kind: str) -> None:
        recurrence, lo, hi = None, start, end
        rec_rule, rlo, rhi = _recurrence_at(text, start, end)
        if rec_rule:
            rm = next((m for m in _RECURRENCE_RE.finditer(text, rlo, rhi)), None)
            if rm is not None and _recurrence_is_duty(text, rm):
                recurrence, lo, hi = rec_rule, rlo, rhi
        phrase_lo = _phrase_start(text, lo)
        if recurrence:
            recurrence = _refine_recurrence(recurrence, text, phrase_lo, hi + 30)
            dl = Deadline(lo, hi, _clean(text[phrase_lo:hi]), None, recurrence, "recurring", _first_due(recurrence, letter))
        else:
            dl = Deadline(start, end, _clean(text[phrase_lo:end]), date, None, kind)
        add(dl)

    for m in _ABSOLUTE_RE.finditer(text):
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        date = _resolve_numeric(m, letter, year_hint)
        if date is None and (m.group("y") or m.group("y2")):
            continue
        cue = fold(m.group("cue"))
        if cue.startswith("tu ") or cue.startswith("den"):
            continue
        pair = None if (m.group("y") or m.group("y2")) else _PAIRED_DAY_RE.match(text, m.end())
        if pair and _recurrence_at(text, m.start(), pair.end())[0] is None:
            # "báo cáo trước ngày 05/6 và 05/12" (no year): the two reports of every year, one rule
            rule = _refine_recurrence("yearly", text, m.start(), pair.end())
            if rule != "yearly" and not rule.startswith("yearly:"):
                lo = _phrase_start(text, m.start())
                add(Deadline(m.start(), pair.end(), _clean(text[lo:pair.end()]), None, rule, "recurring",
                             _first_due(rule, letter)))
                continue
        finish(m.start(), m.end(), date, "date")
        if date is not None and found[-1].date == date and (m.group("y") or m.group("y2")):
            _add_rounds(text, m, found[-1], add)

    for m in _IN_DAY_RE.finditer(text):
        # "trình Ủy ban nhân dân tỉnh trong ngày 01/11/2025": a submission due that day, said a few words
        # after its verb; "Trong ngày 25/6, UBND tỉnh tổ chức ..." (no such verb before it) is an event
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        clause = re.split(r"[.;:\n]", text[max(0, m.start() - 80):m.start()])[-1]
        if not _SUBMIT_VERB_RE.search(clause):
            continue
        date = _resolve_numeric(m, letter, year_hint)
        if date is not None:
            finish(m.start(), m.end(), date, "date")

    for m in _QUARTER_RE.finditer(text):
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        q = _ROMAN[m.group("q").lower()]
        cue = fold(m.group("cue")).strip()
        if cue.startswith("truoc"):
            q -= 1
        year = _year4(m.group("y")) or (letter.year if letter else year_hint)
        if year is None:
            date = None
        elif q == 0:
            date = dt.date(year - 1, 12, 31)
        else:
            date = last_day_of_month(year, q * 3)
        finish(m.start(), m.end(), date, "quarter")

    for m in _HALF_RE.finditer(text):
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        year = _year4(m.group("y")) or (letter.year if letter else year_hint)
        which = fold(m.group("which"))
        date = (dt.date(year, 6, 30) if which == "dau" else dt.date(year, 12, 31)) if year else None
        finish(m.start(), m.end(), date, "half")

    for m in _MONTH_RE.finditer(text):
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            continue
        # "Trong tháng 9/2019, toàn tỉnh đã ..." opens a statement about the month, not a deadline
        cue = fold(m.group("cue")).strip()
        clause_start = max(text.rfind(".", 0, m.start()), text.rfind(";", 0, m.start()), text.rfind("\n", 0, m.start()), text.rfind(":", 0, m.start()))
        if cue in ("trong", "ngay trong") and (
            not text[clause_start + 1:m.start()].strip() and re.match(r"\s*,", text[m.end():])
            or re.search(r"(?i)(?:đã|đạt|tăng|giảm|so\s+với)\s*$", text[max(0, m.start() - 20):m.start()])
        ):
            continue
        end, year_text = m.end(), m.group("y")
        more = _MORE_MONTHS_RE.match(text, m.end()) if not year_text else None
        if more and 1 <= int(more.group("m")) <= 12 and int(more.group("m")) > month:
            # "trong tháng 6 và tháng 7/2013": the work runs to the end of the last month named
            month, end, year_text = int(more.group("m")), more.end(), more.group("y")
        year = _year_for_period(year_text, month, letter, year_hint)
        if cue.startswith("truoc"):
            month -= 1
            if month == 0:
                month, year = 12, (year - 1 if year else None)
        date = last_day_of_month(year, month) if year else None
        finish(m.start(), end, date, "month")

    for m in _YEAR_RE.finditer(text):
        if not free(m.start(), m.end()) or _context_blocks(text, m.start()):
            continue
        cue = fold(m.group("cue")).strip()
        before = text[max(0, m.start() - 150):m.start()]
        # "trong năm 2026" closes an action ("phấn đấu hoàn thành trong năm 2026", "triển khai ... trong
        # năm 2025"); it is no deadline for a statement ("Trong năm 2024, tỉnh đã ...", "các nhiệm vụ
        # trọng tâm trong năm 2025", "đạt 95% trong năm 2024")
        if cue in ("trong", "ngay trong", "cuoi"):
            clause = re.split(r"[.;:\n]", before)[-1]
            if not clause.strip() or re.search(
                r"(?i)(?:nhiệm\s+vụ|chỉ\s+tiêu|mục\s+tiêu|kế\s+hoạch|kết\s+quả|trọng\s+tâm|đạt|đã|tăng|giảm|so\s+với|phấn\s+đấu\s+đạt)(?:\s+\S+){0,2}\s*$",
                clause,
            ) or not _YEAR_ACTION_RE.search(clause):
                continue
        year = _year4(m.group("y"))
        if year is None:
            continue
        date = dt.date(year - 1, 12, 31) if cue.startswith("truoc") else dt.date(year, 12, 31)
        finish(m.start(), m.end(), date, "year")

    cal = None
    for m in _RELATIVE_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        n = int(m.group("n"))
        unit = fold(m.group("unit"))
        if n == 0 or n > 400:
            continue
        if _PAST_PERIOD_RE.matches(text, m.end("unit")):
            continue  # "trong 12 tháng qua": a period that has passed, not a delay
        resolvable, base = _relative_base(m, letter, received_date)
        if not resolvable:
            continue
        if not m.group("from") and fold(m.group("cue")).startswith("sau"):
            continue
        date = None
        if base is not None:
            if unit == "ngay lam viec":
                cal = cal or calendar or get_calendar()
                date = cal.add_working_days(base, n)
            elif unit == "ngay":
                date = base + dt.timedelta(days=n)
            elif unit == "tuan":
                date = base + dt.timedelta(weeks=n)
            else:
                month_index = base.month - 1 + n
                y, mth = base.year + month_index // 12, month_index % 12 + 1
                date = _safe_date(y, mth, min(base.day, _pycal.monthrange(y, mth)[1]))
        end = m.end() if m.group("from") else m.end("unit")
        finish(m.start(), end, date, "working_days" if unit == "ngay lam viec" else "relative")

    # a labelled time: "Thời gian hoàn thành: Quý II/2024", "Thời hạn: tháng 5/2024", "Thời gian thực
    # hiện: từ tháng 3 đến tháng 12/2024" (the end of the period)
    for m in _LABEL_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = m.group("value").strip()
        if m.group("bare") and CLOCK_RE.search(value):
            continue
        period = re.match(r"(?i)từ\s+.+?\s+(?:đến|tới)\s+(?:hết\s+)?(?P<end>.+)$", value)
        if period:
            value = period.group("end")
        d = _bare_time(value, letter, year_hint)
        if d is None:
            # "Tháng 4 và tháng 5/2024", "Quý II, quý III/2024": the work ends with the last period named
            last = re.split(r"(?i)\s*(?:,|;|\svà\s|\s-\s|\sđến\s)\s*", value)[-1]
            d = _bare_time(last, letter, year_hint) if last != value else None
        if d is not None and (d.date or d.recurrence):
            add(Deadline(m.start(), m.end(), _clean(text[m.start():m.end()]), d.date, d.recurrence,
                         d.kind, _first_due(d.recurrence, letter) if d.recurrence else None))

    # recurring duties with no date cue ("Định kỳ hằng quý báo cáo ...")
    for m in _RECURRENCE_RE.finditer(text):
        if not free(m.start(), m.end()) or not _recurrence_is_duty(text, m):
            continue
        rule = _recurrence_from(m, text)
        if rule is None:
            # "định kỳ" with its unit further on ("định kỳ (trước ngày 20 hằng tháng)") is handled there
            continue
        lo = _phrase_start(text, m.start())
        rule = _refine_recurrence(rule, text, lo, m.end() + 70)
        start = _recurrence_phrase_start(text, m.start())
        add(Deadline(start, m.end(), _clean(text[start:_recurrence_phrase_end(text, m.end())]), None, rule, "recurring", _first_due(rule, letter)))

    found.sort(key=lambda d: d.start)
    return [_flag_past(d, letter) for d in _merge_recurring(found, text)]


def _flag_past(d: Deadline, letter: dt.date | None) -> Deadline:
    """Flag a deadline that falls before the letter's date ("before_letter"); the date stays what the text says.

    A letter cannot ask for work by a day already gone ("báo cáo trước ngày 15/01/2025" in a letter of
    04/3/2025): the year or the date is mistyped, or the text was copied from an older letter, and the
    clerk is to check it. Dates without a year have already moved to the next year when that makes them
    future (see ``_resolve_numeric``), so they are flagged only when still past.
    """
    if letter is not None and d.date is not None and d.date < letter:
        d.flag = "before_letter"
    return d


def _recurrence_phrase_start(text: str, start: int) -> int:
    """Extend a recurrence phrase back over its cue ("Định kỳ trước ngày 10 hằng tháng")."""
    m = re.search(
        r"(?i)(?:định\s+kỳ\s*,?\s*)?(?:(?:trước|chậm\s+nhất|vào)\s+(?:" + _HOUR + r")?(?:ngày\s+\d{1,2}\s*(?:của\s+)?)?)?$",
        text[max(0, start - 60):start],
    )
    if m and m.group(0).strip():
        return start - len(m.group(0))
    return start


def _recurrence_phrase_end(text: str, end: int) -> int:
    """Extend a bare recurrence phrase over a following time ("hằng tuần, trước 16 giờ 00 ngày thứ Sáu")."""
    m = re.match(r"(?i)\s*,?\s*\(?\s*trước\s+" + _HOUR + r"?(?:ngày\s+)?(?:thứ\s+\S+|chủ\s+nhật|\d{1,2}(?![/.\-]\d))?\)?", text[end:])
    if m and len(m.group(0).strip()) > 5:
        return end + len(m.group(0).rstrip())
    return end


def _refine_recurrence(rule: str, text: str, lo: int, hi: int) -> str:
    """Add the due day to a rule when the text names it, in the vocabulary of ``tracker.tasks.recurrence``.

    "monthly:20" (day of the month), "weekly:5" (1 = Monday ... 7 = Sunday), "quarterly:20" and
    "semiannual:15" (day of the period's last month), "yearly:12-15" (month-day).
    """
    hi = min(len(text), hi)
    clause_end = min([i for i in (text.find(";", lo), text.find("\n", lo)) if i >= 0] or [len(text)])
    hi = min(hi, max(clause_end, lo))
    span = text[lo:hi]
    if rule == "weekly":
        day = _weekday_near(text, lo, hi)
        return f"weekly:{_WEEKDAY_INDEX[day] + 1}" if day else rule
    if rule == "monthly":
        day = _day_of_month_near(text, lo, hi)
        return f"monthly:{day}" if day else rule
    dated = [(int(d), int(m)) for d, m in _DAY_MONTH_RE.findall(span) if 1 <= int(d) <= 31 and 1 <= int(m) <= 12]
    if rule == "yearly":
        if len(set(dated)) >= 2:
            return _several_days_a_year(set(dated))
        if dated:
            return f"yearly:{dated[0][1]:02d}-{dated[0][0]:02d}"
        return rule
    if rule == "quarterly" and re.search(r"(?i)tháng\s+đầu\s+(?:của\s+)?quý", span):
        return rule  # a day of the next quarter's first month: not a day of the quarter's last month
    if rule in ("quarterly", "semiannual"):
        # "trước ngày 20 của tháng cuối quý", "trước ngày 15/6 và 15/12"
        days = {d for d, _ in dated}
        if len(days) == 1:
            return f"{rule}:{days.pop()}"
        day = _day_of_month_near(text, lo, hi)
        if day:
            return f"{rule}:{day}"
    return rule


# "ngày 15/6", and the further days of "ngày 05/6 và 05/12", "ngày 15/3, 15/6, 15/9 và ngày 15/12" (no year)
_DAY_MONTH_RE = _lazy_re("_DAY_MONTH_RE",
    r"(?i)(?:(?<![^\W\d_])(?:ngày|và)|,)\s*(?:ngày\s+)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?!\s*[/.\-]\s*\d)")
# the second day of a pair: "trước ngày 05/6 và 05/12"
_PAIRED_DAY_RE = _lazy_re("_PAIRED_DAY_RE",
    r"(?i)\s*(?:,|và)\s*(?:ngày\s+)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?!\d|\s*[/.\-]\s*\d)")


# a further dated round after a full date: "báo cáo trước ngày 15/6/2025 và 15/12/2025"
_DATED_ROUND_RE = _lazy_re("_DATED_ROUND_RE",
    r"(?i)\s*(?:,|và)\s*(?:ngày\s+)?(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})(?![\d/])")


def _add_rounds(text: str, m: re.Match, first: Deadline, add) -> None:
    """The further dated rounds of one deadline phrase, each a deadline of kind "round".

    "Sở Y tế báo cáo trước ngày 15/6/2025 và 15/12/2025": the same report is due twice; each later day
    written with its year is a round of its own, its phrase the first one's words up to the date
    ("báo cáo trước ngày 15/12/2025"). Days without a year are a yearly duty (see ``_PAIRED_DAY_RE``);
    a day not after the one before is no further round (the pair is left as it was read).
    """
    words = first.text[: max(0, len(first.text) - len(_clean(text[m.start("d") if m.group("d") else m.start("d2"):m.end()])))]
    words = words.rstrip()
    pos, last = m.end(), first.date
    while True:
        r = _DATED_ROUND_RE.match(text, pos)
        if r is None:
            return
        day = _safe_date(int(r.group("y")), int(r.group("m")), int(r.group("d")))
        if day is None or day <= last:
            return
        date_text = _clean(text[r.start("d"):r.end()])
        add(Deadline(r.start("d"), r.end(), f"{words} {date_text}".strip(), day, None, "round"))
        pos, last = r.end(), day


def _several_days_a_year(days: set[tuple[int, int]]) -> str:
    """One rule, in the vocabulary of ``tracker.tasks.recurrence``, for a duty due on several days of each year.

    The tracker stores one rule per task, with one due day: days in June and December are a half-yearly
    rule ("05/6 và 05/12" -> "semiannual:5"), days in the quarters' last months a quarterly one; other days
    ("15/01 và 15/7") take a monthly rule, which reminds on each of them (and in the months between). When
    the days of the month differ, the earliest is taken, so that no due day is passed unseen.
    """
    day = min(d for d, _ in days)
    months = {m for _, m in days}
    if months == {6, 12}:
        return f"semiannual:{day}"
    if months <= {3, 6, 9, 12}:
        return f"quarterly:{day}"
    return f"monthly:{day}"


def _merge_recurring(found: list[Deadline], text: str = "") -> list[Deadline]:
    """Drop dated expressions that are the days of a recurrence found around them ("15/6 và 15/12 hằng năm"),
    and join two phrases of one schedule ("định kỳ hằng quý, trước ngày 20 của tháng cuối quý")."""
    recurring = [d for d in found if d.recurrence]
    out = []
    for d in found:
        if not d.recurrence and any(r.start <= d.start and d.end <= r.end + 40 and r is not d for r in recurring):
            continue
        out.append(d)
    # several recurring spans over the same phrase: keep the widest
    result: list[Deadline] = []
    for d in out:
        if result and d.recurrence and result[-1].recurrence and d.start < result[-1].end:
            if d.end - d.start > result[-1].end - result[-1].start:
                result[-1] = d
            continue
        prev = result[-1] if result else None
        if (prev is not None and d.recurrence and prev.recurrence and text
                and d.recurrence.split(":")[0] == prev.recurrence.split(":")[0]
                and d.start - prev.end <= 60 and not re.search(r"[.;\n]", text[prev.end:d.start])):
            rule = max(prev.recurrence, d.recurrence, key=len)  # the one that names the day
            result[-1] = Deadline(prev.start, d.end, _clean(text[prev.start:d.end]), None, rule, "recurring",
                                  prev.first_due or d.first_due)
            continue
        result.append(d)
    return result


def _clean(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,;:-+(")
    if phrase.count("(") > phrase.count(")"):
        phrase = phrase + ")"
    return phrase


def best_deadline(deadlines: list[Deadline]) -> Deadline | None:
    """The deadline a task takes among several found in its text: the first dated one, else the first rule."""
    dated = [d for d in deadlines if d.date]
    if dated:
        return dated[0]
    recurring = [d for d in deadlines if d.recurrence]
    if recurring:
        return recurring[0]
    return deadlines[0] if deadlines else None


_CELL_QUARTER_RE = _lazy_re("_CELL_QUARTER_RE", r"(?i)^\s*(?:trong\s+|trước\s+|hết\s+)?quý\s+(?P<q>IV|III|II|I|[1-4])(?![^\W\d_])\s*(?:/|năm)\s*(?P<y>\d{4})")
_CELL_MONTH_RE = _lazy_re("_CELL_MONTH_RE", r"(?i)^\s*(?:trong\s+|hết\s+)?tháng\s+(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>\d{4})")
_CELL_YEAR_RE = _lazy_re("_CELL_YEAR_RE", r"(?i)^\s*(?:trong\s+)?năm\s+(?P<y>\d{4})\s*$")
_CELL_DATE_RE = _lazy_re("_CELL_DATE_RE", rf"(?i)^\s*(?:ngày\s*)?(?:{_NUMERIC_DATE}|{_WORDS_DATE})\s*$")


def parse_time_cell(text: str, *, letter_date=None, year_hint: int | None = None, calendar=None) -> Deadline | None:
    """The deadline in a table's time column ("Quý III/2021", "Tháng 9/2021", "Trước 30/11/2021", "Hằng năm").

    Cells name the time without a cue, so bare months, quarters, years and dates count here.
    Periods ("2021 - 2025") and "Thường xuyên" give None.
    """
    cell = re.sub(r"\s+", " ", text or "").strip()
    if not cell:
        return None
    found = find_deadlines(cell, letter_date=letter_date, year_hint=year_hint, calendar=calendar)
    if found:
        return best_deadline(found)
    letter = parse_iso(letter_date)
    bare = _bare_time(cell, letter, year_hint)
    return _flag_past(bare, letter) if bare is not None else None


def _bare_time(cell: str, letter: dt.date | None, year_hint: int | None) -> Deadline | None:
    """A time named without a cue ("Quý III/2021", "Tháng 9/2021", "30/11/2021", "Năm 2025", "Hằng năm")."""
    cell = cell.strip()
    m = _CELL_QUARTER_RE.match(cell)
    if m:
        q, y = _ROMAN[m.group("q").lower()], int(m.group("y"))
        return Deadline(0, len(cell), cell, last_day_of_month(y, q * 3), None, "quarter")
    m = _CELL_MONTH_RE.match(cell)
    if m and 1 <= int(m.group("m")) <= 12:
        return Deadline(0, len(cell), cell, last_day_of_month(int(m.group("y")), int(m.group("m"))), None, "month")
    m = _CELL_YEAR_RE.match(cell)
    if m:
        return Deadline(0, len(cell), cell, dt.date(int(m.group("y")), 12, 31), None, "year")
    m = _CELL_DATE_RE.match(cell)
    if m:
        date = _resolve_numeric(m, letter, year_hint)
        return Deadline(0, len(cell), cell, date, None, "date") if date else None
    m = re.match(r"(?i)^\s*(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+(ngày|tuần|tháng|quý|năm)", cell)
    if m:
        rule = {"ngay": "daily", "tuan": "weekly", "thang": "monthly", "quy": "quarterly", "nam": "yearly"}[fold(m.group(1))]
        return Deadline(0, len(cell), cell, None, _refine_recurrence(rule, cell, 0, len(cell)), "recurring")
    if re.match(r"(?i)^\s*(?:định\s+kỳ\s+)?(?:6|sáu)\s+tháng", cell):
        return Deadline(0, len(cell), cell, None, "semiannual", "recurring")
    return None


# -- dates written in words ------------------------------------------------------------------------
# "trước ngày mười lăm tháng mười một năm 2018", "ngày mồng năm tháng mười hai năm hai nghìn không trăm mười
# tám", "ngày hai mươi (20) tháng 11": written out in digits before deadlines are looked for.

_DIGIT_WORDS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
                "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}


def _small_number_words() -> dict[str, int]:
    """Every usual spelling of 1-31 ("mười lăm", "hai mươi mốt", "hai mươi tư", "ba mươi")."""
    units = {1: ["một"], 2: ["hai"], 3: ["ba"], 4: ["bốn"], 5: ["năm"], 6: ["sáu"], 7: ["bảy", "bẩy"], 8: ["tám"],
             9: ["chín"]}
    found: dict[str, int] = {}
    for n, words in units.items():
        for w in words:
            found[w] = n
    found["mười"] = 10
    for n, words in units.items():
        for w in (["lăm", "nhăm"] if n == 5 else words):
            found[f"mười {w}"] = 10 + n
    for tens, tw in ((2, "hai"), (3, "ba")):
        found[f"{tw} mươi"] = tens * 10
        for n, words in units.items():
            if tens * 10 + n > 31:
                break
            spellings = {1: ["mốt", "một"], 4: ["tư", "bốn"], 5: ["lăm", "nhăm"]}.get(n, words)
            for w in spellings:
                found[f"{tw} mươi {w}"] = tens * 10 + n
    return found


_SMALL_NUMBERS = _small_number_words()
_MONTH_WORDS = {**{w: n for w, n in _SMALL_NUMBERS.items() if n <= 12}, "giêng": 1, "chạp": 12}


def _words_alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_WORDS_DATE_IN_WORDS_RE = _lazy_re(
    "_WORDS_DATE_IN_WORDS_RE",
    rf"(?P<head>ngày\s+)(?:mồng\s+|mùng\s+)?(?P<d>{_words_alt(_SMALL_NUMBERS)})(?:\s*\((?P<dd>\d{{1,2}})\))?"
    rf"\s+tháng\s+(?:(?P<m>{_words_alt(_MONTH_WORDS)})|(?P<md>\d{{1,2}}))(?:\s*\((?P<mm>\d{{1,2}})\))?(?![^\W\d_])"
    rf"(?:\s+năm\s+(?:(?P<yd>\d{{4}})|(?P<y>hai\s+(?:nghìn|ngàn)(?:\s+(?:không|một|mốt|hai|ba|bốn|tư|năm|lăm|sáu|bảy|"
    rf"tám|chín|mười|mươi|trăm|linh|lẻ))*)))?",
    re.IGNORECASE,
)


def _year_in_words(words: str) -> int | None:
    """ "hai nghìn không trăm mười tám" -> 2018 (years 2000-2099)."""
    tokens = fold(words).split()
    if len(tokens) < 2 or tokens[0] != "hai" or tokens[1] not in ("nghin", "ngan"):
        return None
    rest = [t for t in tokens[2:] if t not in ("khong", "tram", "linh", "le")]
    text = " ".join(rest)
    if not text:
        return 2000
    value = next((n for w, n in _SMALL_NUMBERS.items() if fold(w) == text), None)
    if value is None and len(rest) == 1:
        value = {fold(w): n for w, n in _DIGIT_WORDS.items()}.get(rest[0])
    if value is None:
        tens = {"hai muoi": 20, "ba muoi": 30, "bon muoi": 40, "nam muoi": 50, "sau muoi": 60, "bay muoi": 70,
                "tam muoi": 80, "chin muoi": 90}
        for prefix, n in tens.items():
            if text == prefix:
                value = n
            elif text.startswith(prefix + " "):
                unit = {fold(w): v for w, v in _DIGIT_WORDS.items()}.get(text[len(prefix) + 1:])
                value = n + unit if unit is not None else None
    return 2000 + value if value is not None and value < 100 else None


def dates_in_words_to_digits(text: str) -> str:
    """Write the dates spelt in words as "ngày 15 tháng 11 năm 2018" (the rest of the text unchanged)."""
    if "tháng" not in text:
        return text

    def digits(m: re.Match) -> str:
        fold_key = lambda w: re.sub(r"\s+", " ", w.lower())  # noqa: E731
        day = int(m.group("dd")) if m.group("dd") else _SMALL_NUMBERS.get(fold_key(m.group("d")))
        if m.group("mm"):
            month = int(m.group("mm"))
        elif m.group("md"):
            month = int(m.group("md"))
        else:
            month = _MONTH_WORDS.get(fold_key(m.group("m")))
        year = int(m.group("yd")) if m.group("yd") else (_year_in_words(m.group("y")) if m.group("y") else None)
        if day is None or month is None or (m.group("y") and year is None):
            return m.group(0)
        return f"{m.group('head')}{day} tháng {month}" + (f" năm {year}" if year else "")

    return _WORDS_DATE_IN_WORDS_RE.sub(digits, text)
