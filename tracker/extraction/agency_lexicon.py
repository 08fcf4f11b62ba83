"""Vocabulary of Vietnamese public agencies, by kind, used to recognise agency names in running text.

The lists are data files, ``tracker/extraction/phrases/<name>.txt`` (one name a line, ``#`` starts a
comment), loaded here under the names the recogniser (``names.py``) uses. Names are written in their
official sentence case ("Sở Nông nghiệp và Môi trường", "Bộ Lao động - Thương binh và Xã hội"). The
lists cover the structure before and after the 2025 reorganisation (merged ministries and
departments, two-level local government without districts) because letters of both periods are read.
To teach the reader a new agency kind or title, add a line to the file; no code changes.
"""

from __future__ import annotations

from tracker.extraction.rules import load_phrases

# -- ministries and agencies of the Government ---------------------------------------------------

#: Names that follow "Bộ" (ministries), current and former (phrases/ministry_names.txt).
MINISTRY_NAMES: tuple[str, ...] = load_phrases("ministry_names")

#: Central agencies named without "Bộ" (phrases/central_agencies.txt).
CENTRAL_AGENCIES: tuple[str, ...] = load_phrases("central_agencies")

# -- provincial departments ---------------------------------------------------------------------

#: Names that follow "Sở" (provincial departments), after and before the 2025 reorganisation
#: (phrases/department_names.txt).
DEPARTMENT_NAMES: tuple[str, ...] = load_phrases("department_names")

#: Provincial bodies named with their level word ("Công an tỉnh", "Thanh tra tỉnh"): heads that may be
#: followed by a level word and a place name (phrases/local_heads.txt).
LOCAL_HEADS: tuple[str, ...] = load_phrases("local_heads")

#: Heads of named bodies whose name continues with capitalised words ("Công ty Điện lực Lào Cai")
#: (phrases/open_heads.txt).
OPEN_HEADS: tuple[str, ...] = load_phrases("open_heads")

#: Lower-case phrases that may occur inside the name of a body opened by an OPEN_HEAD
#: ("Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh", "Công ty cổ phần ...")
#: (phrases/name_body_phrases.txt).
NAME_BODY_PHRASES: tuple[str, ...] = load_phrases("name_body_phrases")

#: The syllables of NAME_BODY_PHRASES, folded (for quick tests in the recogniser).
NAME_BODY_WORDS: frozenset[str] = frozenset()  # filled in by names.py (needs folding)


# -- local government ------------------------------------------------------------------------------

#: Administrative level words, longest first (phrases/level_words.txt).
LEVEL_WORDS: tuple[str, ...] = load_phrases("level_words")

#: Groups named by their kind that are definite enough to be given a task ("the districts")
#: (phrases/definite_group_nouns.txt).
DEFINITE_GROUP_NOUNS: tuple[str, ...] = load_phrases("definite_group_nouns")

#: Words after which a group is generic (no identity): "các cơ quan, đơn vị có liên quan"
#: (phrases/generic_group_words.txt).
GENERIC_GROUP_WORDS: tuple[str, ...] = load_phrases("generic_group_words")

#: Person titles that stand for the agency they head ("Chủ tịch UBND các xã" -> "UBND các xã")
#: (phrases/head_titles.txt).
HEAD_TITLES: tuple[str, ...] = load_phrases("head_titles")


def all_canonical_names() -> list[str]:
    """Every full agency name the lexicon knows, for proper-casing and fuzzy matching."""
    names = [f"Bộ {m}" for m in MINISTRY_NAMES]
    names += [f"Sở {d}" for d in DEPARTMENT_NAMES]
    names += list(CENTRAL_AGENCIES) + list(LOCAL_HEADS)
    names += ["Ủy ban nhân dân", "Hội đồng nhân dân", "Thanh tra", "Văn phòng"]
    return names
