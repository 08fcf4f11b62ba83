"""Console-script entry point of ``tracker``.

``tracker extract`` must start fast (clerks and scripts run it on one letter at a time), so it is
dispatched here before Flask and SQLAlchemy are imported; every other command goes to the Flask CLI
group in ``tracker.cli``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON object.")
def extract_command(file: Path, as_json: bool):
    """Read a letter (.txt, .docx, .pdf, edXML) and print its header and proposed tasks. Needs no database."""
    from tracker.extraction.letter import extract_file
    from tracker.extraction.readers import UnreadableDocument

    try:
        result = extract_file(file)
    except (UnreadableDocument, OSError) as exc:
        click.echo(f"Không đọc được tệp {file}: {getattr(exc, 'message', None) or exc}", err=True)
        sys.exit(2)
    add_catalog_ids(result)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_extraction(result))


def _catalog_rows() -> list[tuple] | None:
    """(id, name, short name, abbreviation, aliases JSON, active, successor id) of the instance's catalog,
    or None when no instance database is present. Read-only; SQLite is read without SQLAlchemy."""
    import os
    import sqlite3

    query = "SELECT id, name, short_name, abbreviation, aliases, active, successor_id FROM agency"
    url = os.environ.get("TRACKER_DATABASE_URL")
    if not url:
        instance = Path(os.environ.get("TRACKER_INSTANCE") or Path.cwd() / "instance")
        database = instance / "tracker.db"
        if not database.is_file():
            return None
        url = f"sqlite:///{database}"
    try:
        if url.startswith("sqlite:///"):
            with sqlite3.connect(f"file:{url[len('sqlite:///'):]}?mode=ro", uri=True) as connection:
                return connection.execute(query).fetchall()
        from sqlalchemy import text

        from tracker.db import make_engine

        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(query))]
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - no readable catalog simply means no ids
        return None


def add_catalog_ids(result: dict) -> None:
    """Add the matched catalog agency's id to each task (key ``agency_id``) when an instance is present.

    Merged agencies lead to their active successor, as when a clerk registers the letter.
    """
    rows = _catalog_rows()
    if not rows:
        return
    from tracker.agencies.matching import AgencyMatcher

    by_id = {row[0]: row for row in rows}

    def current(agency_id):
        seen = set()
        while agency_id is not None and agency_id not in seen:
            seen.add(agency_id)
            row = by_id.get(agency_id)
            if row is None:
                return None
            if row[5]:
                return agency_id
            agency_id = row[6]
        return None

    entries = []
    for row in sorted(rows, key=lambda r: (not r[5], r[0])):
        target = current(row[0])
        if target is not None:
            aliases = json.loads(row[4]) if isinstance(row[4], str) else list(row[4] or [])
            entries.append((target, by_id[target][1], [n for n in (row[1], row[2], row[3], *aliases) if n]))
    matcher = AgencyMatcher(entries)
    for letter in (result, *(result.get("enclosed") or [])):
        for task in letter.get("tasks") or []:
            match = matcher.match(task.get("agency") or "")
            task["agency_id"] = match.agency_id if match else None


def format_extraction(result: dict, indent: str = "") -> str:
    """A readable Vietnamese summary of an extraction, for people at a terminal."""
    labels = [("number", "Số, ký hiệu"), ("doc_type", "Loại văn bản"), ("issuer", "Cơ quan ban hành"),
              ("place", "Nơi ban hành"), ("issued_on", "Ngày ban hành"), ("subject", "Trích yếu"),
              ("signer", "Người ký"), ("signer_title", "Chức vụ")]
    lines = [f"{indent}{label}: {result.get(key) or '—'}" for key, label in labels]
    lines.append(f"{indent}Kính gửi: {'; '.join(result.get('recipients') or []) or '—'}")
    received = result.get("received")
    if received:
        lines.append(f"{indent}Số đến: {received.get('number')} ngày {received.get('date')}")
    for ref in result.get("references") or []:
        lines.append(f"{indent}Dẫn chiếu: {ref.get('number')} ngày {ref.get('date') or '?'} "
                     f"của {ref.get('issuer') or '?'}")
    for inner in result.get("enclosed") or []:
        lines.append(f"{indent}Văn bản kèm theo:")
        lines.append(format_extraction({**inner, "tasks": []}, indent + "    "))
    tasks = result.get("tasks") or []
    if indent == "" or tasks:
        lines.append(f"{indent}Nhiệm vụ đề xuất ({len(tasks)}):")
    for i, task in enumerate(tasks, 1):
        role = "Chủ trì" if task.get("role") == "lead" else "Phối hợp"
        if task.get("deadline"):
            deadline = task["deadline"]
        elif task.get("recurrence"):
            deadline = "định kỳ " + task["recurrence"]
        else:
            deadline = "không có hạn"
        lines.append(f"{indent}  {i}. [{role}] {task.get('agency')} — hạn: {deadline}")
        if task.get("summary"):
            lines.append(f"{indent}     {task['summary']}")
    return "\n".join(lines)


def main() -> None:
    """Run ``tracker``: the fast extractor command, or the Flask CLI group for everything else."""
    if len(sys.argv) > 1 and sys.argv[1] == "extract":
        extract_command.main(args=sys.argv[2:], prog_name="tracker extract")
        return
    from tracker.cli import cli

    cli.main(prog_name="tracker")


if __name__ == "__main__":
    main()
