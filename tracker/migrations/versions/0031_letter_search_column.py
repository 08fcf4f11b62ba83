"""PostgreSQL keeps each letter's search words in a column of their own, indexed; SQLite is unchanged.

The index of migration 0023 was on an expression: wherever PostgreSQL tested a letter outside the index (walking
the register in its order, or re-checking rows), it parsed the letter's whole text again, about 0.4 ms a letter,
and its planner did not know that. At 200,000 letters a search for a word in one letter walked them all
(51 s for "871"), and one for a word in most letters counted by parsing each (27 s for "tinh"). A stored generated
column is parsed once, when the letter is written, and has statistics of its own. The words are stripped of their
positions (a search needs only which words a letter has), which keeps the column near 800 bytes, stored in the
row itself.

The upgrade rewrites the letter table once (about two minutes for 200,000 letters); run ``VACUUM ANALYZE letter``
afterwards on a large database so that the planner knows the new column.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from alembic import op


revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

WORDS = "strip(to_tsvector('simple', regexp_replace(search_text, '[^a-z0-9]+', ' ', 'g')))"
OLD_WORDS = "to_tsvector('simple', regexp_replace(search_text, '[^a-z0-9]+', ' ', 'g'))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # kept in the row (compressed) rather than in the TOAST table: a broad search tests the words of many
        # letters one by one, and a TOAST fetch per letter doubled that (count of "so tai chinh": 45 -> 25 ms)
        op.execute(f"ALTER TABLE letter ADD COLUMN search_words tsvector GENERATED ALWAYS AS ({WORDS}) STORED, "
                   "ALTER COLUMN search_words SET STORAGE MAIN")
        op.execute("CREATE INDEX ix_letter_search_words ON letter USING gin (search_words)")
        op.execute("DROP INDEX IF EXISTS ix_letter_search_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_letter_search_fts ON letter USING gin ({OLD_WORDS})")
        op.execute("DROP INDEX IF EXISTS ix_letter_search_words")
        op.execute("ALTER TABLE letter DROP COLUMN search_words")
