"""Task events in words, for the timeline, messages and the API. Plain Python."""

from __future__ import annotations

import datetime as dt

KIND_TITLES = {
    "created": "giao nhiệm vụ",
    "progress": "cập nhật tiến độ",
    "attachment": "đính kèm tệp",
    "assigned_officer": "giao người xử lý",
    "extension_requested": "xin gia hạn",
    "extension_approved": "đồng ý gia hạn",
    "extension_refused": "không đồng ý gia hạn",
    "direction": "cho ý kiến chỉ đạo",
    "reassigned": "chuyển nhiệm vụ sang cơ quan khác",
    "edited": "sửa nhiệm vụ",
    "reminder": "gửi nhắc việc",
}
FIELD_LABELS = {
    "status": "Trạng thái",
    "progress": "Tiến độ",
    "deadline": "Hạn xử lý",
    "judged_deadline": "Hạn dùng để đánh giá đúng hạn",
    "proposed_deadline": "Đề nghị gia hạn",
    "agency": "Cơ quan",
    "assignee": "Người xử lý",
    "summary": "Nội dung",
    "role": "Vai trò",
    "deadline_text": "Hạn ghi trong văn bản",
    "recurrence": "Chu kỳ báo cáo",
    "recurrence_until": "Báo cáo định kỳ đến ngày",
    "files": "Tệp đính kèm",
    "reply": "Văn bản báo cáo",
}
#: ids kept in the record for machines; people read the names beside them
HIDDEN_FIELDS = {"agency_id", "assignee_id"}


def _date(value) -> str:
    if not value:
        return "không có"
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def title(event, workflow) -> str:
    """What happened, as a phrase after the actor's name: "báo cáo kết quả", "xin gia hạn"..."""
    if event.kind == "transition":
        if event.transition in workflow.transitions:
            text = _lower_first(workflow.transitions[event.transition].label)
        else:
            new_state = (event.changes or {}).get("status", [None, None])[1]
            text = f"chuyển sang “{workflow.label(new_state)}”" if new_state else "chuyển trạng thái"
    elif event.kind == "progress" and event.transition:
        text = f"cập nhật tiến độ và {_lower_first(workflow.step_label(event.transition))}"
    else:
        text = KIND_TITLES.get(event.kind, event.kind)
    if getattr(event, "occurrence", None) is not None:
        text = f"{text} — kỳ {event.occurrence.label}"
    return text


def _value(name: str, value, workflow) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return workflow.label(value)
    if name == "progress":
        return f"{value}%"
    if name in {"deadline", "judged_deadline", "proposed_deadline", "recurrence_until"}:
        return _date(value)
    if name == "role":
        return "Chủ trì" if value == "lead" else "Phối hợp"
    if name == "recurrence":
        from tracker.tasks.recurrence import RecurrenceError, parse_rule

        try:
            return parse_rule(value).label
        except RecurrenceError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def change_lines(event, workflow) -> list[str]:
    """Each changed field as "Label: old → new" (created events: only the deadline and state)."""
    lines = []
    for name, pair in (event.changes or {}).items():
        if name in HIDDEN_FIELDS or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue
        old, new = pair
        label = FIELD_LABELS.get(name, name)
        if event.kind == "created":
            if name in {"deadline", "status"} and new is not None:
                lines.append(f"{label}: {_value(name, new, workflow)}")
            continue
        if name == "files":
            lines.append(f"{label}: {_value(name, new, workflow)}")
        elif name == "proposed_deadline":
            lines.append(f"{label} từ {_value(name, old, workflow)} đến {_value(name, new, workflow)}")
        elif name == "summary":
            lines.append(f"{label} mới: {new}")
        else:
            lines.append(f"{label}: {_value(name, old, workflow)} → {_value(name, new, workflow)}")
    return lines


def sentence(event, workflow) -> str:
    """The whole event in one line: "Lê Thị Tài Chính báo cáo kết quả (Trạng thái: ... → ...)"."""
    who = event.actor.full_name if event.actor is not None else "Hệ thống"
    lines = change_lines(event, workflow)
    return f"{who} {title(event, workflow)}" + (f" ({'; '.join(lines)})" if lines else "")
