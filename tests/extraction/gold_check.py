"""Per-letter regression check of the extractor against every letter that has gold.

An aggregate score can hide a loss (two pairs won on one letter, one lost on another). This module runs the
extraction in process on every gold letter, works out with the official scorer's matching
(``shared/tools/score_extraction.py``) what is right today on each letter, and compares it with a baseline:

- the gold (agency, role) pairs found,
- the gold dated deadlines found (a gold task with a deadline is found when a proposed task of the same agency
  carries the same date, exactly as the scorer counts it),
- the header fields right (number, issued_on, issuer, subject) and the gold recipients found.

Usage, from the repository root:

    .venv/bin/python -m tests.extraction.gold_check --report   # gains and losses per letter, aggregate scores
    .venv/bin/python -m tests.extraction.gold_check --update   # rewrite tests/extraction/gold_baseline.json
    .venv/bin/python -m tests.extraction.gold_check --misses   # every miss per letter (what is still wrong)

``--set KEY`` (repeatable) limits any of them to some sets (keys as in ``SETS``, e.g. ``shared/real``).
``tests/extraction/test_gold_check.py`` fails when something right in the baseline is wrong now.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().with_name("gold_baseline.json")
HEADER_FIELDS = ("number", "issued_on", "issuer", "subject")
DOCUMENT_SUFFIXES = (".txt", ".pdf", ".docx", ".xml", ".edxml")


def shared_dir() -> Path | None:
    """The shared folder beside the checkout (``../shared``) or at /work/shared; None when neither exists."""
    for candidate in (ROOT.parent / "shared", Path("/work/shared")):
        if (candidate / "examples").is_dir():
            return candidate
    return None


@dataclass(frozen=True)
class GoldSet:
    """One folder of gold letters: its key in the baseline, whether it lives in the shared folder, its path."""

    key: str
    shared: bool
    relative: str

    def folder(self) -> Path | None:
        """The folder on this machine, or None when it is missing (shared sets away from the checkout)."""
        if self.shared:
            base = shared_dir()
            if base is None:
                return None
            path = base / self.relative
        else:
            path = ROOT / self.relative
        return path if path.is_dir() else None


SETS = (
    GoldSet("shared/real", True, "examples/real"),
    GoldSet("shared/tasks-only", True, "examples/tasks-only"),
    GoldSet("shared/letters", True, "examples/letters"),
    # image-only PDF scans with header-only gold; the reader refuses them until it runs OCR
    GoldSet("shared/scans", True, "examples/scans"),
    GoldSet("data/letters", False, "tests/data/letters"),
    GoldSet("data/letters/legacy", False, "tests/data/letters/legacy"),
    GoldSet("data/heldout", False, "tests/data/heldout"),
    GoldSet("data/heldout4", False, "tests/data/heldout4"),
    GoldSet("data/heldout5", False, "tests/data/heldout5"),
)


# -- matching ---------------------------------------------------------------------------------------
# ABBREV, fold, norm_agency, norm_number, same_agency, match_sets and f1 below are verbatim copies of the
# functions of the same names in shared/tools/score_extraction.py (the official scorer). When the scorer is
# present it is loaded and its own functions are used instead (see _use_scorer); the copies only serve when
# the shared folder is missing. test_gold_check.py checks that the copies still match the scorer's source.

ABBREV = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "ld tb xh": "lao dong thuong binh va xa hoi",
    "bhxh": "bao hiem xa hoi",
    "khdt": "ke hoach va dau tu",
    "kh dt": "ke hoach va dau tu",
    "mttq": "mat tran to quoc",
    "gddt": "giao duc va dao tao",
    "tnmt": "tai nguyen va moi truong",
    "nnptnt": "nong nghiep va phat trien nong thon",
    "gtvt": "giao thong van tai",
    "vhttdl": "van hoa the thao va du lich",
    "tttt": "thong tin va truyen thong",
    "khcn": "khoa hoc va cong nghe",
    "vp": "van phong",
    "tp": "thanh pho",
}


def fold(text):
    """Lowercase, strip Vietnamese diacritics (đ -> d), keep letters/digits/spaces."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text


