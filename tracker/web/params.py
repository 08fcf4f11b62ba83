"""Numbers and dates from outside (URL paths, query strings, form fields, JSON bodies), checked at the edge.

Python reads more than people type: ``int("١٢")`` is 12 (Arabic-Indic digits), ``"²".isdigit()`` is True yet
``int("²")`` fails, and ``int("9" * 30)`` is a fine Python number that no column holds (PostgreSQL's integer is
32-bit and psycopg raises NumericValueOutOfRange; SQLite's driver raises OverflowError past 64 bits). So every
id and number from outside goes through here: ASCII digits only, at most MAX_INTEGER. Dates likewise: ASCII
only, and within years the working-day calendar can count (a deadline in 9999 cannot be counted to).
"""

from __future__ import annotations

import datetime as dt
import re

from werkzeug.routing import IntegerConverter

from tracker.db import MAX_INTEGER

#: an optional sign and at most 10 ASCII digits (MAX_INTEGER has 10); re's \d would take any Unicode digit
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")

#: the dates people may enter: anything outside is a typing mistake, and the calendar counts working days
#: between such a date and today year by year
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class IdConverter(IntegerConverter):
    """The app's ``<int:...>`` URL converter: database ids only, 1..MAX_INTEGER in ASCII digits.

    Anything else (``/tasks/99999999999999999999``, ``/tasks/١٢``, ``/tasks/0``) matches no route: a 404.
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_INTEGER,  # noqa: A002
                 signed: bool = False) -> None:
        # werkzeug's parameter names; ids are never signed, whatever a rule asks
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def read_int(raw: object, *, minimum: int = 1, maximum: int = MAX_INTEGER) -> tuple[int | None, bool]:
    """``(number, True)`` for a whole number within [minimum, maximum]; ``(None, True)`` for nothing (None or
    blank text); ``(None, False)`` for anything else.

    Text must be ASCII digits with an optional sign (surrounding blanks allowed). From JSON, an int or a float
    without a fraction is a number; True and False are not.
    """
    if raw is None:
        return None, True
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if not raw.is_integer():  # also NaN and infinities
            return None, False
        number = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None, True
        if not _INTEGER.fullmatch(text):
            return None, False
        number = int(text)
    else:
        return None, False
    if not minimum <= number <= maximum:
        return None, False
    return number, True


def int_or_none(raw: object, *, minimum: int = 1, maximum: int = MAX_INTEGER) -> int | None:
    """The number in ``raw`` (see read_int), or None when there is none or it is not one: for optional ids whose
    absence the caller already answers (a filter left out, "choose an officer")."""
    return read_int(raw, minimum=minimum, maximum=maximum)[0]


def date_in_range(day: dt.date) -> bool:
    """Whether ``day`` is one people may enter (EARLIEST_DATE..LATEST_DATE)."""
    return EARLIEST_DATE <= day <= LATEST_DATE


def read_date(raw: object, formats: tuple[str, ...] = DATE_FORMATS) -> tuple[dt.date | None, bool]:
    """``(date, True)`` for a date written in one of ``formats`` within EARLIEST_DATE..LATEST_DATE;
    ``(None, True)`` for nothing (None or blank text); ``(None, False)`` for anything else."""
    if raw is None:
        return None, True
    if not isinstance(raw, str):
        return None, False
    text = raw.strip()
    if not text:
        return None, True
    if not text.isascii():  # strptime's %d and %Y take any Unicode digit too
        return None, False
    for fmt in formats:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return (day, True) if date_in_range(day) else (None, False)
    return None, False


def contains_nul(value: object) -> bool:
    """Whether text anywhere in ``value`` (a string, or lists and dicts of them) holds a NUL character, which
    PostgreSQL's text columns cannot store (psycopg raises DataError) and nobody types."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_nul(item) for item in value)
    return False
