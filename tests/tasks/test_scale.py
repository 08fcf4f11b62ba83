"""Lists at a province's size: no statement per row, and every page read from an index in its order.

What a fast machine cannot hide: the number of SQL statements a page sends (it must not grow with the rows it
shows) and the plan the database picks for each list (on 100,000 tasks, a page of a list is read from an index in
the list's order, never by reading or sorting the whole table). Timings live in bench/, not here.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, text

from tracker.db import transaction
from tracker.tasks import tally

#: ten years ending at the tests' today (20/09/2019), as an ISO date so both databases read it the same
BASE_DAY = "2009-09-01"


def fill(app, cast, *, letters: int, tasks_per_letter: int, agencies: list[int] | None = None) -> None:
    """Register ``letters`` letters with ``tasks_per_letter`` tasks each, in bulk SQL (a generated series).

    Ten years of states: mostly done, one in ten open, one in ten without a deadline; the cast's three agencies
    unless ``agencies`` says which, taken in turn.
    """
    engine = app.extensions["tracker.engine"]
    postgres = engine.dialect.name == "postgresql"
    series = ("SELECT g AS i FROM generate_series(1, :n) AS g" if postgres else
              "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s")

    def day(expr: str) -> str:
        if postgres:
            return f"(DATE '{BASE_DAY}' + ({expr}))"
        return f"DATE('{BASE_DAY}', '+' || ({expr}) || ' days')"

    now = "CURRENT_TIMESTAMP"
    agencies = agencies or [cast.finance, cast.labour, cast.police]
    agency_of = " ".join(f"WHEN {n} THEN {a}" for n, a in enumerate(agencies))
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO letter (id, received_year, received_number, received_on, number, doc_type, issuer, subject,"
            " recipients, \"references\", full_text, search_text, created_at, updated_at, version)"
            f" SELECT 1000 + i, 2009 + i % 10, i, {day('i % 3650')}, i || '/UBND-VX',"
            " CASE WHEN i % 3 = 0 THEN 'Quyết định' ELSE 'Công văn' END, 'UBND tỉnh',"
            " 'giải ngân vốn ' || i, '[]', '[]', 'giai ngan von ' || i, 'giai ngan von ' || i,"
            f" {now}, {now}, 1 FROM ({series}) AS numbers"), {"n": letters})
        conn.execute(text(
            "INSERT INTO task (id, letter_id, agency_id, role, summary, deadline, status, progress, created_at,"
            " updated_at, version, received_year, received_number)"  # the letter's incoming number, as written
            f" SELECT 1000 + i, 1001 + (i - 1) / :per, CASE i % {len(agencies)} {agency_of} END,"
            " CASE WHEN i % :per = 0 THEN 'lead' ELSE 'cooperate' END, 'Rà soát ' || i,"
            f" CASE WHEN i % 10 = 5 THEN NULL ELSE {day('(i / :per) % 3650 + 30')} END,"
            " CASE i % 10 WHEN 0 THEN 'in_progress' WHEN 1 THEN 'assigned' WHEN 2 THEN 'cancelled' ELSE 'done' END,"
            f" 0, {now}, {now}, 1, 2009 + (1 + (i - 1) / :per) % 10, 1 + (i - 1) / :per FROM ({series}) AS numbers"),
            {"n": letters * tasks_per_letter, "per": tasks_per_letter})
        if postgres:
            conn.execute(text("ANALYZE"))
    with transaction(app.extensions["tracker.write_sessions"]) as session:
        tally.rebuild(session)  # the rows came in outside the app


def refill(app, cast, *, letters: int) -> None:
    """Replace the filled letters by ``letters`` new ones with five tasks each."""
    with app.extensions["tracker.engine"].begin() as conn:
        conn.execute(text("DELETE FROM task WHERE id >= 1000"))
        conn.execute(text("DELETE FROM letter WHERE id >= 1000"))
    fill(app, cast, letters=letters, tasks_per_letter=5)


class Statements:
    """The SQL statements the app sends while in ``with``."""

    def __init__(self, engine):
        self.engine = engine
        self.seen: list[tuple[str, object]] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((statement, parameters))

    def __enter__(self):
        self.seen.clear()
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


def page_statements(app, browser, path: str) -> list[tuple[str, object]]:
    """The statements one GET of ``path`` sends (it must answer 200)."""
    with Statements(app.extensions["tracker.engine"]) as statements:
        response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return list(statements.seen)


def leader_pages(cast) -> list[str]:
    """Every list page a leader or a clerk opens, with the filters and sorts people use."""
    return ["/overview", "/tasks/", "/tasks/?due=overdue", "/tasks/?status=open", "/tasks/?status=done",
            f"/tasks/?agency={cast.finance}", "/tasks/?sort=-deadline", "/tasks/?page=3", "/tasks/?q=giai+ngan",
            "/tasks/?status=open&sort=received", "/letters/", "/letters/?sort=issuer", "/letters/?sort=number",
            "/letters/?sort=issued", "/letters/?tasks=overdue", "/letters/?tasks=open", "/letters/?q=giai+ngan",
            "/letters/?type=Quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh", "/letters/?page=40"]


def test_a_list_page_sends_as_many_statements_for_fifty_rows_as_for_fifteen(app, cast, web):
    """No statement per row shown: a page of 15 tasks and a page of 50 cost the same number of statements."""
    counts = {}
    for size, letters in (("small", 3), ("large", 30)):
        refill(app, cast, letters=letters)
        leader, clerk, officer = web(cast.leader), web(cast.clerk), web(cast.finance_officer)
        counts[size] = {path: len(page_statements(app, clerk if path.startswith("/letters") else leader,
                                                  path + ("&" if "?" in path else "?") + "per_page=50"))
                        for path in leader_pages(cast)}
        counts[size]["/tasks/mine"] = len(page_statements(app, officer, "/tasks/mine?per_page=50"))
    grew = {path: (counts["small"][path], counts["large"][path]) for path in counts["small"]
            if counts["large"][path] > counts["small"][path]}
    assert grew == {}, f"statements that grow with the rows shown (5 rows, 50 rows): {grew}"
    # and the numbers stay modest: a page is a handful of statements, not dozens
    assert max(counts["large"].values()) <= 20, counts["large"]


def test_an_api_list_sends_as_many_statements_for_fifty_tasks_as_for_five(app, cast, sessions):
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.tasks.api_tokens import create_token

    with transaction(sessions) as s:
        secret = create_token(s, "dong-bo", s.scalar(select(User).where(User.id == cast.leader)))[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    counts = []
    engine = app.extensions["tracker.engine"]
    client.get("/api/tasks", headers=headers)  # the first request of a process reads the working calendar
    for letters in (1, 10):
        refill(app, cast, letters=letters)
        with Statements(engine) as statements:
            response = client.get("/api/tasks?per_page=50", headers=headers)
            assert response.status_code == 200 and len(response.get_json()["items"]) == letters * 5
            assert client.get("/api/figures", headers=headers).status_code == 200
        counts.append(len(statements.seen))
    assert counts[0] == counts[1], f"API statements for 5 tasks and for 50: {counts}"


def _plans(engine, statements) -> list[tuple[str, str]]:
    """(statement, plan) of each page query among ``statements``: a SELECT with ORDER BY and LIMIT."""
    result = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            flat = " ".join(statement.split())
            if not flat.startswith("SELECT") or " ORDER BY " not in flat or " LIMIT " not in flat:
                continue
            if engine.dialect.name == "postgresql":
                rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
                plan = "\n".join(r[0] for r in rows)
            else:
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                plan = "\n".join(r[3] for r in rows)
            result.append((flat, plan))
    return result


def _reads_the_whole_table(plan: str, postgres: bool) -> bool:
    if postgres:
        return any(f"Seq Scan on {table} " in plan + " " for table in ("task", "letter"))
    return any(line.strip() in {"SCAN task", "SCAN letter"} for line in plan.splitlines())


def _sorts_the_table(plan: str, postgres: bool, statement: str) -> bool:
    if postgres:
        # a Sort above a scan of every row; a sort of the few rows an index found (open tasks) is fine
        return "Sort" in plan and "Seq Scan" in plan
    if "USE TEMP B-TREE FOR ORDER BY" not in plan:
        return False
    # the lists narrowed to some states or to the text search sort what the index found, not the table: the
    # state index gives each state's tasks in deadline order, and the sorter keeps only the page
    return not ("ix_task_status_deadline_order (status=?)" in plan or "ix_task_status_received_order (status=?)" in plan
                or "letter_fts" in plan or "ix_task_letter_id" in plan)


def test_on_a_hundred_thousand_tasks_every_list_reads_its_page_from_an_index(app, cast, web):
    """The plan of each list's page query, on 100,000 tasks: an index read in the list's order, never a read or a
    sort of every task or letter (SQLite: no full SCAN and no TEMP B-TREE FOR ORDER BY over the table;
    PostgreSQL: no Seq Scan under a Sort). The overview reads no table whole and agrees with a full count."""
    import datetime as dt

    from tracker.tasks import queries

    fill(app, cast, letters=20_000, tasks_per_letter=5)
    engine = app.extensions["tracker.engine"]
    postgres = engine.dialect.name == "postgresql"
    leader, clerk, officer = web(cast.leader), web(cast.clerk), web(cast.finance_officer)
    checked, problems = 0, []
    pages = [(clerk if p.startswith("/letters") else leader, p) for p in leader_pages(cast)]
    pages.append((officer, "/tasks/mine"))
    for browser, path in pages:
        for statement, plan in _plans(engine, page_statements(app, browser, path)):
            checked += 1
            if _reads_the_whole_table(plan, postgres) or _sorts_the_table(plan, postgres, statement):
                problems.append(f"{path}: {statement[:300]}\n{plan}")
    assert checked >= len(pages), "every list page has a page query"
    assert problems == [], "\n\n".join(problems)

    # the overview: the running tally and the open tasks, no statement reading a table whole
    with engine.connect() as conn:
        for statement, parameters in page_statements(app, leader, "/overview"):
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if postgres:
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            else:
                plan = "\n".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert not _reads_the_whole_table(plan, postgres), f"{statement[:300]}\n{plan}"
    workflow = app.extensions["tracker.workflow"]
    with app.extensions["tracker.write_sessions"]() as session:
        day, soon = dt.date(2019, 9, 20), dt.date(2019, 9, 25)
        kept = queries.overview_figures(session, day, workflow.open_states, soon)
        counted = (queries.figures_by_scan(session, day, workflow.open_states, soon_end=soon),
                   queries.per_agency_by_scan(session, day, workflow.open_states))
    assert kept == counted


def test_a_letter_sent_to_thirty_agencies_costs_its_pages_as_many_statements_as_one_sent_to_ten(app, cast, web,
                                                                                                 sessions):
    """The letter page, the lead task's page (with its cooperating agencies' work) and their API twins load the
    letter's other tasks, their agencies, notes and files together, not one statement per task."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.tasks.api_tokens import create_token

    with transaction(sessions) as s:
        secret = create_token(s, "dong-bo", s.scalar(select(User).where(User.id == cast.leader)))[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    leader, engine = web(cast.leader), app.extensions["tracker.engine"]
    districts = list(range(500, 530))  # thirty districts, one task each on the larger letter
    with engine.begin() as conn:
        for number in districts:
            conn.execute(text(
                "INSERT INTO agency (id, code, name, kind, active, created_at, updated_at, aliases, emails,"
                " search_text) VALUES (:id, :code, :name, 'district', :yes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                " '[]', '[]', :words)"), {"id": number, "code": f"huyen-{number}", "name": f"UBND huyện {number}",
                                         "yes": True, "words": f"ubnd huyen {number}"})
    counts = []
    for per_letter in (10, 30):  # the lead task is in progress in both
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM task WHERE id >= 1000"))
            conn.execute(text("DELETE FROM letter WHERE id >= 1000"))
        fill(app, cast, letters=1, tasks_per_letter=per_letter, agencies=districts)
        lead = 1000 + per_letter  # the letter's lead task (the others cooperate)
        pages = {name: len(page_statements(app, leader, path))
                 for name, path in (("letter page", "/letters/1001"), ("lead task page", f"/tasks/{lead}"))}
        for name, path in (("API letter", "/api/letters/1001"), ("API lead task", f"/api/tasks/{lead}")):
            client.get(path, headers=headers)  # the process's first read of the calendar is not the page's
            with Statements(engine) as statements:
                assert client.get(path, headers=headers).status_code == 200
            pages[name] = len(statements.seen)
        counts.append(pages)
    grew = {path: (counts[0][path], counts[1][path]) for path in counts[0] if counts[1][path] > counts[0][path]}
    assert grew == {}, f"statements that grow with the letter's tasks (10 tasks, 30 tasks): {grew}"


