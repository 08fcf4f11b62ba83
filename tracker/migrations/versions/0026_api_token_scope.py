"""API tokens get a scope (read / write) and an optional expiry.

Every token that exists before this migration becomes 'write' with no expiry, so each integration that works
today keeps working exactly as before (until then a token could read and write). New tokens are 'read' unless
the admin asks for 'write' (``tracker api-token create --scope write`` or the admin page).

A downgrade revokes the read-only and the expired tokens, which the older code would let write.

The scope is added nullable, filled, then made NOT NULL with its check constraint, so neither database needs a
server default that the model does not have.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa

from tracker.db import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True))
    # existing tokens keep the rights they had: read and write
    op.execute("UPDATE api_token SET scope = 'write'")
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('scope', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint('scope_valid', "scope IN ('read','write')")


def downgrade() -> None:
    # Before 0026 every token could write and none expired: rather than silently widen a read-only or an
    # expired token, revoke it (the row stays for the record).
    op.execute("UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL"
               " AND (scope <> 'write' OR expires_at <= CURRENT_TIMESTAMP)")
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_token_scope_valid'), type_='check')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