def norm_agency(text):
    t = " " + fold(text) + " "
    for short, full in sorted(ABBREV.items(), key=lambda kv: -len(kv[0])):
        t = t.replace(" " + short + " ", " " + full + " ")
    t = re.sub(r"\b(so|tinh|cac|co lien quan)\b", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def norm_number(text):
    if not text:
        return ""
    t = unicodedata.normalize("NFC", text).upper().replace(" ", "")
    return t.replace("Đ", "D")


def same_agency(a, b):
    na, nb = norm_agency(a), norm_agency(b)
    if not na or not nb:
        return False
    return na == nb or fuzz.token_set_ratio(na, nb) >= 90 and fuzz.ratio(na, nb) >= 70


def match_sets(gold, pred, same):
    """Greedy one-to-one matching; returns (true positives, len gold, len pred)."""
    used = set()
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                tp += 1
                break
    return tp, len(gold), len(pred)


def f1(tp, ng, np_):
    if ng == 0 and np_ == 0:
        return 1.0
    prec = tp / np_ if np_ else 0.0
    rec = tp / ng if ng else 0.0
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


COPIED = ("fold", "norm_agency", "norm_number", "same_agency", "match_sets", "f1")
_SCORER = None


def load_scorer():
    """The official scorer module (shared/tools/score_extraction.py), or None when the shared folder is missing."""
    base = shared_dir()
    path = base / "tools" / "score_extraction.py" if base else None
    if path is None or not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_official_score_extraction", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _use_scorer() -> None:
    """Bind the matching functions to the official scorer's own when it is present (else keep the copies)."""
    global _SCORER, same_agency, norm_agency, norm_number, fold, match_sets, f1, ABBREV
    _SCORER = load_scorer()
    if _SCORER is not None:
        fold, norm_agency, norm_number = _SCORER.fold, _SCORER.norm_agency, _SCORER.norm_number
        same_agency, match_sets, f1, ABBREV = _SCORER.same_agency, _SCORER.match_sets, _SCORER.f1, _SCORER.ABBREV


_use_scorer()


def greedy_pairs(gold: list, pred: list, same) -> tuple[list[tuple[int, int]], list[int]]:
    """The matches of ``match_sets`` itself, as (gold index, pred index), and the pred indexes left unmatched.

    Same loop as the scorer's ``match_sets``, which only returns counts; which gold item is found depends on
    the greedy order, so it must be replayed exactly.
    """
    used: set[int] = set()
    matches = []
    for gi, g in enumerate(gold):
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                matches.append((gi, i))
                break
    return matches, [i for i in range(len(pred)) if i not in used]


# -- one letter -------------------------------------------------------------------------------------

@dataclass
class LetterResult:
    """What is right and what is wrong on one letter (labels are readable strings, stable across runs)."""

    pairs: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    # the whole gold, for telling a loss from an item that left the gold
    gold_items: dict[str, list[str]] = field(default_factory=dict)
    # misses, for --misses and reports
    missed_pairs: list[str] = field(default_factory=list)
    false_pairs: list[str] = field(default_factory=list)
    missed_deadlines: list[str] = field(default_factory=list)
    wrong_header: dict[str, tuple] = field(default_factory=dict)
    missed_recipients: list[str] = field(default_factory=list)
    false_recipients: list[str] = field(default_factory=list)
    # counts as the scorer aggregates them
    counts: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    def right(self) -> dict[str, list[str]]:
        """The baseline entry: everything right on this letter."""
        return {"pairs": self.pairs, "deadlines": self.deadlines, "header": self.header,
                "recipients": self.recipients}


def _pair_label(agency: str, role: str) -> str:
    return f"{agency} [{role}]"


def _numbered(labels: list[str]) -> list[str]:
    """Make repeated labels distinct ('X', 'X (#2)') so a list can be compared as a set."""
    seen: Counter = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label} (#{seen[label]})")
    return out


def evaluate(gold: dict, pred: dict) -> LetterResult:
    """Compare one extraction with its gold using the scorer's matching (header fields, recipients, task pairs
    and dated deadlines, each as the scorer's ``score`` counts them)."""
    r = LetterResult()
    # header fields, as score() in the scorer
    right = {
        "number": norm_number(gold.get("number")) == norm_number(pred.get("number")),
        "issued_on": (gold.get("issued_on") or None) == (pred.get("issued_on") or None),
        "issuer": same_agency(gold.get("issuer") or "", pred.get("issuer") or ""),
    }
    gs, ps = fold(gold.get("subject")), fold(pred.get("subject"))
    right["subject"] = bool(gs) and fuzz.ratio(gs, ps) >= 90 or (not gs and not ps)
    r.header = [k for k in HEADER_FIELDS if right[k]]
    r.wrong_header = {k: (gold.get(k), pred.get(k)) for k in HEADER_FIELDS if not right[k]}
    # recipients
    grec, prec = gold.get("recipients") or [], pred.get("recipients") or []
    rec_matches, unused = greedy_pairs(grec, prec, same_agency)
    found = {gi for gi, _ in rec_matches}
    rec_labels = _numbered(list(grec))
    r.recipients = [rec_labels[gi] for gi in sorted(found)]
    r.missed_recipients = [rec_labels[gi] for gi in range(len(grec)) if gi not in found]
    r.false_recipients = [prec[i] for i in unused]
    # task pairs: sorted sets of (normalised agency, role), greedy one-to-one, as the scorer
    gold_tasks = gold.get("tasks") or []
    pred_tasks = pred.get("tasks") or []
    gpairs = sorted({(norm_agency(t["agency"]), t["role"]) for t in gold_tasks})
    ppairs = sorted({(norm_agency(t.get("agency") or ""), t.get("role")) for t in pred_tasks})
    shown_gold: dict = {}
    for t in gold_tasks:
        shown_gold.setdefault((norm_agency(t["agency"]), t["role"]), t["agency"])
    shown_pred: dict = {}
    for t in pred_tasks:
        shown_pred.setdefault((norm_agency(t.get("agency") or ""), t.get("role")), t.get("agency") or "")
    matches, unused = greedy_pairs(gpairs, ppairs, lambda g, p: g[1] == p[1] and same_agency(g[0], p[0]))
    found = {gi for gi, _ in matches}
    gold_pair_labels = [_pair_label(shown_gold[g], g[1]) for g in gpairs]
    r.pairs = [gold_pair_labels[gi] for gi in sorted(found)]
    r.missed_pairs = [gold_pair_labels[gi] for gi in range(len(gpairs)) if gi not in found]
    r.false_pairs = [_pair_label(shown_pred[ppairs[i]], ppairs[i][1]) for i in unused]
    # dated deadlines: a gold dated task is found when a proposed task of the same agency has the same date
    dated = [t for t in gold_tasks if t.get("deadline")]
    dl_labels = _numbered([f"{t['agency']} @ {t['deadline']}" for t in dated])
    for label, t in zip(dl_labels, dated):
        if any(same_agency(t["agency"], p.get("agency") or "") and p.get("deadline") == t["deadline"]
               for p in pred_tasks):
            r.deadlines.append(label)
        else:
            got = sorted({str(p.get("deadline")) for p in pred_tasks if same_agency(t["agency"], p.get("agency") or "")})
            r.missed_deadlines.append(f"{label} (got: {', '.join(got) if got else 'no task of that agency'})")
    r.gold_items = {
        "pairs": gold_pair_labels,
        "deadlines": dl_labels,
        "header": list(HEADER_FIELDS),
        "recipients": rec_labels,
    }
    r.counts = {
        **{k: bool(right[k]) for k in HEADER_FIELDS},
        "recipients": (len(rec_matches), len(grec), len(prec)),
        "task_pairs": (len(matches), len(gpairs), len(ppairs)),
        "deadlines": (len(r.deadlines), len(dated)),
    }
    if _SCORER is not None:  # the replay must agree with the official scorer on every count
        official = _SCORER.score(gold, pred)
        for key in ("number", "issued_on", "issuer", "subject", "recipients", "task_pairs", "deadlines"):
            ours, theirs = r.counts[key], official[key]
            same = tuple(ours) == tuple(theirs) if isinstance(ours, tuple) else ours == bool(theirs)
            assert same, f"gold_check disagrees with the scorer on {key}: {ours} vs {theirs}"
    return r


# -- running ----------------------------------------------------------------------------------------

def letters_of(folder: Path) -> list[tuple[str, Path, Path]]:
    """(name, document, gold) for every gold .json in ``folder`` with a document of the same stem beside it."""
    out = []
    for gold_path in sorted(folder.glob("*.json")):
        for suffix in DOCUMENT_SUFFIXES:
            doc = gold_path.with_suffix(suffix)
            if doc.is_file():
                out.append((gold_path.stem, doc, gold_path))
                break
    return out


def extract(path: Path) -> tuple[dict, str | None]:
    """The extraction of one file in process, as ``tracker extract FILE --json`` prints it (without the
    catalog ids, which are not scored); ``({}, message)`` when the reader refuses the file, as the scorer
    counts a letter that prints no JSON."""
    from tracker.extraction.letter import extract_file
    from tracker.extraction.readers import UnreadableDocument

    try:
        result = extract_file(path)
    except (UnreadableDocument, OSError) as exc:
        return {}, str(getattr(exc, "message", None) or exc)
    # the CLI prints JSON: round-trip so the values compared are the ones it would print
    return json.loads(json.dumps(result, ensure_ascii=False)), None


def run_set(gold_set: GoldSet) -> dict[str, LetterResult] | None:
    """Evaluate every letter of one set; None when its folder is missing."""
    folder = gold_set.folder()
    if folder is None:
        return None
    results = {}
    for name, doc, gold_path in letters_of(folder):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        pred, error = extract(doc)
        seconds = time.perf_counter() - t0
        result = evaluate(gold, pred)
        result.error, result.seconds = error, seconds
        results[name] = result
    return results


def run(keys: list[str] | None = None) -> dict[str, dict[str, LetterResult]]:
    """Evaluate the chosen sets (all by default) that exist on this machine, keyed by set key."""
    out = {}
    for gold_set in SETS:
        if keys and gold_set.key not in keys:
            continue
        results = run_set(gold_set)
        if results is not None:
            out[gold_set.key] = results
    return out


# -- baseline ---------------------------------------------------------------------------------------

KINDS = ("pairs", "deadlines", "header", "recipients")


def load_baseline(path: Path = BASELINE) -> dict:
    """The baseline ({set key: {letter: {kind: [labels]}}}), empty when the file does not exist."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def write_baseline(results: dict[str, dict[str, LetterResult]], path: Path = BASELINE) -> None:
    """Rewrite the baseline with what is right now; sets not run here (missing folders) keep their entries."""
    data = load_baseline(path)
    for key, letters in results.items():
        data[key] = {name: r.right() for name, r in letters.items()}
    ordered = {"_about": "What the extractor gets right per gold letter (tests/extraction/gold_check.py). "
                         "Rewrite with: .venv/bin/python -m tests.extraction.gold_check --update"}
    ordered.update({k: data[k] for k in [s.key for s in SETS] + sorted(data) if k in data})
    path.write_text(json.dumps(ordered, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


@dataclass
class Diff:
    """Losses (right in the baseline, wrong now), gains, and baseline items no longer in the gold."""

    losses: list[str] = field(default_factory=list)
    gains: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def compare(set_key: str, baseline: dict, results: dict[str, LetterResult]) -> Diff:
    """Compare one set's results with its baseline entries; messages name the letter and the item."""
    diff = Diff()
    base_set = baseline.get(set_key, {})
    for name, r in results.items():
        before = base_set.get(name)
        now = r.right()
        if before is None:
            if any(now.values()):
                diff.gains.append(f"{set_key}/{name}: new letter, not in the baseline")
            continue
        for kind in KINDS:
            old, new, in_gold = set(before.get(kind, [])), set(now[kind]), set(r.gold_items.get(kind, []))
            for item in sorted(old - new):
                if item in in_gold:
                    why = f" ({r.error})" if r.error else ""
                    diff.losses.append(f"{set_key}/{name}: lost {kind[:-1] if kind != 'header' else 'header field'}"
                                       f" {item!r}{why}")
                else:
                    diff.stale.append(f"{set_key}/{name}: {kind} item {item!r} is no longer in the gold")
            for item in sorted(new - old):
                diff.gains.append(f"{set_key}/{name}: gained {kind[:-1] if kind != 'header' else 'header field'}"
                                  f" {item!r}")
    for name in sorted(set(base_set) - set(results)):
        diff.stale.append(f"{set_key}/{name}: in the baseline but no longer a gold letter")
    return diff


# -- reporting --------------------------------------------------------------------------------------

def aggregate(letters: dict[str, LetterResult]) -> str:
    """One line of aggregate figures for a set, computed as the scorer's summary line."""
    rows = list(letters.values())
    n = len(rows)
    if not n:
        return "no letters"
    header = sum(r.counts[k] for r in rows for k in HEADER_FIELDS) / (4 * n)
    total = lambda key: tuple(sum(r.counts[key][i] for r in rows) for i in range(3))  # noqa: E731
    dl_hit = sum(r.counts["deadlines"][0] for r in rows)
    dl_all = sum(r.counts["deadlines"][1] for r in rows)
    fields = " ".join(f"{k}={sum(r.counts[k] for r in rows)}/{n}" for k in HEADER_FIELDS)
    errors = sum(1 for r in rows if r.error)
    return (f"letters={n} header={header:.2f} ({fields}) recipientsF1={f1(*total('recipients')):.2f} "
            f"taskF1={f1(*total('task_pairs')):.2f} deadlines={dl_hit}/{dl_all}"
            + (f" refused={errors}" if errors else ""))


def format_misses(name: str, r: LetterResult) -> list[str]:
    """Readable lines listing everything still wrong on one letter."""
    lines = []
    if r.error:
        lines.append(f"  reader refused: {r.error}")
    for k, (want, got) in r.wrong_header.items():
        lines.append(f"  header {k}: expected {want!r}, got {got!r}")
    lines += [f"  missed pair: {p}" for p in r.missed_pairs]
    lines += [f"  false pair: {p}" for p in r.false_pairs]
    lines += [f"  missed deadline: {d}" for d in r.missed_deadlines]
    lines += [f"  missed recipient: {p}" for p in r.missed_recipients]
    lines += [f"  false recipient: {p}" for p in r.false_recipients]
    return [f"{name}:"] + lines if lines else []


def main(argv: list[str] | None = None) -> int:
    """Command line: --update, --report (default) or --misses; returns 1 on --report when something was lost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="rewrite the baseline from the current extractor")
    mode.add_argument("--report", action="store_true", help="gains and losses against the baseline (default)")
    mode.add_argument("--misses", action="store_true", help="list every miss per letter")
    parser.add_argument("--set", action="append", dest="sets", metavar="KEY",
                        help="only this set (repeatable): " + ", ".join(s.key for s in SETS))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    results = run(args.sets)
    elapsed = time.perf_counter() - t0
    missing = [s.key for s in SETS if s.key not in results and (not args.sets or s.key in args.sets)]
    if args.update:
        write_baseline(results)
        print(f"baseline written to {BASELINE.relative_to(ROOT)}: "
              f"{sum(len(v) for v in results.values())} letters in {len(results)} sets ({elapsed:.1f} s)")
        if missing:
            print("sets not found here (entries kept): " + ", ".join(missing))
        return 0
    if args.misses:
        for key, letters in results.items():
            print(f"== {key}: {aggregate(letters)}")
            for name, r in letters.items():
                for line in format_misses(name, r):
                    print(line)
        return 0
    baseline = load_baseline()
    lost = 0
    for key, letters in results.items():
        diff = compare(key, baseline, letters)
        lost += len(diff.losses)
        print(f"== {key}: {aggregate(letters)}")
        for line in diff.losses:
            print("  - " + line)
        for line in diff.gains:
            print("  + " + line)
        for line in diff.stale:
            print("  ? " + line)
    if missing:
        print("sets not found here: " + ", ".join(missing))
    scorer = "official scorer" if _SCORER is not None else "copied matching (scorer not found)"
    print(f"{sum(len(v) for v in results.values())} letters, {lost} losses, {elapsed:.1f} s, matching: {scorer}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
