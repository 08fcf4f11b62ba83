"""Command line: ``python -m tracker.extraction extract FILE [--json]``.

Prints the readable summary of what was read from a letter, or with ``--json`` exactly one
JSON object. Exit code 2 with a Vietnamese message on stderr when the file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys


def _summary(result: dict, indent: str = "") -> str:
    try:  # the console command's formatter, when the CLI module can be imported
        from tracker.cli import format_extraction

        return format_extraction(result, indent)
    except Exception:
        lines = [f"{indent}{key}: {value}" for key, value in result.items() if key not in {"tasks", "enclosed"}]
        for task in result.get("tasks") or []:
            lines.append(f"{indent}- [{task.get('role')}] {task.get('agency')}: {task.get('deadline') or '—'}")
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
        print(_summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
