"""Check the hand-made gold files of the letter corpus for shape and internal consistency.

Usage (from the repository root):

    .venv/bin/python tests/data/letters/check_gold.py

It does not run the extractor; it only guards the corpus itself (JSON parses, keys present, dates valid,
deadlines after the letter date, recurrence vocabulary, text files in the declared encoding).
Exit status 0 when every file passes, 1 otherwise.
"""
import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
LETTER_KEYS = ["number", "doc_type", "issuer", "place", "issued_on", "subject", "recipients", "signer",
               "signer_title", "received", "references", "enclosed", "tasks", "notes"]
TASK_KEYS = ["agency", "role", "summary", "deadline", "deadline_text", "recurrence"]
RECURRENCE = re.compile(r"^(daily|weekly|quarterly|semiannual|yearly|monthly:\d\d|yearly:\d\d-\d\d)$")


def _is_iso_date(value):
    """True when value is an ISO date string (YYYY-MM-DD)."""
    try:
        dt.date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def check_text(txt_path):
    """Problems with the letter text: UTF-8 NFC unless the name declares nfd or the file lives in legacy/."""
    raw = txt_path.read_bytes()
    if txt_path.parent.name == "legacy":
        return []  # deliberately not UTF-8 (see the README)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ["text is not UTF-8"]
    want = "NFD" if "-nfd" in txt_path.stem else "NFC"
    if not unicodedata.is_normalized(want, text):
        return [f"text is not {want}"]
    return []


def check_gold(gold):
    """Problems with one parsed gold object (shape, dates, task fields)."""
    problems = [f"missing key {key}" for key in LETTER_KEYS if key not in gold]
    issued = gold.get("issued_on")
    if issued is not None and not _is_iso_date(issued):
        problems.append(f"issued_on {issued!r} is not an ISO date")
    for ref in gold.get("references") or []:
        if set(ref) != {"number", "date", "issuer"}:
            problems.append(f"reference keys {sorted(ref)}")
        elif ref["date"] is not None and not _is_iso_date(ref["date"]):
            problems.append(f"reference date {ref['date']!r}")
    stamps = [gold.get("received")] + [e.get("received") for e in gold.get("enclosed") or []]
    for stamp in filter(None, stamps):
        if not _is_iso_date(stamp.get("date")):
            problems.append(f"received date {stamp.get('date')!r}")
    for task in gold.get("tasks") or []:
        if list(task) != TASK_KEYS:
            problems.append(f"task keys {list(task)}")
            continue
        if task["role"] not in ("lead", "cooperate"):
            problems.append(f"role {task['role']!r}")
        if task["recurrence"] is not None and not RECURRENCE.match(task["recurrence"]):
            problems.append(f"recurrence {task['recurrence']!r}")
        if task["deadline"] is not None:
            if not _is_iso_date(task["deadline"]):
                problems.append(f"deadline {task['deadline']!r}")
            elif issued and task["deadline"] <= issued:
                problems.append(f"deadline {task['deadline']} not after the letter date {issued}")
            if not task["deadline_text"]:
                problems.append("dated task without deadline_text")
            if task["recurrence"]:
                problems.append("task has both a date and a recurrence")
    return problems


def main():
    """Check every gold file under the corpus folder; print problems; return the exit status."""
    failures = 0
    for gold_path in sorted(CORPUS_DIR.rglob("*.json")):
        txt_path = gold_path.with_suffix(".txt")
        problems = [] if txt_path.exists() else ["no .txt beside the .json"]
        if txt_path.exists():
            problems += check_text(txt_path)
        if not unicodedata.is_normalized("NFC", gold_path.read_text(encoding="utf-8")):
            problems.append("gold is not NFC")
        problems += check_gold(json.loads(gold_path.read_text(encoding="utf-8")))
        for problem in problems:
            print(f"{gold_path.relative_to(CORPUS_DIR)}: {problem}")
        failures += bool(problems)
    print(f"{failures} file(s) with problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
