"""The OpenAPI 3.1 document of the JSON API (served at /api/openapi.json). Plain data."""

from __future__ import annotations

from tracker import __name__ as _package
from tracker.db import MAX_INTEGER

DATE = {"type": ["string", "null"], "format": "date"}
TEXT = {"type": ["string", "null"]}
#: a database id: what the API accepts in paths, filters and bodies (anything else is 404 or 422)
ID = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_body(properties: dict, required: list[str], description: str) -> dict:
    return {"required": True, "description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


#: every endpoint but this document's needs a token; a NUL character in a path or a body is refused
AUTH_ERRORS = {
    "400": _error("Đường dẫn hoặc nội dung có ký tự NUL (không lưu được), hoặc nội dung JSON không phải là "
                  "một đối tượng"),
    "401": _error("Thiếu mã truy cập, mã sai, đã bị thu hồi hoặc đã hết hạn"),
    "403": _error("Không có quyền (vai trò, cơ quan, hoặc mã chỉ có quyền đọc)"),
}
NOT_FOUND = {"404": _error("Không tìm thấy (mã số không tồn tại hoặc không phải số nguyên dương trong phạm vi)")}
BAD_QUERY = {"422": _error("Tham số không đọc được (mã số, số trang, thời điểm); error.fields nêu từng tham số")}
ERRORS = {**AUTH_ERRORS, **NOT_FOUND}
CHANGE_ERRORS = {
    **ERRORS,
    "409": _error("Phiên bản cũ (có người vừa cập nhật) hoặc trạng thái không cho phép; "
                  "error.current là nhiệm vụ hiện tại"),
    "413": _error("Nội dung gửi lên quá lớn"),
    "415": _error("Nội dung không phải JSON (Content-Type: application/json)"),
    "422": _error("Dữ liệu không hợp lệ; error.fields nêu từng trường"),
}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": ID}
VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER,
           "description": "Phiên bản của nhiệm vụ đã đọc (khóa lạc quan)"}


def _change(summary: str, body: dict, extra_params: list | None = None) -> dict:
    return {"post": {"summary": summary, "parameters": [TASK_ID, *(extra_params or [])], "requestBody": body,
                     "responses": {"200": {"description": "Nhiệm vụ sau thay đổi",
                                           "content": {"application/json": {"schema": _ref("TaskDetail")}}},
                                   **CHANGE_ERRORS}}}


