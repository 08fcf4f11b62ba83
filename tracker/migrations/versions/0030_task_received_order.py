"""Tasks keep their letter's incoming number, so the lists "by received" read an index of tasks.

Two nullable columns on task, filled from each task's letter in one UPDATE, and two indexes in the register's order
(alone and after the state). No row is removed and no existing value changes; the downgrade drops what was added.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

FILL = """
UPDATE task SET
    received_year = (SELECT letter.received_year FROM letter WHERE letter.id = task.letter_id),
    received_number = (SELECT letter.received_number FROM letter WHERE letter.id = task.letter_id)
"""


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): SQLite and PostgreSQL add it without rewriting the table
    op.add_column("task", sa.Column("received_year", sa.Integer(), nullable=True))
    op.add_column("task", sa.Column("received_number", sa.Integer(), nullable=True))
    op.execute(FILL)
    op.create_index("ix_task_received_order", "task", ["received_year", "received_number", "id"], unique=False)
    op.create_index("ix_task_status_received_order", "task", ["status", "received_year", "received_number", "id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_status_received_order", table_name="task")
    op.drop_index("ix_task_received_order", table_name="task")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its expression indexes
    op.drop_column("task", "received_number")
    op.drop_column("task", "received_year")
