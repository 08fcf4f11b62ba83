"""Reply letters of recurring tasks: each period (kỳ báo cáo) keeps the number and date of its written report.

New nullable columns on task_occurrence; nothing is rewritten.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_occurrence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_number', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reply_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('task_occurrence', schema=None) as batch_op:
        batch_op.drop_column('reply_date')
        batch_op.drop_column('reply_number')
