"""Reports archive: report_run, one row per report compiled on the web or by the scheduler; outbox kind "report".

The weekly summary goes out through the outbox as its own kind of message ("report"), so the outbox's
CHECK on ``kind`` gains that value.

Revision ID: 0020
Revises: 0011
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = "0020"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('schedule_key', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_report_run_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_run')),
    sa.UniqueConstraint('schedule_key', name=op.f('uq_report_run_schedule_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_kind_valid'), type_='check')
        batch_op.create_check_constraint('kind_valid', "kind IN ('digest','no_deadline','report')")


def downgrade() -> None:
    op.execute("DELETE FROM outbox_message WHERE kind = 'report'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_kind_valid'), type_='check')
        batch_op.create_check_constraint('kind_valid', "kind IN ('digest','no_deadline')")
    op.drop_table('report_run')
