"""The shipped agency catalog files: valid TOML, consistent codes, references and names."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from tracker.text import fold_words

DATA = Path(__file__).resolve().parents[2] / "tracker" / "agencies" / "data"
TEMPLATE = "province-template.toml"
KINDS = {"ministry", "department", "sector", "district", "commune", "office", "other"}
FIELDS = {"code", "name", "short_name", "abbreviation", "aliases", "kind", "parent", "emails", "active", "successor"}
CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DEMO_EMAIL = re.compile(r"^[a-z0-9.\-]+@example\.gov\.vn$")
FILES = sorted(DATA.glob("*.toml"))


def load(path: Path) -> list[dict]:
    """The [[agency]] tables of a catalog file."""
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    assert set(document) == {"agency"}, f"{path.name}: unexpected top-level keys {set(document) - {'agency'}}"
    return document["agency"]


def names_of(agency: dict) -> list[str]:
    """Every name an agency can be referred to by."""
    return [n for n in (agency["name"], agency.get("short_name"), agency.get("abbreviation"), *agency.get("aliases", [])) if n]


def deployment(path: Path) -> list[dict]:
    """What one deployment imports: the template, then the province file."""
    agencies = load(DATA / TEMPLATE)
    if path.name != TEMPLATE:
        agencies = agencies + load(path)
    return agencies


def test_the_expected_files_are_shipped():
    assert {p.name for p in FILES} >= {TEMPLATE, "thai-nguyen.toml", "kien-giang.toml", "lao-cai-2025.toml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fields_kinds_and_codes(path):
    for number, agency in enumerate(load(path), start=1):
        where = f"{path.name} #{number} ({agency.get('code')})"
        assert set(agency) <= FIELDS, f"{where}: unknown fields {set(agency) - FIELDS}"
        assert CODE.match(agency.get("code", "")), f"{where}: code must be ASCII kebab-case"
        assert isinstance(agency.get("name"), str) and agency["name"].strip(), f"{where}: no name"
        assert agency.get("kind") in KINDS, f"{where}: kind {agency.get('kind')!r}"
        assert isinstance(agency.get("active"), bool), f"{where}: active must be true or false"
        assert isinstance(agency.get("aliases", []), list), f"{where}: aliases must be a list"
        for email in agency.get("emails", []):
            assert DEMO_EMAIL.match(email), f"{where}: {email} is not a demo address under example.gov.vn"


def test_codes_are_unique_across_all_files():
    # The demo imports every file into one database, where the code column is unique.
    seen: dict[str, str] = {}
    for path in FILES:
        for agency in load(path):
            assert agency["code"] not in seen, f"{agency['code']} in {path.name} and {seen[agency['code']]}"
            seen[agency["code"]] = path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parents_and_successors_exist(path):
    agencies = deployment(path)
    by_code = {a["code"]: a for a in agencies}
    for agency in load(path):
        for field in ("parent", "successor"):
            target = agency.get(field)
            if target is not None:
                assert target in by_code, f"{path.name}: {agency['code']}.{field} = {target!r} is not defined"
                assert target != agency["code"], f"{path.name}: {agency['code']} is its own {field}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_successor_chains_end_at_an_active_agency(path):
    by_code = {a["code"]: a for a in deployment(path)}
    for agency in load(path):
        if agency["active"]:
            assert "successor" not in agency, f"{agency['code']} is active but has a successor"
            continue
        seen = {agency["code"]}
        current = agency
        while "successor" in current:
            current = by_code[current["successor"]]
            assert current["code"] not in seen, f"successor cycle through {agency['code']}"
            seen.add(current["code"])
        assert current["active"], f"{agency['code']}: its successors end at inactive {current['code']}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parents_form_no_cycle(path):
    by_code = {a["code"]: a for a in deployment(path)}
    for agency in load(path):
        seen = {agency["code"]}
        current = agency
        while current.get("parent"):
            current = by_code[current["parent"]]
            assert current["code"] not in seen, f"parent cycle through {agency['code']}"
            seen.add(current["code"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_name_is_nfc_and_trimmed(path):
    for agency in load(path):
        for name in names_of(agency):
            assert unicodedata.normalize("NFC", name) == name, f"{agency['code']}: {name!r} is not NFC"
            assert name == name.strip() and "  " not in name, f"{agency['code']}: {name!r} has stray spaces"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_aliases_add_something(path):
    # An alias equal to another name of the same agency once folded (case, diacritics, punctuation) is noise.
    for agency in load(path):
        folded = [fold_words(n) for n in names_of(agency)]
        aliases = [fold_words(a) for a in agency.get("aliases", [])]
        for alias in aliases:
            assert folded.count(alias) == 1, f"{agency['code']}: alias {alias!r} repeats another of its names"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_two_active_agencies_share_a_name(path):
    # A shared name would make matching a letter's "Kính gửi" ambiguous.
    owner: dict[str, str] = {}
    for agency in deployment(path):
        if not agency["active"]:
            continue
        for name in {fold_words(n) for n in names_of(agency)}:
            assert name not in owner, f"{name!r} names both {owner[name]} and {agency['code']}"
            owner[name] = agency["code"]


def test_template_holds_the_2025_reorganisation():
    by_code = {a["code"]: a for a in load(DATA / TEMPLATE)}
    expected_successors = {
        "so-khdt": "so-tai-chinh",
        "so-ldtbxh": "so-noi-vu",
        "so-gtvt": "so-xay-dung",
        "so-nnptnt": "so-nnmt",
        "so-tnmt": "so-nnmt",
        "so-tttt": "so-khcn",
        "ban-dan-toc": "so-dan-toc-ton-giao",
    }
    for old, new in expected_successors.items():
        assert by_code[old]["active"] is False
        assert by_code[old]["successor"] == new
        assert by_code[new]["active"] is True
    assert by_code["ubnd-tinh"]["kind"] == "office"
    assert "Ban Chỉ huy Quân sự tỉnh" in by_code["bo-chqs-tinh"]["aliases"]


@pytest.mark.parametrize(
    ("file_name", "count"), [("thai-nguyen.toml", 9), ("kien-giang.toml", 15)]
)
def test_province_files_list_every_district_under_the_provincial_committee(file_name, count):
    districts = [a for a in load(DATA / file_name) if a["kind"] == "district"]
    assert len(districts) == count
    assert all(a["parent"] == "ubnd-tinh" for a in districts)
    for agency in districts:
        folded = {fold_words(n) for n in names_of(agency)}
        place = agency["name"].split(" ", 4)[-1]  # "Ủy ban nhân dân huyện Đại Từ" -> "Đại Từ"
        assert any(f.startswith("ubnd ") and f.endswith(fold_words(place)) for f in folded), agency["code"]


def test_lao_cai_communes_from_the_examples_are_present():
    names = {fold_words(n) for a in load(DATA / "lao-cai-2025.toml") for n in names_of(a)}
    for place in ["phường Yên Bái", "phường Văn Phú", "phường Âu Lâu", "xã Yên Bình", "xã Trấn Yên"]:
        assert fold_words(f"Ủy ban nhân dân {place}") in names
        assert fold_words(f"UBND {place}") in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_catalog_parser_accepts_each_file(path):
    catalog = pytest.importorskip("tracker.agencies.catalog")
    entries = catalog.read_catalog(path)
    assert [e.code for e in entries] == [a["code"] for a in load(path)]
