"""``tracker serve``: several worker processes and the scheduler in a process of its own, all stopped together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TRACKER = str(Path(sys.executable).parent / "tracker")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """The command lines of a process's children by pid (from /proc, so no extra tool is needed)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(url: str, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_runs_worker_processes_and_a_scheduler_process_and_stops_them_all(tmp_path):
    env = {**os.environ, "TRACKER_INSTANCE": str(tmp_path / "instance")}
    subprocess.run([TRACKER, "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([TRACKER, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/login") == 200
        deadline = time.monotonic() + 20
        while True:
            children = _children(server.pid)
            workers = [c for c in children.values() if " serve " in f"{c} "]
            schedulers = [c for c in children.values() if c.rstrip().endswith("scheduler")]
            if (len(workers), len(schedulers)) == (2, 1) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert (len(workers), len(schedulers)) == (2, 1), children
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
    assert "2 tiến trình" in output
    assert not [pid for pid in children if _alive(pid)]  # no worker or scheduler left behind


def test_one_worker_is_the_single_process_server(tmp_path):
    env = {**os.environ, "TRACKER_INSTANCE": str(tmp_path / "instance")}
    subprocess.run([TRACKER, "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([TRACKER, "serve", "--port", str(port), "--workers", "1", "--no-scheduler"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/login") == 200
        assert _children(server.pid) == {}
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)


def test_a_serving_process_does_not_load_the_report_builders_until_it_compiles_one(tmp_path):
    """Reports are compiled in a worker process of their own, so python-docx and openpyxl (about 30 MB in each
    serving process) stay out of the app until something there builds a document."""
    script = (
        "import sys\n"
        "from tracker.app import create_app\n"
        f"app = create_app({{'instance_path': {str(tmp_path)!r}, 'database_url': 'sqlite:///{tmp_path}/t.db',"
        " 'secret_key': 'k' * 32})\n"
        "print(sorted(m for m in ('docx', 'openpyxl', 'PIL', 'pypdfium2') if m in sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
