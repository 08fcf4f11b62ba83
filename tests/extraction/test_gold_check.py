"""No letter loses what it had right: every gold pair, dated deadline, header field and recipient that the
baseline (tests/extraction/gold_baseline.json) records as found must still be found.

Gains never fail; they print a hint to refresh the baseline with
``.venv/bin/python -m tests.extraction.gold_check --update``. Shared sets are skipped when the shared folder
(../shared beside the checkout, or /work/shared) is missing, unless CI or TRACKER_TEST_SHARED=1 requires it.
"""

from __future__ import annotations

import inspect
import os

import pytest

from tests.extraction import gold_check

REQUIRED = os.environ.get("CI") == "true" or os.environ.get("TRACKER_TEST_SHARED") == "1"


@pytest.mark.parametrize("gold_set", gold_check.SETS, ids=[s.key for s in gold_check.SETS])
def test_no_letter_loses_what_it_had_right(gold_set):
    """Run the set in process and fail, naming letter and item, on anything right in the baseline and wrong now."""
    results = gold_check.run_set(gold_set)
    if results is None:
        if gold_set.shared and not REQUIRED:
            pytest.skip(f"{gold_set.key}: shared folder not found")
        pytest.fail(f"{gold_set.key}: folder {gold_set.relative} not found")
    baseline = gold_check.load_baseline()
    assert gold_set.key in baseline, f"{gold_set.key} is not in the baseline: run gold_check --update"
    diff = gold_check.compare(gold_set.key, baseline, results)
    if diff.gains or diff.stale:
        print(f"{len(diff.gains)} gains / {len(diff.stale)} stale baseline items in {gold_set.key}; "
              "refresh the baseline with: .venv/bin/python -m tests.extraction.gold_check --update")
        for line in diff.gains + diff.stale:
            print("  " + line)
    assert not diff.losses, (f"{len(diff.losses)} regressions against gold_baseline.json "
                             "(fix them, or run gold_check --update if the loss is intended):\n  "
                             + "\n  ".join(diff.losses))


def test_copied_matching_is_the_scorers():
    """The fallback copies of the scorer's matching functions are still identical to the official ones."""
    scorer = gold_check.load_scorer()
    if scorer is None:
        if REQUIRED:
            pytest.fail("official scorer not found")
        pytest.skip("shared scorer not found")
    source = inspect.getsource(gold_check)
    for name in gold_check.COPIED:
        assert inspect.getsource(getattr(scorer, name)) in source, f"{name} differs from the scorer's: re-copy it"
    assert "ABBREV = {" in source and repr(scorer.ABBREV) == repr(_copied_abbrev(source)), "ABBREV differs"


def _copied_abbrev(source: str) -> dict:
    """The ABBREV dict literal as written in gold_check.py (the module binds the scorer's when present)."""
    start = source.index("ABBREV = {") + len("ABBREV = ")
    end = source.index("}\n", start) + 1
    return eval(source[start:end])  # noqa: S307 - a literal from our own source file
