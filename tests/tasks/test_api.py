"""The JSON API: per-integration tokens, the same permissions and validation as the pages, OpenAPI, ISO dates."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.db import transaction


@pytest.fixture
def token(sessions):
    """token(username, name=None) -> a new API token acting as that user."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.tasks.api_tokens import create_token

    def make(username: str, name: str | None = None) -> str:
        with transaction(sessions) as s:
            user = s.scalar(select(User).where(User.username == username))
            return create_token(s, name or f"tich-hop-{username}", user)[1]
    return make


@pytest.fixture
def api(app):
    """api(token) -> a client sending the bearer token."""
    class Api:
        def __init__(self, secret):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

        def get(self, url):
            return self.client.get(url, headers=self.headers)

        def post(self, url, body):
            return self.client.post(url, json=body, headers=self.headers)
    return Api


def test_no_token_or_a_wrong_one_is_401(api, letter, token):
    for secret in (None, "trk_khong-dung", "abc"):
        response = api(secret).get("/api/tasks")
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "mã truy cập" in response.get_json()["error"]["message"].lower()


def test_a_browser_session_cookie_is_not_enough(web, cast, letter):
    response = web(cast.leader).get("/api/tasks")
    assert response.status_code == 401


def test_tokens_are_stored_hashed_and_can_be_revoked(sessions, api, token, letter):
    from sqlalchemy import select

    from tracker.accounts.models import ApiToken
    from tracker.tasks.api_tokens import revoke_token

    secret = token("leader", "e-office")
    with sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "e-office"))
        assert secret not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert api(secret).get("/api/tasks").status_code == 200
    with transaction(sessions) as s:
        revoke_token(s, "e-office")
    assert api(secret).get("/api/tasks").status_code == 401


def test_an_officers_token_sees_only_its_agency_and_gets_403_on_another(api, token, letter):
    client = api(token("finance_officer"))
    listing = client.get("/api/tasks").get_json()
    assert [t["id"] for t in listing["items"]] == [letter.finance_task]
    assert client.get(f"/api/tasks/{letter.labour_task}").status_code == 403
    denied = client.post(f"/api/tasks/{letter.labour_task}/progress", {"version": 1, "progress": 50})
    assert denied.status_code == 403 and denied.get_json()["error"]["status"] == 403


def test_task_json_uses_iso_dates_and_lists_what_the_token_may_do(api, token, letter):
    task = api(token("finance_officer")).get(f"/api/tasks/{letter.finance_task}").get_json()
    assert task["deadline"] == "2019-09-30" and task["letter"]["received_on"] == "2019-02-22"
    assert task["deadline_status"]["code"] == "on_track" and task["deadline_status"]["working_days"] == 6
    assert {t["name"] for t in task["transitions"]} == {"start", "submit_result"}
    assert "request_extension" in task["actions"] and "direct" not in task["actions"]
    assert task["other_tasks"][0]["agency"] == "Sở Lao động - Thương binh và Xã hội"


def test_lists_are_paginated_and_filtered(api, token, letter):
    client = api(token("leader"))
    first = client.get("/api/tasks?per_page=1&page=1").get_json()
    second = client.get("/api/tasks?per_page=1&page=2").get_json()
    assert (first["total"], first["pages"], second["page"]) == (2, 2, 2)
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert client.get("/api/tasks?per_page=1000").get_json()["per_page"] == 100
    assert [t["role"] for t in client.get("/api/tasks?role=cooperate").get_json()["items"]] == ["cooperate"]
    assert client.get("/api/tasks?due=overdue").get_json()["total"] == 0


def test_the_whole_report_and_decision_path_over_the_api(api, token, letter, tasks):
    officer, leader = api(token("finance_officer")), api(token("leader"))
    task = officer.post(f"/api/tasks/{letter.finance_task}/progress",
                        {"version": 1, "progress": 60, "note": "Đã tổng hợp"}).get_json()
    assert task["progress"] == 60 and task["status"] == "in_progress"  # the file's progress_transition
    task = officer.post(f"/api/tasks/{letter.finance_task}/transitions/submit_result",
                        {"version": task["version"], "result": "Báo cáo số 12/BC-STC"}).get_json()
    assert task["status"] == "submitted" and task["result"] == {"text": "Báo cáo số 12/BC-STC",
                                                                "submitted_on": "2019-09-20"}
    no_reason = leader.post(f"/api/tasks/{letter.finance_task}/transitions/return", {"version": task["version"]})
    assert no_reason.status_code == 422 and "comment" in no_reason.get_json()["error"]["fields"]
    task = leader.post(f"/api/tasks/{letter.finance_task}/transitions/accept", {"version": task["version"]}).get_json()
    assert task["status"] == "done" and task["deadline_status"]["code"] == "done_on_time"
    events = officer.get(f"/api/tasks/{letter.finance_task}/events").get_json()
    assert [e["kind"] for e in events["items"]][:3] == ["transition", "transition", "progress"]
    assert events["items"][0]["actor"] == "Leader"


