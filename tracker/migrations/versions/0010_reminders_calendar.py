"""Reminders and the working-day calendar table: reminders, outbox, passes, heartbeat; calendar adjustments.

The calendar_adjustment table is seeded from tracker/calendar/data/adjustments.toml as shipped with this
release (each day with a "seeded" row in calendar_change, so the calendar's revision is not 0 and the
table, not the file, is in force from now on). Later releases' new days are added by the admin page's
"Nạp các ngày mới" button (tracker.calendar.store.import_shipped), which leaves edited days alone.

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-24
"""

import datetime as dt

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = "0010"
down_revision = "0003"
branch_labels = None
depends_on = None


def _seed_calendar() -> None:
    from tracker.calendar.adjustments import shipped_adjustment_entries

    now = dt.datetime.now(dt.timezone.utc)
    adjustment = sa.table(
        "calendar_adjustment", sa.column("day", sa.Date()), sa.column("kind", sa.String()),
        sa.column("label", sa.String()), sa.column("source", sa.Text()), sa.column("verified", sa.Boolean()),
        sa.column("swap_with", sa.Date()), sa.column("note", sa.Text()),
        sa.column("created_at", tracker.db.UTCDateTime()), sa.column("updated_at", tracker.db.UTCDateTime()))
    change = sa.table(
        "calendar_change", sa.column("at", tracker.db.UTCDateTime()), sa.column("actor_id", sa.Integer()),
        sa.column("action", sa.String()), sa.column("day", sa.Date()), sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()), sa.column("reason", sa.Text()))
    rows, changes = [], []
    for entry in shipped_adjustment_entries():
        for day in entry.dates:
            fields = dict(kind=entry.kind, label=entry.label, source=entry.source, verified=entry.verified,
                          swap_with=entry.swap_with, note=entry.note)
            rows.append(dict(day=day, created_at=now, updated_at=now, **fields))
            changes.append(dict(at=now, actor_id=None, action="seeded", day=day, before={},
                                after={**fields, "swap_with": entry.swap_with.isoformat() if entry.swap_with else None},
                                reason="Nạp từ tệp điều chỉnh phát hành kèm phần mềm (migration 0010)"))
    op.bulk_insert(adjustment, rows)
    op.bulk_insert(change, changes)


def upgrade() -> None:
    op.create_table('calendar_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('swap_with', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('day_off','working_day')", name=op.f('ck_calendar_adjustment_kind_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_adjustment')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_adjustment_day'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('recipient_name', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.Text(), nullable=False),
    sa.Column('for_date', sa.Date(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resent_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('digest','no_deadline')", name=op.f('ck_outbox_message_kind_valid')),
    sa.CheckConstraint("state IN ('pending','sending','sent','failed')", name=op.f('ck_outbox_message_state_valid')),
    sa.ForeignKeyConstraint(['resent_from_id'], ['outbox_message.id'], name=op.f('fk_outbox_message_resent_from_id_outbox_message'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_message_key')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_for_date'), ['for_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient'), ['recipient'], unique=False)

    op.create_table('reminder_pass',
    sa.Column('pass_date', sa.Date(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('started_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', tracker.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('pass_date', name=op.f('pk_reminder_pass'))
    )
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holder', sa.String(length=255), nullable=False),
    sa.Column('started_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )
    op.create_table('calendar_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('seeded','added','changed','removed')", name=op.f('ck_calendar_change_action_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_calendar_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_change'))
    )
    with op.batch_alter_table('calendar_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_change_day'), ['day'], unique=False)

    op.create_table('outbox_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('sent','retry','failed','resend')", name=op.f('ck_outbox_attempt_outcome_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_outbox_attempt_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'], name=op.f('fk_outbox_attempt_outbox_id_outbox_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempt'))
    )
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempt_outbox_id'), ['outbox_id'], unique=False)

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('pass_date', sa.Date(), nullable=False),
    sa.Column('created_at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_reminder_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('task_id', 'stage', 'due_on', name=op.f('uq_reminder_task_id_stage_due_on'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_task_id'), ['task_id'], unique=False)

    _seed_calendar()


def downgrade() -> None:
    for table in ("reminder", "outbox_attempt", "calendar_change", "scheduler_heartbeat", "reminder_pass",
                  "outbox_message", "calendar_adjustment"):
        op.drop_table(table)
