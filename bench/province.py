#!/usr/bin/env python3
"""A province's ten years of directives, generated into a tracker database for benchmarks.

    .venv/bin/python bench/province.py --instance /tmp/bench/sqlite1m              # SQLite, 1,000,000 tasks
    .venv/bin/python bench/province.py --instance /tmp/bench/pg1m \\
        --database-url postgresql://tracker@127.0.0.1:5432/tracker                 # PostgreSQL
    .venv/bin/python bench/province.py --instance /tmp/bench/small --tasks 20000    # a small one

How it is built:

1. ``tracker init --demo`` creates the schema at the current migration (whatever it is when this runs), the
   agency catalog, the demo letters and the demo users.
2. The demo users ``lanhdao`` (leader), ``vanthu`` (clerk), ``canbo.taichinh`` (officer of Sở Tài chính) and
   ``quantri`` (admin) get a known password (``tracker user password``), and a read-only API token is made for
   the leader (``tracker api-token create``). Both are written to ``bench-credentials.json`` in the instance
   folder (beside ``tracker.db``) and printed.
3. Bulk rows through the database driver (SQLite ``executemany``, PostgreSQL ``COPY``): about 150 agencies
   (communes added to the catalog), about 2,000 users, letters over ten years ending today (more each year,
   on working days), their tasks (lead and cooperating agencies, fan-outs to every district, statuses by
   age, deadlines, approved extensions, monthly recurring reports with their periods), task and letter
   history, the reminders already sent, two months of outbox digests and ten years of weekly report runs.
4. ``VACUUM ANALYZE`` on PostgreSQL (SQLite gets no statistics, as in an office), ``tracker tasks recount``
   when the code has it, and the timings as JSON on standard output.

The schema moves while this file does not: every table's columns are read from the database (SQLAlchemy
inspection) before the first row is written. A column this generator knows that the table no longer has is
left out; a NOT NULL column it does not know (and that has no server default) is filled with the model's
default or a neutral value of its type. Both are reported on standard error. On SQLite the secondary
indexes of the bulk tables are dropped during the load and re-created from their own DDL afterwards.

The same ``--seed`` gives the same rows (and ids) on SQLite and PostgreSQL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any, Iterable, Sequence

#: the accounts the page benchmark signs in with: role -> demo user name
BENCH_USERS = {"leader": "lanhdao", "clerk": "vanthu", "officer": "canbo.taichinh", "admin": "quantri"}
#: every demo user gets this password unless --password says otherwise
DEFAULT_PASSWORD = "matkhau-do-tai-2026"
#: the name of the credentials file written beside the database (in the instance folder)
CREDENTIALS_FILE = "bench-credentials.json"

# -- vocabulary ------------------------------------------------------------------------------------------------

ISSUERS = [
    ("Văn phòng Chính phủ", "VPCP"), ("Bộ Tài chính", "BTC"), ("Bộ Kế hoạch và Đầu tư", "BKHĐT"),
    ("Bộ Nội vụ", "BNV"), ("Bộ Y tế", "BYT"), ("Bộ Giáo dục và Đào tạo", "BGDĐT"), ("Bộ Xây dựng", "BXD"),
    ("Bộ Giao thông vận tải", "BGTVT"), ("Bộ Lao động - Thương binh và Xã hội", "LĐTBXH"),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "BNN"), ("Bộ Tài nguyên và Môi trường", "BTNMT"),
    ("Bộ Công Thương", "BCT"), ("Bộ Thông tin và Truyền thông", "BTTTT"), ("Bộ Công an", "BCA"),
    ("Thanh tra Chính phủ", "TTCP"), ("Tỉnh ủy", "TU"), ("Hội đồng nhân dân tỉnh", "HĐND"),
    ("Ủy ban nhân dân tỉnh", "UBND"), ("Sở Tài chính", "STC"), ("Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("Sở Nội vụ", "SNV"), ("Sở Y tế", "SYT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"), ("Sở Xây dựng", "SXD"),
    ("Sở Tài nguyên và Môi trường", "STNMT"), ("Công an tỉnh", "CAT"), ("Bảo hiểm xã hội tỉnh", "BHXH"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ"),
]
#: document types with their weight and the code in the number ("Công văn" has none: 123/UBND-KT)
DOC_TYPES = [("Công văn", 12, None), ("Quyết định", 3, "QĐ"), ("Thông báo", 2, "TB"), ("Kế hoạch", 2, "KH"),
             ("Chỉ thị", 1, "CT"), ("Báo cáo", 1, "BC"), ("Tờ trình", 1, "TTr"), ("Nghị quyết", 1, "NQ")]
SIGNERS = [("Nguyễn Văn An", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"), ("Trần Thị Bình", "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"),
           ("Lê Quang Tiến", "CHỦ TỊCH"), ("Phạm Minh Đức", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"),
           ("Hoàng Thị Lan", "TL. BỘ TRƯỞNG / VỤ TRƯỞNG"), ("Võ Văn Hùng", "GIÁM ĐỐC")]
TOPICS = [
    "tình hình giải ngân vốn đầu tư công", "phòng, chống dịch sốt xuất huyết", "an toàn thực phẩm",
    "cải cách hành chính", "chuyển đổi số", "phòng, chống thiên tai và tìm kiếm cứu nạn", "bảo đảm an ninh trật tự",
    "xây dựng nông thôn mới", "giảm nghèo bền vững", "quản lý đất đai", "bảo vệ môi trường", "phòng cháy chữa cháy",
    "an toàn giao thông", "thu ngân sách nhà nước", "quyết toán kinh phí", "thực hành tiết kiệm, chống lãng phí",
    "công tác thanh tra, tiếp công dân", "giải quyết khiếu nại, tố cáo", "phát triển doanh nghiệp",
    "thu hút đầu tư", "chính sách trợ giúp xã hội", "bảo hiểm xã hội, bảo hiểm y tế", "giáo dục nghề nghiệp",
    "tuyển sinh đầu cấp", "tiêm chủng mở rộng", "phòng, chống ma túy", "quản lý khoáng sản",
    "kiểm soát thủ tục hành chính", "đề án vị trí việc làm", "sắp xếp đơn vị hành chính", "thi đua khen thưởng",
    "công tác dân tộc, tôn giáo", "phòng, chống buôn lậu, gian lận thương mại", "bình ổn thị trường dịp Tết",
    "chăm lo Tết cho người nghèo", "ứng phó biến đổi khí hậu", "quản lý chất lượng công trình xây dựng",
    "dịch vụ công trực tuyến", "hạ tầng viễn thông", "phát triển du lịch", "văn hóa, thể thao cơ sở",
    "chương trình mục tiêu quốc gia",
]
SUBJECT_VERBS = ["triển khai", "tăng cường", "báo cáo", "thực hiện", "đẩy mạnh", "góp ý"]
ACTIONS = [
    "Chủ trì, phối hợp với các đơn vị liên quan tham mưu UBND tỉnh triển khai", "Tổng hợp, báo cáo tình hình",
    "Rà soát, đề xuất giải pháp về", "Xây dựng kế hoạch thực hiện", "Kiểm tra, hướng dẫn thực hiện",
    "Phối hợp cung cấp số liệu về", "Tham mưu văn bản chỉ đạo về", "Tổ chức tuyên truyền về",
    "Đánh giá kết quả thực hiện", "Nghiên cứu, đề xuất sửa đổi quy định về", "Thẩm định hồ sơ liên quan đến",
    "Chỉ đạo các đơn vị trực thuộc thực hiện",
]
SENTENCES = [
    "Thực hiện ý kiến chỉ đạo của Thủ tướng Chính phủ tại văn bản nêu trên.",
    "Để kịp thời tổng hợp, báo cáo cấp có thẩm quyền theo quy định.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành, địa phương khẩn trương triển khai thực hiện.",
    "Trong quá trình thực hiện nếu có khó khăn, vướng mắc kịp thời báo cáo về Ủy ban nhân dân tỉnh để xem xét, "
    "chỉ đạo.",
    "Giao Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc việc thực hiện.",
    "Kết quả thực hiện gửi về Sở Kế hoạch và Đầu tư để tổng hợp.",
    "Các đơn vị chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh nếu để chậm trễ.",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.",
    "Xét đề nghị của Giám đốc Sở Tài chính tại Tờ trình số 245/TTr-STC.",
    "Tình hình thực hiện trong thời gian qua còn chậm, chưa đáp ứng yêu cầu đề ra.",
    "Nhằm nâng cao hiệu quả công tác quản lý nhà nước trên địa bàn tỉnh.",
    "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện.",
    "Tăng cường công tác kiểm tra, giám sát, xử lý nghiêm các trường hợp vi phạm.",
    "Bảo đảm tiến độ, chất lượng và hiệu quả sử dụng nguồn vốn.",
    "Phân công cán bộ đầu mối theo dõi, tổng hợp và báo cáo định kỳ.",
]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Quang", "Thanh", "Hữu", "Ngọc", "Đức", "Thu", "Hoài"]
GIVEN_NAMES = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan", "Linh",
               "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
COMMUNES = ["Tân An", "Bình Minh", "Hòa Thuận", "Phú Lợi", "An Khánh", "Vĩnh Hòa", "Mỹ Lâm", "Thạnh Đông",
            "Long Thạnh", "Đông Hòa", "Tân Hiệp", "Phước Long", "Hòa Điền", "Kiên Bình", "Thuận Yên", "Sơn Hải"]
REPORT_CODES = ["STC", "SKHĐT", "SYT", "SNV", "UBND"]

#: task statuses by how old the task is (its deadline, or 45 days after receipt): (statuses, weights)
STATUS_OLD = (["done", "cancelled", "in_progress", "assigned", "submitted"], (94, 3, 1.5, 0.75, 0.75))
STATUS_RECENT = (["done", "in_progress", "assigned", "submitted", "returned", "cancelled"], (55, 20, 12, 9, 1, 3))
STATUS_FUTURE = (["done", "in_progress", "assigned", "submitted"], (10, 40, 45, 5))

#: the column lists this generator writes, per table (checked against the database before writing)
COLUMNS = {
    "agency": ["id", "code", "name", "short_name", "aliases", "kind", "emails", "active", "search_text",
               "created_at", "updated_at"],
    "user_account": ["id", "username", "full_name", "email", "password_hash", "role", "agency_id", "active",
                     "session_token", "created_at"],
    "letter": ["id", "received_year", "received_number", "received_on", "number", "doc_type", "issuer", "place",
               "issued_on", "subject", "recipients", "signer", "signer_title", "urgency", "references", "full_text",
               "identity_key", "search_text", "registered_by_id", "created_at", "updated_at", "version"],
    "task": ["id", "letter_id", "agency_id", "role", "summary", "deadline", "deadline_text", "original_deadline",
             "judged_deadline", "recurrence", "recurrence_until", "starts_on", "status", "progress", "assignee_id",
             "group_label", "result_text", "result_submitted_on", "reply_number", "reply_date", "completed_at",
             "completed_on", "created_at", "updated_at", "version", "received_year", "received_number"],
    "task_event": ["id", "task_id", "actor_id", "at", "kind", "transition", "changes", "comment", "task_version"],
    "letter_event": ["id", "letter_id", "actor_id", "at", "kind", "changes", "comment", "letter_version"],
    "task_extension": ["id", "task_id", "status", "requested_by_id", "requested_at", "requested_on", "old_deadline",
                       "proposed_deadline", "reason", "decided_by_id", "decided_at", "decided_on",
                       "decision_comment", "granted_deadline", "moves_judged_deadline"],
    "task_occurrence": ["id", "task_id", "period_start", "period_end", "label", "deadline", "status", "result_text",
                        "result_submitted_on", "completed_at", "completed_on", "created_at"],
    "reminder": ["id", "task_id", "stage", "due_on", "deadline", "days", "escalated", "pass_date", "created_at"],
    "outbox_message": ["id", "key", "kind", "recipient", "recipient_name", "subject", "message_id", "mime",
                       "for_date", "items", "state", "attempts", "next_attempt_at", "claimed_at", "claim_token",
                       "last_error", "created_at", "sent_at"],
    "report_run": ["id", "kind", "file_format", "params", "origin", "requested_by_id", "schedule_key", "state",
                   "progress", "file_hash", "file_name", "file_size", "error", "created_at", "finished_at", "stage",
                   "heartbeat_at"],
    "incoming_counter": ["year", "last_number"],
}
#: the tables filled in chunks, in the order their rows must be written (parents first)
CHUNKED = ["letter", "task", "task_occurrence", "task_event", "letter_event", "task_extension", "reminder"]
#: the tables whose secondary indexes are dropped during the load on SQLite and re-created after it
BULK_TABLES = ["letter", "task", "task_event", "letter_event", "task_extension", "task_occurrence", "reminder",
               "outbox_message", "report_run"]


def log(message: str) -> None:
    """A progress line on standard error (standard output carries the JSON summary only)."""
    print(f"[province {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the database ------------------------------------------------------------------------------------------------


class Target:
    """The database being filled: column inspection, bulk writes and maintenance on SQLite or PostgreSQL."""

    def __init__(self, sqlalchemy_url: str):
        from sqlalchemy import create_engine, inspect

        self.url = sqlalchemy_url
        self.postgres = sqlalchemy_url.startswith("postgresql")
        engine = create_engine(sqlalchemy_url)
        inspector = inspect(engine)
        self.tables = set(inspector.get_table_names())
        self.columns = {name: inspector.get_columns(name) for name in self.tables}
        engine.dispose()
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(re.sub(r"^postgresql\+\w+://", "postgresql://", sqlalchemy_url))
        else:
            import sqlite3

            self.conn = sqlite3.connect(sqlalchemy_url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-400000",
                           "temp_store=MEMORY"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("BEGIN")
        self.dropped_indexes: list[tuple[str, str]] = []
        #: PostgreSQL: the database's size once finished (SQLite: the file's size)
        self.size_bytes: int | None = None

    # values in the form each driver takes
    def timestamp(self, text: str) -> str:
        """A UTC timestamp 'YYYY-MM-DD HH:MM:SS.ffffff' as the column stores it (with its zone on PostgreSQL)."""
        return text + "+00" if self.postgres else text

    def boolean(self, value: bool) -> Any:
        """A boolean as the driver takes it (SQLite keeps 0/1)."""
        return bool(value) if self.postgres else int(bool(value))

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Rows of a query (``?`` placeholders on both databases)."""
        cur = self.conn.cursor()
        cur.execute(sql.replace("?", "%s") if self.postgres else sql, params)
        return cur.fetchall()

    def execute(self, sql: str, params: Sequence = ()) -> None:
        """Run one statement (``?`` placeholders on both databases)."""
        self.conn.cursor().execute(sql.replace("?", "%s") if self.postgres else sql, params)

    def max_id(self, table: str) -> int:
        """The largest id of a table, 0 when it is empty."""
        return self.query(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')[0][0]

    def write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Bulk insert rows whose values follow ``columns`` (already fitted to the table)."""
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)

    def commit(self) -> None:
        """Commit what was written and open the next transaction."""
        if self.postgres:
            self.conn.commit()
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")

    def drop_secondary_indexes(self, tables: Iterable[str]) -> None:
        """SQLite: drop the named (non-constraint) indexes of ``tables``, remembering their DDL to re-create them."""
        if self.postgres:
            return
        names = [t for t in tables if t in self.tables]
        marks = ", ".join("?" * len(names))
        self.dropped_indexes = self.query(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            names)
        for name, _sql in self.dropped_indexes:
            self.execute(f'DROP INDEX "{name}"')
        log(f"dropped {len(self.dropped_indexes)} secondary indexes for the load")

    def restore_indexes(self) -> None:
        """Re-create the indexes dropped by ``drop_secondary_indexes`` from their own DDL."""
        for _name, sql in self.dropped_indexes:
            self.execute(sql)
        self.dropped_indexes = []

    def finish(self, sequence_tables: Iterable[str]) -> dict[str, float]:
        """Commit, move PostgreSQL's id sequences past the new rows, ANALYZE; the seconds each step took."""
        timings = {}
        if self.postgres:
            self.conn.commit()
            self.conn.autocommit = True
            for table in sequence_tables:
                if table in self.tables and any(c["name"] == "id" for c in self.columns[table]):
                    sequence = self.query("SELECT pg_get_serial_sequence(?, 'id')", (table,))[0][0]
                    if sequence:
                        self.execute(f"SELECT setval('{sequence}', (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
            started = time.perf_counter()
            self.execute("VACUUM ANALYZE")
            timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
            self.size_bytes = self.query("SELECT pg_database_size(current_database())")[0][0]
        else:
            self.conn.execute("COMMIT")
            # no ANALYZE on SQLite, as in an office's database: tracker never gathers SQLite statistics (they know
            # averages only, and with nine tasks in ten done they mislead the planner; README, "At a province's
            # size"), so a benchmark with them would measure plans no office gets
            self.conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
            started = time.perf_counter()
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            timings["checkpoint_s"] = round(time.perf_counter() - started, 1)
        self.conn.close()
        return timings


class TableWriter:
    """Rows for one table, fitted to the columns the table has now.

    The generator produces tuples in the order of ``COLUMNS[table]``; columns the table lacks are dropped, and
    NOT NULL columns without a server default that the generator does not know get a constant value.
    """

    def __init__(self, target: Target, table: str, model_defaults: dict[str, dict[str, Any]]):
        self.target = target
        self.table = table
        wanted = COLUMNS[table]
        present = {c["name"]: c for c in target.columns.get(table, [])}
        if not present:
            raise SystemExit(f"table {table!r} is missing from the database: the schema changed too much for "
                             "bench/province.py; update COLUMNS there")
        self.keep = [i for i, name in enumerate(wanted) if name in present]
        missing = [name for name in wanted if name not in present]
        self.extra_names: list[str] = []
        self.extra_values: tuple = ()
        for name, column in present.items():
            if name in wanted or column.get("nullable", True) or column.get("default") is not None:
                continue
            if column.get("autoincrement") is True:
                continue
            value = fill_value(target, column, model_defaults.get(table, {}).get(name, NO_DEFAULT))
            self.extra_names.append(name)
            self.extra_values += (value,)
        self.columns = [wanted[i] for i in self.keep] + self.extra_names
        self.identity = not missing and not self.extra_names
        if missing:
            log(f"{table}: the table has no column {', '.join(missing)}; left out")
        if self.extra_names:
            log(f"{table}: NOT NULL columns unknown to the generator filled with defaults: "
                + ", ".join(f"{n}={v!r}" for n, v in zip(self.extra_names, self.extra_values)))

    def write(self, rows: list[tuple]) -> None:
        """Write rows given in the generator's column order."""
        if not self.identity:
            keep, extra = self.keep, self.extra_values
            rows = [tuple(row[i] for i in keep) + extra for row in rows]
        self.target.write(self.table, self.columns, rows)


NO_DEFAULT = object()


def model_defaults() -> dict[str, dict[str, Any]]:
    """Python-side column defaults of tracker's models (scalars, and callables taking no argument), per table."""
    try:
        from tracker.db import Base, import_models

        import_models()
    except Exception as exc:  # the generator still works with type-based defaults
        log(f"could not read the models' defaults ({exc}); using neutral values")
        return {}
    defaults: dict[str, dict[str, Any]] = {}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            default = column.default
            if default is None:
                continue
            try:
                value = default.arg if default.is_scalar else default.arg(None) if default.is_callable else NO_DEFAULT
            except Exception:
                value = NO_DEFAULT
            if value is not NO_DEFAULT:
                defaults.setdefault(table.name, {})[column.name] = value
    return defaults


def fill_value(target: Target, column: dict, model_value: Any) -> Any:
    """A constant for a NOT NULL column the generator does not know: the model's default, else a neutral value."""
    from sqlalchemy import types as sqltypes

    value = model_value
    kind = column["type"]
    if value is NO_DEFAULT:
        if isinstance(kind, sqltypes.Boolean):
            value = False
        elif isinstance(kind, (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float)):
            value = 0
        elif isinstance(kind, sqltypes.JSON):
            value = {}
        elif isinstance(kind, sqltypes.DateTime):
            value = dt.datetime.now(dt.timezone.utc)
        elif isinstance(kind, sqltypes.Date):
            value = dt.date.today()
        else:
            value = ""
    if isinstance(value, bool):
        return target.boolean(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return target.timestamp(value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- text helpers ------------------------------------------------------------------------------------------------


class Folder:
    """tracker's own ``fold`` (search text without diacritics), cached for the phrases that repeat."""

    def __init__(self):
        from tracker.text import fold

        self.fold = fold
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        """The folded text."""
        value = self.cache.get(text)
        if value is None:
            value = self.fold(text)
            if len(self.cache) < 200_000:
                self.cache[text] = value
        return value

    def join(self, parts: Iterable[str]) -> str:
        """The fold of the parts joined by whitespace, computed piece by piece (checked against tracker's own)."""
        return " ".join(f for f in map(self, parts) if f)


def person(rng: random.Random) -> str:
    """A Vietnamese full name."""
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def stamp(day: dt.date, rng: random.Random, first_hour: int = 7, last_hour: int = 17) -> str:
    """A time of office hours on ``day`` as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, without zone)."""
    seconds = rng.randrange((last_hour - first_hour + 1) * 3600)
    return (f"{day.isoformat()} {first_hour + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            f".{rng.randrange(1_000_000):06d}")


def received_days(rng: random.Random, count: int, start: dt.date, today: dt.date) -> list[dt.date]:
    """Reception days of ``count`` letters over [start, today): more each year (about +25% over the decade),
    on working days only (a letter that arrives on a weekend is registered on the Friday before)."""
    span = (today - start).days
    days = sorted(start + dt.timedelta(days=int(span * (rng.random() ** 0.9))) for _ in range(count))
    return [d - dt.timedelta(days=max(0, d.weekday() - 4)) for d in days]


# -- the province ------------------------------------------------------------------------------------------------


class Province:
    """Generates the rows of a province and writes them through ``TableWriter``s."""

    def __init__(self, target: Target, args: argparse.Namespace, today: dt.date, password_hash: str):
        self.target = target
        self.args = args
        self.today = today
        self.start = dt.date(today.year - 10, today.month, min(today.day, 28)) + dt.timedelta(days=1)
        self.rng = random.Random(args.seed)
        self.fold = Folder()
        self.password_hash = password_hash
        defaults = model_defaults()
        self.writers = {table: TableWriter(target, table, defaults) for table in COLUMNS}
        self.counts: dict[str, int] = {}
        self.now = target.timestamp(stamp(today, self.rng))

    def write(self, table: str, rows: list[tuple]) -> None:
        """Write rows of a table and count them."""
        self.writers[table].write(rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    # agencies and people
    def agencies(self) -> None:
        """The catalog's active agencies plus communes up to ``--agencies``; every agency gets an address."""
        t, rng = self.target, self.rng
        rows = t.query("SELECT id, name, kind FROM agency WHERE active = ? ORDER BY id", (t.boolean(True),))
        next_id = t.max_id("agency") + 1
        new = []
        i = 0
        while len(rows) + len(new) < self.args.agencies:
            commune = COMMUNES[i % len(COMMUNES)] + ("" if i < len(COMMUNES) else f" {i // len(COMMUNES) + 1}")
            name = f"Ủy ban nhân dân xã {commune}"
            code = "xa-" + self.fold(commune).replace(" ", "-")
            new.append((next_id, code, name, f"UBND xã {commune}", "[]", "commune", "[]", t.boolean(True),
                        self.fold.join([name, f"UBND xã {commune}"]), self.now, self.now))
            next_id += 1
            i += 1
        self.write("agency", new)
        agencies = [(r[0], r[1], r[2]) for r in rows] + [(r[0], r[2], r[5]) for r in new]
        for agency_id, _name, _kind in agencies:  # reminders need an address
            t.execute("UPDATE agency SET emails = ? WHERE id = ?",
                      (json.dumps([f"vanthu.{agency_id}@example.gov.vn"]), agency_id))
        self.agency_name = {a[0]: a[1] for a in agencies}
        self.districts = [a[0] for a in agencies if a[2] == "district"]
        self.agency_ids = [a[0] for a in agencies]
        rng.shuffle(self.agency_ids)
        # a few agencies get most of the work (Zipf-like)
        self.agency_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.agency_ids))]
        self.finance = (t.query("SELECT id FROM agency WHERE code = 'so-tai-chinh'") or [[None]])[0][0]

    def users(self) -> None:
        """Officers for every agency, clerks, leaders and admins (all with the bench password)."""
        t, rng = self.target, self.rng
        next_id = t.max_id("user_account") + 1
        rows = []
        self.officers: dict[int, list[int]] = {}
        for agency_id in self.agency_ids:
            for k in range(self.args.officers_per_agency):
                rows.append((next_id, f"cb{agency_id}.{k}", person(rng), f"cb{agency_id}.{k}@example.gov.vn",
                             self.password_hash, "officer", agency_id, t.boolean(True), f"{rng.getrandbits(128):032x}",
                             self.now))
                self.officers.setdefault(agency_id, []).append(next_id)
                next_id += 1
        self.clerks, self.leaders = [], []
        for role, count, into in (("clerk", 40, self.clerks), ("leader", 30, self.leaders), ("admin", 5, [])):
            for k in range(count):
                rows.append((next_id, f"{role}{k}", person(rng), f"{role}{k}@example.gov.vn", self.password_hash,
                             role, None, t.boolean(True), f"{rng.getrandbits(128):032x}", self.now))
                into.append(next_id)
                next_id += 1
        self.write("user_account", rows)

    # letters and their tasks
    def letters(self) -> None:
        """Letters over ten years with their tasks, history, extensions, periods and sent reminders."""
        from tracker.intake.operations import identity_key, letter_search_text
        from tracker.tasks.recurrence import parse_rule, periods_until

        t, rng, fold, args = self.target, self.rng, self.fold, self.args
        self.monthly = parse_rule("monthly:20")
        self.periods_until = periods_until
        counters = dict(t.query("SELECT year, last_number FROM incoming_counter"))
        issuer_sequence: dict[tuple[str, int], int] = {}
        ids = {table: t.max_id(table) + 1 for table in CHUNKED}
        self.ids = ids
        self.chunk: dict[str, list[tuple]] = {table: [] for table in CHUNKED}
        days = received_days(rng, args.letters, self.start, self.today)
        tasks_left, letters_left = args.tasks, args.letters
        type_names = [d[0] for d in DOC_TYPES]
        type_weights = [d[1] for d in DOC_TYPES]
        type_code = {d[0]: d[2] for d in DOC_TYPES}
        checked = 0
        for index, received in enumerate(days):
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            issuer, abbreviation = rng.choice(ISSUERS)
            doc_type = rng.choices(type_names, type_weights)[0]
            issuer_sequence[(issuer, year)] = issuer_sequence.get((issuer, year), 0) + 1
            code = type_code[doc_type]
            sequence = issuer_sequence[(issuer, year)]
            number = (f"{sequence}/{code}-{abbreviation}" if code else
                      f"{sequence}/{abbreviation}{rng.choice(['-KT', '-VX', '-NC', '-TH', '-XD', ''])}")
            issued = received - dt.timedelta(days=rng.randint(1, 6))
            topic = rng.choice(TOPICS)
            subject = f"{rng.choice(SUBJECT_VERBS)} {topic}" + (f" năm {year}" if rng.random() < 0.4 else
                                                                " trên địa bàn tỉnh")
            signer, signer_title = rng.choice(SIGNERS)
            urgency = rng.choices([None, "Khẩn", "Thượng khẩn", "Hỏa tốc"], (90, 7, 2, 1))[0]
            plan = self.task_plan(tasks_left, letters_left, last=index == len(days) - 1)
            tasks_left -= len(plan)
            letters_left -= 1
            letter_id = ids["letter"]
            ids["letter"] += 1
            clerk = rng.choice(self.clerks)
            deadline_base = received + dt.timedelta(days=rng.randint(7, 75)) if rng.random() < 0.9 else None
            # the letter's text: header, a few sentences, one sentence per task with its deadline, the signature
            # (each line is kept as its parts, so that the search text folds repeated parts once)
            recipients = [self.agency_name[p[0]] for p in plan[:4]]
            lines = [(issuer.upper(),), ("Số:", number), ("V/v", subject), ("Kính gửi:", "; ".join(recipients))]
            lines += [(s,) for s in rng.sample(SENTENCES, rng.randint(3, 7))]
            tasks = []
            for agency_id, role, group in plan:
                summary = f"{rng.choice(ACTIONS)} {topic}"
                if role == "cooperate":
                    summary = f"Phối hợp: {summary[0].lower()}{summary[1:]}"
                recurring = role == "lead" and group is None and rng.random() < 0.006
                deadline = deadline_base
                if deadline is not None and role == "cooperate":
                    deadline -= dt.timedelta(days=rng.choice([0, 0, 3, 5]))
                deadline_text = f"trước ngày {deadline:%d/%m/%Y}" if deadline else None
                if deadline is not None:
                    lines.append((self.agency_name[agency_id], summary[0].lower() + summary[1:] + ",",
                                  "báo cáo kết quả trước ngày", f"{deadline:%d/%m/%Y}."))
                tasks.append((agency_id, role, summary, deadline, deadline_text, group, recurring))
            lines += [(signer_title,), (signer,)]
            full_text = "\n".join(" ".join(parts) for parts in lines)
            search_text = fold.join([number, subject, issuer, doc_type, signer, *(p for parts in lines for p in parts)])
            if checked < 200:  # the piecewise fold must equal the app's own search text
                expected = letter_search_text(types.SimpleNamespace(
                    number=number, subject=subject, issuer=issuer, doc_type=doc_type, signer=signer,
                    reply_number=None, full_text=full_text))
                if expected != search_text:
                    raise SystemExit("letter search text differs from tracker's letter_search_text: "
                                     "update Province.letters")
                checked += 1
            created = t.timestamp(stamp(received, rng))
            self.chunk["letter"].append((
                letter_id, year, counters[year], received.isoformat(), number, doc_type, issuer,
                "Hà Nội" if issuer.startswith(("Bộ", "Văn phòng", "Thanh tra")) else "Thái Nguyên",
                issued.isoformat(), subject, json.dumps(recipients, ensure_ascii=False), signer, signer_title,
                urgency, "[]", full_text, identity_key(number, issuer, issued), search_text, clerk, created, created,
                1))
            self.letter_events(letter_id, clerk, received, created, subject)
            for spec in tasks:
                self.task(letter_id, (year, counters[year]), received, clerk, created, *spec)
            if len(self.chunk["task"]) >= 50_000 or len(self.chunk["letter"]) >= 10_000:
                self.flush()
        self.flush()
        for year, last in counters.items():
            t.execute("DELETE FROM incoming_counter WHERE year = ?", (year,))
        self.write("incoming_counter", sorted(counters.items()))

    def task_plan(self, tasks_left: int, letters_left: int, last: bool) -> list[tuple[int, str, str | None]]:
        """Which agencies a letter gives tasks to: (agency id, 'lead'|'cooperate', group label).

        8% of letters give none (information only), 5% fan out to every district with one lead department,
        the others a lead agency and an exponential number of others (mostly cooperating)."""
        rng = self.rng
        target = tasks_left / max(1, letters_left)
        draw = rng.random()
        lead = rng.choices(self.agency_ids, self.agency_weights)[0]
        if draw < 0.08:
            plan = []
        elif draw < 0.13 and self.districts:
            plan = [(lead, "lead", None)] + [(d, "lead", "UBND các huyện, thành phố") for d in self.districts
                                             if d != lead]
        else:
            count = max(1, int(rng.expovariate(1 / max(0.5, target * 0.78 - 0.5)) + 1))
            chosen = {lead}
            plan = [(lead, "lead", None)]
            while len(plan) < min(count, 60, len(self.agency_ids)):
                agency_id = rng.choices(self.agency_ids, self.agency_weights)[0]
                if agency_id in chosen:
                    agency_id = rng.choice(self.agency_ids)
                    if agency_id in chosen:
                        continue
                chosen.add(agency_id)
                plan.append((agency_id, rng.choices(["cooperate", "lead"], (85, 15))[0], None))
        if last:  # the last letter takes what is left, so that --tasks is exact
            unused = [a for a in self.agency_ids if a not in {p[0] for p in plan}]
            while len(plan) < tasks_left:
                plan.append((unused.pop() if unused else rng.choice(self.agency_ids), "cooperate", None))
        return plan[:tasks_left]

    def letter_events(self, letter_id: int, clerk: int, received: dt.date, created: str, subject: str) -> None:
        """The registration of a letter and, for 5%, a later correction of its subject."""
        chunk, ids, rng = self.chunk["letter_event"], self.ids, self.rng
        chunk.append((ids["letter_event"], letter_id, clerk, created, "registered", "{}", None, 1))
        ids["letter_event"] += 1
        if rng.random() < 0.05:
            chunk.append((ids["letter_event"], letter_id, clerk,
                          self.target.timestamp(stamp(received + dt.timedelta(days=1), rng)), "edited",
                          json.dumps({"subject": ["(cũ)", subject]}, ensure_ascii=False), "Sửa trích yếu", 2))
            ids["letter_event"] += 1

    def task(self, letter_id: int, received_number: tuple[int, int], received: dt.date, clerk: int, created: str,
             agency_id: int, role: str, summary: str, deadline: dt.date | None, deadline_text: str | None,
             group: str | None, recurring: bool) -> None:
        """One task with its status by age, its history, an extension, its periods and its sent reminders."""
        t, rng, ids, today = self.target, self.rng, self.ids, self.today
        task_id = ids["task"]
        ids["task"] += 1
        officer = rng.choice(self.officers.get(agency_id) or [None])
        leader = rng.choice(self.leaders)
        age_reference = deadline or (received + dt.timedelta(days=45))
        if age_reference < today - dt.timedelta(days=60):
            statuses = STATUS_OLD
        elif age_reference < today + dt.timedelta(days=5):
            statuses = STATUS_RECENT
        else:
            statuses = STATUS_FUTURE
        status = rng.choices(*statuses)[0]
        if recurring:
            status = "done" if received + dt.timedelta(days=365) < today else "in_progress"
        original = judged = deadline
        extension = None
        if deadline is not None and not recurring and rng.random() < 0.03:
            original = deadline - dt.timedelta(days=rng.choice([10, 15, 30]))
            requested_on = original - dt.timedelta(days=rng.randint(1, 5))
            extension = (requested_on, original, deadline)
        progress = 0
        completed_on = completed_at = result_text = result_on = reply_number = reply_date = None
        events = [("created", None, clerk, received,
                   {"agency_id": [None, agency_id], "role": [None, role],
                    "deadline": [None, deadline and deadline.isoformat()], "status": [None, "assigned"]}, None)]
        if status in ("in_progress", "submitted", "done", "returned"):
            started = min(today, received + dt.timedelta(days=rng.randint(1, 10)))
            progress = rng.choice([10, 20, 30, 50, 60, 70, 80])
            events.append(("transition", "start", officer, started, {"status": ["assigned", "in_progress"]}, None))
            if rng.random() < 0.5:
                events.append(("progress", None, officer, min(today, started + dt.timedelta(days=5)),
                               {"progress": [0, progress]}, "Đang tổng hợp số liệu từ các đơn vị"))
        if status in ("submitted", "done"):
            if deadline is not None:
                finish = deadline + dt.timedelta(days=int(rng.gauss(-6, 9)))
            else:
                finish = received + dt.timedelta(days=rng.randint(10, 90))
            finish = min(max(finish, received + dt.timedelta(days=2)), today)
            result_on = finish
            result_text = f"Đã hoàn thành: {summary.lower()}; báo cáo kết quả gửi UBND tỉnh."
            events.append(("transition", "submit_result", officer, finish,
                           {"status": ["in_progress", "submitted"], "progress": [progress, 100]}, result_text))
            progress = 100
            if rng.random() < 0.4:
                reply_number = f"{rng.randint(1, 2000)}/BC-{rng.choice(REPORT_CODES)}"
                reply_date = finish
            if status == "done":
                completed_on = finish
                completed_at = t.timestamp(stamp(min(today, finish + dt.timedelta(days=rng.randint(0, 3))), rng))
                events.append(("transition", "accept", leader, min(today, finish + dt.timedelta(days=2)),
                               {"status": ["submitted", "done"]}, "Chấp nhận kết quả"))
        if status == "returned":
            events.append(("transition", "return", leader, min(today, received + dt.timedelta(days=20)),
                           {"status": ["submitted", "returned"]}, "Đề nghị bổ sung số liệu"))
        if status == "cancelled":
            cancelled_on = min(today, received + dt.timedelta(days=15))
            events.append(("transition", "cancel", leader, cancelled_on, {"status": ["assigned", "cancelled"]},
                           "Không còn phù hợp"))
            completed_at = t.timestamp(stamp(cancelled_on, rng))
        recurrence = recurrence_until = starts_on = None
        if recurring:
            recurrence, starts_on = "monthly:20", received
            recurrence_until = received + dt.timedelta(days=365)
            deadline, last_due = self.periods(task_id, received, recurrence_until, status, created, deadline)
            original = judged = deadline
            deadline_text = "trước ngày 20 hằng tháng"
            if status == "done":
                completed_on = last_due
                completed_at = t.timestamp(stamp(completed_on, rng))
                result_on = completed_on
        assignee = officer if officer and rng.random() < 0.5 else None
        updated = t.timestamp(stamp(max(e[3] for e in events), rng))
        iso = lambda d: d and d.isoformat()  # noqa: E731
        self.chunk["task"].append((
            task_id, letter_id, agency_id, role, summary, iso(deadline), deadline_text, iso(original), iso(judged),
            recurrence, iso(recurrence_until), iso(starts_on), status, progress, assignee, group, result_text,
            iso(result_on), reply_number, iso(reply_date), completed_at, iso(completed_on), created, updated,
            len(events), *received_number))
        for version, (kind, transition, actor, day, changes, comment) in enumerate(events, 1):
            self.chunk["task_event"].append((ids["task_event"], task_id, actor, t.timestamp(stamp(day, rng)), kind,
                                             transition, json.dumps(changes, ensure_ascii=False), comment, version))
            ids["task_event"] += 1
        if extension is not None:
            requested_on, old, new = extension
            decided_on = requested_on + dt.timedelta(days=1)
            self.chunk["task_extension"].append((
                ids["task_extension"], task_id, "approved", officer, t.timestamp(stamp(requested_on, rng)),
                requested_on.isoformat(), old.isoformat(), new.isoformat(),
                "Cần thêm thời gian tổng hợp số liệu từ cấp huyện", leader, t.timestamp(stamp(decided_on, rng)),
                decided_on.isoformat(), "Đồng ý gia hạn", new.isoformat(), t.boolean(True)))
            ids["task_extension"] += 1
        if deadline is not None and not recurring:
            open_until = completed_on or (today if status != "cancelled" else received + dt.timedelta(days=15))
            self.reminders(task_id, received, deadline, open_until)

    def periods(self, task_id: int, received: dt.date, until: dt.date, status: str, created: str,
                deadline: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
        """The monthly periods of a recurring report; returns (deadline in force, completion day if done)."""
        t, rng, today = self.target, self.rng, self.today
        periods = self.periods_until(self.monthly, received, today, ahead=1, until=until)
        first_open = None
        for period in periods:
            closed = status == "done" or period.due < today - dt.timedelta(days=10)
            if not closed and first_open is None:
                first_open = period.due
            completed = period.due - dt.timedelta(days=rng.randint(-3, 6)) if closed else None
            self.chunk["task_occurrence"].append((
                self.ids["task_occurrence"], task_id, period.start.isoformat(), period.end.isoformat(), period.label,
                period.due.isoformat(), "done" if closed else "assigned", "Báo cáo kỳ" if closed else None,
                completed and completed.isoformat(), completed and t.timestamp(stamp(completed, rng)),
                completed and completed.isoformat(), created))
            self.ids["task_occurrence"] += 1
        in_force = first_open or (periods[-1].due if periods else deadline)
        return in_force, (periods[-1].due if periods else received)

    def reminders(self, task_id: int, received: dt.date, deadline: dt.date, open_until: dt.date) -> None:
        """The reminders already sent: 5 and 2 working days before (about 7 and 3 days), on the day, then every
        3 working days (about 4 days) while the task is open, up to 90 working days overdue."""
        rng, t, today = self.rng, self.target, self.today
        stages = [(-5, deadline - dt.timedelta(days=7)), (-2, deadline - dt.timedelta(days=3)), (0, deadline)]
        stages += [(k, deadline + dt.timedelta(days=k * 7 // 5)) for k in range(3, 91, 3)]
        for stage, due_on in stages:
            if due_on >= today or due_on > open_until or due_on < received:
                continue
            self.chunk["reminder"].append((self.ids["reminder"], task_id, stage, due_on.isoformat(),
                                           deadline.isoformat(), -stage, t.boolean(stage >= 5), due_on.isoformat(),
                                           t.timestamp(stamp(due_on, rng, 7, 7))))
            self.ids["reminder"] += 1

    def flush(self) -> None:
        """Write the rows gathered so far (parents first) and commit."""
        for table in CHUNKED:
            self.write(table, self.chunk[table])
            self.chunk[table].clear()
        self.target.commit()
        log(f"{self.counts.get('letter', 0):,} letters, {self.counts.get('task', 0):,} tasks, "
            f"{self.counts.get('task_event', 0):,} task events, {self.counts.get('reminder', 0):,} reminders")

    # the scheduler's traces
    def outbox(self) -> None:
        """The last twelve weeks of daily reminder digests, about four agencies in ten a working day."""
        t, rng = self.target, self.rng
        next_id = t.max_id("outbox_message") + 1
        rows = []
        day = self.today - dt.timedelta(days=84)
        while day < self.today:
            if day.weekday() < 5:
                for agency_id in self.agency_ids:
                    if rng.random() < 0.6:
                        continue
                    address = f"vanthu.{agency_id}@example.gov.vn"
                    count = rng.randint(1, 12)
                    body = ("Content-Type: text/plain; charset=utf-8\n\nNhắc hạn nhiệm vụ\n" + "\n".join(
                        f"- Nhiệm vụ {rng.randint(1, max(1, self.args.tasks))}: còn {rng.randint(0, 5)} ngày"
                        for _ in range(count)))
                    sent = t.timestamp(stamp(day, rng, 7, 7))
                    rows.append((next_id, f"digest:{day}:{address}", "digest", address, self.agency_name[agency_id],
                                 f"Nhắc hạn: {count} nhiệm vụ", f"<{rng.getrandbits(96):024x}@tracker>", body,
                                 day.isoformat(), "[]", "sent", 1, sent, None, None, None, sent, sent))
                    next_id += 1
            day += dt.timedelta(days=1)
        self.write("outbox_message", rows)

    def report_runs(self) -> None:
        """Ten years of the scheduler's weekly summary, done."""
        t, rng = self.target, self.rng
        next_id = t.max_id("report_run") + 1
        rows = []
        day = self.start
        while day < self.today:
            done = t.timestamp(stamp(day, rng, 7, 7))
            week = day.isocalendar()
            rows.append((next_id, "summary", "docx", json.dumps({"period": f"{week[0]}-W{week[1]:02d}"}),
                         "scheduled", None, f"weekly:{day.isoformat()}", "done", 100, f"{rng.getrandbits(256):064x}",
                         f"bao-cao-tuan-{day.isoformat()}.docx", 180_000, None, done, done, "done", done))
            next_id += 1
            day += dt.timedelta(days=7)
        self.write("report_run", rows)


# -- set-up through the CLI ----------------------------------------------------------------------------------------


def tracker_cli(args: argparse.Namespace, env: dict[str, str], *command: str) -> str:
    """Run ``tracker COMMAND`` on the target instance; its standard output."""
    done = subprocess.run([args.tracker, *command], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tracker {' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Schema and demo data through ``tracker init --demo``, known passwords and an API token; the credentials."""
    tracker_cli(args, env, "init", "--demo")
    for username in BENCH_USERS.values():
        tracker_cli(args, env, "user", "password", username, "--password", args.password)
    output = tracker_cli(args, env, "api-token", "create", f"bench-{int(time.time())}", "--user",
                         BENCH_USERS["leader"], "--scope", "read")
    token = re.search(r"\btrk_[A-Za-z0-9_\-]+", output)
    if token is None:  # another token format: the last long word of the output
        words = re.findall(r"\S{24,}", output)
        token = words[-1] if words else None
    else:
        token = token.group(0)
    if not token:
        raise SystemExit(f"no API token in the output of tracker api-token create:\n{output}")
    return {"password": args.password, "users": dict(BENCH_USERS), "api_token": token,
            "api_token_user": BENCH_USERS["leader"]}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instance", required=True,
                   help="instance folder (SQLite database DIR/tracker.db, secret key, credentials file)")
    p.add_argument("--database-url", help="postgresql://user@host:port/db instead of SQLite (must be empty)")
    p.add_argument("--tasks", type=int, default=1_000_000, help="tasks to generate (default 1,000,000)")
    p.add_argument("--letters", type=int, help="letters to generate (default: tasks / 5)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same rows)")
    p.add_argument("--agencies", type=int, default=150, help="agencies in the province (communes are added)")
    p.add_argument("--officers-per-agency", type=int, default=13)
    p.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the demo users")
    p.add_argument("--today", type=dt.date.fromisoformat, help="the day the ten years end (default: today)")
    p.add_argument("--tracker", default=shutil.which("tracker", path=os.path.dirname(sys.executable)) or "tracker",
                   help="the tracker command (default: the one beside this Python)")
    args = p.parse_args(argv)
    if args.letters is None:
        args.letters = max(1, args.tasks // 5)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the database; print counts and timings as JSON."""
    args = parse_args(argv)
    started = time.perf_counter()
    instance = Path(args.instance).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TRACKER_INSTANCE=str(instance))
    if args.database_url:
        env["TRACKER_DATABASE_URL"] = args.database_url
        url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", args.database_url)
    else:
        if (instance / "tracker.db").exists():
            raise SystemExit(f"{instance / 'tracker.db'} exists: generate into a new folder")
        url = f"sqlite:///{instance / 'tracker.db'}"
    timings: dict[str, float] = {}
    credentials = prepare(args, env)
    timings["init_demo_s"] = round(time.perf_counter() - started, 1)
    target = Target(url)
    if target.query("SELECT COUNT(*) FROM letter")[0][0] > 100:
        raise SystemExit("the database already holds letters: generate into an empty database")
    from tracker.accounts.operations import hash_password

    today = args.today or dt.date.today()
    province = Province(target, args, today, hash_password(args.password))
    bulk = time.perf_counter()
    target.drop_secondary_indexes(BULK_TABLES)
    province.agencies()
    province.users()
    province.letters()
    province.outbox()
    province.report_runs()
    target.commit()
    timings["rows_s"] = round(time.perf_counter() - bulk, 1)
    indexes = time.perf_counter()
    target.restore_indexes()
    target.commit()
    timings["indexes_s"] = round(time.perf_counter() - indexes, 1)
    timings.update(target.finish(COLUMNS))
    # the rows came in beside the app: the overview's running counts are counted once (code that has them)
    recount = subprocess.run([args.tracker, "tasks", "recount"], env=env, capture_output=True, text=True)
    timings["recount"] = "done" if recount.returncode == 0 else "not in this version"
    size = target.size_bytes if target.postgres else (instance / "tracker.db").stat().st_size
    timings["total_s"] = round(time.perf_counter() - started, 1)
    credentials.update(database_url=args.database_url or url, instance=str(instance))
    credentials_path = instance / CREDENTIALS_FILE
    credentials_path.write_text(json.dumps(credentials, indent=1) + "\n")
    print(json.dumps({"counts": province.counts, "timings": timings, "today": today.isoformat(),
                      "start": province.start.isoformat(), "seed": args.seed, "database_bytes": size,
                      "credentials": str(credentials_path), "password": args.password,
                      "api_token": credentials["api_token"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
