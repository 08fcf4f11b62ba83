"""Provinces misread by OCR are spelled right, and nothing else is changed."""

import pytest

from tracker.extraction.places import known_place, repair_province_suffix


@pytest.mark.parametrize("issuer, repaired", [
    ("Ủy ban nhân dân Tinh Quang Ngaài", "Ủy ban nhân dân tỉnh Quảng Ngãi"),  # OCR of "TỈNH QUẢNG NGÃI"
    ("Ủy ban nhân dân Tĩnh Quảng Ngãi", "Ủy ban nhân dân tỉnh Quảng Ngãi"),
    ("Sở Y tế tỉnh Ha Nam", "Sở Y tế tỉnh Hà Nam"),
    ("Ủy ban nhân dân tỉnh Kon Tum", "Ủy ban nhân dân tỉnh Kon Tum"),
    ("Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân thành phố Hà Nội"),
    ("Ủy ban nhân dân tỉnh Bình Sơn", "Ủy ban nhân dân tỉnh Bình Sơn"),  # not a province: left as printed
    ("Tỉnh ủy Lào Cai", "Tỉnh ủy Lào Cai"),  # the party committee
    ("Ủy ban nhân dân huyện Bình Sơn", "Ủy ban nhân dân huyện Bình Sơn"),
])
def test_a_province_misread_is_spelled_right_and_nothing_else_changes(issuer, repaired):
    assert repair_province_suffix(issuer) == repaired


def test_two_provinces_equally_close_are_not_guessed():
    assert known_place("Ha") is None
    assert known_place("Quảng Ngãi") == "Quảng Ngãi"
