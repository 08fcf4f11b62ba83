"""Task workflow: extension requests, attachments, periods of recurring tasks, API tokens; judged deadline.

Existing tasks get judged_deadline = deadline (no extension was recorded before) and starts_on = the
letter's arrival. The task table only gains nullable columns (plain ALTER TABLE ADD COLUMN): recreating
it on SQLite would cascade-delete its events. task_event is recreated (batch) to gain a foreign key;
nothing refers to it at that point.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('name', name=op.f('uq_api_token_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('task_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('old_deadline', sa.Date(), nullable=False),
    sa.Column('proposed_deadline', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('granted_deadline', sa.Date(), nullable=True),
    sa.Column('moves_judged_deadline', sa.Boolean(), nullable=True),
    sa.CheckConstraint("status IN ('pending','approved','refused')", name=op.f('ck_task_extension_status_valid')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_task_extension_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_task_extension_requested_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_extension_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_extension'))
    )
    with op.batch_alter_table('task_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_extension_task_id'), ['task_id'], unique=False)

    op.create_table('task_occurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('result_text', sa.Text(), nullable=True),
    sa.Column('result_submitted_on', sa.Date(), nullable=True),
    sa.Column('completed_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_occurrence_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_occurrence')),
    sa.UniqueConstraint('task_id', 'period_start', name='period_unique')
    )
    with op.batch_alter_table('task_occurrence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_occurrence_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_occurrence_task_id'), ['task_id'], unique=False)

    # Plain ADD COLUMN (no batch): the task table must not be recreated (see the module docstring).
    op.add_column('task', sa.Column('judged_deadline', sa.Date(), nullable=True))
    op.add_column('task', sa.Column('recurrence_until', sa.Date(), nullable=True))
    op.add_column('task', sa.Column('starts_on', sa.Date(), nullable=True))
    op.add_column('task', sa.Column('result_text', sa.Text(), nullable=True))
    op.add_column('task', sa.Column('result_submitted_on', sa.Date(), nullable=True))
    op.execute("UPDATE task SET judged_deadline = deadline")
    op.execute("UPDATE task SET starts_on = (SELECT letter.received_on FROM letter WHERE letter.id = task.letter_id)")

    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occurrence_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_task_event_occurrence_id_task_occurrence'), 'task_occurrence', ['occurrence_id'], ['id'], ondelete='SET NULL')

    op.create_table('task_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['task_event.id'], name=op.f('fk_task_attachment_event_id_task_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_task_attachment_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['task_occurrence.id'], name=op.f('fk_task_attachment_occurrence_id_task_occurrence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_task_attachment_task_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_task_attachment_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_attachment'))
    )
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_attachment_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_attachment_task_id'))
    op.drop_table('task_attachment')

    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_event_occurrence_id_task_occurrence'), type_='foreignkey')
        batch_op.drop_column('occurrence_id')
        batch_op.drop_column('task_version')

    # Native DROP COLUMN (SQLite >= 3.35, PostgreSQL): no table copy, so the events stay.
    for column in ('result_submitted_on', 'result_text', 'starts_on', 'recurrence_until', 'judged_deadline'):
        op.execute(f"ALTER TABLE task DROP COLUMN {column}")

    with op.batch_alter_table('task_occurrence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_occurrence_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_occurrence_deadline'))
    op.drop_table('task_occurrence')

    with op.batch_alter_table('task_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_extension_task_id'))
    op.drop_table('task_extension')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
    op.drop_table('api_token')
