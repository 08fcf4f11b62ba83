"""The ``tracker`` command: help, init and upgrade, serve's refusal, users, agencies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tracker.cli import cli


def run(args, instance: Path, database_url: str | None = None, input: str | None = None):
    env = {"TRACKER_INSTANCE": str(instance)}
    if database_url:
        env["TRACKER_DATABASE_URL"] = database_url
    return CliRunner().invoke(cli, args, env=env, input=input, catch_exceptions=False)


def test_help_lists_every_command():
    out = subprocess.run([str(Path(sys.executable).parent / "tracker"), "--help"], capture_output=True, text=True,
                         check=True).stdout
    for command in ("init", "serve", "user", "agencies", "extract"):
        assert f"  {command} " in out


def test_init_creates_then_reports_up_to_date(tmp_path):
    first = run(["init"], tmp_path)
    assert first.exit_code == 0 and "Đã nâng cấp cơ sở dữ liệu: trống → " in first.output
    assert (tmp_path / "tracker.db").exists() and (tmp_path / "secret_key").exists()
    second = run(["init"], tmp_path)
    assert "đã ở phiên bản mới nhất" in second.output


def test_secret_key_is_generated_per_instance_and_kept(tmp_path):
    from tracker.config import load_settings

    a = load_settings({"instance_path": tmp_path / "a"}, env={})
    b = load_settings({"instance_path": tmp_path / "b"}, env={})
    assert a.secret_key != b.secret_key and len(a.secret_key) >= 40
    assert load_settings({"instance_path": tmp_path / "a"}, env={}).secret_key == a.secret_key


def test_bad_setting_stops_with_its_name(tmp_path):
    from tracker.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="TRACKER_SMTP_URL"):
        load_settings({"instance_path": tmp_path}, env={"TRACKER_SMTP_URL": "mail.example.com"})
    with pytest.raises(ConfigError, match="TRACKER_MAX_UPLOAD_BYTES"):
        load_settings({"instance_path": tmp_path}, env={"TRACKER_MAX_UPLOAD_BYTES": "many"})


def test_instance_config_file_is_read_and_environment_wins(tmp_path):
    from tracker.config import load_settings

    (tmp_path / "config.py").write_text('base_url = "https://a.example.gov.vn/"\nMAIL_FOOTER = "x"\n')
    settings = load_settings({"instance_path": tmp_path}, env={})
    assert settings.base_url == "https://a.example.gov.vn" and settings.extra["MAIL_FOOTER"] == "x"
    settings = load_settings({"instance_path": tmp_path}, env={"TRACKER_BASE_URL": "http://b.example.gov.vn"})
    assert settings.base_url == "http://b.example.gov.vn"


def test_serve_refuses_an_old_database_until_init(tmp_path):
    result = run(["serve", "--port", "1"], tmp_path)
    assert result.exit_code == 2
    assert "Hãy chạy: tracker init" in result.output


def test_upgrade_keeps_existing_data(tmp_path):
    """Every migration up to head runs on a database with data in it, and the data is still there."""
    from alembic.script import ScriptDirectory

    from tracker.db import make_engine
    from tracker.migrate import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()][::-1]
    upgrade(engine, revisions[0])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO agency (id, name, aliases, kind, emails, active, search_text, created_at, updated_at) "
            "VALUES (1, 'Sở Tài chính', '[]', 'department', '[]', 1, 'so tai chinh', '2019-01-01', '2019-01-01')")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM agency").scalar_one() == "Sở Tài chính"
    engine.dispose()


def test_user_create_and_agency_import_from_the_command_line(tmp_path):
    run(["init"], tmp_path)
    catalog = tmp_path / "danh-muc.csv"
    catalog.write_text("code,name,short_name,kind,aliases,emails\n"
                       "so-tc,Sở Tài chính,STC,department,Sở TC;STC,stc@example.gov.vn\n"
                       "ubnd-dai-tu,UBND huyện Đại Từ,,district,huyện Đại Từ,\n", encoding="utf-8")
    assert "Thêm mới 2" in run(["agencies", "import", str(catalog)], tmp_path).output
    assert "không đổi 2" in run(["agencies", "import", str(catalog)], tmp_path).output
    result = run(["user", "create", "--username", "cb1", "--full-name", "Cán bộ 1", "--role", "officer",
                  "--agency", "so-tc", "--password", "mat-khau-dai-1"], tmp_path)
    assert "Đã tạo người dùng cb1" in result.output
    assert "Đã đặt mật khẩu mới" in run(["user", "password", "cb1", "--password", "mat-khau-moi-2"], tmp_path).output
    assert run(["user", "password", "khong-co", "--password", "mat-khau-moi-2"], tmp_path).exit_code != 0
    refused = run(["user", "create", "--username", "cb2", "--full-name", "Cán bộ 2", "--role", "officer",
                   "--agency", "khong-co", "--password", "mat-khau-dai-1"], tmp_path)
    assert refused.exit_code != 0 and "Không tìm thấy cơ quan" in refused.output


def test_bad_catalog_file_is_refused_whole(tmp_path):
    run(["init"], tmp_path)
    catalog = tmp_path / "x.toml"
    catalog.write_text('[[agency]]\ncode = "a"\nname = "A"\nparent = "khong-co"\n', encoding="utf-8")
    result = run(["agencies", "import", str(catalog)], tmp_path)
    assert result.exit_code != 0 and "Không nhập được danh mục" in result.output
    from tracker.agencies.models import Agency
    from tracker.db import make_engine
    from sqlalchemy.orm import Session

    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Agency)) == 0
    engine.dispose()


def test_demo_loads_once_and_prints_credentials(tmp_path):
    first = run(["init", "--demo"], tmp_path)
    assert first.exit_code == 0, first.output
    for username in ("quantri", "vanthu", "lanhdao", "canbo.taichinh"):
        assert username in first.output
    second = run(["init", "--demo"], tmp_path)
    assert "đã có sẵn" in second.output


def test_rebuilding_a_table_on_sqlite_keeps_the_rows_that_refer_to_it(tmp_path):
    """Migration 0020 rebuilds outbox_message (batch mode); its delivery attempts must survive."""
    from tracker.db import make_engine
    from tracker.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox_message (id, key, kind, recipient, recipient_name, subject, message_id, mime,"
            " for_date, items, state, attempts, next_attempt_at, created_at) VALUES (1, 'k1', 'digest', 'a@b.vn',"
            " 'A', 's', '<m1@x>', 'mime', '2019-09-25', '[]', 'sent', 1, '2019-09-25', '2019-09-25')")
        conn.exec_driver_sql("INSERT INTO outbox_attempt (outbox_id, at, outcome) VALUES (1, '2019-09-25', 'sent')")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM outbox_attempt").scalar_one() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM outbox_message").scalar_one() == 1
    engine.dispose()
