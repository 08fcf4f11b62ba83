"""The government's yearly changes to the working calendar, read from a TOML file.

Each ``[[adjustment]]`` table of the file is one item of a government decision:

.. code-block:: toml

    [[adjustment]]
    dates = [2024-04-29]          # or: date = 2024-04-29
    kind = "day_off"              # "day_off" or "working_day"
    label = "Nghỉ hoán đổi dịp 30/4 – 1/5"
    source = "Công văn 2450/VPCP-KGVX ngày 12/4/2024"
    verified = true               # false: could not be checked against a published announcement
    swap_with = 2024-05-04        # optional, for a swap: the make-up day of this day off (and back)
    note = "..."                  # optional free text

Rules checked (each error names the file, the entry number and its first date): only the keys above;
exactly one of ``date`` / ``dates``; real dates (not date-times); a known kind; a non-empty label in
NFC; a non-empty source; ``verified`` a boolean; a "day_off" only on Monday to Friday (a weekend is
off anyway, so such an entry is a typo); no date listed twice; ``swap_with`` only on a single-date
entry and answered by the other half of the swap.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

#: kind of an adjustment that makes a day a day off (swapped day, extra Tết day, substitute day)
DAY_OFF = "day_off"
#: kind of an adjustment that makes a day a working day (make-up Saturday, or a correction of the library)
WORKING_DAY = "working_day"
ADJUSTMENT_KINDS = (DAY_OFF, WORKING_DAY)

_ALLOWED_KEYS = frozenset({"date", "dates", "kind", "label", "source", "verified", "swap_with", "note"})


class Adjustment(NamedTuple):
    """One government decision for one day: ``kind`` is "day_off" or "working_day"."""

    date: dt.date
    kind: str
    label: str


@dataclass(frozen=True)
class AdjustmentEntry:
    """One ``[[adjustment]]`` table of the file, with its provenance."""

    dates: tuple[dt.date, ...]
    kind: str
    label: str
    source: str
    verified: bool
    swap_with: dt.date | None = None
    note: str = ""

    def adjustments(self) -> list[Adjustment]:
        """The entry as one :class:`Adjustment` per date."""
        return [Adjustment(day, self.kind, self.label) for day in self.dates]


class AdjustmentFileError(ValueError):
    """The adjustments file is malformed; the message names the entry."""


def _is_plain_date(value: object) -> bool:
    """True for a ``datetime.date`` that is not a ``datetime.datetime``."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _parse_entry(raw: object, where: str) -> AdjustmentEntry:
    """Check one table of the file and turn it into an :class:`AdjustmentEntry`."""
    if not isinstance(raw, dict):
        raise AdjustmentFileError(f"{where}: expected a table")
    unknown = sorted(set(raw) - _ALLOWED_KEYS)
    if unknown:
        raise AdjustmentFileError(f"{where}: unknown key(s) {', '.join(unknown)}")

    if ("date" in raw) == ("dates" in raw):
        raise AdjustmentFileError(f"{where}: give exactly one of 'date' or 'dates'")
    dates_value = [raw["date"]] if "date" in raw else raw["dates"]
    if not isinstance(dates_value, list) or not dates_value:
        raise AdjustmentFileError(f"{where}: 'dates' must be a non-empty list of dates")
    for value in dates_value:
        if not _is_plain_date(value):
            raise AdjustmentFileError(f"{where}: {value!r} is not a date (write it as 2025-01-27, unquoted)")
    dates = tuple(dates_value)
    where = f"{where} ({dates[0].isoformat()})"

    kind = raw.get("kind")
    if kind not in ADJUSTMENT_KINDS:
        raise AdjustmentFileError(f"{where}: kind {kind!r} is not one of {', '.join(ADJUSTMENT_KINDS)}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise AdjustmentFileError(f"{where}: 'label' must be a non-empty string")
    if unicodedata.normalize("NFC", label) != label:
        raise AdjustmentFileError(f"{where}: 'label' is not in Unicode NFC")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise AdjustmentFileError(f"{where}: 'source' must name where the decision was published")
    verified = raw.get("verified")
    if not isinstance(verified, bool):
        raise AdjustmentFileError(f"{where}: 'verified' must be true or false")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise AdjustmentFileError(f"{where}: 'note' must be a string")
    swap_with = raw.get("swap_with")
    if swap_with is not None:
        if not _is_plain_date(swap_with):
            raise AdjustmentFileError(f"{where}: 'swap_with' must be a date")
        if len(dates) != 1:
            raise AdjustmentFileError(f"{where}: 'swap_with' needs an entry with a single date")

    if kind == DAY_OFF:
        for day in dates:
            if day.weekday() >= 5:
                raise AdjustmentFileError(
                    f"{where}: day off {day.isoformat()} is a {'Saturday' if day.weekday() == 5 else 'Sunday'}, "
                    "which is off anyway (wrong date?)"
                )
    return AdjustmentEntry(dates, kind, label.strip(), source.strip(), verified, swap_with, note)


def parse_adjustments(text: str, origin: str = "adjustments") -> list[AdjustmentEntry]:
    """Parse and validate the TOML ``text``; ``origin`` names the file in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AdjustmentFileError(f"{origin}: not valid TOML: {error}") from error
    unknown = sorted(set(document) - {"adjustment"})
    if unknown:
        raise AdjustmentFileError(f"{origin}: unknown top-level key(s) {', '.join(unknown)}")
    tables = document.get("adjustment", [])
    if not isinstance(tables, list):
        raise AdjustmentFileError(f"{origin}: 'adjustment' must be an array of tables ([[adjustment]])")

    entries = [_parse_entry(raw, f"{origin}, entry #{number}") for number, raw in enumerate(tables, start=1)]

    seen: dict[dt.date, int] = {}
    kind_of: dict[dt.date, AdjustmentEntry] = {}
    for number, entry in enumerate(entries, start=1):
        for day in entry.dates:
            if day in seen:
                raise AdjustmentFileError(
                    f"{origin}, entry #{number} ({day.isoformat()}): date already listed in entry #{seen[day]}"
                )
            seen[day] = number
            kind_of[day] = entry
    for number, entry in enumerate(entries, start=1):
        if entry.swap_with is None:
            continue
        where = f"{origin}, entry #{number} ({entry.dates[0].isoformat()})"
        other = kind_of.get(entry.swap_with)
        if other is None:
            raise AdjustmentFileError(f"{where}: swap_with {entry.swap_with.isoformat()} is not listed in the file")
        if other.kind == entry.kind:
            raise AdjustmentFileError(f"{where}: swap_with {entry.swap_with.isoformat()} has the same kind")
        if other.swap_with != entry.dates[0]:
            raise AdjustmentFileError(
                f"{where}: the entry of {entry.swap_with.isoformat()} does not name this day in its swap_with"
            )
    return entries


def load_adjustment_entries(path: Path | str) -> list[AdjustmentEntry]:
    """Read and validate the adjustments file at ``path``."""
    path = Path(path)
    return parse_adjustments(path.read_text(encoding="utf-8"), origin=path.name)


def flatten(entries: list[AdjustmentEntry]) -> list[Adjustment]:
    """All the entries' days as ``(date, kind, label)`` triples, in date order."""
    return sorted((adjustment for entry in entries for adjustment in entry.adjustments()), key=lambda a: a.date)


def shipped_adjustment_entries() -> list[AdjustmentEntry]:
    """The entries of the adjustments file shipped with tracker (``tracker/calendar/data/adjustments.toml``)."""
    resource = importlib.resources.files("tracker.calendar").joinpath("data", "adjustments.toml")
    return parse_adjustments(resource.read_text(encoding="utf-8"), origin="adjustments.toml")


def load_shipped_adjustments() -> list[Adjustment]:
    """The shipped adjustments as ``(date, kind, label)`` triples, ready for ``WorkCalendar``."""
    return flatten(shipped_adjustment_entries())
