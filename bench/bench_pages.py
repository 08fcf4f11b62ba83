#!/usr/bin/env python3
"""Page benchmark over HTTP: every page and API list of tracker at one and ten clients, with floors.

    .venv/bin/python bench/bench_pages.py --instance /tmp/bench/sqlite1m --label "SQLite, 1 M tasks" \\
        --out bench/results/sqlite.json

What it does:

1. Reads the accounts and the API token that ``bench/province.py`` wrote (``bench-credentials.json`` in the
   instance folder) and picks the ids of the pages from the database (a letter with 5-8 tasks, a fan-out
   letter, an open task and an old finished one of Sở Tài chính).
2. Starts ``tracker serve --no-scheduler`` on that instance (gunicorn, one worker per core, 8 threads each;
   ``--workers``/``--threads`` pass through) and, as the floor of the stack, a bare Flask "hello" app under
   waitress. ``--tree DIR`` serves the code of another checkout (``PYTHONPATH=DIR``), e.g. a ``git worktree`` of
   the commit being measured. The scheduler is left out so that a reminder pass does not run during the
   measurement.
3. Signs in as leader, clerk, officer and admin (session cookie and CSRF token, as a browser does); the API
   pages use the bearer token.
4. Deep pages of the task list and the letter register are reached the way a user reaches them: from the first
   page, through the pager's links. With page numbers (``?page=``) the pager says "Trang 1/N" and its "next"
   link is taken with the page number set to 90% of N; with a cursor (``?after=``, no page count) the "next"
   link is followed ``--deep-hops`` times (a "last" link, when offered, is taken at once). A deep page the app
   refuses (a redirect or a 4xx) is measured as it is and reported as refused, not as errors.
5. Measures every page with Debian's ``hey`` (``-disable-redirects``), ten clients then one client, round
   after round; the floors (a static file, the sign-in page, the bare hello app) are measured in every round.
   A pilot of two requests sizes each page to ``--budget`` seconds per concurrency; a page slower than the
   budget is measured in the first round only (10 requests at ten clients, 3 at one).
6. Writes the raw figures and the medians over the rounds as JSON (``--out``) and puts a Markdown table with
   the exact commands, date, commit and machine into ``bench/RESULTS.md`` between the markers of its
   ``--label`` (a second run with the same label replaces its section).

An answer counts as an error unless it is 2xx, or the status the page was found to answer with (refused deep
pages).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.cookiejar
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "RESULTS.md"
#: the floors measured in every round: name -> path on the app (None: the bare hello app)
FLOORS = [("floor: static file", "/static/app.css"), ("floor: sign-in page", "/login"),
          ("floor: bare Flask hello (waitress)", None)]


def log(message: str) -> None:
    """A progress line on standard error."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- servers ------------------------------------------------------------------------------------------------------


def hello_app(port: int, threads: int) -> None:
    """Serve a bare Flask app answering "hello" under waitress: the floor of the stack."""
    from flask import Flask
    from waitress import serve

    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "hello")
    serve(app, host="127.0.0.1", port=port, threads=threads, ident="hello", _quiet=True)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until ``url`` answers (any HTTP status); fail if the process ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server ended with {process.returncode} before answering {url}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen | None) -> None:
    """Stop a server started here (its whole process group: gunicorn's workers too)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# -- HTTP as a browser ------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to look at, not to follow."""

    def redirect_request(self, *args, **kwargs):
        """Do not follow."""
        return None


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the form (CSRF token from the page); the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(base + "/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if token is None:
        raise SystemExit("no csrf_token on the sign-in page")
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "username": username, "password": password})
    try:
        response = opener.open(base + "/login", body.encode(), timeout=60)
        status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status not in (302, 303):
        raise SystemExit(f"sign-in as {username} failed (HTTP {status})")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(url: str, headers: dict[str, str]) -> tuple[int, str, str | None]:
    """GET without following redirects: (status, body, Location)."""
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=300) as response:
            return response.status, response.read().decode(errors="replace"), None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location")


def pager_links(html: str) -> dict[str, str]:
    """The pager's links by rel (next, prev, last, first) and 'pages' (N of "Trang p/N") when it says so."""
    links = {}
    for tag in re.findall(r"<a\b[^>]*>", html):
        rel = re.search(r'\brel="([^"]+)"', tag)
        href = re.search(r'\bhref="([^"]+)"', tag)
        if rel and href:
            for name in rel.group(1).split():
                links.setdefault(name, unescape(href.group(1)))
    count = re.search(r"Trang\s+([\d.,]+)\s*/\s*([\d.,]+)", html)
    if count:
        links["page"] = re.sub(r"\D", "", count.group(1))
        links["pages"] = re.sub(r"\D", "", count.group(2))
    return links