def test_extension_over_the_api_with_iso_dates(api, token, letter):
    officer, leader = api(token("finance_officer")), api(token("leader"))
    bad = officer.post(f"/api/tasks/{letter.finance_task}/extensions",
                       {"version": 1, "new_deadline": "15/10/2019", "reason": "Chờ số liệu"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.get_json()["error"]["fields"]["new_deadline"]
    task = officer.post(f"/api/tasks/{letter.finance_task}/extensions",
                        {"version": 1, "new_deadline": "2019-10-15", "reason": "Chờ số liệu"}).get_json()
    request_id = task["extensions"][0]["id"]
    task = leader.post(f"/api/tasks/{letter.finance_task}/extensions/{request_id}",
                       {"version": task["version"], "decision": "approve"}).get_json()
    assert task["deadline"] == "2019-10-15" and task["original_deadline"] == "2019-09-30"
    assert task["extensions"][0]["status"] == "approved" and task["extensions"][0]["decided_by"] == "Leader"


def test_a_stale_version_is_409_with_the_current_task(api, token, letter):
    officer = api(token("finance_officer"))
    officer.post(f"/api/tasks/{letter.finance_task}/progress", {"version": 1, "progress": 20})
    stale = officer.post(f"/api/tasks/{letter.finance_task}/progress", {"version": 1, "progress": 90})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["current"]["progress"] == 20 and error["current"]["version"] == 2


@pytest.mark.parametrize("body, status, field", [
    ({"version": 1, "progress": 150}, 422, "progress"),
    ({"version": 1, "progress": "năm mươi"}, 422, "progress"),
    ({"progress": 50}, 422, "version"),
])
def test_bad_input_is_422_naming_the_field_and_saves_nothing(api, token, letter, tasks, body, status, field):
    response = api(token("finance_officer")).post(f"/api/tasks/{letter.finance_task}/progress", body)
    assert response.status_code == status and field in response.get_json()["error"]["fields"]
    assert tasks.get(letter.finance_task).progress == 0 and len(tasks.events(letter.finance_task)) == 1


def test_non_json_body_is_refused_plainly(app, token, letter):
    response = app.test_client().post(f"/api/tasks/{letter.finance_task}/progress", data="progress=5",
                                      headers={"Authorization": f"Bearer {token('finance_officer')}"})
    assert response.status_code == 415 and "JSON" in response.get_json()["error"]["message"]


def test_letter_and_figures(api, token, letter):
    leader = api(token("leader"))
    data = leader.get(f"/api/letters/{letter.letter}").get_json()
    assert data["status"]["code"] == "in_progress" and len(data["tasks"]) == 2
    assert leader.get("/api/figures").get_json()["tasks"] == 2
    assert api(token("finance_officer")).get("/api/figures").status_code == 403


def test_the_openapi_document_describes_every_api_route(app):
    doc = app.test_client().get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    import re

    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    assert routes == set(doc["paths"])


def test_token_cli_creates_lists_and_revokes(app, cast, sessions):
    from tracker.cli import cli

    env = {"TRACKER_INSTANCE": str(app.instance_path),
           "TRACKER_DATABASE_URL": app.extensions["tracker.settings"].database_url}
    runner = CliRunner()
    created = runner.invoke(cli, ["api-token", "create", "e-office", "--user", "leader"], env=env,
                            catch_exceptions=False)
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("trk_")
    client = app.test_client()
    assert client.get("/api/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(cli, ["api-token", "list"], env=env, catch_exceptions=False).output
    assert "e-office" in listed and secret not in listed
    again = runner.invoke(cli, ["api-token", "create", "e-office", "--user", "leader"], env=env)
    assert again.exit_code != 0 and "Đã có mã truy cập" in again.output
    assert runner.invoke(cli, ["api-token", "revoke", "e-office"], env=env).exit_code == 0
    assert client.get("/api/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_forms_keep_csrf_and_the_token_api_does_not_need_it(database_url, tmp_path, cast, letter, token, tasks):
    import secrets

    from tests.conftest import PASSWORD
    from tracker.app import create_app

    app = create_app({"instance_path": tmp_path / "instance", "database_url": database_url,
                      "secret_key": secrets.token_hex(8), "TESTING": True, "TRACKER_TODAY": "2019-09-20"})
    try:
        import re

        def csrf_of(html):
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

        client = app.test_client()
        client.post("/login", data={"username": "finance_officer", "password": PASSWORD,
                                    "csrf_token": csrf_of(client.get("/login").get_data(as_text=True))})
        page = client.get(f"/tasks/{letter.finance_task}").get_data(as_text=True)
        forged = client.post(f"/tasks/{letter.finance_task}/progress", data={"version": "1", "progress": "10"})
        assert forged.status_code == 400 and tasks.get(letter.finance_task).progress == 0
        genuine = client.post(f"/tasks/{letter.finance_task}/progress",
                              data={"version": "1", "progress": "5", "csrf_token": csrf_of(page)})
        assert genuine.status_code == 302 and tasks.get(letter.finance_task).progress == 5
        api = app.test_client().post(f"/api/tasks/{letter.finance_task}/progress", json={"version": 2, "progress": 10},
                                     headers={"Authorization": f"Bearer {token('finance_officer')}"})
        assert api.status_code == 200 and tasks.get(letter.finance_task).progress == 10
    finally:
        app.extensions["tracker.engine"].dispose()
