"""``tracker extract``: JSON on stdout, a Vietnamese message for unreadable input, catalog ids when an instance exists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.intake.letters import KIEN_GIANG

TRACKER = str(Path(sys.executable).parent / "tracker")


def run(*args: str, instance: Path | None = None, cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    if instance is not None:
        env["TRACKER_INSTANCE"] = str(instance)
    return subprocess.run([TRACKER, *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_json_needs_no_database_and_names_agencies_in_full(tmp_path):
    result = run("extract", str(KIEN_GIANG), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["number"] == "871/VP-VHXH" and data["issued_on"] == "2019-02-21"
    assert any(t["agency"] == "Sở Lao động - Thương binh và Xã hội" for t in data["tasks"])
    assert all("agency_id" not in t for t in data["tasks"])
    assert not (tmp_path / "instance").exists()  # reading a letter leaves nothing behind


def test_readable_summary_without_json(tmp_path):
    result = run("extract", str(KIEN_GIANG), cwd=tmp_path)
    assert "Số, ký hiệu: 871/VP-VHXH" in result.stdout and "[Chủ trì] Sở Lao động" in result.stdout


def test_unreadable_input_exits_non_zero_with_a_message(tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = run("extract", str(broken), "--json", cwd=tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    assert "Không đọc được tệp" in result.stderr
    missing = run("extract", str(tmp_path / "khong-co.txt"), cwd=tmp_path)
    assert missing.returncode != 0 and "Không đọc được tệp" in missing.stderr


def test_catalog_ids_are_added_when_an_instance_is_present(tmp_path):
    instance = tmp_path / "instance"
    init = run("init", "--demo", instance=instance)
    assert init.returncode == 0, init.stderr
    data = json.loads(run("extract", str(KIEN_GIANG), "--json", instance=instance).stdout)
    import sqlite3

    with sqlite3.connect(instance / "tracker.db") as db:
        labour = db.execute("SELECT id FROM agency WHERE code = 'so-ldtbxh'").fetchone()[0]
    lead = next(t for t in data["tasks"] if t["agency"] == "Sở Lao động - Thương binh và Xã hội")
    assert lead["agency_id"] == labour
