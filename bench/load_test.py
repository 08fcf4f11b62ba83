"""Load test: many users of every role and a few password guessers against a real ``tracker serve``.

Run from the repository root::

    .venv/bin/python bench/load_test.py                                  # SQLite, 3 minutes, 50 users, 4 guessers
    .venv/bin/python bench/load_test.py --duration 60 --database both    # SQLite then PostgreSQL, 1 minute each
    .venv/bin/python bench/load_test.py --database postgresql --users 20 --guessers 0 --no-write
    .venv/bin/python bench/load_test.py --duration 60 --ref HEAD         # the committed code, not the working tree

The server runs the working tree by default (``--ref REF`` exports a commit with ``git archive``, ``--code DIR``
takes another copy). Not part of ``make bench`` (bench/run_all.py runs bench_*.py only): it takes minutes.
The exit status is 1 when a target is missed.

What it does, for each database asked for:

1. Makes a fresh instance in a temporary folder: ``tracker init --demo`` (SQLite file, or a throw-away
   PostgreSQL cluster started with initdb/pg_ctl on a free loopback port, as ``tests/pg.py`` does), then
   creates the load accounts with the project's operations (``create_user``): with the default 50 users,
   1 admin, 5 leaders, 10 clerks and 34 officers spread over 5 agencies, all with one known password; and
   one letter whose tasks are the officers' work: 2 tasks per agency that all its officers update
   ("shared") and 2 tasks per officer assigned to that officer ("own"). The instance gets a copy of the
   shipped workflow with ``leader_approves_distribution = true`` so that leaders have distributions to
   approve (``--no-approval`` keeps the shipped file).
2. Starts ``tracker serve`` on a free 127.0.0.1 port as a subprocess and waits for ``/login``.
3. Runs the users as threads (stdlib ``http.client`` with keep-alive and a cookie jar: neither requests
   nor httpx is installed). Every user signs in with the form (GET for the CSRF token, then POST), works
   3 to 8 actions with a think time between them (``--think-min``/``--think-max``, default 4–16 s: people
   read pages; with no pause 50 threads only measure how long the queue is), signs out, and signs in
   again. The arrivals are spread over the first pause, so the part without guessers includes every
   user's first sign-in:

   * officers update progress on the shared tasks of their agency (several officers on one task, each
     posting the ``version`` its form carried: the optimistic lock) and on their own tasks, open their
     agency's list, now and then report a result or ask for an extension;
   * clerks paste a letter (tests/data/letters/*.txt and tracker/demo_data/*.txt, the number changed so
     that every registration is unique) into /letters/new, drop the proposed rows whose agency is not in
     the catalog, and confirm on /letters/confirm;
   * leaders open the overview and the lists, and take the decision a task page offers: approve a
     distribution, approve or refuse an extension, accept or return a result, reopen, or give a direction;
   * the admin opens the user and agency pages.

   ``--guessers N`` more threads post wrong passwords to /login in a tight loop (one GET for the CSRF token,
   then only POSTs), alternately for the demo accounts (real, not used by the load users) and for new
   names that do not exist. Each guesser connects from its own loopback address (127.0.0.100, .101...) so
   that a per-address throttle slows the guessers and not the office (``--guessers-share-address``: from
   127.0.0.1 like the users, to see whether the office gets locked out). They start after a quiet first
   part of the run (``--quiet``, default a third of ``--duration``), so that the latencies can be compared
   with and without them on the same server and data.
4. When the time is up (every loop is bounded in time and in count and stops by itself), reads every
   tracked task page once more, stops the server, and checks the database:

   * lost updates: every progress save the server acknowledged (302 back to the task) carries a unique
     note; it must be in the task's history with the value posted, and, per task, the last acknowledged
     save must be the final progress unless a later recorded change (another save that overlapped it in
     time, or a transition such as "accept" that sets 100 %) explains the difference;
   * incoming numbers (số đến): per year they must be exactly 1..N, no gap, no duplicate; the numbers the
     clerks were told must all be in the register;
   * 5xx responses, "Lỗi hệ thống" pages, requests left without a response, load users refused at
     sign-in, and the tracebacks in the server log (grouped by their last line).

Prints the results as Markdown and writes them to bench/LOAD.md (``--output``, ``--no-write``) with the
command, the date and the machine. Target: 0 × 5xx, 0 lost, 0 gaps, save p95 < 1 s while passwords are
being guessed. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import itertools
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the code under test: the working tree, or a ``git archive`` of ``--ref`` (set for the setup child process)
CODE = Path(os.environ.get("LOAD_TEST_CODE") or ROOT)
sys.path.insert(0, str(CODE))

HOST = "127.0.0.1"
PASSWORD = "Tai-thu-2025!"  # the load accounts' password (not a real secret: throw-away instances only)
AGENCIES = ["so-tai-chinh", "so-ldtbxh", "so-y-te", "so-xay-dung", "so-gddt"]
SHARED_PER_AGENCY = 2
OWN_PER_OFFICER = 2
REQUEST_TIMEOUT = 120.0  # seconds; a request slower than this counts as a transport error
SYSTEM_ERROR = "Lỗi hệ thống"
SAVED_FLASH = "Đã cập nhật tiến độ."
REGISTERED_RE = re.compile(r"Đã vào sổ văn bản đến số (\d+)/(\d{4})")
LETTER_DIRS = [ROOT / "tests" / "data" / "letters", ROOT / "tracker" / "demo_data"]
WRONG_PASSWORDS = ["123456", "password", "admin123", "matkhau", "12345678", "qwerty", "abc@123", "Tracker2025",
                   "vanthu123", "123456789", "111111", "iloveyou", "Admin@123", "hanoi2025", "P@ssw0rd"]


# --------------------------------------------------------------------------------------------- statistics

@dataclass
class Ack:
    """A progress save the server acknowledged (302 back to the task page)."""

    task_id: int
    user: str
    value: int
    note: str
    base_version: int
    started: float
    finished: float


@dataclass
class Stats:
    """Everything measured during one run; ``record`` is called from every client thread."""

    t0: float
    quiet_until: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_kind: Counter = field(default_factory=Counter)
    status_by_kind: dict = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict = field(default_factory=lambda: defaultdict(list))  # (kind, phase) -> seconds
    server_errors: list = field(default_factory=list)  # first few 5xx / system-error pages
    count_5xx: int = 0
    count_system_pages: int = 0
    transport_errors: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    acks: list = field(default_factory=list)
    told_numbers: list = field(default_factory=list)  # (number, year) the clerks were told
    pending_extensions: set = field(default_factory=set)

    def phase(self, started: float) -> str:
        """Which part of the run a request started in."""
        return "quiet" if started < self.quiet_until else "guessing"

    def record(self, kind: str, method: str, path: str, status: int, started: float, elapsed: float,
               text: str) -> None:
        """Count one response (status 0 = transport error) and keep its latency."""
        with self.lock:
            self.by_kind[kind] += 1
            self.status_by_kind[kind][status // 100 if status else 0] += 1
            if status:
                self.latencies[(kind, self.phase(started))].append(elapsed)
            system_page = SYSTEM_ERROR in text
            if status >= 500:
                self.count_5xx += 1
            if system_page:
                self.count_system_pages += 1
            if (status >= 500 or system_page) and len(self.server_errors) < 20:
                self.server_errors.append((round(started - self.t0, 1), kind, method, path, status))

    def outcome(self, name: str, n: int = 1) -> None:
        """Count a functional outcome (save acknowledged, conflict, letter registered...)."""
        with self.lock:
            self.outcomes[name] += n

    def transport_error(self, kind: str, error: BaseException) -> None:
        """A request that got no HTTP response (refused, reset, timeout)."""
        with self.lock:
            self.transport_errors[f"{kind}: {type(error).__name__}"] += 1


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


# --------------------------------------------------------------------------------------------- HTTP client

@dataclass
class Response:
    """What a request returned; status 0 when there was no HTTP response."""

    status: int
    location: str
    text: str
    elapsed: float


class Browser:
    """One user's HTTP client: a keep-alive connection to the server and a cookie jar."""

    def __init__(self, port: int, stats: Stats, source: str = HOST):
        self.port = port
        self.stats = stats
        self.source = source  # the loopback address the client connects from
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_page = ""

    def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _store_cookies(self, headers) -> None:
        for raw in headers.get_all("Set-Cookie") or []:
            first, _, attributes = raw.partition(";")
            name, _, value = first.strip().partition("=")
            attrs = attributes.lower()
            if not value or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, kind: str, method: str, path: str, fields: dict | list | None = None,
                multipart: bool = False) -> Response:
        """Send one request (no redirect followed) and record it under ``kind``."""
        headers = {"Accept": "text/html", "User-Agent": "tracker-load-test"}
        body = None
        if fields is not None:
            if multipart:
                body, content_type = encode_multipart(fields)
            else:
                from urllib.parse import urlencode

                body, content_type = urlencode(list(_items(fields))).encode("utf-8"), \
                    "application/x-www-form-urlencoded"
            headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        attempts = 2 if method == "GET" else 1
        started = time.perf_counter()
        for attempt in range(attempts):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT,
                                                       source_address=(self.source, 0))
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if reused and attempt + 1 < attempts:
                    continue  # a kept-alive connection the server had closed: a browser retries a GET
                self.stats.transport_error(kind, exc)
                self.stats.record(kind, method, path, 0, started, time.perf_counter() - started, "")
                return Response(0, "", "", time.perf_counter() - started)
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                self.stats.transport_error(kind, exc)
                self.stats.record(kind, method, path, 0, started, time.perf_counter() - started, "")
                return Response(0, "", "", time.perf_counter() - started)
            break
        elapsed = time.perf_counter() - started
        self._store_cookies(response.headers)
        if response.will_close:
            self.close()
        text = data.decode("utf-8", "replace")
        location = response.headers.get("Location", "") or ""
        if location.startswith("http"):
            location = "/" + location.split("/", 3)[3] if location.count("/") >= 3 else "/"
        self.stats.record(kind, method, path, response.status, started, elapsed, text)
        if response.status == 200 or text.startswith("<!"):
            self.last_page = text
        return Response(response.status, location, text, elapsed)

    def get(self, kind: str, path: str) -> Response:
        """GET ``path``."""
        return self.request(kind, "GET", path)

    def post(self, kind: str, path: str, fields, multipart: bool = False) -> Response:
        """POST a form to ``path``."""
        return self.request(kind, "POST", path, fields, multipart)

    def follow(self, kind: str, response: Response, hops: int = 3) -> Response | None:
        """GET the page a redirect points to, and so on, as a browser does (None if it was not a redirect)."""
        page = None
        while hops > 0 and response.status in (301, 302, 303) and response.location:
            page = response = self.get(kind, response.location)
            hops -= 1
        return page


