"""The reader's rule tables and phrase files, tested from their own examples.

Every rule of every table (``tracker.extraction.rules.all_tables``) carries the phrases it is for
(``examples``) and the near misses it must leave alone (``counter_examples``). The tests below are
generated from the tables: adding a rule with its examples adds its tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.extraction import rules
from tracker.extraction.rules import Rule, RuleTable, load_phrases, phrase_alternation, phrase_files

TABLES = rules.all_tables()
CASES = [(t.name, r.name, ex) for t in TABLES.values() for r in t.rules for ex in r.examples]
COUNTER_CASES = [(t.name, r.name, ex) for t in TABLES.values() for r in t.rules for ex in r.counter_examples]


def _id(case) -> str:
    return f"{case[0]}.{case[1]}:{case[2][:40]}"


def test_the_reader_has_rule_tables():
    assert TABLES and all(len(t) >= 1 for t in TABLES.values())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_each_example_is_decided_by_its_rule(case):
    table_name, rule_name, example = case
    table = TABLES[table_name]
    assert table.rule_matches(rule_name, example), f"{rule_name!r} does not match its example {example!r}"
    # in an ordered table the first rule that matches decides: an earlier rule must not take it
    assert table.first_match(example) == rule_name, (
        f"{example!r} is decided by {table.first_match(example)!r} before {rule_name!r}")
    # the compiled table (the reader's fast path) agrees that something matches
    assert table.matches(example)


@pytest.mark.parametrize("case", COUNTER_CASES, ids=_id)
def test_no_counter_example_matches_its_rule(case):
    table_name, rule_name, example = case
    assert not TABLES[table_name].rule_matches(rule_name, example), f"{rule_name!r} matches {example!r}"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_compiled_table_says_what_its_rules_say(name):
    """The one expression the reader uses matches exactly when some rule alone matches."""
    table = TABLES[name]
    for _, _, text in [c for c in CASES + COUNTER_CASES if c[0] == name]:
        assert bool(table.matches(text)) == (table.first_match(text) is not None), text


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_rule_says_why_in_one_line(name):
    for rule in TABLES[name].rules:
        assert rule.why and "\n" not in rule.why


def test_a_rule_without_examples_is_refused():
    with pytest.raises(ValueError):
        Rule("no_examples", r"x", why="because")
    with pytest.raises(ValueError):
        Rule("Bad Name", r"x", examples=("x",), why="because")


def test_a_table_keeps_its_order():
    table = RuleTable("_test_order", [
        Rule("longer", r"phối\s+hợp\s+với", examples=("phối hợp với Sở Y tế",), why="named partner"),
        Rule("shorter", r"phối\s+hợp", examples=("phối hợp thực hiện",), why="any cooperation"),
    ], prefix="^(?:", suffix=")", flags=re.IGNORECASE)
    try:
        assert table.first_match("Phối hợp với Sở Y tế") == "longer"
        assert table.matches("Phối hợp với Sở Y tế") == "longer"
        assert table.all_matches("phối hợp với Sở Y tế") == ["longer", "shorter"]
        assert table.first_match("phối hợp thực hiện") == "shorter"
        assert table.first_match("chủ trì") is None and table.matches("chủ trì") is None
    finally:
        del rules.TABLES["_test_order"]


# -- phrase files ---------------------------------------------------------------------------------------


def test_there_are_phrase_files():
    assert phrase_files()


@pytest.mark.parametrize("name", phrase_files())
def test_a_phrase_file_loads_with_no_duplicate_and_no_empty_line(name):
    path = Path(rules.PHRASES_DIR) / f"{name}.txt"
    raw = path.read_bytes()
    raw.decode("utf-8")  # plain UTF-8
    kept = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    kept = [line for line in kept if line]
    phrases = load_phrases(name)
    assert phrases, f"{name}.txt has no phrase"
    assert len(phrases) == len(kept)
    assert all(p and p == p.strip() for p in phrases)
    duplicates = sorted({p for p in phrases if phrases.count(p) > 1})
    assert not duplicates, f"{name}.txt repeats {duplicates}"
    alternation = re.compile(phrase_alternation(name), re.IGNORECASE)
    for p in phrases:
        assert alternation.fullmatch(p), p


def test_the_phrase_alternation_puts_longer_phrases_first():
    name = next(n for n in phrase_files() if len(load_phrases(n)) > 1)
    parts = phrase_alternation(name)[3:-1].split("|")
    lengths = [len(re.sub(r"\\s\+|\\", " ", p)) for p in parts]
    assert lengths == sorted(lengths, reverse=True) or len(set(load_phrases(name))) == len(parts)


def test_a_table_gives_its_match_object_with_the_groups_of_its_prefix_and_suffix():
    from tracker.extraction.rules import clauses

    m = clauses.LABEL_LINE.match_object("- Cơ quan chủ trì: Sở Tài chính")
    assert (m.group("label"), m.group("value"), m.lastgroup) == ("Cơ quan chủ trì", "Sở Tài chính", "value")
    assert clauses.LABEL_LINE.matches("- Cơ quan chủ trì: Sở Tài chính") == "body_in_charge"
    assert clauses.LABEL_LINE.match_object("Chủ trì, phối hợp với Sở Y tế") is None


def test_a_search_table_finds_every_place_it_matches():
    from tracker.extraction.rules import clauses

    text = "Phối hợp Công an tỉnh kiểm tra; Sở Y tế chủ trì, phối hợp với Sở Tài chính"
    assert [text[m.end():m.end() + 6] for m in clauses.COOP_PHRASE.finditer(text)] == ["Công a", "Sở Tài"]
    text = "chỉ đạo Trung tâm Y tế phối hợp với Sở Tài chính"
    assert [m.start() for m in clauses.OBJECT_VERB.finditer(text, 0, 10)] == [0]
    assert list(clauses.OBJECT_VERB.finditer(text, 1)) == []
