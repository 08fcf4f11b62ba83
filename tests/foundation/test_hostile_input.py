"""Hostile input is answered, never a 5xx: ids and numbers out of range or in non-ASCII digits, dates nobody means.

Regression tests for each example of the issue (pages and JSON API), a property test feeding the forms and query
parameters of the main pages random text, numbers and dates as each role, and schemathesis against
/api/openapi.json. The ``app`` fixture's database is parametrised: every test runs on SQLite and, with
TRACKER_TEST_POSTGRES=1, on PostgreSQL too, whose integer columns are 32-bit.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import POSTGRES
from tracker.db import transaction
from tracker.tasks.openapi import document

NINES = "9" * 30
TOO_BIG = str(2**31)  # one more than PostgreSQL's integer holds
NOT_FOUND = "Trang hoặc dữ liệu bạn tìm không tồn tại"
BAD_VERSION = "Số phiên bản của biểu mẫu không hợp lệ"


@pytest.fixture
def token(sessions):
    """token(user_id) -> a new API token acting as that user."""
    from tracker.accounts.models import User
    from tracker.tasks.api_tokens import create_token

    def make(user_id: int) -> str:
        with transaction(sessions) as s:
            user = s.get(User, user_id)
            return create_token(s, f"thu-nghiem-{user.username}", user)[1]
    return make


def _version(sessions, task_id: int) -> int:
    from tracker.tasks.models import Task

    with sessions() as s:
        return s.get(Task, task_id).version


# -- ids in paths: 404 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/tasks/99999999999999999999", f"/tasks/{TOO_BIG}", f"/tasks/{NINES}/edit", f"/letters/{NINES}",
    f"/letters/{TOO_BIG}/edit", "/tasks/0",
])
def test_a_page_path_id_out_of_range_is_not_found(web, cast, letter, path):
    response = web(cast.leader).get(path)
    assert response.status_code == 404 and NOT_FOUND in response.get_data(as_text=True)


def test_a_path_id_in_other_digits_is_not_taken_for_an_id(web, cast, letter):
    arabic = "".join(chr(0x0660 + int(d)) for d in str(letter.finance_task))  # ١ is 1 to int()
    leader = web(cast.leader)
    assert leader.get(f"/tasks/{letter.finance_task}").status_code == 200
    assert leader.get("/tasks/" + quote(arabic)).status_code == 404


@pytest.mark.parametrize("path", [f"/api/tasks/{TOO_BIG}", f"/api/tasks/{NINES}", f"/api/letters/{TOO_BIG}",
                                  f"/api/tasks/{TOO_BIG}/events"])
def test_an_api_path_id_out_of_range_is_a_json_404(app, cast, letter, token, path):
    response = app.test_client().get(path, headers={"Authorization": f"Bearer {token(cast.leader)}"})
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


# -- query values: ignored with a message on pages, 422 in the API ---------------------------------------------

@pytest.mark.parametrize("value", ["²", TOO_BIG, NINES, "١"])
def test_a_list_filter_that_is_no_id_is_ignored_and_said_so(web, cast, letter, value):
    response = web(cast.leader).get("/tasks/?letter=" + quote(value))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "không hợp lệ nên đã được bỏ qua" in page
    assert "Chủ trì triển khai" in page and "Phối hợp triển khai" in page  # the whole list, not a filtered one


def test_a_bad_id_for_a_new_task_letter_is_not_found(web, cast, letter):
    assert web(cast.clerk).get("/tasks/new?letter=" + quote("²")).status_code == 404


@pytest.mark.parametrize("query, field", [
    ("letter=" + quote("²"), "letter"), (f"agency={TOO_BIG}", "agency"), ("assignee=" + quote("١"), "assignee"),
    (f"page={NINES}", "page"), ("per_page=abc", "per_page"),
    ("updated_since=9999-12-31T23:59:59-23:00", "updated_since"),
])
def test_an_api_query_value_that_is_no_number_is_422_naming_it(app, cast, letter, token, query, field):
    response = app.test_client().get(f"/api/tasks?{query}", headers={"Authorization": f"Bearer {token(cast.leader)}"})
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


# -- form values: 422 with a Vietnamese message, nothing saved -------------------------------------------------

def test_a_version_of_thirty_nines_is_refused_and_nothing_is_saved(web, cast, letter, sessions):
    response = web(cast.leader).post(f"/tasks/{letter.finance_task}/directions",
                                     data={"version": NINES, "comment": "Khẩn trương hoàn thành"})
    assert response.status_code == 422 and BAD_VERSION in response.get_data(as_text=True)
    assert _version(sessions, letter.finance_task) == 1


def test_progress_in_other_digits_is_refused_with_the_input_kept(web, cast, letter, sessions):
    response = web(cast.finance_officer).post(f"/tasks/{letter.finance_task}/progress",
                                              data={"version": "1", "progress": "٥٠", "note": "Đã triển khai"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tiến độ phải là một số nguyên từ 0 đến 100." in page
    assert ">Đã triển khai</textarea>" in page and _version(sessions, letter.finance_task) == 1


def test_an_officer_id_out_of_range_is_refused(web, cast, letter, sessions):
    response = web(cast.leader).post(f"/tasks/{letter.finance_task}/reassign",
                                     data={"version": "1", "agency_id": TOO_BIG, "comment": "Chuyển"})
    assert response.status_code == 422 and _version(sessions, letter.finance_task) == 1


@pytest.mark.parametrize("deadline", ["31/12/9999", "01/01/0001", "2٠/09/2019"])  # strptime reads ٠ as 0
def test_a_deadline_nobody_means_is_refused(web, cast, letter, sessions, deadline):
    response = web(cast.clerk).post(f"/tasks/{letter.finance_task}/edit", data={
        "version": "1", "summary": "Chủ trì triển khai trợ giúp xã hội", "role": "lead", "deadline": deadline})
    assert response.status_code == 422 and "Ngày không hợp lệ" in response.get_data(as_text=True)
    assert _version(sessions, letter.finance_task) == 1


def _letter_form(**changes) -> dict:
    form = {"version": "1", "received_on": "22/02/2019", "number": "871/VP-VHXH", "doc_type": "Công văn",
            "issuer": "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang", "place": "Kiên Giang", "issued_on": "21/02/2019",
            "subject": "chỉ đạo tăng cường triển khai thực hiện việc trợ giúp xã hội", "recipients": "Sở Tài chính",
            "urgency": ""}
    form.update(changes)
    return form


def test_a_letter_edit_with_a_version_of_thirty_nines_is_refused(web, cast, letter):
    clerk = web(cast.clerk)
    response = clerk.post(f"/letters/{letter.letter}/edit", data=_letter_form(version=NINES, place="Rạch Giá"))
    assert response.status_code == 422 and BAD_VERSION in response.get_data(as_text=True)
    assert "Rạch Giá" not in clerk.get(f"/letters/{letter.letter}").get_data(as_text=True)


@pytest.mark.parametrize("field, value", [("issued_on", "01/01/0001"), ("reply_date", "31/12/9999"),
                                          ("issued_on", "2١/02/2019")])
def test_a_letter_date_nobody_means_is_refused(web, cast, letter, field, value):
    response = web(cast.clerk).post(f"/letters/{letter.letter}/edit", data=_letter_form(**{field: value}))
    assert response.status_code == 422 and "Ngày không hợp lệ" in response.get_data(as_text=True)


# -- NUL, which PostgreSQL's text columns cannot hold: 400 ----------------------------------------------------

def test_a_nul_character_in_a_form_is_refused_and_nothing_is_saved(web, cast, letter, sessions):
    response = web(cast.leader).post(f"/tasks/{letter.finance_task}/directions",
                                     data={"version": "1", "comment": "a\x00b"})
    assert response.status_code == 400 and "ký tự không hợp lệ (NUL)" in response.get_data(as_text=True)
    assert _version(sessions, letter.finance_task) == 1


@pytest.mark.parametrize("path", ["/tasks/?q=" + quote("trợ\x00 giúp"), "/letters/?q=871%00",
                                  "/letters/?issuer=" + quote("Kiên\x00 Giang")])
def test_a_nul_character_in_a_search_is_dropped(web, cast, letter, path):
    response = web(cast.leader).get(path)
    assert response.status_code == 200 and "871/VP-VHXH" in response.get_data(as_text=True)


def test_a_nul_character_in_an_api_body_is_a_json_400(app, cast, letter, token):
    response = app.test_client().post(f"/api/tasks/{letter.finance_task}/directions",
                                      json={"version": 1, "comment": "a\x00b"},
                                      headers={"Authorization": f"Bearer {token(cast.leader)}"})
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]["message"]


# -- API bodies: 422 naming the field ----------------------------------------------------------------------------

@pytest.mark.parametrize("who, path, body, field", [
    ("leader", "directions", {"version": int(NINES), "comment": "Khẩn trương"}, "version"),
    ("leader", "directions", {"version": True, "comment": "Khẩn trương"}, "version"),
    ("leader", "directions", {"version": "²", "comment": "Khẩn trương"}, "version"),
    ("leader", "reassign", {"version": 1, "agency_id": 2**31, "comment": "Chuyển"}, "agency_id"),
    ("finance_officer", "assignee", {"version": 1, "assignee_id": 2**31}, "assignee_id"),
    ("finance_officer", "transitions/start", {"version": 1, "period_id": 2**31}, "period_id"),
    ("finance_officer", "extensions", {"version": 1, "new_deadline": "9999-12-31", "reason": "Chờ số liệu"},
     "new_deadline"),
    ("leader", "extensions/1", {"version": 1, "decision": {}}, "decision"),
    ("leader", "directions", {"version": 1, "comment": ["Khẩn trương"]}, "comment"),
])
def test_an_api_body_value_that_no_column_holds_is_422(app, cast, letter, token, sessions, who, path, body, field):
    headers = {"Authorization": f"Bearer {token(getattr(cast, who))}"}
    response = app.test_client().post(f"/api/tasks/{letter.finance_task}/{path}", json=body, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["error"]["fields"] and _version(sessions, letter.finance_task) == 1


def test_numbers_sent_as_json_numbers_or_digits_still_work(app, cast, letter, token, sessions):
    headers = {"Authorization": f"Bearer {token(cast.finance_officer)}"}
    client = app.test_client()
    moved = client.post(f"/api/tasks/{letter.finance_task}/progress", json={"version": "1", "progress": 30.0},
                        headers=headers)
    assert moved.status_code == 200 and moved.get_json()["progress"] == 30


# -- property: the main pages never answer 5xx, whoever sends whatever -------------------------------------------

#: numbers people and programs get wrong: out of the columns' range, other digits, other notations
HOSTILE_NUMBERS = ["0", "-1", "1", "2", "3", "2147483647", TOO_BIG, "99999999999999999999", NINES, "9" * 4400, "²",
                   "١٢", "１２", "1e3", "0x1F", " 7 ", "7.0", "-0", "+3", "", "NaN", "∞"]
HOSTILE_DATES = ["31/02/2019", "00/00/0000", "2019-13-01", "٣٠/٠٩/٢٠١٩", "2٠/09/2019", "31/12/9999", "0001-01-01",
                 "01/01/2101", "31/12/1899", "30/09/2019", "2019-09-30", "15/10/2019", "2100-12-31"]
NUMBERS = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(-2**70, 2**70).map(str))
DATES = st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
                  st.dates().map(dt.date.isoformat))
HOSTILE_TEXTS = ["a\x00b", "\x00", " ", "’‘“”", "<b>x</b>", "x" * 5000, "Đ\u0300", "\u202e", "\r\n"]
VALUES = st.one_of(NUMBERS, DATES, st.sampled_from(HOSTILE_TEXTS), st.text(max_size=40))
ROLES = ["admin", "clerk", "leader", "finance_officer"]

#: every query parameter a page reads
QUERY_NAMES = ["letter", "agency", "assignee", "mine", "page", "per_page", "sort", "q", "status", "due", "role", "from",
               "to", "type", "issuer", "tasks", "year", "state", "kind"]
#: the forms of the task page and of the letter edit page: path under /tasks/<id> (or the letter's) and fields
TASK_FORMS = {
    "/transitions/{step}": ["version", "comment", "result", "new_deadline", "progress", "reply_number", "reply_date"],
    "/periods/{number}/transitions/{step}": ["version", "comment", "result", "reply_number", "reply_date"],
    "/progress": ["version", "progress", "note"],
    "/assignee": ["version", "assignee_id"],
    "/extensions": ["version", "new_deadline", "reason"],
    "/extensions/{number}": ["version", "decision", "comment", "granted_deadline"],
    "/directions": ["version", "comment"],
    "/reassign": ["version", "agency_id", "comment"],
    "/edit": ["version", "summary", "role", "deadline", "deadline_text", "recurrence", "recurrence_until", "comment"],
}
LETTER_FIELDS = ["version", "received_on", "number", "doc_type", "issuer", "place", "issued_on", "subject",
                 "recipients", "signer", "signer_title", "urgency", "reply_number", "reply_date", "comment"]
#: the page's version of the task or letter: the form goes past the version check to the rest of its input
CURRENT = object()


def _examples(database_url: str, sqlite: int, postgres: int) -> int:
    return postgres if database_url.startswith("postgresql") else sqlite


def _browsers(web, cast) -> dict:
    return {role: web(getattr(cast, role)) for role in ROLES}


def _assert_answered(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:300])


def test_every_page_answers_any_query_and_path_without_a_5xx(app, web, cast, letter, database_url):
    # every GET route of the app but the JSON API's (schemathesis below) and static files, each id of a path
    # either one that exists or a hostile number, up to four query parameters of any page with any value
    browsers = _browsers(web, cast)
    ids = {"task_id": letter.finance_task, "letter_id": letter.letter, "agency_id": cast.finance,
           "user_id": cast.labour_officer}
    rules = sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"
                    and not r.rule.startswith("/api/")), key=lambda r: r.rule)

    def path_of(rule, data) -> str:
        def fill(match) -> str:
            converter, name = match.group(1), match.group(2)
            if converter == "int":
                value = data.draw(st.one_of(st.just(str(ids.get(name, 1))), st.sampled_from(HOSTILE_NUMBERS)))
            else:
                value = data.draw(VALUES)
            return quote(value, safe="")
        return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)

    @settings(max_examples=_examples(database_url, 150, 40), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def any_get(data):
        role = data.draw(st.sampled_from(ROLES))
        rule = data.draw(st.sampled_from(rules))
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), VALUES, max_size=4))
        path = path_of(rule, data)
        _assert_answered(browsers[role].get(path, query_string=query), (role, path, query))

    any_get()


def test_the_task_and_letter_forms_answer_any_input_without_a_5xx(app, web, cast, letter, sessions, database_url):
    from tracker.intake.models import Letter

    # The app fixture turns CSRF off (WTF_CSRF_ENABLED=False), so a form needs no token to reach its view, as a
    # form with a valid one would; tests/tasks/test_api.py checks that the token is required when it is on.
    browsers = _browsers(web, cast)
    officer = browsers["finance_officer"]
    extension = officer.post(f"/tasks/{letter.finance_task}/extensions",  # one to decide on
                             data={"version": "1", "new_deadline": "15/10/2019", "reason": "Chờ số liệu"})
    assert extension.status_code == 302
    steps = sorted(app.extensions["tracker.workflow"].transitions) + ["khong-co"]

    ids = st.sampled_from([str(cast.labour), str(cast.police), str(cast.finance_officer), str(cast.labour_officer)])
    likely = {  # plausible values half of the time, so that forms get past their first check
        "version": st.just(CURRENT), "progress": st.integers(0, 100).map(str), "assignee_id": ids, "agency_id": ids,
        "decision": st.sampled_from(["approve", "refuse"]), "role": st.sampled_from(["lead", "cooperate"]),
        "urgency": st.sampled_from(["", "Khẩn", "Hỏa tốc"]),
        "recurrence": st.sampled_from(["", "monthly:20", "quarterly", "weekly", "yearly:03-15"]),
        **{name: DATES for name in ("new_deadline", "reply_date", "granted_deadline", "deadline", "recurrence_until",
                                    "received_on", "issued_on")},
    }

    def field_value(name, data):
        return data.draw(st.one_of(likely.get(name, st.text(min_size=1, max_size=40)), VALUES))

    def sent(form: dict, current: int) -> dict:
        return {name: str(current) if value is CURRENT else value for name, value in form.items()}

    @settings(max_examples=_examples(database_url, 150, 40), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def any_form(data):
        role = data.draw(st.sampled_from(ROLES))
        form = {}
        if data.draw(st.booleans()):
            task_id = data.draw(st.sampled_from([letter.finance_task, letter.labour_task]))
            path, fields = data.draw(st.sampled_from(sorted(TASK_FORMS.items())))
            path = path.format(step=data.draw(st.sampled_from(steps)), number=data.draw(NUMBERS.map(
                lambda n: quote(n, safe="") or "1")))
            url = f"/tasks/{task_id}{path}"
            form = {name: field_value(name, data) for name in data.draw(st.sets(st.sampled_from(fields)))}
            form = sent(form, _version(sessions, task_id))
        else:
            url = f"/letters/{letter.letter}/edit"
            form = {name: field_value(name, data) for name in data.draw(st.sets(st.sampled_from(LETTER_FIELDS)))}
            with sessions() as s:
                form = sent(form, s.get(Letter, letter.letter).version)
        _assert_answered(browsers[role].post(url, data=form), (role, url, form))

    any_form()


# -- schemathesis: the API answers what its OpenAPI document says -------------------------------------------------

API = schemathesis.openapi.from_dict(document())
#: no 5xx; every status code, content type, header and body as documented; 405 with Allow on other methods
#: (positive_data_acceptance is left out: the workflow's rules, such as a comment required to return a task, are
#: not all in the schema; tests/tasks/test_api.py checks that a request without a token is refused)
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_headers_conformance,
          schemathesis.checks.response_schema_conformance, schemathesis.checks.unsupported_method]
API_SETTINGS = dict(deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture
def api_headers(app, cast, letter, token) -> dict:
    """Bearer headers of the leader and of the finance officer, and a pending extension request to decide on."""
    headers = {role: {"Authorization": f"Bearer {token(getattr(cast, role))}"} for role in ("leader", "finance_officer")}
    asked = app.test_client().post(f"/api/tasks/{letter.finance_task}/extensions", headers=headers["finance_officer"],
                                   json={"version": 1, "new_deadline": "2019-10-15", "reason": "Chờ số liệu"})
    assert asked.status_code == 200
    return headers


def _call_and_validate(case, app, api_headers) -> None:
    # the agency's work as its officer (so it gets past the permission check), the rest as the leader
    officer_work = case.operation.path.endswith(("/progress", "/assignee", "/transitions/{name}", "/extensions"))
    case.call_and_validate(app=app, headers=api_headers["finance_officer" if officer_work else "leader"],
                           checks=CHECKS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@API.parametrize()
@settings(max_examples=30, **API_SETTINGS)
def test_the_api_answers_as_its_openapi_document_says_on_sqlite(case, app, api_headers):
    _call_and_validate(case, app, api_headers)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL tests are off (set TRACKER_TEST_POSTGRES=1)")
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@API.parametrize()
@settings(max_examples=8, **API_SETTINGS)
def test_the_api_answers_as_its_openapi_document_says_on_postgresql(case, app, api_headers):
    _call_and_validate(case, app, api_headers)
