"""A non-editable install (the wheel) carries templates, workflows, static files and migrations, and serves pages."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import sys, tracker
from pathlib import Path
assert Path(tracker.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()), tracker.__file__
from tracker.app import create_app
from tracker.migrate import upgrade
app = create_app({"instance_path": sys.argv[2], "TESTING": True})
upgrade(app.extensions["tracker.engine"])
client = app.test_client()
login = client.get("/login")
assert login.status_code == 200 and "Đăng nhập" in login.get_data(as_text=True), login.status_code
assert client.get("/static/app.css").status_code == 200
print("served from", Path(tracker.__file__).parent)
"""


def test_wheel_installed_outside_the_checkout_serves_pages(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("tracker-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("tracker/_shipped/templates/base.html", "tracker/_shipped/workflows/tasks.toml",
                     "tracker/static/app.css", "tracker/migrations/env.py"):
        assert expected in names, expected
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("TRACKER_INSTANCE", None)
    result = subprocess.run([sys.executable, "-c", PROBE, str(site), str(tmp_path / "instance")], cwd=tmp_path,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert str(site) in result.stdout


def test_instance_template_overrides_the_shipped_one(app, web, cast, tmp_path):
    override = Path(app.instance_path) / "templates" / "errors"
    override.mkdir(parents=True)
    (override / "error.html").write_text("Trang lỗi riêng của văn phòng: {{ status }}", encoding="utf-8")
    from tracker.app import create_app

    app2 = create_app({"instance_path": app.instance_path, "database_url": app.extensions["tracker.settings"].database_url,
                       "TESTING": True})
    assert app2.test_client().get("/khong-co").get_data(as_text=True) == "Trang lỗi riêng của văn phòng: 404"
    app2.extensions["tracker.engine"].dispose()


def test_a_broken_workflow_file_stops_the_start_naming_the_line(tmp_path, database_url):
    import pytest

    from tracker.app import create_app
    from tracker.tasks.workflow import WorkflowError

    folder = tmp_path / "instance" / "workflows"
    folder.mkdir(parents=True)
    text = (ROOT / "workflows" / "tasks.toml").read_text(encoding="utf-8").replace('to = "done"', 'to = "xong"')
    (folder / "tasks.toml").write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError, match=r"line \d+: \[transitions.accept\] to names unknown state 'xong'"):
        create_app({"instance_path": tmp_path / "instance", "database_url": database_url})
