"""The task workflow declared in ``workflows/tasks.toml``: states, transitions, actions, who may take them, settings.

Read and validated once at start; a mistake stops the start with a message naming the file and line.
The code only reads the definition: who may do what, from which state, with what input, all come from
the file, so an office changes its process by editing it.

Two kinds of steps are declared:

* ``[transitions.NAME]`` move a task from some states to one state (start, submit_result, accept, ...);
* ``[actions.NAME]`` change a task without moving it (update_progress, request_extension, direct, ...).
  Their names are the ones in ``ACTIONS``: the code knows what each does, the file says who may do it,
  in which states and with what input. An action the file leaves out is refused to everybody.
"""

from __future__ import annotations

import re
import tomllib
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROLES = {"admin", "clerk", "leader", "officer"}
#: what a transition or action may ask for: a comment or reason, a result report, a new date, a percentage,
#: another agency
REQUIREMENTS = {"comment", "result", "new_deadline", "progress", "agency"}
#: actions the code can perform; the file decides who may take them and where
ACTIONS = {
    "update_progress": "report a percentage and a note",
    "attach_file": "attach files to the task (with a progress update or a result)",
    "assign_officer": "hand the task to one of the agency's officers (người xử lý)",
    "request_extension": "ask for a later deadline",
    "approve_extension": "grant an extension request",
    "refuse_extension": "refuse an extension request",
    "direct": "give a direction (ý kiến chỉ đạo)",
    "reassign": "move the task to another agency",
    "edit": "correct the task's content, role, deadline or recurrence",
    "add_task": "add a task to a registered letter",
}
SETTINGS = {"due_soon_working_days", "leader_approves_distribution", "approval_state", "max_extensions",
            "progress_transition"}


class WorkflowError(ValueError):
    """The workflow file is wrong; the message names the file and line."""


@dataclass(frozen=True)
class State:
    """A task state."""

    name: str
    label: str
    open: bool
    initial: bool = False
    #: False for a state the agency does not see yet (a distribution awaiting the leader's approval)
    agency_sees: bool = True
    #: True for a state in which the agency has reported and the office reviews: no reminder to the agency
    awaits_review: bool = False


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
class Action:
    """A change that keeps the state: allowed to some roles in some states (``states`` None: in any state)."""

    name: str
    label: str
    states: frozenset[str] | None
    roles: frozenset[str]
    requires: frozenset[str] = field(default_factory=frozenset)

    def allowed_in(self, state: str) -> bool:
        """Whether the action may be taken on a task in ``state``."""
        return self.states is None or state in self.states


@dataclass(frozen=True)
class Workflow:
    """The whole definition."""

    states: dict[str, State]
    transitions: dict[str, Transition]
    due_soon_working_days: int = 3
    leader_approves_distribution: bool = False
    max_extensions: int = 0
    source: str = ""
    actions: dict[str, Action] = field(default_factory=dict)
    #: the state a clerk's new tasks wait in while leader_approves_distribution is on
    approval_state: str | None = None
    #: a progress update on a task in a state this transition leaves takes the transition too
    progress_transition: str | None = None

    @property
    def initial_state(self) -> str:
        """The state new tasks start in."""
        return next(s.name for s in self.states.values() if s.initial)

    @property
    def open_states(self) -> frozenset[str]:
        """States in which a task still has work to do."""
        return frozenset(s.name for s in self.states.values() if s.open)

    @property
    def hidden_states(self) -> frozenset[str]:
        """States the agency does not see (the distribution is not decided yet)."""
        return frozenset(s.name for s in self.states.values() if not s.agency_sees)

    @property
    def review_states(self) -> frozenset[str]:
        """Open states in which the agency has reported and waits for the office's review."""
        return frozenset(s.name for s in self.states.values() if s.awaits_review)

    @property
    def final_states(self) -> frozenset[str]:
        """Closed states other than cancelled: the task was done."""
        return frozenset(s.name for s in self.states.values() if not s.open and s.name != "cancelled")

    def label(self, state: str) -> str:
        """Vietnamese label of a state (the name itself when unknown, e.g. after a file change)."""
        st = self.states.get(state)
        return st.label if st else state

    def step_label(self, name: str | None) -> str:
        """Vietnamese label of a transition or action (the name itself when the file no longer has it)."""
        if name in self.transitions:
            return self.transitions[name].label
        if name in self.actions:
            return self.actions[name].label
        return name or ""

    def agency_sees(self, state: str) -> bool:
        """Whether an agency sees a task in ``state`` (unknown states are shown)."""
        st = self.states.get(state)
        return st.agency_sees if st else True

    def available(self, state: str, role: str) -> list[Transition]:
        """Transitions a role may take from a state, in file order."""
        return [t for t in self.transitions.values() if state in t.sources and role in t.roles]

    def allows(self, role: str | None, step: str, state: str) -> bool:
        """Whether ``role`` may take transition or action ``step`` on a task in ``state`` (by role only)."""
        if role is None:
            return False
        if step in self.transitions:
            transition = self.transitions[step]
            return state in transition.sources and role in transition.roles
        action = self.actions.get(step)
        return action is not None and role in action.roles and action.allowed_in(state)

    def requires(self, step: str) -> frozenset[str]:
        """What transition or action ``step`` needs."""
        if step in self.transitions:
            return self.transitions[step].requires
        if step in self.actions:
            return self.actions[step].requires
        return frozenset()

    def start_state(self, actor_role: str | None) -> str:
        """Where a new task starts: awaiting approval when the switch is on and a non-leader creates it."""
        if self.leader_approves_distribution and self.approval_state and actor_role != "leader":
            return self.approval_state
        return self.initial_state