def with_query(url: str, **params: str) -> str:
    """``url`` with query parameters set."""
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def find_deep_page(base: str, path: str, headers: dict[str, str], fraction: float, hops: int) -> dict[str, Any]:
    """Reach a deep page of a list through its pager; what was found (path, how, status, page reached)."""
    status, html, _ = fetch(base + path, headers)
    if status != 200:
        return {"path": path, "how": f"first page answered {status}", "status": status}
    links = pager_links(html)
    nxt = links.get("next")
    if links.get("last"):
        target, how = links["last"], "the pager's 'last' link"
    elif nxt and "page=" in nxt and links.get("pages"):
        number = max(2, int(int(links["pages"]) * fraction))
        target = with_query(urllib.parse.urljoin(path, nxt), page=str(number))
        how = f"the 'next' link with page={number} of {links['pages']}"
    elif nxt:
        target = urllib.parse.urljoin(path, nxt)
        taken = 1
        while taken < hops:
            status, html, _ = fetch(base + target, headers)
            following = pager_links(html).get("next") if status == 200 else None
            if not following:
                break
            target = urllib.parse.urljoin(target, following)
            taken += 1
        how = f"the 'next' link followed {taken} times"
    else:
        return {"path": path, "how": "no pager link on the first page", "status": 200}
    status, html, location = fetch(base + target, headers)
    found = {"path": target, "how": how, "status": status}
    if status == 200:
        reached = pager_links(html)
        if reached.get("page"):
            found["reached"] = f"page {reached['page']} of {reached.get('pages')}"
    else:
        found["refused"] = f"HTTP {status}" + (f" to {location}" if location else "")
    return found


# -- the pages ---------------------------------------------------------------------------------------------------


def pick_ids(database_url: str) -> dict[str, Any]:
    """Ids of the pages that show one record, picked from the database the way a user would meet them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", database_url)
                           if database_url.startswith("postgres") else database_url)
    with engine.connect() as c:
        one = lambda sql, **p: c.execute(text(sql), p).scalar()  # noqa: E731
        finance = one("SELECT id FROM agency WHERE code = 'so-tai-chinh'")
        recent = one("SELECT MAX(id) FROM letter") - 50
        ids = {
            "agency": finance,
            "letters": one("SELECT COUNT(*) FROM letter"),
            "tasks": one("SELECT COUNT(*) FROM task"),
            "letter": one("SELECT letter_id FROM task WHERE letter_id < :r GROUP BY letter_id "
                          "HAVING COUNT(*) BETWEEN 5 AND 8 ORDER BY letter_id DESC LIMIT 1", r=recent),
            "fanout": one("SELECT letter_id FROM task WHERE letter_id < :r AND group_label IS NOT NULL "
                          "GROUP BY letter_id ORDER BY letter_id DESC LIMIT 1", r=recent),
            "task": one("SELECT id FROM task WHERE agency_id = :a AND status IN ('in_progress', 'assigned') "
                        "ORDER BY id DESC LIMIT 1 OFFSET 1", a=finance),
            "old_task": one("SELECT id FROM task WHERE agency_id = :a AND status = 'done' ORDER BY id "
                            "LIMIT 1 OFFSET 20", a=finance),
        }
        ids["fanout_tasks"] = one("SELECT COUNT(*) FROM task WHERE letter_id = :l", l=ids["fanout"])
    engine.dispose()
    return ids


def page_list(ids: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages measured: name, path, role ('leader', 'clerk', 'officer', 'admin', 'api'), deep (see above)."""
    def page(name, path, role, deep=False):
        """One page to measure."""
        return {"name": name, "path": path, "role": role, "deep": deep}
    return [
        page("leader overview", "/overview", "leader"),
        page("api: figures", "/api/figures", "api"),
        page("tasks: all", "/tasks/", "leader"),
        page("tasks: overdue", "/tasks/?due=overdue", "leader"),
        page("tasks: open, by received", "/tasks/?status=open&sort=received", "leader"),
        page("tasks: deep page", "/tasks/", "leader", deep=True),
        page("tasks: text filter 'giai ngan'", "/tasks/?q=giai+ngan", "leader"),
        # a search's cost follows how many letters have its words: common words, and a number in one letter
        page("tasks: text filter 'ke hoach' (common)", "/tasks/?q=ke+hoach", "leader"),
        page("tasks: text filter '871' (rare)", "/tasks/?q=871", "leader"),
        page("tasks: officer's agency (/tasks/mine)", "/tasks/mine", "officer"),
        page("letters: first page", "/letters/", "clerk"),
        page("letters: deep page", "/letters/", "clerk", deep=True),
        page("letters: search 'giải ngân'", "/letters/?q=gi%E1%BA%A3i+ng%C3%A2n", "clerk"),
        page("letters: search 'giai ngan'", "/letters/?q=giai+ngan", "clerk"),
        page("letters: search 'ke hoach' (common)", "/letters/?q=ke+hoach", "clerk"),
        page("letters: search 'tinh' (in almost every letter)", "/letters/?q=tinh", "clerk"),
        page("letters: search '871' (rare)", "/letters/?q=871", "clerk"),
        page("letter detail (5-8 tasks)", f"/letters/{ids['letter']}", "clerk"),
        page(f"letter detail (fan-out, {ids['fanout_tasks']} tasks)", f"/letters/{ids['fanout']}", "leader"),
        page("task detail (open)", f"/tasks/{ids['task']}", "officer"),
        page("task detail (old, done)", f"/tasks/{ids['old_task']}", "leader"),
        page("api: tasks", "/api/tasks", "api"),
        page("api: tasks overdue", "/api/tasks?due=overdue", "api"),
        page("api: task", f"/api/tasks/{ids['task']}", "api"),
        page("api: letter", f"/api/letters/{ids['letter']}", "api"),
        page("agency autocomplete", "/agencies/search?q=tai+chinh", "clerk"),
        page("reports: form", "/reports/", "leader"),
        page("admin: users", "/admin/users", "admin"),
        page("admin: agencies", "/admin/agencies", "admin"),
        page("admin: outbox", "/admin/outbox", "admin"),
    ]


