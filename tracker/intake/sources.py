"""Where each proposed task was read: its source passage found in the letter's text, for the review page.

The extractor gives every task the clause, block or table row it was read from (``"source"``), on one line.
That passage comes from the extractor's cleaned text, not the text the clerk sees: line breaks became spaces,
markdown marks and page numbers went, and abbreviations were written out ("UBND" -> "Ủy ban nhân dân"). So
the passage is found word by word, on folded words (no case, no diacritics, no punctuation or spacing):
first as an exact run of words, then, for a passage of some length, as the stretch of the letter that holds
most of its words in order. A passage found nowhere is shown by itself instead.

Plain Python: the page renders ``segments`` (the letter cut where passages start and end), so the browser only
switches a class on, and tests read the marked passages from the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from tracker.text import words as words_with_offsets

#: a passage shorter than this many words must appear exactly (a short one found loosely is a guess)
MIN_LOOSE_WORDS = 8
#: the share of a passage's words that a loose match must find in order
MIN_LOOSE_SHARE = 0.6


@dataclass(frozen=True)
class Words:
    """A text's folded words with their character offsets."""

    keys: list[str]
    starts: list[int]
    ends: list[int]


def words_of(text: str) -> Words:
    """The folded words of ``text`` and where each starts and ends in it."""
    found = [w for w in words_with_offsets(text) if w.folded]
    return Words([w.folded for w in found], [w.start for w in found], [w.end for w in found])


def _exact_run(keys: list[str], wanted: list[str]) -> int | None:
    haystack = " " + " ".join(keys) + " "
    position = haystack.find(" " + " ".join(wanted) + " ")
    if position < 0:
        return None
    return haystack.count(" ", 0, position + 1) - 1


def _closing(text: str, end: int) -> int:
    """``end`` moved over the punctuation that closes the passage's last word ("quy định." ends with the dot)."""
    while end < len(text) and text[end] in ".,;:!?)”’\"'…":
        end += 1
    return end


def locate(text: str, source: str | None, *, words: Words | None = None) -> tuple[int, int] | None:
    """The ``(start, end)`` character offsets of ``source`` in ``text``, or None when it is not there.

    Spacing, line breaks, punctuation, case and diacritics are ignored; a passage of at least MIN_LOOSE_WORDS
    words is also found when some of its words are spelled differently in the letter (abbreviations the
    extractor wrote out), as long as most of them are there in order and the stretch is not much longer.
    """
    wanted = [w.folded for w in words_with_offsets(source) if w.folded]
    if not wanted:
        return None
    words = words if words is not None else words_of(text)
    first = _exact_run(words.keys, wanted)
    if first is not None:
        return words.starts[first], _closing(text, words.ends[first + len(wanted) - 1])
    if len(wanted) < MIN_LOOSE_WORDS or not words.keys:
        return None
    size_all = len(words.keys)
    main = SequenceMatcher(None, words.keys, wanted, autojunk=False).find_longest_match(0, size_all, 0, len(wanted))
    if main.size < 3:
        return None
    slack = max(5, len(wanted) // 4)
    low = max(0, main.a - main.b - slack)
    high = min(size_all, main.a + (len(wanted) - main.b) + slack)
    blocks = [b for b in SequenceMatcher(None, words.keys[low:high], wanted, autojunk=False).get_matching_blocks()
              if b.size]
    # a few words matched away from the rest at either end are a coincidence ("các", "Ủy ban nhân dân tỉnh" of the
    # signature block), not the passage: the letter has words there that the passage has not
    def stray(edge, text_gap, source_gap) -> bool:
        return edge.size < max(6, len(wanted) // 3) and text_gap > source_gap + 2
    while len(blocks) > 1 and stray(blocks[0], blocks[1].a - blocks[0].a - blocks[0].size,
                                    blocks[1].b - blocks[0].b - blocks[0].size):
        blocks.pop(0)
    while len(blocks) > 1 and stray(blocks[-1], blocks[-1].a - blocks[-2].a - blocks[-2].size,
                                    blocks[-1].b - blocks[-2].b - blocks[-2].size):
        blocks.pop()
    if sum(b.size for b in blocks) < MIN_LOOSE_SHARE * len(wanted):
        return None
    first, last = low + blocks[0].a, low + blocks[-1].a + blocks[-1].size - 1
    if last - first + 1 > 1.5 * len(wanted) + 5:
        return None
    # words of the passage's ends spelled otherwise in the letter ("UBND tỉnh" for "Ủy ban nhân dân tỉnh"):
    # take as many of the letter's words there, within the line
    for _ in range(blocks[0].b):
        if first == 0 or "\n" in text[words.ends[first - 1]:words.starts[first]]:
            break
        first -= 1
    for _ in range(len(wanted) - blocks[-1].b - blocks[-1].size):
        if last + 1 >= size_all or "\n" in text[words.ends[last]:words.starts[last + 1]]:
            break
        last += 1
    return words.starts[first], _closing(text, words.ends[last])


@dataclass(frozen=True)
class Segment:
    """A stretch of the letter's text and the task rows whose passage covers it."""

    text: str
    #: the rows (positions in the task table) whose passage covers this stretch
    rows: tuple[int, ...] = ()
    #: the rows whose passage starts here (the page puts an anchor for each)
    starts: tuple[int, ...] = ()


@dataclass
class SourceView:
    """The letter's text cut into segments, and for each row whether its passage was found."""

    segments: list[Segment]
    #: row -> (start, end) of its passage in the text
    spans: dict[int, tuple[int, int]]
    #: row -> its source passage, for the rows whose passage was not found in the text (shown under the row)
    unplaced: dict[int, str]


def segments(text: str, spans: dict[int, tuple[int, int]]) -> list[Segment]:
    """``text`` cut at every start and end of the rows' passages; each piece names the rows covering it."""
    cuts = sorted({0, len(text), *(p for span in spans.values() for p in span)})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        if start >= end:
            continue
        rows = tuple(sorted(row for row, (a, b) in spans.items() if a <= start and end <= b))
        starting = tuple(sorted(row for row, (a, _b) in spans.items() if a == start))
        pieces.append(Segment(text[start:end], rows, starting))
    return pieces


def source_view(text: str, sources: dict[int, str | None]) -> SourceView:
    """Find each row's source passage in the letter's ``text`` (rows without a source are left out)."""
    text = text or ""
    words = words_of(text)
    found: dict[str, tuple[int, int] | None] = {}
    spans: dict[int, tuple[int, int]] = {}
    unplaced: dict[int, str] = {}
    for row, source in sources.items():
        source = " ".join((source or "").split())
        if not source:
            continue
        if source not in found:  # cooperating agencies' rows share their lead's passage
            found[source] = locate(text, source, words=words)
        span = found[source]
        if span is None:
            unplaced[row] = source
        else:
            spans[row] = span
    return SourceView(segments(text, spans), spans, unplaced)
