"""Search on PostgreSQL splits letter numbers into words, as FTS5 does on SQLite.

PostgreSQL's parser reads "871/vp-vhxh" as one file-name token, so a search for "VP-VHXH" or for the
reply "1234/UBND-VX" found nothing there. The index now covers the text with punctuation turned into
spaces, the expression tracker.intake.search queries. SQLite is unchanged. Only an index is rebuilt.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-23
"""

from alembic import op


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

WORDS = "to_tsvector('simple', regexp_replace(search_text, '[^a-z0-9]+', ' ', 'g'))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_letter_search_fts")
        op.execute(f"CREATE INDEX ix_letter_search_fts ON letter USING gin ({WORDS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_letter_search_fts")
        op.execute("CREATE INDEX ix_letter_search_fts ON letter USING gin (to_tsvector('simple', search_text))")
