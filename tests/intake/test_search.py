"""The register's search finds a letter by any word of its number and of its reply's number."""

from __future__ import annotations

import html

import pytest


@pytest.mark.parametrize("query", ["871/VP-VHXH", "VP-VHXH", "vhxh", "871", "tro giup xa hoi"])
def test_a_letter_is_found_by_its_number_written_any_way(web, cast, letter, query):
    page = html.unescape(web(cast.clerk).get(f"/letters/?q={query}").get_data(as_text=True))
    assert "871/VP-VHXH" in page


def test_a_number_that_is_not_there_finds_nothing(web, cast, letter):
    page = html.unescape(web(cast.clerk).get("/letters/?q=872/VP-VHXH").get_data(as_text=True))
    assert "871/VP-VHXH" not in page
