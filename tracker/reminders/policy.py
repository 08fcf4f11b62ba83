"""The reminder policy declared in ``workflows/reminders.toml``: stages, recipients, schedule, delivery.

Read and validated once at start (the web app, ``tracker scheduler``, ``tracker remind``); a mistake
stops the start with a message naming the file, the line and the key.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: task types, in the order a task is matched against them
TASK_TYPES = ("urgent", "recurring", "lead", "cooperate")
ROLES = {"admin", "clerk", "leader", "officer"}


class PolicyError(ValueError):
    """The policy file is wrong; the message names the file and line."""


@dataclass(frozen=True)
class Stages:
    """When a task's reminders fall due, in working days relative to its deadline."""

    #: reminders this many working days before the deadline, largest first
    before: tuple[int, ...] = (5, 2)
    #: a reminder on the deadline day
    on_day: bool = True
    #: while overdue, the first reminder this many working days after the deadline (0: none)
    overdue_every: int = 3
    #: each later overdue reminder waits until the task is this many times as late as at the previous one
    #: (2: 3, 6, 12, 24... working days overdue; 1: every ``overdue_every`` days)
    overdue_backoff: int = 2
    #: never more than this many working days between two overdue reminders (0: no cap)
    overdue_max_gap: int = 60
    #: from this many working days overdue on, leaders are copied (0: never)
    escalate_after: int = 5

    @property
    def horizon(self) -> int:
        """How many working days ahead of a deadline the first reminder may fall."""
        return max(self.before, default=0)

    def overdue_offsets(self, up_to: int) -> list[int]:
        """The overdue stages (working days after the deadline) up to ``up_to`` inclusive, in order."""
        head, gap = _overdue_head(self.overdue_every, self.overdue_backoff, self.overdue_max_gap,
                                  self.escalate_after)
        found = [o for o in head if o <= up_to]
        if gap and head and up_to > head[-1]:
            found.extend(range(head[-1] + gap, up_to + 1, gap))
        return found

    def latest_overdue(self, overdue: int) -> int:
        """The latest overdue stage reached by a task ``overdue`` working days late (0: none yet).

        Computed without walking the stages one by one: a deadline ten years old is as cheap as last week's.
        """
        head, gap = _overdue_head(self.overdue_every, self.overdue_backoff, self.overdue_max_gap,
                                  self.escalate_after)
        if not head or overdue < head[0]:
            return 0
        if gap and overdue > head[-1]:
            return head[-1] + ((overdue - head[-1]) // gap) * gap
        return head[bisect.bisect_right(head, overdue) - 1]

    def escalated(self, offset: int) -> bool:
        """Whether the stage at ``offset`` working days from the deadline is copied to the leaders."""
        return bool(self.escalate_after) and offset >= self.escalate_after


@functools.lru_cache(maxsize=64)
def _overdue_head(every: int, backoff: int, max_gap: int, escalate_after: int) -> tuple[tuple[int, ...], int]:
    """The overdue stages while their gaps still grow, and the fixed gap after them (0: no stage after the head).

    With ``every`` = 0 there are no overdue reminders, except one escalation at ``escalate_after`` when set.
    """
    if not every:
        return ((escalate_after,) if escalate_after else ()), 0
    if backoff <= 1:
        return (every,), every
    offsets = [every]
    while True:
        gap = max(every, offsets[-1] * (backoff - 1))
        if max_gap and gap >= max_gap:
            return tuple(offsets), max_gap
        if offsets[-1] > 100_000:  # no cap: a deadline older than any office keeps its last stage
            return tuple(offsets), 0
        offsets.append(offsets[-1] + gap)


@dataclass(frozen=True)
class Schedule:
    """When the scheduler works."""

    send_at: dt.time = dt.time(7, 30)
    send_on_days_off: bool = False
    reminder_tick_seconds: int = 300
    outbox_tick_seconds: int = 60
    report_tick_seconds: int = 300
    lock_retry_seconds: int = 15


@dataclass(frozen=True)
class Recipients:
    """Who hears about a task."""

    agency_addresses: bool = True
    agency_officers: bool = True
    escalate_to: tuple[str, ...] = ("leader",)


@dataclass(frozen=True)
class NoDeadline:
    """The weekly note about open tasks without a deadline."""

    notify: tuple[str, ...] = ("clerk",)
    weekday: int = 1


@dataclass(frozen=True)
class Digest:
    """How long a reminder mail may get: a person reads it, so it lists the most urgent and counts the rest."""

    #: tasks listed in one mail at most (the others are counted, with a link to the filtered list)
    max_items: int = 20


@dataclass(frozen=True)
class Delivery:
    """How the outbox retries."""

    retry_base_seconds: int = 60
    retry_max_seconds: int = 3600
    max_attempts: int = 20
    claim_timeout_seconds: int = 600
    batch_size: int = 200

    def backoff(self, attempts: int) -> dt.timedelta:
        """Delay before the next try after ``attempts`` failed ones: base, 2 × base, 4 × base... capped."""
        exponent = max(0, min(attempts - 1, 30))
        return dt.timedelta(seconds=min(self.retry_base_seconds * (2 ** exponent), self.retry_max_seconds))


@dataclass(frozen=True)
class ReminderPolicy:
    """The whole policy."""

    stages: Stages = field(default_factory=Stages)
    types: dict[str, Stages] = field(default_factory=dict)
    schedule: Schedule = field(default_factory=Schedule)
    recipients: Recipients = field(default_factory=Recipients)
    no_deadline: NoDeadline = field(default_factory=NoDeadline)
    delivery: Delivery = field(default_factory=Delivery)
    source: str = ""
    digest: Digest = field(default_factory=Digest)

    def stages_for(self, task_type: str) -> Stages:
        """The stages of a task type (the default when the file does not name the type)."""
        return self.types.get(task_type, self.stages)

    @property
    def horizon(self) -> int:
        """The largest ``before`` of any type: no reminder falls earlier than this before a deadline."""
        return max([self.stages.horizon] + [s.horizon for s in self.types.values()])


def task_type(*, urgency: str | None, recurrence: str | None, role: str) -> str:
    """The policy type of a task: urgent letter, recurring report, else its role."""
    if urgency and urgency.strip():
        return "urgent"
    if recurrence:
        return "recurring"
    return "cooperate" if role == "cooperate" else "lead"


# -- parsing -----------------------------------------------------------------------------------------


class _Reader:
    """Checks values of one TOML document and names the line of a mistake."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source

    def line_of(self, section: str, key: str | None = None) -> int:
        """The line of ``key`` in ``[section]`` (of the section header without a key; 1 when not found)."""
        pattern = r"^[ \t]*\[[ \t]*" + r"[ \t]*\.[ \t]*".join(map(re.escape, section.split("."))) + r"[ \t]*\]"
        header = re.search(pattern, self.text, re.MULTILINE)
        start = header.end() if header else 0
        position = header.start() if header else 0
        if key is not None:
            following = re.search(r"^[ \t]*\[", self.text[start:], re.MULTILINE)
            end = start + following.start() if following else len(self.text)
            found = re.search(r"^[ \t]*" + re.escape(key) + r"[ \t]*=", self.text[start:end], re.MULTILINE)
            if found:
                position = start + found.start()
        return self.text.count("\n", 0, position) + 1

    def fail(self, section: str, key: str | None, message: str) -> PolicyError:
        where = f"[{section}]" + (f" {key}" if key else "")
        return PolicyError(f"{self.source}, line {self.line_of(section, key)}: {where}: {message}")

    def table(self, data: dict, section: str, allowed: set[str]) -> dict:
        value = data.get(section.split(".")[-1], {})
        if not isinstance(value, dict):
            raise self.fail(section, None, "must be a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(section, unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def integer(self, table: dict, section: str, key: str, default: int, minimum: int, maximum: int) -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            raise self.fail(section, key, f"must be a whole number from {minimum} to {maximum}, got {value!r}")
        return value

    def boolean(self, table: dict, section: str, key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(section, key, f"must be true or false, got {value!r}")
        return value

    def roles(self, table: dict, section: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get(key, list(default))
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in ROLES for v in value):
            raise self.fail(section, key, f"must be a list of roles among {sorted(ROLES)}, got {value!r}")
        return tuple(dict.fromkeys(value))


_STAGE_KEYS = {"before", "on_day", "overdue_every", "overdue_backoff", "overdue_max_gap", "escalate_after"}


def _stages(reader: _Reader, table: dict, section: str, base: Stages) -> Stages:
    before = table.get("before", list(base.before))
    if (not isinstance(before, list)
            or any(not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 60 for v in before)):
        raise reader.fail(section, "before", f"must be a list of working days from 1 to 60, got {before!r}")
    if len(set(before)) != len(before):
        raise reader.fail(section, "before", f"lists a day twice: {before!r}")
    return replace(
        base,
        before=tuple(sorted(before, reverse=True)),
        on_day=reader.boolean(table, section, "on_day", base.on_day),
        overdue_every=reader.integer(table, section, "overdue_every", base.overdue_every, 0, 60),
        overdue_backoff=reader.integer(table, section, "overdue_backoff", base.overdue_backoff, 1, 10),
        overdue_max_gap=reader.integer(table, section, "overdue_max_gap", base.overdue_max_gap, 0, 250),
        escalate_after=reader.integer(table, section, "escalate_after", base.escalate_after, 0, 250),
    )


def _time(reader: _Reader, table: dict, section: str, key: str, default: dt.time) -> dt.time:
    value = table.get(key)
    if value is None:
        return default
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        hours, minutes = value.strip().split(":")
        return dt.time(int(hours), int(minutes))
    raise reader.fail(section, key, f"must be a time of day like \"07:30\", got {value!r}")


def parse_policy(text: str, source: str = "workflows/reminders.toml") -> ReminderPolicy:
    """Parse and validate a reminder policy; raise PolicyError naming the line of a mistake."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: {exc}") from None
    reader = _Reader(text, source)
    unknown = sorted(set(data) - {"schedule", "stages", "types", "recipients", "no_deadline", "digest", "delivery"})
    if unknown:
        raise reader.fail(unknown[0], None, "unknown section")

    raw = reader.table(data, "schedule", {"send_at", "send_on_days_off", "reminder_tick_seconds",
                                          "outbox_tick_seconds", "report_tick_seconds", "lock_retry_seconds"})
    schedule = Schedule(
        send_at=_time(reader, raw, "schedule", "send_at", Schedule.send_at),
        send_on_days_off=reader.boolean(raw, "schedule", "send_on_days_off", Schedule.send_on_days_off),
        reminder_tick_seconds=reader.integer(raw, "schedule", "reminder_tick_seconds", 300, 1, 86_400),
        outbox_tick_seconds=reader.integer(raw, "schedule", "outbox_tick_seconds", 60, 1, 86_400),
        report_tick_seconds=reader.integer(raw, "schedule", "report_tick_seconds", 300, 1, 86_400),
        lock_retry_seconds=reader.integer(raw, "schedule", "lock_retry_seconds", 15, 1, 3_600),
    )

    stages = _stages(reader, reader.table(data, "stages", _STAGE_KEYS), "stages", Stages())
    raw_types = data.get("types", {})
    if not isinstance(raw_types, dict):
        raise reader.fail("types", None, "must be a table of [types.NAME] tables")
    types: dict[str, Stages] = {}
    for name in raw_types:
        if name not in TASK_TYPES:
            raise reader.fail(f"types.{name}", None, f"unknown task type (known: {', '.join(TASK_TYPES)})")
        table = reader.table(raw_types, f"types.{name}", _STAGE_KEYS)
        types[name] = _stages(reader, table, f"types.{name}", stages)

    raw = reader.table(data, "recipients", {"agency_addresses", "agency_officers", "escalate_to"})
    recipients = Recipients(
        agency_addresses=reader.boolean(raw, "recipients", "agency_addresses", True),
        agency_officers=reader.boolean(raw, "recipients", "agency_officers", True),
        escalate_to=reader.roles(raw, "recipients", "escalate_to", ("leader",)),
    )

    raw = reader.table(data, "no_deadline", {"notify", "weekday"})
    no_deadline = NoDeadline(notify=reader.roles(raw, "no_deadline", "notify", ("clerk",)),
                             weekday=reader.integer(raw, "no_deadline", "weekday", 1, 1, 7))

    raw = reader.table(data, "digest", {"max_items"})
    digest = Digest(max_items=reader.integer(raw, "digest", "max_items", Digest.max_items, 1, 500))

    raw = reader.table(data, "delivery", {"retry_base_seconds", "retry_max_seconds", "max_attempts",
                                          "claim_timeout_seconds", "batch_size"})
    delivery = Delivery(
        retry_base_seconds=reader.integer(raw, "delivery", "retry_base_seconds", 60, 1, 86_400),
        retry_max_seconds=reader.integer(raw, "delivery", "retry_max_seconds", 3600, 1, 7 * 86_400),
        max_attempts=reader.integer(raw, "delivery", "max_attempts", 20, 1, 1000),
        claim_timeout_seconds=reader.integer(raw, "delivery", "claim_timeout_seconds", 600, 1, 86_400),
        batch_size=reader.integer(raw, "delivery", "batch_size", 200, 1, 100_000),
    )
    if delivery.retry_max_seconds < delivery.retry_base_seconds:
        raise reader.fail("delivery", "retry_max_seconds", "must not be smaller than retry_base_seconds")
    return ReminderPolicy(stages, types, schedule, recipients, no_deadline, delivery, source, digest)


def load_policy(path: Path) -> ReminderPolicy:
    """Read and validate the policy file at ``path``."""
    return parse_policy(path.read_text(encoding="utf-8"), str(path))


def find_policy(instance_path: Path | None) -> ReminderPolicy:
    """The policy of an instance: ``instance/workflows/reminders.toml`` when present, else the shipped one."""
    from tracker.resources import find_file

    return load_policy(find_file("workflows", "reminders.toml", instance_path))
