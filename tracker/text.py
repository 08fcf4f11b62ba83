"""Small text helpers shared by every area: folding Vietnamese for search, NFC."""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str | None) -> str:
    """The text in Unicode NFC, stripped; "" for None."""
    return unicodedata.normalize("NFC", text or "").strip()


def fold(text: str | None) -> str:
    """Lower case without diacritics (đ -> d), other characters kept, spaces collapsed: for search."""
    decomposed = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"\s+", " ", stripped).strip()


def fold_words(text: str | None) -> str:
    """Like fold, punctuation turned into spaces: for matching names."""
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", fold(text))).strip()
