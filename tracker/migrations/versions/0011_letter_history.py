"""Letter history: letter_event, one append-only row per registration and per correction of a letter's header.

Letters registered before this release get their "registered" event from what the letter row records
(who registered it and when), so every letter page shows a history that starts at its registration.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
import tracker.db


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', tracker.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('letter_version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_letter_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_event_letter_id_letter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_event'))
    )
    with op.batch_alter_table('letter_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_event_letter_id'), ['letter_id'], unique=False)

    # Letters already in the register: their registration becomes the first event of their history.
    op.execute(
        "INSERT INTO letter_event (letter_id, actor_id, at, kind, changes, comment, letter_version) "
        "SELECT id, registered_by_id, created_at, 'registered', '{}', NULL, version FROM letter ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table('letter_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_event_letter_id'))

    op.drop_table('letter_event')
