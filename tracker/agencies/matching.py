"""Matching agency names printed in letters against the catalog: exact on folded names, then fuzzy.

No database and no SQLAlchemy import, so ``tracker extract`` can use it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracker.text import fold_words


@dataclass(frozen=True)
class Match:
    """A catalog agency that a name in a letter refers to, with a 0-100 score."""

    agency_id: int
    name: str
    score: float


class AgencyMatcher:
    """Finds the catalog agency a printed name refers to: exact on folded names, then fuzzy."""

    #: below this the name is proposed as a new agency rather than guessed
    THRESHOLD = 88

    def __init__(self, agencies: list[tuple[int, str, list[str]]]):
        """``agencies``: (id, display name, all names) of each active agency."""
        self._exact: dict[str, tuple[int, str]] = {}
        self._choices: list[str] = []
        self._owners: list[tuple[int, str]] = []
        for agency_id, display, names in agencies:
            for name in names:
                key = fold_words(name)
                if not key:
                    continue
                self._exact.setdefault(key, (agency_id, display))
                self._choices.append(key)
                self._owners.append((agency_id, display))

    def match(self, printed: str) -> Match | None:
        """The best catalog agency for ``printed``, or None when nothing is close enough."""
        key = fold_words(printed)
        if not key:
            return None
        if key in self._exact:
            agency_id, display = self._exact[key]
            return Match(agency_id, display, 100.0)
        if not self._choices:
            return None
        best = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=self.THRESHOLD)
        if best is None:
            return None
        agency_id, display = self._owners[best[2]]
        return Match(agency_id, display, float(best[1]))
