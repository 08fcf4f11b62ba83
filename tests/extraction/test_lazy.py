"""Patterns compiled on first use: they behave like compiled patterns and replace themselves."""

from __future__ import annotations

import re

from tracker.extraction._lazy import LazyPattern, lazy_compiler


def test_a_lazy_pattern_matches_like_the_compiled_one_and_takes_its_place():
    namespace: dict = {}
    make = lazy_compiler(namespace)
    namespace["_DATE_RE"] = make("_DATE_RE", r"(\d{1,2})/(\d{1,2})/(\d{4})")
    assert isinstance(namespace["_DATE_RE"], LazyPattern)
    assert namespace["_DATE_RE"].search("trước ngày 30/9/2024.").groups() == ("30", "9", "2024")
    assert isinstance(namespace["_DATE_RE"], re.Pattern)  # compiled once, then used directly


def test_a_held_stand_in_keeps_working_after_compilation():
    namespace: dict = {}
    stand_in = lazy_compiler(namespace)("_WORD_RE", r"(?i)sở\s+\w+")
    namespace["_WORD_RE"] = stand_in
    assert stand_in.findall("Sở Y tế, SỞ TÀI CHÍNH") == ["Sở Y", "SỞ TÀI"]
    assert stand_in.sub("X", "Sở Y tế") == "X tế"


def test_module_patterns_are_compiled_on_first_use():
    from tracker.extraction import names

    assert names.match_agency_at("Sở Y tế tỉnh", 0).names == ["Sở Y tế tỉnh"]
    assert isinstance(names._SO_RE, re.Pattern)
