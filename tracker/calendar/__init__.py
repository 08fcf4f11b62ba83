"""Working-day calendar of Vietnam: public holidays, government swaps, working-day arithmetic.

Usage::

    from tracker.calendar.workdays import default_calendar
    calendar = default_calendar()
    calendar.add_working_days(date(2025, 1, 24), 1)      # 2025-02-03, after the Tết break
    calendar.day_off_reason(date(2025, 1, 29))           # "Tết Nguyên đán"

Modules: ``workdays`` (``WorkCalendar``, ``default_calendar``) and ``adjustments`` (the yearly
government decisions, read from ``data/adjustments.toml`` or passed in as ``(date, kind, label)``).
"""
