"""Full-text search of letters.

SQLite: an FTS5 table over letter.search_text (external content, kept in step by triggers).
A later batch migration that recreates the letter table must recreate these triggers.
PostgreSQL: a GIN index on to_tsvector('simple', search_text).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE letter_fts USING fts5(search_text, content='letter', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER letter_fts_insert AFTER INSERT ON letter BEGIN "
    "INSERT INTO letter_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER letter_fts_delete AFTER DELETE ON letter BEGIN "
    "INSERT INTO letter_fts(letter_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER letter_fts_update AFTER UPDATE OF search_text ON letter BEGIN "
    "INSERT INTO letter_fts(letter_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO letter_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO letter_fts(letter_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute("CREATE INDEX ix_letter_search_fts ON letter USING gin (to_tsvector('simple', search_text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("letter_fts_insert", "letter_fts_delete", "letter_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS letter_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_letter_search_fts")