def _items(fields):
    return fields.items() if isinstance(fields, dict) else fields


def encode_multipart(fields) -> tuple[bytes, str]:
    """A multipart/form-data body of text fields (what a browser sends for a form with a file input)."""
    boundary = "----tracker-load-" + uuid.uuid4().hex
    parts = []
    for name, value in _items(fields):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode("utf-8")
                     + str(value).encode("utf-8") + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------------------------- HTML forms

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ATTR_RE = re.compile(r'([\w:-]+)(?:\s*=\s*"([^"]*)")?')
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.I)
TEXTAREA_RE = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.S | re.I)
SELECT_RE = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
OPTION_RE = re.compile(r"<option\b([^>]*)>", re.I)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TASK_LINK_RE = re.compile(r'href="/tasks/(\d+)"')
METER_RE = re.compile(r'<meter min="0" max="100" value="(\d+)"')


def attributes(tag_inside: str) -> dict[str, str | None]:
    """The attributes of a tag (``None`` for a bare attribute such as ``checked``), values unescaped."""
    return {name.lower(): (html.unescape(value) if value is not None else None)
            for name, value in ATTR_RE.findall(tag_inside)}


def find_form(page: str, action_part: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The first form whose action contains ``action_part``: (action, the fields a browser would submit)."""
    for match in FORM_RE.finditer(page):
        attrs = attributes(match.group(1))
        action = attrs.get("action") or ""
        if action_part in action:
            return action, form_fields(match.group(2))
    return None


def form_fields(inner: str) -> list[tuple[str, str]]:
    """The values a browser would submit from a form's inputs, textareas and selects (not its buttons)."""
    fields: list[tuple[str, str]] = []
    for tag in INPUT_RE.finditer(inner):
        attrs = attributes(tag.group(1))
        name, kind = attrs.get("name"), (attrs.get("type") or "text").lower()
        if not name or kind in {"file", "submit", "button", "image", "reset"}:
            continue
        if kind in {"checkbox", "radio"}:
            if "checked" in attrs:
                fields.append((name, attrs.get("value") or "y"))
            continue
        fields.append((name, attrs.get("value") or ""))
    for match in TEXTAREA_RE.finditer(inner):
        name = attributes(match.group(1)).get("name")
        if name:
            fields.append((name, html.unescape(match.group(2)).removeprefix("\n")))
    for match in SELECT_RE.finditer(inner):
        name = attributes(match.group(1)).get("name")
        options = [attributes(o.group(1)) for o in OPTION_RE.finditer(match.group(2))]
        chosen = next((o for o in options if "selected" in o), options[0] if options else None)
        if name and chosen is not None:
            fields.append((name, chosen.get("value") or ""))
    return fields


def with_values(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """``fields`` with some values replaced (or added)."""
    out = [(k, v) for k, v in fields if k not in values]
    out.extend((k, str(v)) for k, v in values.items())
    return out


ALERT_RE = re.compile(r'role="alert"[^>]*>(.*?)</', re.S)


def alert_text(page: str, limit: int = 90) -> str:
    """The first error message of a page, shortened, with numbers blanked so that alike messages count as one."""
    match = ALERT_RE.search(page)
    message = re.sub(r"\d+", "N", html.unescape(match.group(1)).strip()) if match else "no message"
    return message[:limit] + ("…" if len(message) > limit else "")


def csrf_token(page: str) -> str | None:
    """The CSRF token of the first form on the page."""
    match = CSRF_RE.search(page)
    return html.unescape(match.group(1) or match.group(2)) if match else None


# --------------------------------------------------------------------------------------------- letters

@dataclass
class LetterText:
    """A letter to paste: its text, the number printed in it and those of the letters it encloses."""

    text: str
    number: str
    enclosed: list[str] = field(default_factory=list)

    def unique(self, serials) -> tuple[str, str]:
        """(text, number) with every number replaced by a new one, so that the registration is not a duplicate
        (an enclosed letter is registered too, under its own number)."""
        number = unique_number(self.number, next(serials))
        text = self.text.replace(self.number, number)
        for inner in self.enclosed:
            text = text.replace(inner, unique_number(inner, next(serials)))
        return text, number


def load_letters() -> list[LetterText]:
    """Letters with their numbers printed in the text and at least one task (the ones a clerk registers)."""
    letters = []
    for folder in LETTER_DIRS:
        for path in sorted(folder.glob("*.txt")):
            meta = path.with_suffix(".json")
            if not meta.exists():
                continue
            data = json.loads(meta.read_text(encoding="utf-8"))
            text = path.read_text(encoding="utf-8")
            number = data.get("number")
            enclosed = [e.get("number") for e in data.get("enclosed") or []]
            if number and number in text and data.get("tasks") and all(e and e in text for e in enclosed):
                letters.append(LetterText(text, number, enclosed))
    if not letters:
        raise SystemExit("no letter texts found under tests/data/letters or tracker/demo_data")
    return letters


def unique_number(number: str, serial: int) -> str:
    """The letter's number with its leading digits replaced by ``serial`` ("871/VP-VHXH" -> "90012/VP-VHXH")."""
    digits = re.match(r"\d+", number)
    return f"{serial}{number[digits.end():]}" if digits else f"{serial}/{number}"


# --------------------------------------------------------------------------------------------- the users

@dataclass
class Account:
    """A load account and what it works on."""

    username: str
    role: str
    agency: str | None = None
    shared: list[int] = field(default_factory=list)
    own: list[int] = field(default_factory=list)


class User(threading.Thread):
    """A signed-in person working in a loop until the deadline (bounded in time and in count)."""

    def __init__(self, account: Account, run: "Run", seed: int):
        super().__init__(name=account.username, daemon=True)
        self.account = account
        self.run_ = run
        self.stats = run.stats
        self.rng = random.Random(seed)
        self.browser = Browser(run.port, run.stats)
        self.signed_in = False
        self.seq = itertools.count(1)

    # -- plumbing ------------------------------------------------------------------------------------------

    def time_left(self) -> bool:
        """Whether the run is still on."""
        return time.perf_counter() < self.run_.deadline

    def think(self) -> None:
        """Wait like a person between two actions (ends early when the run is over)."""
        low, high = self.run_.think
        pause = self.rng.uniform(low, high)
        end = min(time.perf_counter() + pause, self.run_.deadline)
        while time.perf_counter() < end:
            time.sleep(min(0.2, max(0.0, end - time.perf_counter())))

    def sign_in(self) -> bool:
        """GET the form, post the credentials; True when the server signed us in."""
        page = self.browser.get("login_form", "/login")
        if page.status in (301, 302):  # still signed in
            self.signed_in = True
            return True
        token = csrf_token(page.text)
        if token is None:
            self.stats.outcome("sign-in: no form")
            return False
        response = self.browser.post("sign_in", "/login", {"csrf_token": token, "username": self.account.username,
                                                           "password": PASSWORD})
        if response.status == 302:
            self.stats.outcome("sign-in: ok")
            self.signed_in = True
            self.browser.follow("home", response)
            return True
        self.stats.outcome(f"sign-in: refused ({response.status})")
        return False

    def sign_out(self) -> None:
        """Post the sign-out form of the last page."""
        token = csrf_token(self.browser.last_page)
        if token:
            self.browser.post("sign_out", "/logout", {"csrf_token": token})
        self.signed_in = False

    def run(self) -> None:
        """Sessions of a few actions each, until the deadline."""
        # people do not all arrive in the same second: spread the first sign-ins over the first pause
        time.sleep(self.rng.uniform(0, min(self.run_.think[1], self.run_.duration / 4)))
        actions = 0
        try:
            while self.time_left() and actions < self.run_.max_actions:
                if not self.sign_in():
                    actions += 1  # a refused sign-in counts as an action: the loop stays bounded
                    self.think()
                    continue
                for _ in range(self.rng.randint(*self.run_.session_actions)):
                    if not self.time_left() or actions >= self.run_.max_actions:
                        break
                    try:
                        self.act()
                    except Exception as exc:  # a bug of the load test itself must not end the thread
                        self.stats.outcome(f"client error: {type(exc).__name__}: {exc}"[:160])
                    actions += 1
                    self.think()
                if self.time_left():
                    self.sign_out()
        finally:
            self.browser.close()

    def act(self) -> None:
        """One action of this role."""
        raise NotImplementedError

    # -- shared steps --------------------------------------------------------------------------------------

    def open_task(self, task_id: int, kind: str = "task_page") -> Response:
        """GET a task page."""
        return self.browser.get(kind, f"/tasks/{task_id}")

    def post_step(self, kind: str, page: Response, action_part: str, outcome: str, **values) -> Response | None:
        """Post the form of ``page`` whose action contains ``action_part`` with ``values``; follow the redirect."""
        found = find_form(page.text, action_part)
        if found is None:
            return None
        action, fields = found
        response = self.browser.post(kind, action, with_values(fields, **values), multipart=True)
        self.stats.outcome(f"{outcome}: {response.status}")
        self.browser.follow("page_after_post", response)
        return response


class Officer(User):
    """Updates progress on shared and own tasks; now and then reports a result or asks for an extension."""

    def act(self) -> None:
        """One officer action."""
        roll = self.rng.random()
        if roll < 0.50 and self.account.shared:
            self.save_progress(self.rng.choice(self.account.shared))
        elif roll < 0.80 and self.account.own:
            self.save_progress(self.rng.choice(self.account.own))
        elif roll < 0.88:
            self.browser.get("task_list", "/tasks/mine")
        elif roll < 0.94 and self.account.own:
            task_id = self.rng.choice(self.account.own)
            page = self.open_task(task_id)
            self.post_step("report_result", page, "/transitions/submit_result", "officer: report result",
                           result=f"Báo cáo kết quả thực hiện (thử tải {next(self.seq)}).")
        elif self.account.own:
            task_id = self.rng.choice(self.account.own)
            page = self.open_task(task_id)
            day = dt.date.today() + dt.timedelta(days=self.rng.randint(40, 300))
            response = self.post_step("request_extension", page, "/extensions", "officer: ask extension",
                                      new_deadline=day.strftime("%d/%m/%Y"),
                                      reason="Cần thêm thời gian để tổng hợp số liệu (thử tải).")
            if response is not None and response.status == 302:
                with self.stats.lock:
                    self.stats.pending_extensions.add(task_id)

    def save_progress(self, task_id: int, retries: int = 1) -> None:
        """Open the task, post a new progress value with the form's version; on a conflict reload and retry."""
        for attempt in range(retries + 1):
            page = self.open_task(task_id)
            found = find_form(page.text, f"/tasks/{task_id}/progress")
            if found is None:
                self.stats.outcome("save: no progress form (task not open for progress)")
                return
            action, fields = found
            values = dict(fields)
            try:
                current, version = int(values.get("progress") or 0), int(values["version"])
            except (KeyError, ValueError):
                self.stats.outcome("save: form without version")
                return
            value = self.rng.choice([v for v in range(0, 101) if v != current])
            note = f"lt {self.account.username} #{next(self.seq)}"
            started = time.perf_counter()
            response = self.browser.post("save", action, with_values(fields, progress=value, note=note),
                                         multipart=True)
            finished = time.perf_counter()
            if response.status == 302 and response.location.split("#")[0].rstrip("/") == f"/tasks/{task_id}":
                ack = Ack(task_id, self.account.username, value, note, version, started, finished)
                after = self.browser.follow("task_page", response)
                told = after is not None and SAVED_FLASH in after.text
                with self.stats.lock:
                    self.stats.acks.append(ack)
                self.stats.outcome("save: acknowledged" if told else "save: redirected without the saved message")
                return
            if response.status == 409:
                self.stats.outcome("save: conflict (409), reloaded" if attempt < retries else
                                   "save: conflict (409), given up")
                continue
            self.stats.outcome(f"save: status {response.status}")
            return


class Clerk(User):
    """Registers letters by pasting their text; browses the register."""

    def act(self) -> None:
        """One clerk action."""
        if self.rng.random() < 0.75:
            self.register_letter()
        else:
            self.browser.get("register", "/letters/")

    def register_letter(self) -> None:
        """Paste a letter (unique number), drop rows of unknown agencies, confirm; note the number told."""
        with self.run_.lock:
            text, number = self.rng.choice(self.run_.letters).unique(self.run_.serials)
        form = self.browser.get("letter_form", "/letters/new")
        token = csrf_token(form.text)
        if token is None:
            self.stats.outcome(f"letter: no form ({form.status})")
            return
        proposal = self.browser.post("letter_read", "/letters/new", {"csrf_token": token, "text": text},
                                     multipart=True)
        found = find_form(proposal.text, "/letters/confirm")
        if proposal.status != 200 or found is None:
            self.stats.outcome(f"letter: proposal not shown ({proposal.status})")
            return
        _, fields = found
        rows = re.findall(r'<tr class="task-row[^"]*"[^>]*>(.*?)</tr>', proposal.text, re.S)
        drop = [i for i, row in enumerate(rows) if "match-bad" in row]
        values = {f"tasks-{i}-remove": "y" for i in drop}
        if dict(fields).get("number") != number:
            values["number"] = number
        response = self.browser.post("letter_confirm", "/letters/confirm", with_values(fields, **values),
                                     multipart=True)
        if response.status != 302:
            self.stats.outcome(f"letter: confirm refused ({response.status}: {alert_text(response.text)})")
            return
        page = self.browser.follow("letter_page", response)
        told = REGISTERED_RE.search(page.text) if page is not None else None
        if told is None:
            self.stats.outcome("letter: registered without the number message")
            return
        self.stats.outcome("letter: registered")
        with self.stats.lock:
            self.stats.told_numbers.append((int(told.group(1)), int(told.group(2))))


class Leader(User):
    """Opens the overview and the lists; takes the decision the task page offers."""

    def act(self) -> None:
        """One leader action."""
        roll = self.rng.random()
        if roll < 0.30:
            self.browser.get("overview", "/overview")
            return
        if roll < 0.45 and self.run_.approval:
            self.decide_from_list("pending_approval")
            return
        if roll < 0.65:
            self.decide_from_list("submitted")
            return
        with self.stats.lock:
            pending = sorted(self.stats.pending_extensions)
        if pending and roll < 0.85:
            task_id = self.rng.choice(pending)
            with self.stats.lock:
                self.stats.pending_extensions.discard(task_id)
            self.decide(task_id)
            return
        self.decide(self.rng.choice(self.run_.decidable))

    def decide_from_list(self, status: str) -> None:
        """Open the list of tasks in ``status`` and decide one of them."""
        listing = self.browser.get("task_list", f"/tasks/?status={status}")
        ids = sorted({int(i) for i in TASK_LINK_RE.findall(listing.text)})
        if ids:
            self.decide(self.rng.choice(ids))

    def decide(self, task_id: int) -> None:
        """Open the task and press the first decision button it offers."""
        page = self.open_task(task_id, "leader_task_page")
        comment = f"Ý kiến lãnh đạo (thử tải {self.account.username} #{next(self.seq)})."
        if find_form(page.text, "/tasks/letters/"):
            self.post_step("decision", page, "/tasks/letters/", "leader: approve letter", comment=comment)
        elif find_form(page.text, "/transitions/approve_distribution"):
            self.post_step("decision", page, "/transitions/approve_distribution", "leader: approve distribution",
                           comment=comment)
        elif find_form(page.text, "/extensions/"):
            approve = self.rng.random() < 0.7
            self.post_step("decision", page, "/extensions/", "leader: extension " + ("approve" if approve else
                                                                                     "refuse"),
                           decision="approve" if approve else "refuse", comment=comment)
        elif find_form(page.text, "/transitions/accept"):
            if self.rng.random() < 0.6:
                self.post_step("decision", page, "/transitions/accept", "leader: accept")
            else:
                self.post_step("decision", page, "/transitions/return", "leader: return", comment=comment)
        elif find_form(page.text, "/transitions/reopen"):
            self.post_step("decision", page, "/transitions/reopen", "leader: reopen", comment=comment)
        elif find_form(page.text, "/directions"):
            self.post_step("decision", page, "/directions", "leader: direction", comment=comment)


class Admin(User):
    """Looks at the user and agency pages."""

    def act(self) -> None:
        """One admin action."""
        self.browser.get("admin_page", self.rng.choice(["/admin/users", "/admin/agencies"]))


class Guesser(threading.Thread):
    """Posts wrong passwords to /login in a tight loop: real (demo) accounts and names that do not exist."""

    def __init__(self, run: "Run", seed: int, real_names: list[str], source: str):
        super().__init__(name=f"guesser-{seed}", daemon=True)
        self.run_ = run
        self.stats = run.stats
        self.rng = random.Random(seed)
        self.real_names = real_names
        self.browser = Browser(run.port, run.stats, source)

    def run(self) -> None:
        """Wait for the quiet part to end, then guess until the deadline (at most ``max_guesses``)."""
        while time.perf_counter() < self.stats.quiet_until and time.perf_counter() < self.run_.deadline:
            time.sleep(0.2)
        token = None
        guesses = 0
        try:
            while time.perf_counter() < self.run_.deadline and guesses < self.run_.max_guesses:
                if token is None:
                    token = csrf_token(self.browser.get("guess_form", "/login").text)
                    if token is None:
                        time.sleep(0.5)
                        continue
                real = guesses % 2 == 0 and self.real_names
                name = self.rng.choice(self.real_names) if real else f"nv{self.rng.randrange(10**9):09d}"
                response = self.browser.post("guess", "/login", {"csrf_token": token, "username": name,
                                                                 "password": self.rng.choice(WRONG_PASSWORDS)})
                guesses += 1
                kind = "real account" if real else "unknown name"
                if response.status == 401:
                    slowed = "quá nhiều lần" in response.text
                    self.stats.outcome(f"guess ({kind}): {'throttled' if slowed else 'refused'}")
                else:
                    self.stats.outcome(f"guess ({kind}): status {response.status}")
                    if response.status == 400:
                        token = None  # the CSRF token expired: read the form again
                    if response.status == 302:  # signed in by luck: sign out and go on
                        self.browser.cookies.clear()
                        token = None
        finally:
            self.browser.close()


# --------------------------------------------------------------------------------------------- the instance

def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tracker_env(instance: Path, database_url: str | None, code: Path) -> dict[str, str]:
    """The environment of the tracker commands for this instance and this code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_INSTANCE"] = str(instance)
    if database_url:
        env["TRACKER_DATABASE_URL"] = database_url
    env["TRACKER_BASE_URL"] = "http://127.0.0.1"
    env["PYTHONPATH"] = str(code)  # ahead of the editable install: the code under test is imported
    env["LOAD_TEST_CODE"] = str(code)
    return env


def tracker_command() -> str:
    """The ``tracker`` script of this virtualenv."""
    candidate = Path(sys.executable).parent / "tracker"
    return str(candidate) if candidate.exists() else shutil.which("tracker") or "tracker"


def role_split(users: int) -> dict[str, int]:
    """How many accounts of each role: 1 admin, 10 % leaders, 20 % clerks, the rest officers."""
    admins = 1 if users >= 4 else 0
    leaders = max(1, round(users * 0.10))
    clerks = max(1, round(users * 0.20))
    officers = max(1, users - admins - leaders - clerks)
    return {"admin": admins, "leader": leaders, "clerk": clerks, "officer": officers}


def init_demo(env: dict[str, str]) -> list[str]:
    """``tracker init --demo``; return the demo user names (the guessers' real accounts)."""
    done = subprocess.run([tracker_command(), "init", "--demo"], env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"tracker init --demo failed:\n{done.stdout}\n{done.stderr}")
    return re.findall(r"^ {2}([a-z][\w.]*) +\S+ +\S", done.stdout, re.M)


def create_accounts(env: dict[str, str], split: dict[str, int]) -> tuple[list[Account], list[int]]:
    """Create the load accounts and the officers' tasks in a child process that imports the code under test."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--setup-child", json.dumps(split)],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"creating the load accounts failed:\n{done.stdout}\n{done.stderr}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return [Account(**a) for a in data["accounts"]], data["own"]


def setup_child(split: dict[str, int]) -> None:
    """In the child: create the accounts (``create_user``) and one letter with the officers' tasks.

    Every officer's agency gets SHARED_PER_AGENCY tasks that all its officers update, and every officer
    OWN_PER_OFFICER tasks assigned to them. Prints the accounts and the own tasks' ids as JSON.
    """
    from sqlalchemy import select

    from tracker.accounts.operations import create_user
    from tracker.agencies.models import Agency
    from tracker.app import create_app
    from tracker.db import transaction
    from tracker.intake.operations import LetterSpec, register_letter
    from tracker.tasks.operations import TaskSpec

    app = create_app()
    sessions = app.extensions["tracker.write_sessions"]
    accounts: list[Account] = []
    today = dt.date.today()
    with app.app_context(), transaction(sessions) as session:
        agencies = {code: session.scalar(select(Agency).where(Agency.code == code)) for code in AGENCIES}
        missing = [code for code, agency in agencies.items() if agency is None]
        if missing:
            raise SystemExit(f"agencies missing from the demo catalog: {missing}")
        users = {}
        for role, count in split.items():
            for index in range(1, count + 1):
                code = AGENCIES[(index - 1) % len(AGENCIES)] if role == "officer" else None
                name = f"tai.{role}{index:02d}"
                users[name] = create_user(session, username=name, full_name=f"Thử tải {role} {index}",
                                          password=PASSWORD, role=role, email=f"{name}@example.invalid",
                                          agency_id=agencies[code].id if code else None)
                accounts.append(Account(name, role, code))
        clerk = next(u for u in users.values() if u.role == "clerk")
        specs, owners = [], []
        used = {a.agency for a in accounts if a.role == "officer"}
        for code, agency in agencies.items():
            if code not in used:
                continue
            for n in range(1, SHARED_PER_AGENCY + 1):
                specs.append(TaskSpec(agency_id=agency.id, role="lead", deadline=today + dt.timedelta(days=30),
                                      summary=f"Nhiệm vụ chung {n} của {agency.name} (thử tải)"))
                owners.append((code, None))
        for account in accounts:
            if account.role != "officer":
                continue
            for n in range(1, OWN_PER_OFFICER + 1):
                specs.append(TaskSpec(agency_id=agencies[account.agency].id, role="cooperate",
                                      deadline=today + dt.timedelta(days=20 + n),
                                      summary=f"Nhiệm vụ riêng {n} của {account.username} (thử tải)"))
                owners.append((account.agency, account.username))
        letter = register_letter(session, LetterSpec(
            number="1/KH-THUTAI", doc_type="Kế hoạch", issuer="Ủy ban nhân dân tỉnh", place="Thái Nguyên",
            issued_on=today, subject="kiểm thử tải hệ thống theo dõi nhiệm vụ", recipients=["Các sở"],
            full_text="Kế hoạch kiểm thử tải."), specs, actor=clerk, received_on=today)
        session.flush()
        by_name = {a.username: a for a in accounts}
        own_ids = []
        for task, (code, owner) in zip(sorted(letter.tasks, key=lambda t: t.id), owners):
            if owner is None:
                for account in accounts:
                    if account.role == "officer" and account.agency == code:
                        account.shared.append(task.id)
            else:
                task.assignee_id = users[owner].id
                by_name[owner].own.append(task.id)
                own_ids.append(task.id)
    app.extensions["tracker.engine"].dispose()
    print(json.dumps({"accounts": [a.__dict__ for a in accounts], "own": own_ids}))


def write_approval_workflow(instance: Path, code: Path) -> None:
    """The shipped workflow with leaders approving the clerks' distribution, as the instance's own file."""
    shipped = (code / "workflows" / "tasks.toml").read_text(encoding="utf-8")
    changed, count = re.subn(r"(?m)^leader_approves_distribution\s*=\s*false", "leader_approves_distribution = true",
                             shipped)
    if count != 1:
        raise SystemExit("could not turn on leader_approves_distribution in the shipped workflow")
    (instance / "workflows").mkdir(exist_ok=True)
    (instance / "workflows" / "tasks.toml").write_text(changed, encoding="utf-8")


def export_ref(ref: str, folder: Path) -> Path:
    """``git archive`` of ``ref`` unpacked into ``folder``: the committed code, without others' work in progress."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True,
                             timeout=120)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {ref} failed: {archive.stderr.decode(errors='replace')}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True, timeout=120)
    return folder


class Server:
    """``tracker serve`` as a subprocess on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path, threads: int | None):
        self.port = free_port()
        self.log_path = log
        command = [tracker_command(), "serve", "--host", HOST, "--port", str(self.port)]
        if threads:
            command += ["--threads", str(threads)]
        self.log = open(log, "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until GET /login answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("tracker serve stopped:\n" + self.log_path.read_text(errors="replace")[-3000:])
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/login")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("tracker serve did not answer /login in time")

    def stop(self) -> None:
        """SIGTERM the server we started (by its pid), SIGKILL it if it does not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the server process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def tracebacks(self) -> Counter:
        """The errors the server logged with a traceback, counted by their final exception line.

        Chained tracebacks ("During handling of the above exception...") count once, by the last one.
        """
        lines = self.log_path.read_text(errors="replace").splitlines()
        found: Counter = Counter()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("Traceback (most recent call last)"):
                index += 1
                continue
            while True:
                index += 1
                while index < len(lines) and (lines[index].startswith(" ") or not lines[index].strip()):
                    index += 1  # the frames
                last = lines[index] if index < len(lines) else "?"
                # the exception's message may take several lines; a chained traceback follows a marker line
                following = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("Traceback")),
                                 len(lines))
                chained = any(lines[j].startswith(("During handling of the above exception",
                                                   "The above exception was the direct cause"))
                              for j in range(index + 1, following))
                if not chained or following >= len(lines):
                    break
                index = following
            found[last[:200]] += 1
            index += 1
        return found