#: how PostgreSQL finds the letters of a search (tracker.intake.search): as a list; a list too long, so in the
#: statements; or, for a word its planner expects in many letters, in the statements at once
SEARCH_ROUTES = {"letters-listed": {}, "more-than-listed": {"LISTED_LETTERS_MAX": 5},
                 "common-word": {"COMMON_WORDS_ESTIMATE": -1}}


@pytest.mark.parametrize("route", SEARCH_ROUTES)
@pytest.mark.parametrize("words, letters_found", [("giải ngân", 600), ("giai ngan von 17", 1)])
def test_the_task_list_finds_by_the_letters_words_however_many_letters_match(app, cast, web, words, letters_found,
                                                                            route, monkeypatch):
    """Without diacritics or with, a search matching 600 letters (read in the list's order) or one (read by letter)
    lists exactly their tasks, in the list's order, with the right count; also when more letters match than
    PostgreSQL hands on as a list (search.LISTED_LETTERS_MAX)."""
    from sqlalchemy import select

    from tracker.intake import search
    from tracker.tasks.models import DEADLINE_ORDER, Task

    for name, value in SEARCH_ROUTES[route].items():
        monkeypatch.setattr(search, name, value)

    fill(app, cast, letters=600, tasks_per_letter=5)
    # whole words: "17" is letter 17's number, not the start of 170-179
    found = {1000 + n for n in range(1, 601) if words == "giải ngân" or n == 17}
    assert len(found) == letters_found
    with app.extensions["tracker.write_sessions"]() as session:
        expected = list(session.scalars(select(Task.id).where(Task.letter_id.in_(found))
                                        .order_by(*DEADLINE_ORDER)))
    page = web(cast.leader).get("/tasks/", query_string={"q": words, "per_page": 50}).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'href="/tasks/(\d+)"', page)]
    assert list(dict.fromkeys(shown)) == expected[:50]
    assert f"/ {len(expected):,}".replace(",", ".") in page or f"/ {len(expected)}" in page


@pytest.mark.parametrize("route", SEARCH_ROUTES)
@pytest.mark.parametrize("words, letters_found", [("giải ngân", 600), ("giai ngan von 17", 1)])
def test_the_register_finds_letters_however_many_match(app, cast, web, words, letters_found, route, monkeypatch):
    """A register search matching 600 letters (read in the register's order) or one (read from the matches and
    sorted) lists exactly them, newest received first, with the right count."""
    from tracker.intake import search

    for name, value in SEARCH_ROUTES[route].items():
        monkeypatch.setattr(search, name, value)
    fill(app, cast, letters=600, tasks_per_letter=5)
    found = [1000 + n for n in range(1, 601) if words == "giải ngân" or n == 17]
    assert len(found) == letters_found
    # received in year 2009 + n % 10 with number n: the register shows the latest year first, then the highest number
    expected = sorted(found, key=lambda i: (2009 + (i - 1000) % 10, i - 1000), reverse=True)
    page = web(cast.clerk).get("/letters/", query_string={"q": words, "per_page": 50}).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'href="/letters/(\d+)"', page)]
    assert list(dict.fromkeys(n for n in shown if n >= 1000)) == expected[:50]
    assert f"/ {letters_found}" in page