def document() -> dict:
    """The OpenAPI document."""
    task_props = {
        "id": {"type": "integer"},
        "url": {"type": "string"},
        "letter": {"type": "object", "properties": {
            "id": {"type": "integer"}, "number": TEXT, "doc_type": TEXT, "received_number": {"type": ["integer", "null"]},
            "received_year": {"type": ["integer", "null"]}, "received_on": DATE, "issued_on": DATE, "issuer": TEXT,
            "subject": TEXT}},
        "agency": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                     "short_name": TEXT}},
        "role": {"type": "string", "enum": ["lead", "cooperate"]},
        "summary": {"type": "string"},
        "status": {"type": "string", "description": "Trạng thái theo tệp quy trình workflows/tasks.toml"},
        "status_label": {"type": "string"},
        "deadline": DATE,
        "original_deadline": DATE,
        "judged_deadline": {**DATE, "description": "Hạn dùng để đánh giá đúng hạn"},
        "deadline_text": TEXT,
        "deadline_status": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["on_track", "due_soon", "overdue", "no_deadline", "done_on_time",
                                                "done_late", "cancelled"]},
            "label": {"type": "string"}, "text": {"type": "string"},
            "working_days": {"type": ["integer", "null"], "description": "Số ngày làm việc còn lại (âm: quá hạn)"}}},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "assignee": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "recurrence": TEXT,
        "result": {"type": "object", "properties": {"text": TEXT, "submitted_on": DATE}},
        "reply": {"type": ["object", "null"], "description": "Văn bản báo cáo kèm kết quả",
                  "properties": {"number": TEXT, "date": DATE}},
        "completed_on": DATE,
        "version": VERSION,
        "updated_at": {"type": "string", "format": "date-time"},
    }
    detail = {"allOf": [_ref("Task"), {"type": "object", "properties": {
        "transitions": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "label": {"type": "string"}, "to": {"type": "string"},
            "requires": {"type": "array", "items": {"type": "string"}}}}},
        "actions": {"type": "array", "items": {"type": "string"}},
        "extensions": {"type": "array", "items": _ref("Extension")},
        "periods": {"type": "array", "items": _ref("Period")},
        "attachments": {"type": "array", "items": {"type": "object"}},
        "other_tasks": {"type": "array", "items": {"type": "object"}}}}]}
    list_params = [
        {"name": "status", "in": "query", "schema": {"type": "string"},
         "description": "Một trạng thái của quy trình, hoặc open / finished / closed"},
        {"name": "due", "in": "query", "schema": {"type": "string", "enum": ["overdue", "soon", "week", "none", "reached"]}},
        {"name": "role", "in": "query", "schema": {"type": "string", "enum": ["lead", "cooperate"]}},
        {"name": "letter", "in": "query", "schema": ID},
        {"name": "agency", "in": "query", "schema": ID},
        {"name": "assignee", "in": "query", "schema": ID},
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Tìm trong văn bản (không dấu)"},
        {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["deadline", "-deadline", "created",
                                                                            "-created", "id", "-id", "updated",
                                                                            "-updated"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
         "description": "Số trang; số lớn hơn số trang hiện có cho trang cuối"},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100},
         "description": "Số mục mỗi trang (mặc định 20; số lớn hơn 100 được tính là 100)"},
    ]
    page_params = [p for p in list_params if p["name"] in {"page", "per_page"}]

    def paged(item: str) -> dict:
        return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(item)},
                                                 "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                                 "total": {"type": "integer", "description": (
                                                     "Số mục, đếm tối đa đến 10.000")},
                                                 "total_exact": {"type": "boolean", "description": (
                                                     "Sai khi có hơn 10.000 mục: các trang dừng ở mục thứ "
                                                     "10.000, hãy lọc để thu hẹp")},
                                                 "pages": {"type": "integer"}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "Tracker API — theo dõi nhiệm vụ", "version": "1",
                 "description": "Đọc và cập nhật nhiệm vụ cho hệ thống khác (e-office, bảng điều khiển). "
                                "Xác thực: Authorization: Bearer <mã> (tạo bằng lệnh `tracker api-token create`). "
                                "Cùng quyền và kiểm tra như giao diện web. Ngày theo ISO 8601 (YYYY-MM-DD). "
                                "Mọi thay đổi cần `version` của nhiệm vụ đã đọc; phiên bản cũ nhận 409. "
                                "Mã số là số nguyên dương đến 2147483647, viết bằng chữ số ASCII: mã khác trong "
                                "đường dẫn nhận 404, trong tham số hoặc nội dung nhận 422. Phương thức không được "
                                "hỗ trợ nhận 405 kèm tiêu đề Allow. Mọi lỗi là JSON dạng Error.",
                 "x-package": _package},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "Mã truy cập của một hệ thống tích hợp (Authorization: Bearer <mã>), tạo bằng lệnh "
                               "`tracker api-token create` hoặc trang Quản trị › Mã truy cập API; mã hành động "
                               "với vai trò và cơ quan của tài khoản gắn với nó. Quyền “read” (chỉ đọc) chỉ dùng "
                               "được GET, HEAD, OPTIONS; mọi phương thức khác nhận 403. Quyền “write” (đọc và "
                               "ghi) làm được mọi việc tài khoản được phép. Thiếu mã, mã sai, đã thu hồi hoặc đã "
                               "hết hạn nhận 401."}},
            "schemas": {
                "Task": {"type": "object", "properties": task_props},
                "TaskDetail": detail,
                "TaskPage": paged("Task"),
                "Event": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                    "kind": {"type": "string"}, "transition": TEXT, "actor": TEXT, "title": {"type": "string"},
                    "changes": {"type": "object", "description": "{trường: [cũ, mới]}"},
                    "lines": {"type": "array", "items": {"type": "string"}}, "comment": TEXT,
                    "period_id": {"type": ["integer", "null"]}, "task_version": {"type": ["integer", "null"]}}},
                "EventPage": paged("Event"),
                "Extension": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["pending", "approved", "refused"]},
                    "requested_on": DATE, "requested_by": TEXT, "old_deadline": DATE, "proposed_deadline": DATE,
                    "reason": {"type": "string"}, "decided_on": DATE, "decided_by": TEXT, "decision_comment": TEXT,
                    "granted_deadline": DATE, "moves_judged_deadline": {"type": ["boolean", "null"]}}},
                "Period": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "label": {"type": "string"}, "period_start": DATE, "period_end": DATE,
                    "deadline": DATE, "status": {"type": "string"}, "status_label": {"type": "string"},
                    "deadline_status": {"type": "string"},
                    "result": {"type": "object", "properties": {"text": TEXT, "submitted_on": DATE}},
                    "completed_on": DATE, "transitions": {"type": "array", "items": {"type": "string"}}}},
                "Letter": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "number": TEXT, "doc_type": TEXT, "issuer": TEXT,
                    "issued_on": DATE, "received_on": DATE, "received_number": {"type": ["integer", "null"]},
                    "received_year": {"type": ["integer", "null"]}, "subject": TEXT,
                    "status": {"type": "object", "description": "Trạng thái tổng hợp từ các nhiệm vụ", "properties": {
                        "code": {"type": "string"}, "label": {"type": "string"}, "total": {"type": "integer"},
                        "done": {"type": "integer"}, "overdue": {"type": "integer"},
                        "done_late": {"type": "integer"}, "awaiting": {"type": "integer"}}},
                    "tasks": {"type": "array", "items": _ref("Task")}},
                    "required": ["id", "status", "tasks"]},
                "Figures": {"type": "object", "properties": {
                    "as_of": {"type": "string", "format": "date"},
                    **{name: {"type": "integer"} for name in (
                        "letters_with_tasks", "tasks", "due", "done", "done_on_time", "done_late", "overdue_open",
                        "due_soon", "open_not_due", "no_deadline_open", "awaiting_approval")},
                    "on_time_share": {"type": ["number", "null"], "description": "Tỷ lệ đúng hạn (%)"},
                    "agencies": {"type": "array", "items": {"type": "object"}}},
                    "required": ["as_of", "tasks", "agencies"]},
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["status", "message"], "properties": {
                        "status": {"type": "integer"}, "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "current": _ref("Task")}}}},
            },
        },
        "paths": {
            "/api/openapi.json": {"get": {"summary": "Tài liệu OpenAPI này", "security": [],
                                          "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/api/tasks": {"get": {"summary": "Danh sách nhiệm vụ (cán bộ: của cơ quan mình)", "parameters": list_params,
                                   "responses": {"200": {"description": "Một trang nhiệm vụ", "content": {
                                       "application/json": {"schema": _ref("TaskPage")}}}, **AUTH_ERRORS,
                                       **BAD_QUERY}}},
            "/api/tasks/{task_id}": {"get": {"summary": "Một nhiệm vụ", "parameters": [TASK_ID], "responses": {
                "200": {"description": "Nhiệm vụ", "content": {"application/json": {"schema": _ref("TaskDetail")}}},
                **ERRORS}}},
            "/api/tasks/{task_id}/events": {"get": {"summary": "Lịch sử thay đổi (mới nhất trước)",
                                                    "parameters": [TASK_ID, *page_params], "responses": {
                "200": {"description": "Một trang sự kiện", "content": {"application/json": {
                    "schema": _ref("EventPage")}}}, **ERRORS, **BAD_QUERY}}},
            "/api/letters/{letter_id}": {"get": {"summary": "Văn bản, trạng thái tổng hợp và các nhiệm vụ",
                                                 "parameters": [{"name": "letter_id", "in": "path", "required": True,
                                                                 "schema": ID}],
                                                 "responses": {"200": {"description": "Văn bản", "content": {
                                                     "application/json": {"schema": _ref("Letter")}}}, **ERRORS}}},
            "/api/figures": {"get": {"summary": "Số liệu tổng hợp (lãnh đạo)",
                                     "responses": {"200": {"description": "Số liệu", "content": {
                                         "application/json": {"schema": _ref("Figures")}}}, **AUTH_ERRORS}}},
            "/api/tasks/{task_id}/transitions/{name}": _change(
                "Chuyển trạng thái theo quy trình (start, submit_result, accept, return, cancel...)",
                _json_body({"version": VERSION, "comment": TEXT, "result": TEXT, "new_deadline": DATE,
                            "progress": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
                            "reply_number": {**TEXT, "description": "Số, ký hiệu văn bản báo cáo (kèm kết quả)"},
                            "reply_date": DATE,
                            "period_id": {**ID, "type": ["integer", "null"],
                                          "description": "Kỳ của nhiệm vụ định kỳ"}},
                           ["version"], "Các trường cần theo `requires` của bước trong quy trình"),
                [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]),
            "/api/tasks/{task_id}/progress": _change("Cập nhật tiến độ", _json_body(
                {"version": VERSION, "progress": {"type": "integer", "minimum": 0, "maximum": 100}, "note": TEXT},
                ["version"], "Tiến độ và ghi chú")),
            "/api/tasks/{task_id}/assignee": _change("Giao người xử lý trong cơ quan", _json_body(
                {"version": VERSION, "assignee_id": {**ID, "type": ["integer", "null"]}}, ["version"],
                "Cán bộ của cơ quan")),
            "/api/tasks/{task_id}/extensions": _change("Xin gia hạn", _json_body(
                {"version": VERSION, "new_deadline": DATE, "reason": {"type": "string"}},
                ["version", "new_deadline", "reason"], "Ngày đề nghị và lý do")),
            "/api/tasks/{task_id}/extensions/{request_id}": _change("Đồng ý hoặc không đồng ý gia hạn", _json_body(
                {"version": VERSION, "decision": {"type": "string", "enum": ["approve", "refuse"]}, "comment": TEXT,
                 "granted_deadline": DATE}, ["version", "decision"], "Quyết định của lãnh đạo"),
                [{"name": "request_id", "in": "path", "required": True, "schema": ID}]),
            "/api/tasks/{task_id}/directions": _change("Ý kiến chỉ đạo", _json_body(
                {"version": VERSION, "comment": {"type": "string"}}, ["version", "comment"], "Nội dung chỉ đạo")),
            "/api/tasks/{task_id}/reassign": _change("Chuyển sang cơ quan khác", _json_body(
                {"version": VERSION, "agency_id": ID, "comment": TEXT}, ["version", "agency_id"],
                "Cơ quan mới và lý do")),
        },
    }
