"""Ordered tables of small named rules, and the phrase lists they are written with.

The reader's decisions about a clause ("is this agency the subject of an assignment, or only told
about?", "is this the closing formula?") used to be single regular expressions whose alternatives
each encoded a separate decision. Here each alternative is a :class:`Rule` with a name, a one-line
reason and the phrases it must (``examples``) and must not (``counter_examples``) match. A
:class:`RuleTable` keeps its rules in order and answers with the name of the rule that decided.
``tests/extraction/test_rules_table.py`` turns every example of every table into a test, so adding
a rule with its examples adds its tests.

A table is compiled once, on first use, into one regular expression (its rules as named
alternatives between the table's shared ``prefix`` and ``suffix``), so asking a table costs what the
single expression it replaces cost.

Phrase lists live in ``tracker/extraction/phrases/*.txt``: plain UTF-8, one phrase per line, ``#``
starts a comment. :func:`load_phrases` reads one; :func:`phrase_alternation` makes a regular
expression alternative of it (longest phrase first, any whitespace between words).

The tables themselves are in :mod:`tracker.extraction.rules.clauses` (clause decisions of
``tasks.py``) and :mod:`tracker.extraction.rules.deadline_cues` (cue words of ``deadlines.py``).
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing, pathlib and dataclasses stay out of the import: the reader is imported often
    from typing import Callable, Literal

#: The folder of the phrase files (a str: pathlib is not needed at import time).
PHRASES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "phrases")

#: Every table built so far, by name (filled as tables are created; the tests walk it).
TABLES: dict[str, "RuleTable"] = {}



# -- phrase files ----------------------------------------------------------------------------------


def _strip_comment(line: str) -> str:
    # a phrase never contains '#': everything from it on is a comment
    return line.split("#", 1)[0].strip()


@functools.cache
def load_phrases(name: str) -> tuple[str, ...]:
    """The phrases of ``phrases/<name>.txt`` in file order: comments and blank lines dropped, each
    line stripped, inner runs of whitespace made single spaces."""
    with open(os.path.join(PHRASES_DIR, f"{name}.txt"), encoding="utf-8") as handle:
        text = handle.read()
    out = []
    for raw in text.splitlines():
        phrase = _strip_comment(raw)
        if phrase:
            out.append(re.sub(r"\s+", " ", phrase))
    return tuple(out)


def phrase_files() -> list[str]:
    """The names (without ``.txt``) of every phrase file, sorted."""
    return sorted(f[:-4] for f in os.listdir(PHRASES_DIR) if f.endswith(".txt"))


def phrase_alternation(name: str) -> str:
    """``(?:a|b|...)`` matching any phrase of ``phrases/<name>.txt``: longest first (so "chủ trì
    thực hiện" wins over "chủ trì"), any whitespace between words. Case follows the flags of the
    pattern it is put in."""
    parts = sorted(set(load_phrases(name)), key=lambda p: (-len(p), p))
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


# -- rules ------------------------------------------------------------------------------------------


class Rule:
    """One decision: a regular expression (or a predicate), why it exists, and its examples.

    ``pattern`` is the rule's own alternative; the table puts it between its ``prefix`` and
    ``suffix``. A rule may instead carry ``predicate`` (a function of the text) when a regular
    expression cannot say it; a table with such a rule is evaluated rule by rule.
    """

    __slots__ = ("name", "pattern", "examples", "counter_examples", "why", "predicate")

    def __init__(self, name: str, pattern: str = "", *, examples: tuple[str, ...] = (),
                 counter_examples: tuple[str, ...] = (), why: str = "",
                 predicate: Callable[[str], bool] | None = None):
        self.name, self.pattern, self.predicate = name, pattern, predicate
        self.examples, self.counter_examples, self.why = tuple(examples), tuple(counter_examples), why
        # a rule's name is also the name of its group in the table's expression
        if not (name.isascii() and name.isidentifier() and name == name.lower() and not name.startswith("_")):
            raise ValueError(f"rule name {self.name!r}: lower case words joined by '_'")
        if bool(self.pattern) == (self.predicate is not None):
            raise ValueError(f"rule {self.name!r}: give a pattern or a predicate, not both or neither")
        if not self.examples:
            raise ValueError(f"rule {self.name!r}: at least one example (the examples are its tests)")
        if not self.why:
            raise ValueError(f"rule {self.name!r}: say why in one line")

    def __repr__(self) -> str:
        return f"Rule({self.name})"


class RuleTable:
    """An ordered table of rules that decide one question about a text.

    ``mode`` says where a rule must match: ``"match"`` at the start of the text (the usual case:
    the text is what follows a word already found), ``"search"`` anywhere. ``prefix`` and ``suffix``
    are regular expression text shared by every rule (e.g. ``^(?:`` ... ``)(?![^\\W\\d_])`` for a
    whole word at the start); ``flags`` are the ``re`` flags (``re.IGNORECASE`` for text as
    written, none for folded text).

    The rules are tried in order and the first that matches decides; the order matters when rules
    overlap, so a new rule goes where its decision belongs, with an example that shows it.
    """

    def __init__(self, name: str, rules: list[Rule] | tuple[Rule, ...], *, mode: Literal["match", "search"] = "match",
                 prefix: str = "", suffix: str = "", flags: int = 0, doc: str = ""):
        if mode not in ("match", "search"):
            raise ValueError(f"table {name!r}: mode is 'match' or 'search'")
        names = [r.name for r in rules]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"table {name!r}: rules named twice: {sorted(duplicates)}")
        self.name, self.rules, self.mode = name, tuple(rules), mode
        self.prefix, self.suffix, self.flags, self.doc = prefix, suffix, flags, doc
        self._test: Callable[[str, int], str | None] | None = None
        self._each: dict[str, Callable[[str, int], object]] | None = None
        self._compiled: re.Pattern | None = None
        TABLES[name] = self

    # -- compiling (once, on first use) --

    def rule_source(self, rule: Rule) -> str:
        """The regular expression of one rule as the table applies it (prefix, rule, suffix)."""
        return f"{self.prefix}(?:{rule.pattern}){self.suffix}"

    def source(self) -> str:
        """The regular expression of the whole table: the rules as named alternatives, in order."""
        body = "|".join(f"(?P<{r.name}>{r.pattern})" for r in self.rules)
        return f"{self.prefix}(?:{body}){self.suffix}"

    def _compile(self) -> Callable[[str, int], str | None]:
        if any(r.predicate is not None for r in self.rules):
            self._test = self.first_match
            return self._test
        compiled = re.compile(self.source(), self.flags)
        find = compiled.match if self.mode == "match" else compiled.search
        names = tuple(r.name for r in self.rules)

        def test(text: str, pos: int = 0) -> str | None:
            m = find(text, pos)
            if m is None:
                return None
            if m.lastgroup in names:
                return m.lastgroup
            # a rule with groups of its own: the rule's group is the one that took part
            return next(n for n in names if m.group(n) is not None)

        self._test = test
        return test

    def _rule_tests(self) -> dict[str, Callable[[str, int], object]]:
        if self._each is None:
            each = {}
            for r in self.rules:
                if r.predicate is not None:
                    each[r.name] = lambda text, pos=0, _p=r.predicate: _p(text[pos:])
                else:
                    compiled = re.compile(self.rule_source(r), self.flags)
                    each[r.name] = compiled.match if self.mode == "match" else compiled.search
            self._each = each
        return self._each

    # -- asking --

    def matches(self, text: str, pos: int = 0) -> str | None:
        """The name of the rule that matches ``text`` from ``pos`` (None when none does), by one compiled
        expression: the fast path the reader uses. In a "match" table it is the first rule in order that
        matches (unless the table's prefix can match in several ways); in a "search" table, the first in
        order among those that match the earliest."""
        test = self._test or self._compile()
        return test(text, pos)

    def match_object(self, text: str, pos: int = 0) -> re.Match | None:
        """The ``re.Match`` of the table's one compiled expression (None when no rule matches), for a
        table whose prefix or suffix captures groups the caller reads (``LABEL_LINE``'s label and
        value). Only for tables of patterns (no predicate)."""
        if any(r.predicate is not None for r in self.rules):
            raise TypeError(f"table {self.name!r} has a predicate rule: no match object")
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.source(), self.flags)
        return compiled.match(text, pos) if self.mode == "match" else compiled.search(text, pos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """Every non-overlapping ``re.Match`` of the table's one compiled expression in ``text`` (from
        ``pos`` up to ``endpos``), for a table asked where it matches, not only whether (``COOP_PHRASE``);
        the rule that matched is ``m.lastgroup`` (or the rule group that took part)."""
        self.match_object("", 0)  # compiles
        compiled = self._compiled
        return compiled.finditer(text, pos) if endpos is None else compiled.finditer(text, pos, endpos)

    def first_match(self, text: str, pos: int = 0) -> str | None:
        """The name of the first rule, in table order, that matches ``text`` from ``pos``; None when none does."""
        for name, test in self._rule_tests().items():
            if test(text, pos):
                return name
        return None

    def all_matches(self, text: str, pos: int = 0) -> list[str]:
        """The names of every rule that matches ``text``, in table order (for explaining a decision)."""
        return [name for name, test in self._rule_tests().items() if test(text, pos)]

    def rule(self, name: str) -> Rule:
        """The rule called ``name``."""
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"table {self.name!r} has no rule {name!r}")

    def rule_matches(self, name: str, text: str, pos: int = 0) -> bool:
        """Whether the rule called ``name`` alone matches ``text`` from ``pos``."""
        return bool(self._rule_tests()[name](text, pos))

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"RuleTable({self.name}, {len(self.rules)} rules)"


def all_tables() -> dict[str, RuleTable]:
    """Every table of the reader, by name (importing the modules that define them)."""
    from tracker.extraction.rules import clauses  # noqa: F401  (defines its tables on import)

    try:
        from tracker.extraction.rules import deadline_cues  # noqa: F401
    except ImportError:  # pragma: no cover - the deadline tables are optional
        pass
    return dict(TABLES)