# --------------------------------------------------------------------------------------------- checks

def sqlalchemy_url(url: str) -> str:
    """The URL with the psycopg 3 driver for PostgreSQL (the one installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_database(database_url: str, stats: Stats, page_progress: dict[int, int]) -> dict:
    """Lost updates and incoming numbers, read from the database after the run (plain SQL)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            numbers = conn.execute(text("SELECT received_year, received_number FROM letter "
                                        "WHERE received_number IS NOT NULL")).all()
            tasks = {row[0]: row[1] for row in conn.execute(text("SELECT id, progress FROM task"))}
            acked_tasks = sorted({a.task_id for a in stats.acks}) or [0]
            events = conn.execute(text(
                "SELECT e.task_id, e.task_version, e.kind, e.comment, e.changes, u.username "
                "FROM task_event e LEFT JOIN user_account u ON u.id = e.actor_id "
                f"WHERE e.task_id IN ({', '.join(str(int(t)) for t in acked_tasks)})")).all()
    finally:
        engine.dispose()
    result = {}
    # -- incoming numbers: per year exactly 1..N
    per_year: dict[int, list[int]] = defaultdict(list)
    for year, number in numbers:
        per_year[year].append(number)
    gaps = duplicates = 0
    years = {}
    for year, values in sorted(per_year.items()):
        dup = sum(c - 1 for c in Counter(values).values() if c > 1)
        top = max(values)
        gap = len(set(range(1, top + 1)) - set(values))
        years[year] = (len(values), top, gap, dup)
        gaps += gap
        duplicates += dup
    told = Counter(stats.told_numbers)
    in_db = Counter((n, y) for y, n in numbers)
    result["numbers"] = dict(years=years, gaps=gaps, duplicates=duplicates, told=len(stats.told_numbers),
                             told_twice=sum(c - 1 for c in told.values() if c > 1),
                             told_missing=sum(1 for key in told if key not in in_db))

    # -- lost updates
    def new_progress(changes) -> int | None:
        """The progress an event set, if it changed the progress (JSON text on SQLite, a dict on PostgreSQL)."""
        if isinstance(changes, str):
            changes = json.loads(changes)
        pair = (changes or {}).get("progress")
        return pair[1] if pair else None

    by_note = {}
    progress_changes: dict[int, list[int]] = defaultdict(list)  # task -> versions of events that set progress
    for task_id, version, kind, comment, changes, username in events:
        value = new_progress(changes)
        if kind == "progress" and comment:
            by_note[(task_id, comment)] = (version or 0, value, username)
        if value is not None:
            progress_changes[task_id].append(version or 0)
    missing, wrong, not_final = [], [], []
    acks_by_task: dict[int, list[Ack]] = defaultdict(list)
    for ack in stats.acks:
        acks_by_task[ack.task_id].append(ack)
        found = by_note.get((ack.task_id, ack.note))
        if found is None:
            missing.append(ack)
        elif found[1] != ack.value or found[2] != ack.user:
            wrong.append(ack)
    for task_id, acks in acks_by_task.items():
        final = tasks.get(task_id)
        last = max(acks, key=lambda a: a.finished)
        if final == last.value:
            continue
        # an acknowledged save that overlapped the last one in time may have been applied after it
        if any(a is not last and a.finished > last.started and a.value == final for a in acks):
            continue
        recorded = by_note.get((task_id, last.note))
        if recorded and any(v > recorded[0] for v in progress_changes.get(task_id, [])):
            continue  # superseded by a later recorded change (another save, or "accept" setting 100 %)
        not_final.append((last, final))
    lost = {(a.task_id, a.note) for a in missing + wrong} | {(a.task_id, a.note) for a, _ in not_final}
    mismatch = {t: (p, tasks[t]) for t, p in page_progress.items() if t in tasks and tasks[t] != p}
    result["lost"] = dict(acks=len(stats.acks), tasks=len(acks_by_task), missing=len(missing), wrong_value=len(wrong),
                          not_final=len(not_final), total=len(lost), page_mismatch=len(mismatch),
                          pages_read=len(page_progress),
                          examples=[f"task {a.task_id}: {a.user} told {a.value} % was saved, final {f} %"
                                    for a, f in not_final[:5]]
                          + [f"task {a.task_id}: {a.user}'s save “{a.note}” is not in the history"
                             for a in missing[:5]]
                          + [f"task {t}: page shows {p} %, database {d} %" for t, (p, d) in list(mismatch.items())[:5]])
    return result


