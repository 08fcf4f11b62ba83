"""OCR jobs: scans read in the background, with their progress, for the progress page of the upload.

A new table and nothing else: no existing row is touched. A job belongs to a held upload (pending_upload) and
goes with it.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-16
"""

from alembic import op
import sqlalchemy as sa

from tracker.db import UTCDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ocr_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('pending_upload_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('pages_done', sa.Integer(), nullable=False),
        sa.Column('pages_total', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('retryable', sa.Boolean(), nullable=False),
        sa.Column('result_text', sa.Text(), nullable=True),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['pending_upload_id'], ['pending_upload.id'],
                                name=op.f('fk_ocr_job_pending_upload_id_pending_upload'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_ocr_job_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ocr_job')),
        sa.UniqueConstraint('token', name=op.f('uq_ocr_job_token')),
    )
    with op.batch_alter_table('ocr_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ocr_job_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocr_job_pending_upload_id'), ['pending_upload_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocr_job_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ocr_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ocr_job_user_id'))
        batch_op.drop_index(batch_op.f('ix_ocr_job_pending_upload_id'))
        batch_op.drop_index(batch_op.f('ix_ocr_job_created_at'))
    op.drop_table('ocr_job')
