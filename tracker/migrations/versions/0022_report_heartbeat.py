"""Report runs tell how far they have got and that they are alive: report_run.stage and heartbeat_at.

A run interrupted by a restart stopped writing its heartbeat; the archive page and the scheduler mark it
failed ("bị gián đoạn") instead of showing it "running" for ever. New nullable columns; nothing rewritten.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', tracker.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('stage')
