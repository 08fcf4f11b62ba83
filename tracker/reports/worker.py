"""The report worker: ``python -m tracker.reports.worker RUN_ID --today DAY [--template PATH]`` builds one queued
run (tracker.reports.runs.execute_run) in a process of its own, then exits.

The web process only queues the run and starts this process (tracker.reports.runs.spawn_worker): a yearly
summary or a register of 20,000 letters is read and written here, and the memory it took goes back to the
system when the process ends, instead of staying with a web worker for the rest of its life.

The settings come from the environment and the instance folder, as for every ``tracker`` command; the web
process passes the instance folder and the database URL it uses. Needs no Flask.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Build the run named on the command line; 0 when it was built or failed with a reason recorded on it."""
    parser = argparse.ArgumentParser(prog="python -m tracker.reports.worker", description=__doc__.splitlines()[0])
    parser.add_argument("run_id", type=int)
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True, help="the office day (YYYY-MM-DD)")
    parser.add_argument("--template", type=Path, default=None, help="the report template (.docx)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from tracker.calendar.store import refresh_default_calendar
    from tracker.config import load_settings
    from tracker.db import import_models, make_engine, read_only, session_factory
    from tracker.reports import runs
    from tracker.resources import find_file
    from tracker.tasks.workflow import bind_workflow, load_workflow

    settings = load_settings()
    import_models()
    engine = make_engine(settings.database_url)
    try:
        # the same workflow and working-day calendar as the web process that queued the run
        bind_workflow(engine, load_workflow(find_file("workflows", "tasks.toml", settings.instance_path)))
        write_sessions = session_factory(engine)
        with write_sessions() as session:
            refresh_default_calendar(session)
        runs.execute_run(write_sessions, session_factory(read_only(engine)), settings.instance_path, args.run_id,
                         args.today, args.template)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
