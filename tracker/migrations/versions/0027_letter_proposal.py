"""Letter proposals: what the extraction proposed for a letter registered from it, and what the clerk changed.

A new table and nothing else: letters registered before this migration simply have no proposal (they are not
counted on the quality page, as if registered by hand); no existing row is touched.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-09
"""

from alembic import op
import sqlalchemy as sa

from tracker.db import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'letter_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=False),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('header', sa.JSON(), nullable=False),
        sa.Column('tasks', sa.JSON(), nullable=False),
        sa.Column('outcome', sa.JSON(), nullable=False),
        sa.Column('tasks_proposed', sa.Integer(), nullable=False),
        sa.Column('tasks_unchanged', sa.Integer(), nullable=False),
        sa.Column('tasks_corrected', sa.Integer(), nullable=False),
        sa.Column('tasks_removed', sa.Integer(), nullable=False),
        sa.Column('tasks_added', sa.Integer(), nullable=False),
        sa.Column('header_fields', sa.Integer(), nullable=False),
        sa.Column('header_corrected', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_proposal_letter_id_letter'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_proposal')),
        sa.UniqueConstraint('letter_id', name=op.f('uq_letter_proposal_letter_id')),
    )
    with op.batch_alter_table('letter_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_proposal_registered_on'), ['registered_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('letter_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_proposal_registered_on'))
    op.drop_table('letter_proposal')
