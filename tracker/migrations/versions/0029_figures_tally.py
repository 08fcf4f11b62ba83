"""The overview's running counts and the indexes the lists read their pages from (issue 14).

Four new tables: figures_tally, figures_task_tally (both filled from the tasks already there),
figures_letter_tally and figures_version. The letters' count is left to `tracker init` (which runs after the
upgrade) or the scheduler, because which states are "not distributed yet" depends on the instance's workflow file,
which a migration does not read.

New indexes: tasks in the lists' order (deadline, tasks without one last) alone, after the state (with the agency
and the letter), after the agency and after the letter; one agency's tasks by state and deadline; tasks by
deadline and state; tasks by time of change (API sync); the periods' states; the register's sorts and types as
partial indexes over the letters it lists, and the enclosed letters' index made partial. On SQLite the
full-text index is built again with prefix indexes (the register searches words as prefixes). The indexes on the
task's state, agency, letter and deadline alone are dropped: each is a prefix of a new one.

No row is changed.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: the units of every task, keyed as the tally is (the same definition as tracker.tasks.tally.unit_rows)
FILL = """
INSERT INTO figures_tally (agency_id, task_status, status, dated, on_time, units)
SELECT agency_id, task_status, status, dated, on_time, COUNT(*) FROM (
    SELECT t.agency_id AS agency_id, t.status AS task_status, t.status AS status,
           CASE WHEN t.deadline IS NOT NULL THEN 1 ELSE 0 END AS dated,
           CASE WHEN COALESCE(t.judged_deadline, t.deadline) IS NULL
                  OR t.completed_on <= COALESCE(t.judged_deadline, t.deadline) THEN 1 ELSE 0 END AS on_time
    FROM task t
    WHERE NOT EXISTS (SELECT 1 FROM task_occurrence o WHERE o.task_id = t.id)
    UNION ALL
    SELECT t.agency_id, t.status, o.status,
           CASE WHEN o.deadline IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN o.deadline IS NULL OR o.completed_on <= o.deadline THEN 1 ELSE 0 END
    FROM task t JOIN task_occurrence o ON o.task_id = t.id
) AS unit_rows
GROUP BY agency_id, task_status, status, dated, on_time
"""


#: the register's sorts over the letters it lists (not enclosed in a cover letter: partial indexes)
REGISTER_INDEXES = {
    "ix_letter_register_received": ["received_year", "received_number"],
    "ix_letter_register_issued": ["issued_on", "id"],
    "ix_letter_register_number": ["number", "id"],
    "ix_letter_register_issuer": ["issuer", "id"],
    "ix_letter_register_type": ["doc_type", "received_year", "received_number"],
}
IN_REGISTER = sa.text("enclosed_in_id IS NULL")

#: SQLite's full-text index again, with prefix indexes: the register searches every word as a prefix ("giai"*), which
#: FTS5 answers by reading every term that starts so (48 ms for two words over 200,000 letters) unless it keeps
#: prefixes (6 ms); the same table otherwise (migration 0002), its triggers unchanged
SQLITE_FTS_WITH_PREFIXES = [
    "DROP TABLE letter_fts",
    "CREATE VIRTUAL TABLE letter_fts USING fts5(search_text, content='letter', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5')",
    "INSERT INTO letter_fts(letter_fts) VALUES ('rebuild')",
]
SQLITE_FTS_WITHOUT_PREFIXES = [
    "DROP TABLE letter_fts",
    "CREATE VIRTUAL TABLE letter_fts USING fts5(search_text, content='letter', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO letter_fts(letter_fts) VALUES ('rebuild')",
]

FILL_TASKS = """
INSERT INTO figures_task_tally (agency_id, status, tasks)
SELECT agency_id, status, COUNT(*) FROM task GROUP BY agency_id, status
"""


def upgrade() -> None:
    op.create_table(
        "figures_tally",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("task_status", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("dated", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "task_status", "status", "dated", "on_time",
                                name=op.f("pk_figures_tally")),
    )
    op.create_table(
        "figures_letter_tally",
        sa.Column("left_out", sa.String(length=255), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("left_out", name=op.f("pk_figures_letter_tally")),
    )
    op.create_table(
        "figures_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_version")),
    )
    op.create_table(
        "figures_task_tally",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "status", name=op.f("pk_figures_task_tally")),
    )
    op.execute(FILL)
    op.execute(FILL_TASKS)
    op.create_index("ix_task_occurrence_status", "task_occurrence", ["status"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_WITH_PREFIXES:
            op.execute(statement)
    # expression indexes are written in SQL: the same text on SQLite and PostgreSQL
    op.execute("CREATE INDEX ix_task_deadline_order ON task ((deadline IS NULL), deadline, id)")
    op.execute("CREATE INDEX ix_task_status_deadline_order ON task "
               "(status, (deadline IS NULL), deadline, id, agency_id, letter_id)")
    op.execute("CREATE INDEX ix_task_agency_deadline_order ON task (agency_id, (deadline IS NULL), deadline, id)")
    op.execute("CREATE INDEX ix_task_letter_deadline_order ON task (letter_id, (deadline IS NULL), deadline, id)")
    op.create_index("ix_task_agency_status_deadline", "task", ["agency_id", "status", "deadline"], unique=False)
    op.create_index("ix_task_updated_at", "task", ["updated_at", "id"], unique=False)
    op.create_index("ix_task_deadline_status", "task", ["deadline", "status", "agency_id"], unique=False)
    # these are prefixes of the indexes above
    op.drop_index("ix_task_deadline", table_name="task")
    op.drop_index("ix_task_letter_id", table_name="task")
    for name, columns in REGISTER_INDEXES.items():
        op.create_index(name, "letter", columns, unique=False, sqlite_where=IN_REGISTER, postgresql_where=IN_REGISTER)
    # the enclosed letters' index, partial: "not enclosed" (the register) then never picks it over the sorts
    op.drop_index("ix_letter_enclosed_in_id", table_name="letter")
    op.create_index("ix_letter_enclosed_in_id", "letter", ["enclosed_in_id"], unique=False,
                    sqlite_where=sa.text("enclosed_in_id IS NOT NULL"),
                    postgresql_where=sa.text("enclosed_in_id IS NOT NULL"))
    op.drop_index("ix_task_status", table_name="task")
    op.drop_index("ix_task_agency_id", table_name="task")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_WITHOUT_PREFIXES:
            op.execute(statement)
    op.drop_index("ix_letter_enclosed_in_id", table_name="letter")
    op.create_index("ix_letter_enclosed_in_id", "letter", ["enclosed_in_id"], unique=False)
    for name in REGISTER_INDEXES:
        op.drop_index(name, table_name="letter")
    op.create_index("ix_task_status", "task", ["status"], unique=False)
    op.create_index("ix_task_agency_id", "task", ["agency_id"], unique=False)
    op.drop_index("ix_task_agency_status_deadline", table_name="task")
    op.drop_index("ix_task_updated_at", table_name="task")
    op.create_index("ix_task_deadline", "task", ["deadline"], unique=False)
    op.drop_index("ix_task_deadline_status", table_name="task")
    op.create_index("ix_task_letter_id", "task", ["letter_id"], unique=False)
    for name in ("ix_task_deadline_order", "ix_task_status_deadline_order", "ix_task_agency_deadline_order",
                 "ix_task_letter_deadline_order"):
        op.execute(f"DROP INDEX {name}")
    op.drop_table("figures_task_tally")
    op.drop_table("figures_version")
    op.drop_index("ix_task_occurrence_status", table_name="task_occurrence")
    op.drop_table("figures_letter_tally")
    op.drop_table("figures_tally")
