"""The scheduled-report policy (workflows/reports.toml), validated with the line of any mistake named."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tracker.reminders.policy import PolicyError, _Reader, _time

#: extension key where the web app keeps the validated report policy
REPORT_POLICY_EXTENSION = "tracker.report_policy"


@dataclass(frozen=True)
class WeeklySummary:
    """The weekly summary the scheduler sends."""

    enabled: bool = True
    #: ISO weekday (1 = Monday) from which the previous week's summary is due
    weekday: int = 1
    send_at: dt.time = dt.time(7, 0)
    recipients: tuple[str, ...] = ("leader",)
    signer: str = ""


@dataclass(frozen=True)
class ReportPolicy:
    """All scheduled reports."""

    weekly_summary: WeeklySummary = WeeklySummary()
    source: str = "workflows/reports.toml"


def parse_report_policy(text: str, source: str = "workflows/reports.toml") -> ReportPolicy:
    """Parse and validate a report policy; raise PolicyError naming the file and line of a mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: {exc}") from None
    reader = _Reader(text, source)
    unknown = sorted(set(data) - {"weekly_summary"})
    if unknown:
        raise reader.fail(unknown[0], None, "unknown section")
    raw = reader.table(data, "weekly_summary", {"enabled", "weekday", "send_at", "recipients", "signer"})
    recipients = reader.roles(raw, "weekly_summary", "recipients", ("leader",))
    signer = raw.get("signer", "")
    if not isinstance(signer, str):
        raise reader.fail("weekly_summary", "signer", f"must be a text, got {signer!r}")
    weekly = WeeklySummary(
        enabled=reader.boolean(raw, "weekly_summary", "enabled", True),
        weekday=reader.integer(raw, "weekly_summary", "weekday", 1, 1, 7),
        send_at=_time(reader, raw, "weekly_summary", "send_at", dt.time(7, 0)),
        recipients=recipients, signer=signer.strip())
    if weekly.enabled and not weekly.recipients:
        raise reader.fail("weekly_summary", "recipients", "must name at least one role while enabled = true")
    return ReportPolicy(weekly, source)


def load_report_policy(path: Path) -> ReportPolicy:
    """Read and validate the report policy file at ``path``."""
    return parse_report_policy(path.read_text(encoding="utf-8"), str(path))


def find_report_policy(instance_path: Path | None) -> ReportPolicy:
    """The policy of an instance: ``instance/workflows/reports.toml`` when present, else the shipped one."""
    from tracker.resources import find_file

    return load_report_policy(find_file("workflows", "reports.toml", instance_path))
