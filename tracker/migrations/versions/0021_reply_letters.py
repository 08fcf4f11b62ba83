"""Reply letters: the office's reply to an incoming letter and an agency's written report on a task.

The follow-up register (sổ theo dõi giải quyết văn bản đến) has a column "số, ký hiệu văn bản trả lời";
these columns give it data. Both are new and empty; nothing is rewritten.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_number', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reply_date', sa.Date(), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_number', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reply_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('reply_date')
        batch_op.drop_column('reply_number')
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('reply_date')
        batch_op.drop_column('reply_number')
