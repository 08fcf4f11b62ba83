"""The office's today, in its time zone (tests may pin it with the TRACKER_TODAY setting)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> dt.date:
    """Today in the office's time zone, or the date pinned by the TRACKER_TODAY app setting."""
    pinned = current_app.config.get("TRACKER_TODAY")
    if pinned:
        return dt.date.fromisoformat(str(pinned))
    return dt.datetime.now(ZoneInfo(current_app.extensions["tracker.settings"].timezone)).date()
