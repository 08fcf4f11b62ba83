"""The task service: every change a person or an integration makes to a task, checked and recorded.

Pages and the JSON API call these methods and nothing else, so permissions (from the workflow file and
tracker.accounts.permissions), validation and the optimistic lock hold the same everywhere. Each method
checks everything before it writes; a refusal raises and leaves nothing half-saved (the caller rolls back).
Every change bumps the task's version and appends one TaskEvent. Plain Python; the caller commits.

Refusals:
* PermissionDenied (403) — this user may not take this step on this task at all;
* TaskRefused (422, or 409 when ``conflict``) — the input is wrong or the task is not in a state for it;
  ``errors`` maps input names to Vietnamese messages;
* StaleTask (409) — the form was made from an older version of the task: someone saved in between.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import Role, User
from tracker.accounts.permissions import PermissionDenied, can, require
from tracker.agencies.models import Agency
from tracker.db import utcnow
from tracker.tasks.files import DEFAULT_MAX_BYTES, CheckedFile, FileRefused, Upload, check_files
from tracker.tasks.models import ExtensionRequest, Occurrence, Task, TaskAttachment, TaskEvent
from tracker.tasks.occurrences import ensure_occurrences, sync_deadline
from tracker.tasks.operations import TaskSpec, create_task, record
from tracker.tasks.recurrence import RecurrenceError, parse_rule
from tracker.tasks.workflow import Workflow

MAX_COMMENT = 4000
MAX_RESULT = 20000
MAX_REPLY_NUMBER = 120
MAX_SUMMARY = 4000

REQUIREMENT_MESSAGES = {
    "comment": "Vui lòng nhập ý kiến hoặc lý do.",
    "result": "Vui lòng nhập nội dung báo cáo kết quả.",
    "new_deadline": "Vui lòng nhập ngày hạn mới (ví dụ 30/09/2019).",
    "progress": "Vui lòng nhập tiến độ từ 0 đến 100%.",
    "agency": "Vui lòng chọn cơ quan.",
}


class TaskRefused(Exception):
    """Nothing was saved. ``message`` for the whole form, ``errors`` per input; ``conflict`` when the task's
    state (not the input) is the reason."""

    def __init__(self, message: str, errors: dict[str, str] | None = None, *, conflict: bool = False):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.conflict = conflict


class DuplicateTask(TaskRefused):
    """The letter already has this very task (same agency, role and content): a double submission."""

    def __init__(self, existing: Task):
        super().__init__(f"Văn bản đã có nhiệm vụ này cho cơ quan này (nhiệm vụ #{existing.id}); không thêm lần nữa.",
                         {"summary": "Trùng với một nhiệm vụ đã có."}, conflict=True)
        self.existing = existing


class StaleTask(Exception):
    """The task changed since the form was shown; ``missed`` are the events the form did not see."""

    def __init__(self, task_id: int, expected: int | None, missed: list[TaskEvent] | None = None):
        super().__init__(f"task {task_id} is no longer at version {expected}")
        self.task_id = task_id
        self.expected = expected
        self.missed = missed or []


def clean_text(value: str | None) -> str:
    """Text as typed, NFC-normalised, without surrounding blanks or stray carriage returns."""
    return unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()


def reply_text(number: str | None, date: dt.date | None) -> str | None:
    """A reply letter as people write it: "245/BC-SLĐTBXH ngày 25/09/2019"; None when there is none."""
    if not number:
        return None
    return f"{number} ngày {date.strftime('%d/%m/%Y')}" if date else number


def fmt_date(day: dt.date | None) -> str:
    """dd/mm/yyyy, or "không có hạn"."""
    return day.strftime("%d/%m/%Y") if day else "không có hạn"


@dataclass
class TaskService:
    """The operations on tasks for one request or job: a session, the workflow, the office's today."""

    session: Session
    workflow: Workflow
    today: dt.date
    files_dir: Path | None = None
    max_file_bytes: int = DEFAULT_MAX_BYTES
    calendar: object | None = field(default=None, repr=False)

    # -- seeing ----------------------------------------------------------------------------------------------

    def can_view(self, actor: User, task: Task) -> bool:
        """Whether ``actor`` may open the task: officers only their agency's, and only once distributed."""
        if not can(actor, "task.view", task):
            return False
        if actor.role == Role.OFFICER and not self.workflow.agency_sees(task.status):
            return False
        return True

    def check_view(self, actor: User, task: Task) -> None:
        """Raise PermissionDenied unless ``actor`` may open the task."""
        require(actor, "task.view", task)
        if actor.role == Role.OFFICER and not self.workflow.agency_sees(task.status):
            raise PermissionDenied("Nhiệm vụ này đang chờ lãnh đạo duyệt phân công; cơ quan chưa xem được.")

    def may(self, actor: User, step: str, task: Task, occurrence: Occurrence | None = None) -> bool:
        """Whether ``actor`` may take transition or action ``step`` on the task (or one of its periods) now."""
        obj = (self.workflow, step, task) if occurrence is None else (self.workflow, step, task, occurrence.status)
        return can(actor, "task.act", obj)

    def transitions_for(self, actor: User, task: Task, occurrence: Occurrence | None = None) -> list:
        """The transitions ``actor`` may take now, in file order (period reports on a recurring task's periods)."""
        state = occurrence.status if occurrence is not None else task.status
        found = []
        for transition in self.workflow.transitions.values():
            if state not in transition.sources or not self.may(actor, transition.name, task, occurrence):
                continue
            if occurrence is None and task.is_recurring and "result" in transition.requires:
                continue  # a recurring task reports period by period
            if occurrence is not None and transition.target not in self.workflow.open_states \
                    and transition.target not in self.workflow.final_states:
                continue  # a period is not cancelled on its own: the task is
            found.append(transition)
        return found

    def missed_events(self, task: Task, version: int | None) -> list[TaskEvent]:
        """Events recorded after ``version`` of the task (what a stale form did not see), oldest first."""
        if version is None:
            return []
        return list(self.session.scalars(select(TaskEvent).where(
            TaskEvent.task_id == task.id, TaskEvent.task_version > version).order_by(TaskEvent.id)))

    # -- shared checks ---------------------------------------------------------------------------------------

    def allow(self, actor: User, step: str, task: Task, occurrence: Occurrence | None = None, *,
              version=None, check_version: bool = False) -> None:
        """Raise PermissionDenied (403) when the role may never take the step on this task, StaleTask when
        ``version`` (if checked) is not the task's, TaskRefused (conflict) when only the task's state is wrong;
        return quietly when the step is allowed now. The version comes before the state: a state that changed
        under a stale form is reported as the change it is."""
        self.check_view(actor, task)
        if check_version and self.may_ever(actor, step, task):
            self._check_version(task, version)
        if self.may(actor, step, task, occurrence):
            return
        state = occurrence.status if occurrence is not None else task.status
        label = self.workflow.step_label(step)
        if self.may_ever(actor, step, task):
            raise TaskRefused(f"Không thể “{label}” khi nhiệm vụ đang ở trạng thái “{self.workflow.label(state)}”.",
                              conflict=True)
        raise PermissionDenied(f"Bạn không có quyền “{label}” đối với nhiệm vụ này.")

    def may_ever(self, actor: User, step: str, task: Task) -> bool:
        """Whether the role may take ``step`` in some state, and an officer only on their agency's task."""
        role = actor.role if actor.is_authenticated else None
        if not any(self.workflow.allows(role, step, s) for s in self.workflow.states):
            return False
        return role != Role.OFFICER or actor.agency_id == task.agency_id

    def _check_version(self, task: Task, version) -> None:
        try:
            expected = int(version)
        except (TypeError, ValueError):
            raise TaskRefused("Thiếu số phiên bản của nhiệm vụ (version); hãy tải lại trang rồi thử lại.",
                              {"version": "Bắt buộc."}) from None
        if expected != task.version:
            raise StaleTask(task.id, expected, self.missed_events(task, expected))

    def _save(self, task: Task) -> None:
        """Bump the version (the UPDATE checks the old one: a concurrent save makes this fail, not overwrite)."""
        task_id = task.id  # read now: after a failed flush the session must be rolled back first
        task.updated_at = utcnow()
        try:
            self.session.flush()
        except StaleDataError:
            raise StaleTask(task_id, None) from None

    def _files(self, uploads: list[Upload] | None) -> list[CheckedFile]:
        try:
            checked = check_files(list(uploads or []), self.max_file_bytes)
        except FileRefused as exc:
            raise TaskRefused(str(exc), {"files": str(exc)}) from None
        if checked and self.files_dir is None:
            raise RuntimeError("files_dir is needed to store attachments")
        return checked

    def _attach(self, task: Task, actor: User, files: list[CheckedFile], purpose: str, event: TaskEvent,
                occurrence: Occurrence | None = None) -> list[TaskAttachment]:
        from tracker.intake.operations import store_file

        attached = []
        for item in files:
            stored = store_file(self.session, self.files_dir, item.data, item.content_type)
            attachment = TaskAttachment(task=task, occurrence_id=occurrence.id if occurrence else None, event=event,
                                        file=stored, file_name=item.name, purpose=purpose, uploaded_by=actor)
            self.session.add(attachment)
            attached.append(attachment)
        if attached:
            event.changes = {**event.changes, "files": [None, [a.file_name for a in attached]]}
        return attached

    def _requirements(self, step: str, values: dict) -> dict[str, str]:
        errors = {}
        for need in self.workflow.requires(step):
            value = values.get(need)
            if value is None or value == "":
                errors[need] = REQUIREMENT_MESSAGES[need]
        return errors

    @staticmethod
    def _length(errors: dict, name: str, value: str | None, limit: int) -> None:
        if value and len(value) > limit:
            errors[name] = f"Tối đa {limit:,} ký tự.".replace(",", ".")

    @staticmethod
    def _progress(errors: dict, value) -> int | None:
        if value is None or value == "":
            return None
        try:
            number = int(value)
            if isinstance(value, float) and value != number:
                raise ValueError
        except (TypeError, ValueError):
            errors["progress"] = "Tiến độ phải là một số nguyên từ 0 đến 100."
            return None
        if not 0 <= number <= 100:
            errors["progress"] = "Tiến độ phải từ 0 đến 100%."
            return None
        return number

    def _check_reply(self, errors: dict, number: str | None, date: dt.date | None) -> None:
        self._length(errors, "reply_number", number, MAX_REPLY_NUMBER)
        if date is not None and not number:
            errors["reply_number"] = "Nhập số, ký hiệu của văn bản báo cáo (hoặc bỏ trống cả ngày)."
        if date is not None and date > self.today:
            errors["reply_date"] = "Ngày văn bản báo cáo không thể sau hôm nay."

    def _refuse_if(self, errors: dict[str, str], message: str = "Vui lòng sửa các mục được đánh dấu.") -> None:
        if errors:
            raise TaskRefused(message, errors)

    # -- transitions -----------------------------------------------------------------------------------------

    def transition(self, actor: User, task: Task, name: str, *, version, comment: str | None = None,
                   result: str | None = None, new_deadline: dt.date | None = None, progress=None,
                   files: list[Upload] | None = None, occurrence: Occurrence | None = None,
                   reply_number: str | None = None, reply_date: dt.date | None = None) -> TaskEvent:
        """Take transition ``name`` on the task, or on one period of a recurring task.

        A result report (a transition that requires ``result``), of a one-off task or of one period, may name the
        agency's written report or reply (``reply_number``, ``reply_date``), which the follow-up register prints.
        """
        transition = self.workflow.transitions.get(name)
        if transition is None:
            raise TaskRefused(f"Không có thao tác “{name}” trong quy trình.", conflict=True)
        if occurrence is not None and occurrence.task_id != task.id:
            raise TaskRefused("Kỳ báo cáo không thuộc nhiệm vụ này.", conflict=True)
        if occurrence is not None and transition.target not in self.workflow.open_states \
                and transition.target not in self.workflow.final_states:
            raise TaskRefused("Không hủy riêng một kỳ báo cáo; hãy hủy cả nhiệm vụ nếu không còn phải báo cáo.",
                              conflict=True)
        self.allow(actor, name, task, occurrence, version=version, check_version=True)
        if occurrence is None and task.is_recurring and "result" in transition.requires:
            raise TaskRefused("Nhiệm vụ định kỳ: hãy báo cáo kết quả theo từng kỳ.", conflict=True)
        comment, result = clean_text(comment), clean_text(result)
        errors = self._requirements(name, {"comment": comment, "result": result, "new_deadline": new_deadline,
                                           "progress": progress})
        self._length(errors, "comment", comment, MAX_COMMENT)
        self._length(errors, "result", result, MAX_RESULT)
        number = self._progress(errors, progress) if "progress" in transition.requires else None
        takes_reply = "result" in transition.requires
        reply_number = clean_text(reply_number) or None if takes_reply else None
        reply_date = reply_date if takes_reply else None
        if takes_reply:
            self._check_reply(errors, reply_number, reply_date)
        if "new_deadline" in transition.requires and new_deadline is not None and new_deadline < self.today:
            errors["new_deadline"] = "Hạn mới không thể trước hôm nay."
        checked = self._files(files)
        if checked and "result" not in transition.requires and not self.may(actor, "attach_file", task, occurrence):
            errors["files"] = "Không thể đính kèm tệp với thao tác này."
        self._refuse_if(errors)

        item = occurrence if occurrence is not None else task
        old_state = item.status
        changes: dict = {"status": (old_state, transition.target)}
        item.status = transition.target
        if "result" in transition.requires:
            item.result_text = result
            item.result_submitted_on = self.today
        if takes_reply and (reply_number, reply_date) != (item.reply_number, item.reply_date):
            # a one-off task keeps its report letter; a recurring task's each period keeps its own
            changes["reply"] = (reply_text(item.reply_number, item.reply_date), reply_text(reply_number, reply_date))
            item.reply_number, item.reply_date = reply_number, reply_date
        if number is not None and occurrence is None and number != task.progress:
            changes["progress"] = (task.progress, number)
            task.progress = number
        if "new_deadline" in transition.requires and occurrence is None:
            changes["deadline"] = (task.deadline, new_deadline)
            task.deadline = task.judged_deadline = new_deadline
        target_open = transition.target in self.workflow.open_states
        if not target_open:
            item.completed_at = utcnow()
            item.completed_on = (item.result_submitted_on or self.today) if transition.target in self.workflow.final_states \
                else self.today
            if occurrence is None and transition.target in self.workflow.final_states and task.progress != 100:
                changes["progress"] = (task.progress, 100)
                task.progress = 100
        elif old_state not in self.workflow.open_states:
            # reopened: the old completion and the result it was judged by no longer count
            item.completed_at = None
            item.completed_on = None
            item.result_submitted_on = None
        if occurrence is not None:
            sync_deadline(task, self.workflow)
        self._save(task)
        event = record(self.session, task, "transition", actor=actor, transition=name, changes=changes,
                       comment=result or comment or None, occurrence=occurrence)
        self._attach(task, actor, checked, "result" if "result" in transition.requires else "progress", event,
                     occurrence)
        if occurrence is not None and transition.target not in self.workflow.open_states:
            ensure_occurrences(self.session, task, self.today, workflow=self.workflow)
        self.session.flush()
        return event

    def approve_letter(self, actor: User, letter, *, comment: str | None) -> list[Task]:
        """Approve the distribution of every task of ``letter`` awaiting approval, with one direction."""
        waiting = [t for t in letter.tasks if t.status == self.workflow.approval_state]
        if not waiting:
            raise TaskRefused("Văn bản không có nhiệm vụ nào đang chờ duyệt phân công.", conflict=True)
        approve = next((t for t in self.workflow.transitions.values()
                        if self.workflow.approval_state in t.sources
                        and t.target in self.workflow.open_states and t.target != self.workflow.approval_state), None)
        if approve is None:
            raise TaskRefused("Quy trình không có bước duyệt phân công.", conflict=True)
        for task in waiting:
            self.transition(actor, task, approve.name, version=task.version, comment=comment)
        return waiting

    # -- the agency's work -----------------------------------------------------------------------------------

    def update_progress(self, actor: User, task: Task, *, version, progress=None, note: str | None = None,
                        files: list[Upload] | None = None) -> TaskEvent:
        """Report progress (percent and a note) and/or attach files; may also take the file's progress_transition."""
        self.allow(actor, "update_progress", task, version=version, check_version=True)
        note = clean_text(note)
        errors: dict[str, str] = {}
        number = self._progress(errors, progress)
        self._length(errors, "note", note, MAX_COMMENT)
        checked = self._files(files)
        if checked and not self.may(actor, "attach_file", task):
            raise PermissionDenied("Bạn không có quyền đính kèm tệp cho nhiệm vụ này.")
        if "progress" in self.workflow.requires("update_progress") and number is None and "progress" not in errors \
                and not checked:
            errors["progress"] = REQUIREMENT_MESSAGES["progress"]
        if "comment" in self.workflow.requires("update_progress") and not note:
            errors["note"] = REQUIREMENT_MESSAGES["comment"]
        self._refuse_if(errors)
        if (number is None or number == task.progress) and not note and not checked:
            raise TaskRefused("Không có gì thay đổi: hãy nhập tiến độ mới, ghi chú hoặc chọn tệp.",
                              {"progress": "Tiến độ chưa thay đổi."})
        changes: dict = {}
        transition_name = None
        if number is not None and number != task.progress:
            changes["progress"] = (task.progress, number)
            task.progress = number
        moving = self.workflow.transitions.get(self.workflow.progress_transition or "")
        if moving is not None and task.status in moving.sources and self.may(actor, moving.name, task) \
                and not moving.requires:
            changes["status"] = (task.status, moving.target)
            task.status = moving.target
            transition_name = moving.name
        self._save(task)
        kind = "progress" if changes.get("progress") or not checked else "attachment"
        event = record(self.session, task, kind, actor=actor, changes=changes, comment=note or None,
                       transition=transition_name)
        self._attach(task, actor, checked, "progress", event)
        self.session.flush()
        return event

    def assign_officer(self, actor: User, task: Task, *, version, assignee_id: int | None) -> TaskEvent:
        """Hand the task to one of its agency's officers (người xử lý); None takes it back to the agency."""
        self.allow(actor, "assign_officer", task, version=version, check_version=True)
        assignee = None
        if assignee_id is not None:
            assignee = self.session.get(User, assignee_id)
            if assignee is None or not assignee.active or assignee.role != Role.OFFICER \
                    or assignee.agency_id != task.agency_id:
                raise TaskRefused("Người xử lý phải là cán bộ đang hoạt động của cơ quan được giao.",
                                  {"assignee_id": "Chọn một cán bộ của cơ quan."})
        if (assignee.id if assignee else None) == task.assignee_id:
            raise TaskRefused("Nhiệm vụ đã được giao cho người này.", {"assignee_id": "Chưa thay đổi."})
        old = task.assignee
        task.assignee = assignee
        self._save(task)
        event = record(self.session, task, "assigned_officer", actor=actor, changes={
            "assignee_id": (old.id if old else None, assignee.id if assignee else None),
            "assignee": (old.full_name if old else None, assignee.full_name if assignee else None)})
        self.session.flush()
        return event

    # -- extensions ------------------------------------------------------------------------------------------

    def request_extension(self, actor: User, task: Task, *, version, new_deadline: dt.date | None,
                          reason: str | None) -> ExtensionRequest:
        """Ask for a later deadline with a reason; the leader decides."""
        self.allow(actor, "request_extension", task, version=version, check_version=True)
        if task.is_recurring:
            raise TaskRefused("Nhiệm vụ định kỳ: hạn của từng kỳ báo cáo không gia hạn được.", conflict=True)
        if task.deadline is None:
            raise TaskRefused("Nhiệm vụ không có hạn xử lý nên không cần gia hạn.", conflict=True)
        if task.pending_extension is not None:
            raise TaskRefused("Đã có đề nghị gia hạn đang chờ lãnh đạo xem xét.", conflict=True)
        self._check_extension_cap(task)
        reason = clean_text(reason)
        errors = self._requirements("request_extension", {"comment": reason, "new_deadline": new_deadline})
        if "comment" in errors:
            errors["reason"] = "Vui lòng nêu lý do xin gia hạn."
            del errors["comment"]
        if new_deadline is None:
            errors["new_deadline"] = REQUIREMENT_MESSAGES["new_deadline"]
        elif new_deadline <= task.deadline:
            errors["new_deadline"] = f"Ngày đề nghị phải sau hạn hiện tại ({fmt_date(task.deadline)})."
        elif new_deadline < self.today:
            errors["new_deadline"] = "Ngày đề nghị không thể trước hôm nay."
        self._length(errors, "reason", reason, MAX_COMMENT)
        self._refuse_if(errors)
        request = ExtensionRequest(task=task, status="pending", requested_by=actor, requested_on=self.today,
                                   old_deadline=task.deadline, proposed_deadline=new_deadline, reason=reason)
        self.session.add(request)
        self._save(task)
        record(self.session, task, "extension_requested", actor=actor,
               changes={"proposed_deadline": (task.deadline, new_deadline)}, comment=reason)
        self.session.flush()
        return request

    def _check_extension_cap(self, task: Task) -> None:
        cap = self.workflow.max_extensions
        if cap and task.approved_extensions >= cap:
            raise TaskRefused(f"Nhiệm vụ đã được gia hạn {task.approved_extensions} lần, "
                              f"tối đa theo quy định là {cap} lần.", conflict=True)

    def decide_extension(self, actor: User, task: Task, request_id: int, *, version, approve: bool,
                         comment: str | None = None, granted_deadline: dt.date | None = None) -> ExtensionRequest:
        """Approve or refuse an extension request; an approval moves the deadline (the history keeps the old one).

        On-time judgement: an approval given while the deadline in force has not passed moves it too; one given
        after it passed leaves it, so the task stays late.
        """
        step = "approve_extension" if approve else "refuse_extension"
        self.allow(actor, step, task, version=version, check_version=True)
        request = next((e for e in task.extensions if e.id == request_id), None)
        if request is None:
            raise TaskRefused("Không tìm thấy đề nghị gia hạn này.", conflict=True)
        if request.status != "pending":
            raise TaskRefused("Đề nghị gia hạn này đã được xử lý.", conflict=True)
        comment = clean_text(comment)
        errors = self._requirements(step, {"comment": comment})
        self._length(errors, "comment", comment, MAX_COMMENT)
        granted = None
        if approve:
            self._check_extension_cap(task)
            granted = granted_deadline or request.proposed_deadline
            if task.deadline is not None and granted <= task.deadline:
                errors["granted_deadline"] = f"Hạn mới phải sau hạn hiện tại ({fmt_date(task.deadline)})."
            elif granted < self.today:
                errors["granted_deadline"] = "Hạn mới không thể trước hôm nay."
        self._refuse_if(errors)
        request.status = "approved" if approve else "refused"
        request.decided_by = actor
        request.decided_at = utcnow()
        request.decided_on = self.today
        request.decision_comment = comment or None
        changes: dict = {}
        if approve:
            judged = task.judged_deadline or task.deadline
            moves = judged is not None and self.today <= judged
            request.granted_deadline = granted
            request.moves_judged_deadline = moves
            changes["deadline"] = (task.deadline, granted)
            task.deadline = granted
            if moves:
                changes["judged_deadline"] = (task.judged_deadline, granted)
                task.judged_deadline = granted
        self._save(task)
        record(self.session, task, "extension_approved" if approve else "extension_refused", actor=actor,
               changes=changes, comment=comment or None)
        self.session.flush()
        return request

    # -- leaders ---------------------------------------------------------------------------------------------

    def direct(self, actor: User, task: Task, *, version, comment: str | None) -> TaskEvent:
        """Give a direction on the task (ý kiến chỉ đạo)."""
        self.allow(actor, "direct", task, version=version, check_version=True)
        comment = clean_text(comment)
        errors = {} if comment else {"comment": "Vui lòng nhập ý kiến chỉ đạo."}
        self._length(errors, "comment", comment, MAX_COMMENT)
        self._refuse_if(errors)
        self._save(task)
        event = record(self.session, task, "direction", actor=actor, comment=comment)
        self.session.flush()
        return event

    def reassign(self, actor: User, task: Task, *, version, agency_id: int | None, comment: str | None) -> TaskEvent:
        """Move the task to another agency; its officer assignment is cleared, its history stays."""
        self.allow(actor, "reassign", task, version=version, check_version=True)
        comment = clean_text(comment)
        errors = self._requirements("reassign", {"comment": comment, "agency": agency_id})
        agency = self.session.get(Agency, agency_id) if agency_id is not None else None
        if agency_id is not None and (agency is None or not agency.active):
            errors["agency"] = "Cơ quan không tồn tại hoặc đã ngừng hoạt động."
        elif agency is None:
            errors.setdefault("agency", REQUIREMENT_MESSAGES["agency"])
        elif agency.id == task.agency_id:
            errors["agency"] = "Nhiệm vụ đang được giao cho chính cơ quan này."
        self._length(errors, "comment", comment, MAX_COMMENT)
        self._refuse_if(errors)
        old = task.agency
        changes = {"agency_id": (old.id, agency.id), "agency": (old.name, agency.name)}
        if task.assignee_id is not None:
            changes["assignee"] = (task.assignee.full_name, None)
            task.assignee = None
        task.agency = agency
        self._save(task)
        event = record(self.session, task, "reassigned", actor=actor, changes=changes, comment=comment or None)
        self.session.flush()
        return event

    # -- clerks ----------------------------------------------------------------------------------------------

    def _validate_spec(self, errors: dict, *, summary: str, role: str, recurrence: str | None) -> None:
        if not summary:
            errors["summary"] = "Vui lòng nhập nội dung nhiệm vụ."
        self._length(errors, "summary", summary, MAX_SUMMARY)
        if role not in {"lead", "cooperate"}:
            errors["role"] = "Vai trò phải là chủ trì hoặc phối hợp."
        if recurrence:
            try:
                parse_rule(recurrence)
            except RecurrenceError as exc:
                errors["recurrence"] = str(exc)

    def edit(self, actor: User, task: Task, *, version, summary: str, role: str, deadline: dt.date | None,
             deadline_text: str | None = None, recurrence: str | None = None,
             recurrence_until: dt.date | None = None, comment: str | None = None) -> TaskEvent:
        """Correct a task's content, role, deadline or recurrence (a correction, not an extension)."""
        self.allow(actor, "edit", task, version=version, check_version=True)
        summary, comment = clean_text(summary), clean_text(comment)
        deadline_text = clean_text(deadline_text) or None
        recurrence = clean_text(recurrence).lower() or None
        errors: dict[str, str] = {}
        self._validate_spec(errors, summary=summary, role=role, recurrence=recurrence)
        self._length(errors, "comment", comment, MAX_COMMENT)
        if recurrence != task.recurrence and any(o.status != self.workflow.initial_state or o.result_text
                                                 for o in task.occurrences):
            errors["recurrence"] = "Đã có kỳ được báo cáo: không thể đổi chu kỳ; hãy hủy và giao nhiệm vụ mới."
        self._refuse_if(errors)
        changes: dict = {}
        for name, value in (("summary", summary), ("role", role), ("deadline_text", deadline_text),
                            ("recurrence", recurrence), ("recurrence_until", recurrence_until)):
            if getattr(task, name) != value:
                changes[name] = (getattr(task, name), value)
                setattr(task, name, value)
        if recurrence is None and task.deadline != deadline:
            changes["deadline"] = (task.deadline, deadline)
            task.deadline = deadline
            task.judged_deadline = deadline
            if not task.approved_extensions:
                task.original_deadline = deadline
        if not changes:
            raise TaskRefused("Không có thay đổi nào để lưu.")
        if "recurrence" in changes:
            for occurrence in list(task.occurrences):
                self.session.delete(occurrence)
            task.occurrences.clear()
            self.session.flush()
            if recurrence:
                ensure_occurrences(self.session, task, self.today, workflow=self.workflow)
        self._save(task)
        event = record(self.session, task, "edited", actor=actor, changes=changes, comment=comment or None)
        self.session.flush()
        return event

    def add_task(self, actor: User, letter, *, agency_id: int | None, role: str, summary: str,
                 deadline: dt.date | None, deadline_text: str | None = None, recurrence: str | None = None,
                 recurrence_until: dt.date | None = None) -> Task:
        """Add a task to a registered letter; where it starts follows the workflow (approval switch)."""
        role_name = actor.role if actor.is_authenticated else None
        if not self.workflow.allows(role_name, "add_task", self.workflow.initial_state):
            raise PermissionDenied("Bạn không có quyền thêm nhiệm vụ.")
        summary = clean_text(summary)
        recurrence = clean_text(recurrence).lower() or None
        errors: dict[str, str] = {}
        self._validate_spec(errors, summary=summary, role=role, recurrence=recurrence)
        agency = self.session.get(Agency, agency_id) if agency_id is not None else None
        if agency is None or not agency.active:
            errors["agency"] = "Vui lòng chọn một cơ quan đang hoạt động."
        if deadline is not None and letter.received_on and deadline < letter.received_on:
            errors["deadline"] = "Hạn xử lý không thể trước ngày đến của văn bản."
        self._refuse_if(errors)
        existing = next((t for t in letter.tasks if t.agency_id == agency.id and t.role == role
                         and t.summary == summary and t.status != "cancelled"), None)
        if existing is not None:
            raise DuplicateTask(existing)
        spec = TaskSpec(agency_id=agency.id, role=role, summary=summary, deadline=None if recurrence else deadline,
                        deadline_text=clean_text(deadline_text) or None, recurrence=recurrence,
                        recurrence_until=recurrence_until, starts_on=self.today)
        task = create_task(self.session, letter, spec, actor=actor, workflow=self.workflow)
        if recurrence:
            ensure_occurrences(self.session, task, self.today, workflow=self.workflow)
        self.session.flush()
        return task