# --------------------------------------------------------------------------------------------- one run

class Run:
    """One load test against one database."""

    def __init__(self, args: argparse.Namespace, database: str):
        self.args = args
        self.database = database
        self.duration = float(args.duration)
        self.quiet = float(args.quiet if args.quiet is not None else self.duration / 3) if args.guessers else \
            self.duration
        self.think = (args.think_min, args.think_max)
        self.session_actions = (3, 8)  # actions between signing in and signing out
        self.max_actions = 100_000
        self.max_guesses = 1_000_000
        self.approval = not args.no_approval
        self.letters = load_letters()
        self.serials = itertools.count(90001)
        self.lock = threading.Lock()
        self.port = 0
        self.deadline = 0.0
        self.stats: Stats | None = None
        self.decidable: list[int] = []

    def execute(self) -> dict:
        """Set up, serve, load, check; return the figures."""
        folder = Path(tempfile.mkdtemp(prefix=f"tracker-load-{self.database}-"))
        cluster = None
        server = None
        try:
            code = export_ref(self.args.ref, folder / "code") if self.args.ref else (self.args.code or ROOT)
            database_url = None
            if self.database == "postgresql":
                from tests.pg import PostgresCluster

                cluster = PostgresCluster()
                cluster.start()
                database_url = cluster.url()
            instance = folder / "instance"
            instance.mkdir()
            env = tracker_env(instance, database_url, code)
            say(f"[{self.database}] instance in {instance}: tracker init --demo, load accounts")
            demo_names = init_demo(env)
            split = role_split(self.args.users)
            accounts, own_ids = create_accounts(env, split)
            self.decidable = own_ids
            if self.approval:
                write_approval_workflow(instance, code)
            server = Server(env, folder / "server.log", self.args.server_threads)
            server.wait_ready()
            self.port = server.port
            say(f"[{self.database}] serving on http://{HOST}:{self.port}; {self.args.users} users {split}, "
                f"{self.args.guessers} guessers, {self.duration:.0f} s")
            server_cpu = server.cpu_seconds()
            client_cpu = resource.getrusage(resource.RUSAGE_SELF)
            figures = self.load(accounts, demo_names)
            after = resource.getrusage(resource.RUSAGE_SELF)
            figures["client_cpu"] = after.ru_utime + after.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime
            figures["server_cpu"] = (server.cpu_seconds() or 0) - (server_cpu or 0) if server_cpu is not None else None
            tracked = {t for a in accounts for t in a.shared + a.own}
            page_progress = self.read_pages(accounts, tracked)
            server.stop()
            figures["tracebacks"] = server.tracebacks()
            url = database_url or f"sqlite:///{instance / 'tracker.db'}"
            figures["checks"] = check_database(url, self.stats, page_progress)
            figures["split"] = split
            return figures
        finally:
            if server is not None:
                server.stop()
            if cluster is not None:
                cluster.stop()
            if self.args.keep:
                say(f"[{self.database}] kept {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)

    def load(self, accounts: list[Account], demo_names: list[str]) -> dict:
        """Run the users and the guessers until the deadline."""
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        self.deadline = start + self.duration
        self.stats = Stats(t0=start, quiet_until=start + self.quiet)
        classes = {"officer": Officer, "clerk": Clerk, "leader": Leader, "admin": Admin}
        threads: list[threading.Thread] = [classes[a.role](a, self, seed=i) for i, a in enumerate(accounts)]
        threads += [Guesser(self, seed=1000 + i, real_names=demo_names,
                            source=HOST if self.args.guessers_share_address else f"127.0.0.{100 + i}")
                    for i in range(self.args.guessers)]
        for thread in threads:
            thread.start()
        next_report = start + 15
        while any(t.is_alive() for t in threads):
            now = time.perf_counter()
            if now > self.deadline + REQUEST_TIMEOUT + 30:
                break  # every request has a timeout: this does not happen unless a thread is stuck
            if now >= next_report:
                with self.stats.lock:
                    total = sum(self.stats.by_kind.values())
                say(f"[{self.database}] {now - start:4.0f} s: {total} requests, {self.stats.count_5xx} × 5xx, "
                    f"{len(self.stats.acks)} saves acknowledged")
                next_report += 15
            time.sleep(0.5)
        return {"elapsed": time.perf_counter() - start, "stuck": sum(t.is_alive() for t in threads),
                "load_average": (load_before, os.getloadavg()[0])}

    def read_pages(self, accounts: list[Account], tracked: set[int]) -> dict[int, int]:
        """After the load: the progress each tracked task page shows (read as a leader)."""
        leader = next(a for a in accounts if a.role == "leader")
        user = Leader(leader, self, seed=0)
        user.browser.source = "127.0.0.99"  # not an address the guessers may have got slowed down
        shown = {}
        if user.sign_in():
            for task_id in sorted(tracked):
                match = METER_RE.search(user.browser.get("final_check", f"/tasks/{task_id}").text)
                if match:
                    shown[task_id] = int(match.group(1))
        user.browser.close()
        return shown


def say(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------- report

LABELS = {"quiet": "without guessers", "guessing": "with guessers"}


def fmt(seconds: float | None) -> str:
    """Seconds with 3 decimals, or a dash."""
    return "—" if seconds is None else f"{seconds:.3f}"


def verdict(ok: bool) -> str:
    """PASS/FAIL."""
    return "PASS" if ok else "**FAIL**"


def report(database: str, run: Run, figures: dict) -> str:
    """The Markdown section of one run."""
    stats = run.stats
    checks = figures["checks"]
    lost, numbers = checks["lost"], checks["numbers"]
    guessers = run.args.guessers
    quiet = run.quiet if guessers else run.duration
    lines = [f"## {'SQLite' if database == 'sqlite' else 'PostgreSQL'}", ""]
    split = ", ".join(f"{n} {role}{'s' if n != 1 else ''}" for role, n in figures["split"].items() if n)
    lines.append(f"{run.args.users} users ({split}), think time {run.think[0]:g}–{run.think[1]:g} s, "
                 f"{figures['elapsed']:.0f} s of load: the first {quiet:.0f} s without guessers, "
                 + (f"the rest with {guessers} password guessers." if guessers else "no guessers.")
                 + (" Leaders approve distributions (instance workflow)." if run.approval else ""))
    lines.append("")
    save_guess = stats.latencies.get(("save", "guessing" if guessers else "quiet"), [])
    p95 = percentile(save_guess, 95)
    total_5xx = stats.count_5xx
    numbers_ok = not (numbers["gaps"] or numbers["duplicates"] or numbers["told_twice"] or numbers["told_missing"])
    signed = stats.outcomes.get("sign-in: ok", 0)
    refused = sum(n for k, n in stats.outcomes.items() if k.startswith("sign-in:") and k != "sign-in: ok")
    lines += ["| Check | Result | Target | |", "|---|---|---|---|",
              f"| 5xx responses | {total_5xx} | 0 | {verdict(total_5xx == 0)} |",
              f"| “{SYSTEM_ERROR}” pages | {stats.count_system_pages} | 0 | "
              f"{verdict(stats.count_system_pages == 0)} |",
              f"| Requests without a response (reset, timeout) | {sum(stats.transport_errors.values())} | 0 | "
              f"{verdict(not stats.transport_errors)} |",
              f"| Load users refused at sign-in | {refused} of {refused + signed} | 0 | {verdict(refused == 0)} |",
              f"| Lost updates | {lost['total']} of {lost['acks']} acknowledged saves on {lost['tasks']} tasks "
              f"(not in history {lost['missing']}, other value {lost['wrong_value']}, last save not final "
              f"{lost['not_final']}) | 0 | {verdict(lost['total'] == 0)} |",
              f"| Task pages showing another progress than the database | {lost['page_mismatch']} of "
              f"{lost['pages_read']} | 0 | {verdict(lost['page_mismatch'] == 0)} |",
              "| Incoming numbers (số đến) | " + "; ".join(
                  f"{year}: {count} letters, max {top}, {gap} gaps, {dup} duplicates"
                  for year, (count, top, gap, dup) in numbers["years"].items())
              + f"; told to clerks {numbers['told']}, told twice {numbers['told_twice']}, told but missing "
                f"{numbers['told_missing']} | 0 gaps, 0 duplicates | "
                f"{verdict(numbers_ok)} |",
              f"| Save p95 {'with' if guessers else 'without'} guessers | {fmt(p95)} s | < 1 s | "
              f"{verdict(p95 is not None and p95 < 1.0)} |",
              f"| Tracebacks in the server log | {sum(figures['tracebacks'].values())} | 0 | "
              f"{verdict(not figures['tracebacks'])} |",
              ""]
    lines += ["Latency in seconds (from sending the request to the end of the response):", "",
              "| Request | Part of the run | n | p50 | p95 | max |", "|---|---|---:|---:|---:|---:|"]
    for kind, label in [("save", "Save (officer progress POST)"), ("sign_in", "Sign-in (POST /login, load users)"),
                        ("task_page", "Task page (GET)"), ("letter_confirm", "Letter confirm (POST)"),
                        ("overview", "Overview (GET)"), ("guess", "Guess (POST /login, guessers)")]:
        for phase in ("quiet", "guessing"):
            values = stats.latencies.get((kind, phase), [])
            if not values:
                continue
            lines.append(f"| {label} | {LABELS[phase]} | {len(values)} | {fmt(percentile(values, 50))} | "
                         f"{fmt(percentile(values, 95))} | {fmt(max(values))} |")
    lines += ["", "Requests by kind:", "", "| Kind | Requests | 2xx | 3xx | 4xx | 5xx | no response |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, count in sorted(stats.by_kind.items(), key=lambda kv: -kv[1]):
        by = stats.status_by_kind[kind]
        lines.append(f"| {kind} | {count} | {by[2]} | {by[3]} | {by[4]} | {by[5]} | {by[0]} |")
    total = sum(stats.by_kind.values())
    lines.append(f"| **total** | **{total}** ({total / max(figures['elapsed'], 1):.0f}/s) | "
                 + " | ".join(str(sum(stats.status_by_kind[k][c] for k in stats.by_kind)) for c in (2, 3, 4, 5, 0))
                 + " |")
    cpu = f"{figures['server_cpu']:.0f} s" if figures.get("server_cpu") is not None else "?"
    before, after = figures["load_average"]
    lines.append(f"\nCPU during the load: server {cpu}, this load generator {figures['client_cpu']:.0f} s, "
                 f"over {figures['elapsed']:.0f} s on {os.cpu_count()} cores; machine load average "
                 f"{before:.1f} before, {after:.1f} at the end (other work included).")
    lines += ["", "Outcomes:", ""]
    for name, count in sorted(stats.outcomes.items()):
        lines.append(f"- {name}: {count}")
    if stats.transport_errors:
        lines += ["", "Requests without a response: " + ", ".join(f"{k} × {v}" for k, v in
                                                                   sorted(stats.transport_errors.items()))]
    if stats.server_errors:
        lines += ["", "First 5xx / system-error responses (seconds into the run, kind, request, status): "
                  + "; ".join(f"{t} s {k} {m} {p} → {s}" for t, k, m, p, s in stats.server_errors[:10])]
    if figures["tracebacks"]:
        lines += ["", "Tracebacks in the server log (last line × count): " + "; ".join(
            f"`{last}` × {count}" for last, count in figures["tracebacks"].most_common(8))]
    if lost["examples"]:
        lines += ["", "Lost updates, examples: " + "; ".join(lost["examples"])]
    if figures["stuck"]:
        lines += ["", f"{figures['stuck']} client threads were still waiting at the end."]
    lines.append("")
    return "\n".join(lines)


def machine() -> str:
    """Cores, CPU model, OS and Python."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} cores{' (' + model + ')' if model else ''}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; shared with other work, so the figures are noisy")


def git_revision(ref: str | None, code: Path | None = None) -> str:
    """The commit measured: ``ref`` as exported, or HEAD with a mark when the working tree differs."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", ref or "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        if ref:
            return f"{head} (--ref {ref}: the committed code, exported with git archive)"
        if code is not None:
            return f"the code in {code}"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tracker", "templates", "workflows"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        return head + (" + uncommitted changes in tracker/, templates/ or workflows/" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run each database, print and write the report; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=180, help="seconds of load per database (default 180)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users of all roles (default 50)")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite",
                        help="database of the instance (default sqlite; both: one run each, SQLite first)")
    parser.add_argument("--guessers", type=int, default=4, help="password-guessing clients (default 4)")
    parser.add_argument("--quiet", type=float, default=None,
                        help="seconds at the start without guessers (default: a third of --duration)")
    parser.add_argument("--think-min", type=float, default=4, help="shortest pause between actions (default 4 s)")
    parser.add_argument("--think-max", type=float, default=16, help="longest pause between actions (default 16 s)")
    parser.add_argument("--server-threads", type=int, default=None,
                        help="tracker serve --threads (default: the command's own default)")
    parser.add_argument("--no-approval", action="store_true",
                        help="keep the shipped workflow (no distribution for leaders to approve)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "LOAD.md",
                        help="where to write the Markdown report (default bench/LOAD.md)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write --output")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    parser.add_argument("--ref", default=None,
                        help="measure the code committed at this git ref (exported with git archive) instead of "
                             "the working tree")
    parser.add_argument("--code", type=Path, default=None,
                        help="measure the tracker code in this folder (a checkout or an export) instead of the "
                             "working tree")
    parser.add_argument("--guessers-share-address", action="store_true",
                        help="guess from 127.0.0.1 like the users (default: each guesser from its own loopback "
                             "address 127.0.0.100+, as an attacker is not on the office's network)")
    parser.add_argument("--setup-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup_child is not None:
        setup_child(json.loads(args.setup_child))
        return 0
    if args.users < 3 or args.duration <= 0 or args.guessers < 0 or not 0 <= args.think_min <= args.think_max:
        parser.error("need --users >= 3, --duration > 0, --guessers >= 0 and 0 <= --think-min <= --think-max")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(ROOT)
    command = f"{python} bench/load_test.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None
                                                                                  else sys.argv[1:]))
    sections = []
    passed = True
    for database in databases:
        run = Run(args, database)
        figures = run.execute()
        sections.append(report(database, run, figures))
        sections_passed = "**FAIL**" not in sections[-1]
        passed &= sections_passed
    header = ["# Load test", "",
              f"Command: `{command.strip()}`  ",
              f"Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}  ",
              f"Machine: {machine()}  ",
              f"Code: {git_revision(args.ref, args.code)}", "",
              "Target: 0 × 5xx, 0 lost updates, 0 gaps in the incoming numbers, save p95 < 1 s while passwords "
              "are being guessed. How it is measured: see the docstring of bench/load_test.py. The part "
              "without guessers includes every user's first sign-in (arrivals spread over the first pause); "
              "a save is the officer's progress POST, a sign-in the load users' POST /login (not the "
              "guessers').", ""]
    text = "\n".join(header + sections)
    print(text)
    if not args.no_write:
        args.output.write_text(text, encoding="utf-8")
        print(f"(written to {args.output})", file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
