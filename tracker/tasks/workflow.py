"""The task workflow declared in ``workflows/tasks.toml``: states, transitions, permissions, settings.

Read and validated once at start; a mistake stops the start with a message naming the file and line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROLES = {"admin", "clerk", "leader", "officer"}
REQUIREMENTS = {"comment", "result", "new_deadline", "progress"}


class WorkflowError(ValueError):
    """The workflow file is wrong; the message names the file and line."""


@dataclass(frozen=True)
class State:
    """A task state."""

    name: str
    label: str
    open: bool
    initial: bool = False


@dataclass(frozen=True)
class Transition:
    """A move from some states to one state, taken by some roles."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    requires: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Workflow:
    """The whole definition."""

    states: dict[str, State]
    transitions: dict[str, Transition]
    due_soon_working_days: int = 3
    leader_approves_distribution: bool = False
    max_extensions: int = 0
    source: str = ""

    @property
    def initial_state(self) -> str:
        """The state new tasks start in."""
        return next(s.name for s in self.states.values() if s.initial)

    @property
    def open_states(self) -> frozenset[str]:
        """States in which a task still has work to do."""
        return frozenset(s.name for s in self.states.values() if s.open)

    def label(self, state: str) -> str:
        """Vietnamese label of a state (the name itself when unknown, e.g. after a file change)."""
        st = self.states.get(state)
        return st.label if st else state

    def available(self, state: str, role: str) -> list[Transition]:
        """Transitions a role may take from a state, in file order."""
        return [t for t in self.transitions.values() if state in t.sources and role in t.roles]


def _line_of(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def parse_workflow(text: str, source: str = "workflows/tasks.toml") -> Workflow:
    """Parse and validate a workflow definition; raise WorkflowError naming the line of a mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"{source}: {exc}") from None

    def fail(message: str, section: str) -> WorkflowError:
        line = _line_of(text, r"^\s*\[" + re.escape(section) + r"\]")
        return WorkflowError(f"{source}, line {line}: [{section}] {message}")

    states: dict[str, State] = {}
    for name, spec in (data.get("states") or {}).items():
        section = f"states.{name}"
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise fail("needs a label", section)
        unknown = set(spec) - {"label", "open", "initial"}
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}", section)
        states[name] = State(name, spec["label"], bool(spec.get("open", True)), bool(spec.get("initial", False)))
    if not states:
        raise WorkflowError(f"{source}: no [states.*] defined")
    initial = [s.name for s in states.values() if s.initial]
    if len(initial) != 1:
        raise WorkflowError(f"{source}: exactly one state must have initial = true (found {initial or 'none'})")

    transitions: dict[str, Transition] = {}
    for name, spec in (data.get("transitions") or {}).items():
        section = f"transitions.{name}"
        if not isinstance(spec, dict):
            raise fail("must be a table", section)
        unknown = set(spec) - {"label", "from", "to", "roles", "requires"}
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}", section)
        sources = spec.get("from") or []
        if isinstance(sources, str):
            sources = [sources]
        for key, values in (("from", sources), ("to", [spec.get("to")])):
            for value in values:
                if value not in states:
                    raise fail(f"{key} names unknown state {value!r}", section)
        roles = set(spec.get("roles") or [])
        if not roles or roles - ROLES:
            raise fail(f"roles must be among {sorted(ROLES)}, got {sorted(roles)}", section)
        requires = set(spec.get("requires") or [])
        if requires - REQUIREMENTS:
            raise fail(f"requires must be among {sorted(REQUIREMENTS)}, got {sorted(requires)}", section)
        if not isinstance(spec.get("label"), str):
            raise fail("needs a label", section)
        transitions[name] = Transition(name, spec["label"], tuple(sources), spec["to"], frozenset(roles),
                                       frozenset(requires))

    settings = data.get("settings") or {}
    unknown = set(settings) - {"due_soon_working_days", "leader_approves_distribution", "max_extensions"}
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}", "settings")
    due_soon = settings.get("due_soon_working_days", 3)
    max_ext = settings.get("max_extensions", 0)
    if not isinstance(due_soon, int) or due_soon < 0:
        raise fail("due_soon_working_days must be a whole number >= 0", "settings")
    if not isinstance(max_ext, int) or max_ext < 0:
        raise fail("max_extensions must be a whole number >= 0", "settings")
    return Workflow(states, transitions, due_soon, bool(settings.get("leader_approves_distribution", False)),
                    max_ext, source)


def load_workflow(path: Path) -> Workflow:
    """Read and validate the workflow file at ``path``."""
    return parse_workflow(path.read_text(encoding="utf-8"), str(path))
