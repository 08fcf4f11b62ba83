"""The Vietnamese text layer every area shares: NFC, folding (for search, for names, with positions kept) and words
with their offsets.

Folding removes diacritics and case ("Ủy ban" -> "uy ban", "đ" -> "d"). Three forms serve three needs:

- :func:`fold` keeps punctuation and collapses spaces: what search compares (the register's search index);
- :func:`fold_words` turns punctuation into spaces: how agency names are compared ("Sở Lao động - TB&XH");
- :func:`fold_keep_length` maps each character to one character, so a position found in the folded text is the
  same position in the original: how the reader finds a phrase and then cuts the printed text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def nfc(text: str | None) -> str:
    """The text in Unicode NFC, stripped; "" for None."""
    return unicodedata.normalize("NFC", text or "").strip()


def fold(text: str | None) -> str:
    """Lower case without diacritics (đ -> d), other characters kept, spaces collapsed: for search."""
    decomposed = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"\s+", " ", stripped).strip()


def _fold_char(c: str) -> str:
    """One letter folded: its base letter in lower case ("Ở" -> "o", "Đ" and the look-alike "Ð" -> "d")."""
    if c in "đĐðÐ":
        return "d"
    return unicodedata.normalize("NFD", c)[0].lower()


class _FoldTable(dict):
    """code point -> folded character, filled in as characters are met (for ``str.translate``, which is far
    faster than a per-character loop: the reader folds thousands of strings per letter)."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        folded = _fold_char(c) if c.isalpha() else c
        self[code] = folded
        return folded


class _FoldDropTable(_FoldTable):
    """Like _FoldTable, and a lone combining mark (text not in NFC) is dropped, as NFD folding would."""

    def __missing__(self, code: int) -> str:
        if unicodedata.category(chr(code)) == "Mn":
            self[code] = ""
            return ""
        return super().__missing__(code)


_FOLD_TABLE = _FoldTable()
_FOLD_DROP_TABLE = _FoldDropTable()
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def fold_keep_length(text: str) -> str:
    """Fold character by character, so that positions in the result are positions in ``text``."""
    return text.translate(_FOLD_TABLE)


def fold_words(text: str | None) -> str:
    """Like fold, punctuation turned into spaces: for matching names ("Sở Lao động - TB&XH" -> "so lao dong tb xh")."""
    if not text:
        return ""
    return _NOT_ALNUM_RE.sub(" ", text.translate(_FOLD_DROP_TABLE).lower()).strip()


@dataclass(frozen=True)
class Word:
    """A word of a text with where it stands: ``text[start:end]`` is ``printed``; ``folded`` is how it compares."""

    printed: str
    start: int
    end: int
    folded: str


# a word: word characters with the combining marks of a decomposed (NFD) Vietnamese text
_WORD_RE = re.compile(r"(?:\w|[\u0300-\u036f])+")


def words(text: str | None) -> list[Word]:
    """The words of ``text`` with their offsets and folded forms (as search folds them: NFC or NFD alike)."""
    return [Word(m.group(0), m.start(), m.end(), fold(m.group(0))) for m in _WORD_RE.finditer(text or "")]