# -- measuring ---------------------------------------------------------------------------------------------------


def hey_command(url: str, requests: int, clients: int, headers: dict[str, str]) -> list[str]:
    """The hey command line for one measurement (CSV output of every request)."""
    command = [HEY, "-n", str(requests), "-c", str(clients), "-t", "300", "-disable-redirects", "-o", "csv"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return command + [url]


def hey(url: str, requests: int, clients: int, headers: dict[str, str], ok: set[int]) -> dict[str, Any]:
    """Run hey; p50/p95/p99/max in ms, requests per second, errors (answers outside ``ok``, or none)."""
    started = time.perf_counter()
    done = subprocess.run(hey_command(url, requests, clients, headers), capture_output=True, text=True,
                          timeout=3600)
    wall = time.perf_counter() - started
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    times = sorted(float(r["response-time"]) * 1000 for r in rows)
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status-code"]] = statuses.get(r["status-code"], 0) + 1
    errors = sum(n for code, n in statuses.items() if not (code.isdigit() and int(code) in ok)) + requests - len(rows)
    result: dict[str, Any] = {"n": len(rows), "clients": clients, "errors": errors, "statuses": statuses,
                              "wall_s": round(wall, 2)}
    if times:
        at = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]  # noqa: E731
        result.update(p50=round(at(0.50), 1), p95=round(at(0.95), 1), p99=round(at(0.99), 1),
                      max=round(times[-1], 1), rps=round(len(times) / wall, 1))
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds of p50 and p95, their range, the errors and requests of all rounds."""
    timed = [r for r in runs if "p50" in r]
    summary: dict[str, Any] = {"rounds": len(runs), "errors": sum(r["errors"] for r in runs),
                               "requests": sum(r["n"] for r in runs)}
    for key in ("p50", "p95"):
        values = [r[key] for r in timed]
        if values:
            summary[key] = round(statistics.median(values), 1)
            summary[key + "_range"] = [min(values), max(values)]
    return summary


# -- reporting ---------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory": memory, "system": platform.platform(),
            "python": platform.python_version(), "load_before": [round(x, 1) for x in os.getloadavg()]}


def commit_of(tree: Path) -> str:
    """The commit checked out in ``tree`` (with '+changes' when it has uncommitted changes to tracked files)."""
    try:
        head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no", "--",
                                "tracker", "templates", "workflows"], capture_output=True, text=True).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cell(summary: dict[str, Any] | None, key: str) -> str:
    """A table cell: the median in ms (one decimal below 100 ms)."""
    if not summary or key not in summary:
        return "—"
    value = summary[key]
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def loads(values: list[float]) -> str:
    """Load averages as '1.2 / 3.4 / 5.6'."""
    return " / ".join(f"{v:.1f}" for v in values)


def markdown(report: dict[str, Any]) -> str:
    """The Markdown section of one run: how it was made, then the table."""
    meta = report["meta"]
    lines = [f"### {meta['label']}", "",
             f"- date: {meta['date']}; code: commit {meta['commit']} ({meta['tree']}); database: {meta['database']}",
             f"- data: {meta['ids']['letters']:,} letters, {meta['ids']['tasks']:,} tasks"
             + (f"; generated by `{meta['generator']}`" if meta.get("generator") else ""),
             f"- machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, {meta['machine']['memory']}, "
             f"{meta['machine']['system']}; load average (1, 5, 15 min)"
             + (f" before the run {loads(meta['machine']['load_before'])}," if meta["machine"].get("load_before")
                else "")
             + (f" after the run {loads(meta['machine']['load_after'])}" if meta["machine"].get("load_after")
               else ""),
             f"- server: `{meta['server_command']}` ({meta['workers']} workers × {meta['threads']} threads); floor: "
             "bare Flask hello under waitress (8 threads)",
             f"- measured with: `{meta['command']}`",
             f"- each measurement: `{meta['hey_example']}`; {meta['rounds']} rounds, budget {meta['budget']} s a page "
             "and concurrency, medians over rounds (ms)",
             ""]
    notes = []
    lines += ["| page | c1 p50 | c1 p95 | c10 p50 | c10 p95 | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, result in report["results"].items():
        c1, c10 = result.get("c1_summary"), result.get("c10_summary")
        errors = (c1 or {}).get("errors", 0) + (c10 or {}).get("errors", 0)
        label = name
        if result.get("refused"):
            label += " †"
            notes.append(f"† {name}: {result['how']} was refused ({result['refused']}); the refusal is what was "
                         "measured.")
        elif result.get("how"):
            notes.append(f"{name}: `{result['path']}`, reached by {result['how']}"
                         + (f" ({result['reached']})" if result.get("reached") else "") + ".")
        if not (c10 or {}).get("rounds"):
            label += " §"
        elif c10["rounds"] < meta["rounds"]:
            label += " ‡"
        lines.append(f"| {label} | {cell(c1, 'p50')} | {cell(c1, 'p95')} | {cell(c10, 'p50')} | {cell(c10, 'p95')} "
                     f"| {errors} |")
    if any(" ‡ |" in line for line in lines):
        notes.append("‡ slower than the budget: measured in the first round only (3 requests at one client, 10 at "
                     "ten clients).")
    if any(" § |" in line for line in lines):
        notes.append(f"§ one request takes longer than {meta.get('slow_limit')} s: 2 requests at one client, not "
                     "measured at ten clients.")
    return "\n".join(lines + [""] + [f"- {n}" for n in notes]) + "\n"


def write_section(results_md: Path, label: str, section: str) -> None:
    """Put ``section`` into the results file between the markers of ``label`` (replacing an earlier one)."""
    begin, end = f"<!-- bench_pages: {label} -->", f"<!-- /bench_pages: {label} -->"
    block = f"{begin}\n{section}{end}\n"
    text = results_md.read_text() if results_md.exists() else (
        "# Page benchmark results\n\nWritten by `bench/bench_pages.py` (see `bench/README.md`). Times in "
        "milliseconds; c1 = one client, c10 = ten concurrent clients.\n\n")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results_md.write_text(text)


# -- main --------------------------------------------------------------------------------------------------------

HEY = shutil.which("hey") or "/usr/bin/hey"


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instance", help="instance folder made by bench/province.py (SQLite: DIR/tracker.db)")
    p.add_argument("--database-url", help="postgresql://... when the instance's database is PostgreSQL")
    p.add_argument("--credentials", help="credentials JSON (default: INSTANCE/bench-credentials.json)")
    p.add_argument("--tree", help="serve the tracker code of this checkout (PYTHONPATH); default: the installed one")
    p.add_argument("--tracker", default=shutil.which("tracker", path=os.path.dirname(sys.executable)) or "tracker")
    p.add_argument("--workers", type=int, help="tracker serve --workers (default: its own, one per core)")
    p.add_argument("--threads", type=int, default=8, help="tracker serve --threads")
    p.add_argument("--port", type=int, default=0, help="port of tracker (default: a free one)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--clients", type=int, default=10, help="the concurrent clients of the c10 columns")
    p.add_argument("--budget", type=float, default=3.0, help="seconds per page and concurrency in a round")
    p.add_argument("--slow-limit", type=float, default=15.0,
                   help="a page whose one request takes longer is measured at one client only (2 requests)")
    p.add_argument("--deep-fraction", type=float, default=0.9, help="how deep the deep pages go (page numbers)")
    p.add_argument("--deep-hops", type=int, default=50, help="'next' links followed for a cursor pager")
    p.add_argument("--only", help="measure only the pages whose name contains this text")
    p.add_argument("--label", default="run", help="title of the section in RESULTS.md (same label: replaced)")
    p.add_argument("--generator", help="the command that generated the database, for the record")
    p.add_argument("--out", help="JSON file of the results")
    p.add_argument("--results-md", default=str(DEFAULT_RESULTS), help="Markdown file to write the table into "
                                                                      "('-' for none)")
    p.add_argument("--render", metavar="JSON", help="write the table of an earlier results file and stop")
    p.add_argument("--hello", type=int, metavar="PORT", help=argparse.SUPPRESS)  # internal: serve the floor app
    args = p.parse_args(argv)
    if args.hello is None and not args.render and not (args.instance and args.out):
        p.error("--instance and --out are required")
    return args


def main(argv=None) -> int:
    """Serve, sign in, measure, write."""
    if not (sys.argv[1:] if argv is None else argv):
        # bench/run_all.py (make bench) runs every bench_*.py without arguments: this one needs a generated
        # database and minutes, so it says how to run it and steps aside
        print("bench_pages.py needs a database made by bench/province.py; see bench/README.md "
              "(skipped)", file=sys.stderr)
        return 0
    args = parse_args(argv)
    if args.hello is not None:
        hello_app(args.hello, 8)
        return 0
    if args.render:  # the table again from a results file, e.g. after a change of this script's table
        report = json.loads(Path(args.render).read_text())
        section = markdown(report)
        print(section)
        if args.results_md != "-":
            write_section(Path(args.results_md), report["meta"]["label"], section)
        return 0
    instance = Path(args.instance).resolve()
    credentials = json.loads(Path(args.credentials or instance / "bench-credentials.json").read_text())
    database_url = args.database_url or credentials.get("database_url") or ""
    if not database_url.startswith("postgres"):  # SQLite: the instance's own file (a copied instance too)
        database_url = f"sqlite:///{instance / 'tracker.db'}"
    ids = pick_ids(database_url)
    log(f"ids: {ids}")
    env = dict(os.environ, TRACKER_INSTANCE=str(instance))
    if database_url.startswith("postgres"):
        env["TRACKER_DATABASE_URL"] = database_url
    if args.tree:
        env["PYTHONPATH"] = str(Path(args.tree).resolve()) + os.pathsep + env.get("PYTHONPATH", "")
    port, hello_port = args.port or free_port(), free_port()
    serve = [args.tracker, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
             "--threads", str(args.threads)] + (["--workers", str(args.workers)] if args.workers else [])
    base, floor_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{hello_port}/"
    server = hello = None
    started = time.time()
    host = machine()  # before the run: its load average is the load of the others' work
    logs = instance / "bench-server.log"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    try:
        server = subprocess.Popen(serve, env=env, stdout=logs.open("w"), stderr=subprocess.STDOUT,
                                  start_new_session=True)
        hello = subprocess.Popen([sys.executable, __file__, "--hello", str(hello_port), "--out", "-"],
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_up(base + "/login", server)
        wait_until_up(floor_url, hello)
        log(f"tracker at {base} (pid {server.pid}), floor at {floor_url} (pid {hello.pid})")
        report = measure(args, credentials, ids, base, floor_url)
    finally:
        stop(server)
        stop(hello)
    workers = args.workers or max(2, os.cpu_count() or 1)
    load_after = [round(x, 1) for x in os.getloadavg()]
    report["meta"] = {
        "label": args.label, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "tree": str(Path(args.tree).resolve()) if args.tree else "installed tracker",
        "commit": commit_of(Path(args.tree) if args.tree else HERE.parent),
        "database": ("PostgreSQL" if database_url.startswith("postgres") else "SQLite") + " "
        + re.sub(r"//[^@/]*@", "//", database_url),
        "ids": ids, "machine": host, "workers": workers, "threads": args.threads,
        "server_command": " ".join(shlex.quote(c) for c in ["tracker"] + serve[1:]),
        "command": " ".join(shlex.quote(c) for c in [".venv/bin/python", "bench/bench_pages.py"] + sys.argv[1:])
        if argv is None else " ".join(map(shlex.quote, argv)),
        "hey_example": " ".join(shlex.quote(c) for c in hey_command(base + "/tasks/", 30, args.clients,
                                                                   {"Cookie": "session=…"})).replace(HEY, "hey"),
        "rounds": args.rounds, "budget": args.budget, "slow_limit": args.slow_limit, "generator": args.generator,
        "elapsed_s": round(time.time() - started, 1),
    }
    report["meta"]["machine"]["load_after"] = load_after
    Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    section = markdown(report)
    print(section)
    if args.results_md != "-":
        write_section(Path(args.results_md), args.label, section)
        log(f"table written to {args.results_md} under '{args.label}'")
    return 0


def measure(args: argparse.Namespace, credentials: dict[str, Any], ids: dict[str, Any], base: str,
            floor_url: str) -> dict[str, Any]:
    """Sign in, find the deep pages, pilot, then the rounds; the raw runs and their summaries."""
    cookies = {role: sign_in(base, name, credentials["password"]) for role, name in credentials["users"].items()}
    log(f"signed in as {', '.join(credentials['users'].values())}")

    def headers(role: str | None) -> dict[str, str]:
        """The request headers of a role: its session cookie, or the API token."""
        if role == "api":
            return {"Authorization": f"Bearer {credentials['api_token']}"}
        return {"Cookie": cookies[role]} if role else {}

    pages = [{"name": name, "path": path, "url": (base + path) if path else floor_url, "role": None, "floor": True}
             for name, path in FLOORS]
    for page in page_list(ids):
        if args.only and args.only not in page["name"] and not page.get("floor"):
            continue
        if page["deep"]:
            found = find_deep_page(base, page["path"], headers(page["role"]), args.deep_fraction, args.deep_hops)
            log(f"{page['name']}: {found}")
            page.update(found)
        page["url"] = base + page["path"]
        pages.append(page)
    # the status each page answers with (a refused deep page is measured as refused); pilot sizes the runs
    for page in pages:
        began = time.perf_counter()
        status, _, _ = fetch(page["url"], headers(page["role"]))
        seconds = time.perf_counter() - began
        page["ok"] = {status} if page.get("refused") else set(range(200, 300))
        if seconds <= args.budget:  # a pilot of two requests, the first one warm
            pilot = hey(page["url"], 2, 1, headers(page["role"]), page["ok"])
            seconds = max((pilot.get("max") or 1000) / 1000, 0.0005)
        page["pilot_ms"], page["status"] = round(seconds * 1000, 1), status
        page["slow"] = seconds > args.budget
        page["too_slow"] = seconds > args.slow_limit
        page["n1"] = (2 if page["too_slow"] else 3) if page["slow"] else max(5, min(200, int(args.budget / seconds)))
        # ten clients on a server with a few cores: about as many requests as two clients would finish
        page["n10"] = 0 if page["too_slow"] else args.clients if page["slow"] else max(
            args.clients, min(400, int(args.budget * 2 / seconds) // args.clients * args.clients))
        log(f"pilot {page['name']:<45} {page['pilot_ms']} ms HTTP {status} n1={page['n1']} n10={page['n10']}")
    results = {p["name"]: {k: v for k, v in p.items() if k not in ("ok", "url")} | {"c1": [], "c10": []}
               for p in pages}
    for page in pages:
        results[page["name"]]["ok_statuses"] = sorted(page["ok"]) if page.get("refused") else "2xx"
    for round_number in range(args.rounds):
        for page in pages:
            if page["slow"] and round_number > 0:
                continue
            r10 = {"errors": 0}
            if page["n10"]:
                r10 = hey(page["url"], page["n10"], args.clients, headers(page["role"]), page["ok"])
                results[page["name"]]["c10"].append(r10)
            r1 = hey(page["url"], page["n1"], 1, headers(page["role"]), page["ok"])
            results[page["name"]]["c1"].append(r1)
            log(f"round {round_number + 1} {page['name']:<45} c1 p50={r1.get('p50')} p95={r1.get('p95')} | "
                f"c10 p50={r10.get('p50')} p95={r10.get('p95')} | errors {r1['errors'] + r10['errors']}")
    for result in results.values():
        result["c1_summary"] = summarize(result["c1"])
        result["c10_summary"] = summarize(result["c10"])
    return {"results": results}


if __name__ == "__main__":
    sys.exit(main())
