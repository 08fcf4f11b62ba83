"""Command line: ``python -m tracker.extraction extract FILE [--json]``.

Prints the readable summary of what was read from a letter, or with ``--json`` exactly one
JSON object. Exit code 2 with a Vietnamese message on stderr when the file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys


_LABELS = (("number", "Số, ký hiệu"), ("doc_type", "Loại văn bản"), ("issuer", "Cơ quan ban hành"),
           ("place", "Nơi ban hành"), ("issued_on", "Ngày ban hành"), ("subject", "Trích yếu"),
           ("urgency", "Độ khẩn"), ("secrecy", "Độ mật"), ("signer", "Người ký"), ("signer_title", "Chức vụ"))


def summary(result: dict, indent: str = "") -> str:
    """A readable Vietnamese summary of an extraction (the console command has its own, with Flask)."""
    lines = [f"{indent}{label}: {result.get(key) or '—'}" for key, label in _LABELS
             if key in result or key not in ("urgency", "secrecy")]
    lines.append(f"{indent}Kính gửi: {'; '.join(result.get('recipients') or []) or '—'}")
    received = result.get("received")
    if received:
        lines.append(f"{indent}Số đến: {received.get('number') or '?'} ngày {received.get('date') or '?'}")
    for ref in result.get("references") or []:
        lines.append(f"{indent}Dẫn chiếu: {ref.get('number')} ngày {ref.get('date') or '?'} của {ref.get('issuer') or '?'}")
    for inner in result.get("enclosed") or []:
        lines.append(f"{indent}Văn bản kèm theo:")
        lines.append(summary({**inner, "tasks": []}, indent + "    "))
    tasks = result.get("tasks") or []
    if not indent:
        lines.append(f"Nhiệm vụ đề xuất ({len(tasks)}):")
    for i, task in enumerate(tasks, 1):
        role = "Chủ trì" if task.get("role") == "lead" else "Phối hợp"
        due = task.get("deadline") or (f"định kỳ {task['recurrence']}" if task.get("recurrence") else "chưa có hạn")
        lines.append(f"{indent}  {i}. [{role}] {task.get('agency')} - hạn: {due}")
        if task.get("summary"):
            lines.append(f"{indent}     {task['summary']}")
    for warning in result.get("warnings") or []:
        lines.append(f"{indent}Lưu ý: {warning}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m tracker.extraction",
                                     description="Đọc công văn và đề xuất nhiệm vụ.")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract", help="trích xuất một văn bản (.txt, .docx, .pdf, edXML)")
    extract.add_argument("file")
    extract.add_argument("--json", action="store_true", help="in đúng một đối tượng JSON")
    args = parser.parse_args(argv)

    from tracker.extraction.letter import extract_file
    from tracker.extraction.readers import UnreadableDocument

    try:
        result = extract_file(args.file)
    except UnreadableDocument as exc:
        print(f"Không đọc được tệp {args.file}: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
