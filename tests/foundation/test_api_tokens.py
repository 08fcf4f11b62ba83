"""API tokens: a scope (read / write), an optional expiry, and the admin page that lists, creates and revokes them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tracker.db import transaction

TOKEN_RE = re.compile(r"trk_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def token(sessions):
    """token(username, name, scope="read", expires_at=None) -> a new API token acting as that user."""
    from tracker.accounts.models import User
    from tracker.tasks.api_tokens import create_token

    def make(username: str, name: str, scope: str = "read", expires_at=None) -> str:
        with transaction(sessions) as s:
            user = s.scalar(select(User).where(User.username == username))
            return create_token(s, name, user, scope=scope, expires_at=expires_at)[1]
    return make


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _progress(sessions, task_id: int) -> tuple[int, int]:
    from tracker.tasks.models import Task

    with sessions() as s:
        task = s.get(Task, task_id)
        return task.progress, task.version


def _set_progress(client, secret: str, sessions, task_id: int, progress: int):
    version = _progress(sessions, task_id)[1]
    return client.post(f"/api/tasks/{task_id}/progress", json={"version": version, "progress": progress},
                       headers=_bearer(secret))


def test_a_read_token_reads_but_gets_403_on_a_write(app, sessions, letter, token):
    client = app.test_client()
    reader = token("finance_officer", "bang-dieu-khien", scope="read")
    listing = client.get("/api/tasks", headers=_bearer(reader))
    assert listing.status_code == 200 and [t["id"] for t in listing.get_json()["items"]] == [letter.finance_task]
    assert client.head("/api/tasks", headers=_bearer(reader)).status_code == 200

    refused = _set_progress(client, reader, sessions, letter.finance_task, 50)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["status"] == 403 and "chỉ có quyền đọc" in error["message"]
    assert _progress(sessions, letter.finance_task)[0] == 0

    # the same account with a write token may change the task
    writer = token("finance_officer", "e-office", scope="write")
    assert _set_progress(client, writer, sessions, letter.finance_task, 50).status_code == 200
    assert _progress(sessions, letter.finance_task)[0] == 50


def test_an_expired_token_gets_401(app, sessions, cast, letter, token):
    from tracker.accounts.models import ApiToken
    from tracker.db import utcnow

    client = app.test_client()
    secret = token("leader", "e-office", expires_at=utcnow() + dt.timedelta(days=1))
    assert client.get("/api/tasks", headers=_bearer(secret)).status_code == 200
    with transaction(sessions) as s:
        s.scalar(select(ApiToken).where(ApiToken.name == "e-office")).expires_at = utcnow() - dt.timedelta(minutes=1)
    response = client.get("/api/tasks", headers=_bearer(secret))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "hết hạn" in response.get_json()["error"]["message"]


def test_a_revoked_token_gets_401(app, sessions, letter, token):
    from tracker.tasks.api_tokens import revoke_token

    client = app.test_client()
    secret = token("leader", "e-office", scope="write")
    assert client.get("/api/tasks", headers=_bearer(secret)).status_code == 200
    with transaction(sessions) as s:
        revoke_token(s, "e-office")
    response = client.get("/api/tasks", headers=_bearer(secret))
    assert response.status_code == 401 and "thu hồi" in response.get_json()["error"]["message"]


def test_the_admin_creates_a_token_sees_it_once_and_revokes_it(app, web, cast, sessions, letter):
    from zoneinfo import ZoneInfo

    from tracker.accounts.models import ApiToken

    admin = web(cast.admin)
    home = admin.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/admin/api-tokens"' in home and "Mã truy cập API" in home
    assert "Chưa có mã truy cập nào." in admin.get("/admin/api-tokens").get_data(as_text=True)

    created = admin.post("/admin/api-tokens", data={"name": "e-office", "user_id": str(cast.finance_officer),
                                                    "scope": "write", "expires_days": "30"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    page = created.get_data(as_text=True)
    assert "Đã tạo mã truy cập “e-office”" in page and "Mã chỉ hiện một lần" in page
    secrets_shown = set(TOKEN_RE.findall(page))
    assert len(secrets_shown) == 1
    secret = secrets_shown.pop()

    listing = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert secret not in listing and "Mã chỉ hiện một lần" not in listing
    with sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "e-office"))
        expires = row.expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
        token_id = row.id
        assert abs(row.expires_at - row.created_at - dt.timedelta(days=30)) < dt.timedelta(seconds=5)
    for shown in ("e-office", "finance_officer", "Đọc và ghi", "Đang dùng", expires, "Chưa dùng", "Thu hồi"):
        assert shown in listing, shown

    client = app.test_client()
    assert _set_progress(client, secret, sessions, letter.finance_task, 40).status_code == 200
    used = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "Chưa dùng" not in used

    revoked = admin.post(f"/admin/api-tokens/{token_id}/revoke", follow_redirects=True)
    page = revoked.get_data(as_text=True)
    assert revoked.status_code == 200 and "Đã thu hồi mã truy cập “e-office”" in page
    assert "Đã thu hồi" in page and f"/admin/api-tokens/{token_id}/revoke" not in page
    assert client.get("/api/tasks", headers=_bearer(secret)).status_code == 401


def test_the_admin_page_defaults_to_read_and_shows_each_state(app, web, cast, sessions, token):
    from tracker.accounts.models import ApiToken
    from tracker.db import utcnow
    from tracker.tasks.api_tokens import revoke_token

    admin = web(cast.admin)
    form = admin.get("/admin/api-tokens").get_data(as_text=True)
    assert re.search(r'<option selected value="read">Chỉ đọc</option>', form)
    page = admin.post("/admin/api-tokens", data={"name": "bang-dieu-khien", "user_id": str(cast.leader),
                                                 "scope": "read", "expires_days": ""}).get_data(as_text=True)
    secret = TOKEN_RE.search(page).group(0)
    assert "Hết hạn: không hết hạn" in page
    assert app.test_client().post("/api/tasks/1/progress", json={"version": 1, "progress": 1},
                                  headers=_bearer(secret)).status_code == 403

    token("leader", "cu", expires_at=utcnow() + dt.timedelta(days=1))
    token("leader", "bo", scope="write")
    with transaction(sessions) as s:
        s.scalar(select(ApiToken).where(ApiToken.name == "cu")).expires_at = utcnow() - dt.timedelta(days=1)
        revoke_token(s, "bo")
    listing = admin.get("/admin/api-tokens").get_data(as_text=True)
    for state in ("Đang dùng", "Hết hạn", "Đã thu hồi", "Chỉ đọc", "Đọc và ghi", "Không hết hạn"):
        assert state in listing, state


def test_the_create_form_explains_its_errors(web, cast, sessions, token):
    from tracker.accounts.models import ApiToken

    token("leader", "e-office")
    admin = web(cast.admin)
    response = admin.post("/admin/api-tokens", data={"name": "", "user_id": "", "scope": "admin",
                                                     "expires_days": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Bắt buộc.", "Chọn một tài khoản.", "Lựa chọn không hợp lệ.", "Từ 1 đến 3650 ngày."):
        assert message in page, message
    duplicate = admin.post("/admin/api-tokens", data={"name": "e-office", "user_id": str(cast.clerk),
                                                      "scope": "read", "expires_days": "abc"})
    assert duplicate.status_code == 400 and "Phải là một số nguyên." in duplicate.get_data(as_text=True)
    duplicate = admin.post("/admin/api-tokens", data={"name": "e-office", "user_id": str(cast.clerk),
                                                      "scope": "read"})
    page = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 400 and "Đã có mã truy cập tên “e-office”" in page
    assert not TOKEN_RE.search(page)
    with sessions() as s:
        assert len(s.scalars(select(ApiToken)).all()) == 1


@pytest.mark.parametrize("who", ["clerk", "leader", "finance_officer"])
def test_only_the_admin_may_see_create_or_revoke_tokens(app, web, cast, sessions, letter, token, who):
    from tracker.accounts.models import ApiToken

    secret = token("leader", "e-office")
    with sessions() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "e-office"))
    browser = web(getattr(cast, who))
    assert "Mã truy cập API" not in browser.get("/", follow_redirects=True).get_data(as_text=True)
    assert browser.get("/admin/api-tokens").status_code == 403
    assert browser.post("/admin/api-tokens", data={"name": "lau", "user_id": str(getattr(cast, who)),
                                                   "scope": "write"}).status_code == 403
    assert browser.post(f"/admin/api-tokens/{token_id}/revoke").status_code == 403
    with sessions() as s:
        assert s.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token_id)) is None
        assert s.scalar(select(ApiToken).where(ApiToken.name == "lau")) is None
    assert app.test_client().get("/api/tasks", headers=_bearer(secret)).status_code == 200


def test_revoking_needs_the_forms_csrf_token(database_url, tmp_path, cast, sessions, token):
    import secrets

    from tests.conftest import PASSWORD
    from tracker.accounts.models import ApiToken
    from tracker.app import create_app

    secret = token("leader", "e-office")
    with sessions() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "e-office"))
    app = create_app({"instance_path": tmp_path / "instance", "database_url": database_url,
                      "secret_key": secrets.token_hex(8), "TESTING": True, "TRACKER_TODAY": "2019-09-20"})
    try:
        def csrf_of(html):
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

        client = app.test_client()
        client.post("/login", data={"username": "admin", "password": PASSWORD,
                                    "csrf_token": csrf_of(client.get("/login").get_data(as_text=True))})
        page = client.get("/admin/api-tokens").get_data(as_text=True)
        forged = client.post(f"/admin/api-tokens/{token_id}/revoke")
        assert forged.status_code == 400
        assert app.test_client().get("/api/tasks", headers=_bearer(secret)).status_code == 200
        genuine = client.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf_of(page)})
        assert genuine.status_code == 302
        assert app.test_client().get("/api/tasks", headers=_bearer(secret)).status_code == 401
    finally:
        app.extensions["tracker.engine"].dispose()


def test_the_cli_makes_read_tokens_unless_asked_and_lists_scope_and_expiry(app, cast, sessions, letter):
    from tracker.cli import cli

    env = {"TRACKER_INSTANCE": str(app.instance_path),
           "TRACKER_DATABASE_URL": app.extensions["tracker.settings"].database_url}
    runner = CliRunner()
    reader = runner.invoke(cli, ["api-token", "create", "bang-dieu-khien", "--user", "finance_officer"], env=env,
                           catch_exceptions=False)
    assert reader.exit_code == 0 and "quyền: chỉ đọc" in reader.output and "hết hạn: không bao giờ" in reader.output
    writer = runner.invoke(cli, ["api-token", "create", "e-office", "--user", "finance_officer", "--scope", "write",
                                 "--expires-days", "7"], env=env, catch_exceptions=False)
    assert writer.exit_code == 0 and "quyền: đọc và ghi" in writer.output
    client = app.test_client()
    read_secret, write_secret = (r.output.strip().splitlines()[-1] for r in (reader, writer))
    assert _set_progress(client, read_secret, sessions, letter.finance_task, 30).status_code == 403
    assert _set_progress(client, write_secret, sessions, letter.finance_task, 30).status_code == 200

    listed = runner.invoke(cli, ["api-token", "list"], env=env, catch_exceptions=False).output
    lines = {line.split()[0]: line for line in listed.splitlines()}
    assert "Chỉ đọc" in lines["bang-dieu-khien"] and "hết hạn: không" in lines["bang-dieu-khien"]
    assert "Đọc và ghi" in lines["e-office"] and re.search(r"hết hạn: \d\d/\d\d/\d{4}", lines["e-office"])
    bad = runner.invoke(cli, ["api-token", "create", "x", "--user", "leader", "--scope", "admin"], env=env)
    assert bad.exit_code != 0
    assert runner.invoke(cli, ["api-token", "revoke", "e-office"], env=env).exit_code == 0
    assert "Đã thu hồi" in runner.invoke(cli, ["api-token", "list"], env=env, catch_exceptions=False).output