def _line_of(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _string_list(value: Any) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def parse_workflow(text: str, source: str = "workflows/tasks.toml") -> Workflow:
    """Parse and validate a workflow definition; raise WorkflowError naming the line of a mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"{source}: {exc}") from None

    def fail(message: str, section: str) -> WorkflowError:
        line = _line_of(text, r"^\s*\[" + re.escape(section) + r"\]")
        return WorkflowError(f"{source}, line {line}: [{section}] {message}")

    unknown_sections = set(data) - {"settings", "states", "transitions", "actions"}
    if unknown_sections:
        name = sorted(unknown_sections)[0]
        raise fail("unknown section (expected settings, states, transitions, actions)", name)

    states: dict[str, State] = {}
    for name, spec in (data.get("states") or {}).items():
        section = f"states.{name}"
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise fail("needs a label", section)
        unknown = set(spec) - {"label", "open", "initial", "agency_sees", "awaits_review"}
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}", section)
        states[name] = State(name, spec["label"], bool(spec.get("open", True)), bool(spec.get("initial", False)),
                             bool(spec.get("agency_sees", True)), bool(spec.get("awaits_review", False)))
    if not states:
        raise WorkflowError(f"{source}: no [states.*] defined")
    initial = [s.name for s in states.values() if s.initial]
    if len(initial) != 1:
        raise WorkflowError(f"{source}: exactly one state must have initial = true (found {initial or 'none'})")
    if not states[initial[0]].agency_sees:
        raise fail("the initial state must be seen by the agency (agency_sees = true)", f"states.{initial[0]}")

    def roles_and_requires(spec: dict, section: str) -> tuple[frozenset[str], frozenset[str]]:
        roles = _string_list(spec.get("roles") or [])
        if not roles or set(roles) - ROLES:
            raise fail(f"roles must be among {sorted(ROLES)}, got {roles}", section)
        requires = _string_list(spec.get("requires") or [])
        if requires is None or set(requires) - REQUIREMENTS:
            raise fail(f"requires must be among {sorted(REQUIREMENTS)}, got {spec.get('requires')}", section)
        if not isinstance(spec.get("label"), str):
            raise fail("needs a label", section)
        return frozenset(roles), frozenset(requires)

    transitions: dict[str, Transition] = {}
    for name, spec in (data.get("transitions") or {}).items():
        section = f"transitions.{name}"
        if not isinstance(spec, dict):
            raise fail("must be a table", section)
        unknown = set(spec) - {"label", "from", "to", "roles", "requires"}
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}", section)
        sources = _string_list(spec.get("from") or [])
        if not sources:
            raise fail("from must name one or more states", section)
        for key, values in (("from", sources), ("to", [spec.get("to")])):
            for value in values:
                if value not in states:
                    raise fail(f"{key} names unknown state {value!r}", section)
        if name in ACTIONS:
            raise fail(f"{name!r} is the name of an action; choose another name", section)
        roles, requires = roles_and_requires(spec, section)
        transitions[name] = Transition(name, spec["label"], tuple(sources), spec["to"], roles, requires)

    actions: dict[str, Action] = {}
    for name, spec in (data.get("actions") or {}).items():
        section = f"actions.{name}"
        if name not in ACTIONS:
            raise fail(f"unknown action; known actions: {sorted(ACTIONS)}", section)
        if not isinstance(spec, dict):
            raise fail("must be a table", section)
        unknown = set(spec) - {"label", "in", "roles", "requires"}
        if unknown:
            raise fail(f"unknown keys {sorted(unknown)}", section)
        where = None
        if "in" in spec:
            where = _string_list(spec["in"])
            if where is None:
                raise fail("in must be a list of states", section)
            for value in where:
                if value not in states:
                    raise fail(f"in names unknown state {value!r}", section)
        roles, requires = roles_and_requires(spec, section)
        actions[name] = Action(name, spec["label"], None if where is None else frozenset(where), roles, requires)

    settings = data.get("settings") or {}
    unknown = set(settings) - SETTINGS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}", "settings")
    due_soon = settings.get("due_soon_working_days", 3)
    max_ext = settings.get("max_extensions", 0)
    if not isinstance(due_soon, int) or isinstance(due_soon, bool) or due_soon < 0:
        raise fail("due_soon_working_days must be a whole number >= 0", "settings")
    if not isinstance(max_ext, int) or isinstance(max_ext, bool) or max_ext < 0:
        raise fail("max_extensions must be a whole number >= 0", "settings")
    approves = settings.get("leader_approves_distribution", False)
    if not isinstance(approves, bool):
        raise fail("leader_approves_distribution must be true or false", "settings")
    approval_state = settings.get("approval_state")
    if approval_state is not None:
        if approval_state not in states:
            raise fail(f"approval_state names unknown state {approval_state!r}", "settings")
        if not any(approval_state in t.sources for t in transitions.values()):
            raise fail(f"no transition leaves approval_state {approval_state!r}", "settings")
    if approves and approval_state is None:
        raise fail("leader_approves_distribution = true needs approval_state", "settings")
    progress_transition = settings.get("progress_transition")
    if progress_transition is not None and progress_transition not in transitions:
        raise fail(f"progress_transition names unknown transition {progress_transition!r}", "settings")
    return Workflow(states, transitions, due_soon, approves, max_ext, source, actions, approval_state,
                    progress_transition)


def load_workflow(path: Path) -> Workflow:
    """Read and validate the workflow file at ``path``."""
    return parse_workflow(path.read_text(encoding="utf-8"), str(path))


# -- which workflow a database session works under ------------------------------------------------------------
#
# Operations are plain Python and the intake code calls ``create_task`` without a workflow; the app binds
# its workflow to its engines at start so that those calls follow the instance's file (the approval switch).

_BOUND: "weakref.WeakKeyDictionary[Any, Workflow]" = weakref.WeakKeyDictionary()


def bind_workflow(engine: Any, workflow: Workflow) -> None:
    """Make ``workflow`` the one operations use for sessions bound to ``engine``."""
    _BOUND[engine] = workflow


@lru_cache(maxsize=1)
def shipped_workflow() -> Workflow:
    """The workflow file shipped with tracker (used when no app bound one)."""
    from tracker.resources import find_file

    return load_workflow(find_file("workflows", "tasks.toml", None))


def workflow_for(session: Any) -> Workflow:
    """The workflow bound to the session's engine, else the shipped one."""
    try:
        bind = session.get_bind()
    except Exception:  # an unbound session: nothing to look up
        bind = None
    for candidate in (bind, getattr(bind, "engine", None)):
        if candidate is not None and candidate in _BOUND:
            return _BOUND[candidate]
    return shipped_workflow()
