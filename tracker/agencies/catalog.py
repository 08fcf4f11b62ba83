"""Agency catalog files (TOML or CSV) and matching names in letters against the catalog.

Plain Python: parsing returns ``CatalogEntry`` values; ``AgencyMatcher`` works on any list of
(id, names) so the extractor and tests can use it without a database.
"""

from __future__ import annotations

import csv
import io
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tracker.agencies.models import AgencyKind
from tracker.agencies.matching import AgencyMatcher, Match  # noqa: F401  (part of this module's API)

KINDS = {k.value for k in AgencyKind}


class CatalogError(ValueError):
    """A catalog file is wrong; the message names the file and the entry."""


@dataclass
class CatalogEntry:
    """One agency as written in a catalog file."""

    code: str
    name: str
    short_name: str | None = None
    abbreviation: str | None = None
    aliases: list[str] = field(default_factory=list)
    kind: str = "other"
    parent: str | None = None
    emails: list[str] = field(default_factory=list)
    active: bool = True
    successor: str | None = None


def _nfc(value):
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value


def _entry(raw: dict, where: str) -> CatalogEntry:
    known = set(CatalogEntry.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise CatalogError(f"{where}: unknown fields {sorted(unknown)}")
    for required in ("code", "name"):
        if not isinstance(raw.get(required), str) or not raw[required].strip():
            raise CatalogError(f"{where}: '{required}' is required")
    kind = raw.get("kind", "other")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
    listify = lambda v: [_nfc(x) for x in (v if isinstance(v, list) else str(v or "").split(";")) if str(x).strip()]
    active = raw.get("active", True)
    if isinstance(active, str):
        active = active.strip().lower() not in {"0", "false", "no", "khong", "không"}
    return CatalogEntry(
        code=raw["code"].strip(), name=_nfc(raw["name"]), short_name=_nfc(raw.get("short_name")) or None,
        abbreviation=_nfc(raw.get("abbreviation")) or None, aliases=listify(raw.get("aliases")), kind=kind,
        parent=(raw.get("parent") or "").strip() or None, emails=listify(raw.get("emails")), active=bool(active),
        successor=(raw.get("successor") or "").strip() or None,
    )


def parse_catalog(data: bytes, filename: str) -> list[CatalogEntry]:
    """Parse a catalog file (.toml with [[agency]] tables, or .csv with a header row of the same fields)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(f"{filename}: the file is not UTF-8 text") from None
    if filename.lower().endswith(".toml"):
        try:
            rows = tomllib.loads(text).get("agency", [])
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{filename}: {exc}") from None
        entries = [_entry(r, f"{filename}, agency #{i + 1} ({r.get('code', '?')})") for i, r in enumerate(rows)]
    elif filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        entries = [_entry({k: v for k, v in r.items() if k and v not in (None, "")}, f"{filename}, line {i + 2}")
                   for i, r in enumerate(reader)]
    else:
        raise CatalogError(f"{filename}: expected a .toml or .csv file")
    codes = [e.code for e in entries]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise CatalogError(f"{filename}: codes used twice: {duplicates}")
    return entries


def read_catalog(path: Path) -> list[CatalogEntry]:
    """Parse the catalog file at ``path``."""
    return parse_catalog(path.read_bytes(), path.name)


SHIPPED_CATALOGS = Path(__file__).parent / "data"
