"""Helpers for task workflow tests: read and arrange tasks, post forms with the current version."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db import transaction


class Tasks:
    """Reads and arranges tasks directly in the database, so tests state their situation in one line."""

    def __init__(self, sessions, app):
        self.sessions = sessions
        self.app = app

    def get(self, task_id: int):
        """A detached snapshot of the task (with events, extensions, periods loaded)."""
        from tracker.tasks.models import Task

        with self.sessions() as s:
            task = s.get(Task, task_id)
            _ = (task.events, task.extensions, task.occurrences, task.attachments, task.agency, task.letter)
            for event in task.events:
                _ = (event.actor, event.attachments)
            s.expunge_all()
            return task

    def version(self, task_id: int) -> int:
        """The task's current version."""
        return self.get(task_id).version

    def arrange(self, task_id: int, **values):
        """Set columns of a task as a given situation (not through the workflow)."""
        from tracker.tasks.models import Task

        with transaction(self.sessions) as s:
            task = s.get(Task, task_id)
            for key, value in values.items():
                setattr(task, key, value)

    def events(self, task_id: int, kind: str | None = None) -> list:
        """The task's events, oldest first, optionally of one kind."""
        return [e for e in self.get(task_id).events if kind is None or e.kind == kind]

    def workflow(self):
        """The app's workflow."""
        return self.app.extensions["tracker.workflow"]


@pytest.fixture
def tasks(sessions, app):
    """Task helpers bound to the test's app."""
    return Tasks(sessions, app)


@pytest.fixture
def post(tasks):
    """post(browser, task_id, path, **fields): POST a task form carrying the task's current version."""
    def do(browser, task_id: int, path: str, *, version=None, data=None, **fields):
        form = {"version": str(tasks.version(task_id) if version is None else version), **fields}
        if data:
            form.update(data)
        return browser.post(f"/tasks/{task_id}{path}", data=form, content_type="multipart/form-data")
    return do


def day(text: str) -> dt.date:
    """A date from dd/mm/yyyy."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()
