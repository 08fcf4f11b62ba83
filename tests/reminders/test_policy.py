"""The reminder policy file: the shipped one is the issue's default; mistakes stop the start naming the line."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.reminders.policy import PolicyError, find_policy, parse_policy, task_type


def test_shipped_policy_is_the_default_of_the_issue():
    policy = find_policy(None)
    assert policy.stages.before == (5, 2) and policy.stages.on_day
    assert policy.stages.overdue_every == 3 and policy.stages.escalate_after == 5
    # Escalation backs off: 3, 6, 12, 24, 48, 96 working days overdue, then every 60 (issue 14).
    assert policy.stages.overdue_backoff == 2 and policy.stages.overdue_max_gap == 60
    assert policy.stages.overdue_offsets(200) == [3, 6, 12, 24, 48, 96, 156]
    assert policy.stages_for("urgent").overdue_offsets(20) == [1, 2, 4, 8, 16]
    assert policy.digest.max_items == 20
    assert policy.schedule.send_at == dt.time(7, 30)
    assert policy.recipients.escalate_to == ("leader",) and policy.no_deadline.notify == ("clerk",)
    assert policy.stages_for("lead") == policy.stages == policy.stages_for("cooperate")


def test_an_instance_copy_of_the_file_wins(tmp_path):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "reminders.toml").write_text('[stages]\nbefore = [10, 3]\n', encoding="utf-8")
    assert find_policy(tmp_path).stages.before == (10, 3)


@pytest.mark.parametrize(("text", "line", "words"), [
    ('[stages]\nbefore = [5, 2]\n\nescalate_after = "five"\n', 4, "[stages] escalate_after"),
    ('[stages]\nbefore = [5, 5]\n', 2, "twice"),
    ('[schedule]\nsend_at = "7h30"\n', 2, "time of day"),
    ('[stages]\nbefore = [5]\n\n[types.khan]\nbefore = [1]\n', 4, "unknown task type"),
    ('[types.urgent]\nbefore = [1]\nevery = 1\n', 3, "unknown key"),
    ('[recipients]\nescalate_to = ["boss"]\n', 2, "roles"),
    ('[stage]\nbefore = [5]\n', 1, "unknown section"),
    ('[stages]\noverdue_backoff = 0\n', 2, "[stages] overdue_backoff"),
    ('[digest]\n\nmax_items = 0\n', 3, "[digest] max_items"),
])
def test_mistakes_name_the_line(text, line, words):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "reminders.toml")
    assert f"reminders.toml, line {line}:" in str(caught.value)
    assert words in str(caught.value)


def test_a_wrong_policy_stops_the_app(tmp_path, database_url):
    from tracker.app import create_app

    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "reminders.toml").write_text('[delivery]\nmax_attempts = 0\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="line 2"):
        create_app({"instance_path": tmp_path, "database_url": database_url, "secret_key": "x" * 32})


def test_task_types():
    assert task_type(urgency="Khẩn", recurrence=None, role="cooperate") == "urgent"
    assert task_type(urgency=None, recurrence="monthly:20", role="lead") == "recurring"
    assert task_type(urgency="", recurrence=None, role="cooperate") == "cooperate"
