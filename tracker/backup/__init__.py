"""Backup and restore of a whole tracker instance: ``tracker backup -o FILE`` and ``tracker restore FILE``.

Plain Python, no Flask. ``archive`` is the .zip format and its checks, ``database`` the SQLite snapshot
and the PostgreSQL dump, ``operations`` the two commands' work.
"""

from tracker.backup.archive import BackupError
from tracker.backup.operations import (
    BackupResult,
    CheckResult,
    RestoreResult,
    check_backup,
    create_backup,
    restore_backup,
)

__all__ = ["BackupError", "BackupResult", "CheckResult", "RestoreResult", "check_backup", "create_backup",
           "restore_backup"]
