"""Serving the web application: several worker processes on Linux, the scheduler in a process of its own.

One Python process uses one core at a time, whatever its threads: on a 2-core server, a few clients that
never pause (a password guesser, a script) would take the whole of it and make everybody else wait. So
``tracker serve`` runs gunicorn's pre-forked workers (threads inside each) where it can (POSIX), and the
scheduler as a separate ``tracker scheduler`` process; elsewhere, or with ``--workers 1``, waitress in
one process with the scheduler on a thread, as before. No Flask import at module level: the workers
build their own app with ``create_app()`` after the fork, so no database connection crosses a fork.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from typing import Callable


def settled(app):
    """``app``, once its start-up objects are out of the garbage collector's sight (``gc.freeze``).

    A serving process holds about 150,000 long-lived objects (modules, the routes, the reader's tables, the
    statement cache). Every few requests the collector's full pass walked them all: about 85 ms on the 2-core
    benchmark machine, during which every thread of the process waits. Frozen, they are never walked again;
    what requests create is collected as before.
    """
    gc.freeze()
    return app


def default_workers() -> int:
    """Worker processes by default: one per core (at least 2) where gunicorn runs, else 1."""
    if not can_fork_workers():
        return 1
    return max(2, os.cpu_count() or 1)


def can_fork_workers() -> bool:
    """Whether several worker processes are possible here (gunicorn needs fork: Linux, macOS)."""
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def start_scheduler_process() -> subprocess.Popen:
    """``tracker scheduler`` as a child process with this process's environment and folder."""
    return subprocess.Popen([sys.executable, "-m", "tracker.entry", "scheduler"])


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask a child process to stop (SIGTERM), wait, and kill it if it does not."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_with_workers(app_factory: Callable, *, host: str, port: int, workers: int, threads: int) -> None:
    """Serve ``app_factory()`` with gunicorn: ``workers`` pre-forked processes of ``threads`` threads each.

    Each worker calls the factory after the fork (no preloading), so every process has its own engine and
    connections. Blocks until the server stops (Ctrl+C or SIGTERM).
    """
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                # a report or a large upload may take a while; a stuck worker is still replaced
                "timeout": 120,
                "graceful_timeout": 30,
                # a browser keeps its connection between clicks: gunicorn's 2 s would close it under people
                # who read a page for a while (gthread keeps idle connections in its poller, not a thread)
                "keepalive": 75,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "tracker",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return settled(app_factory())

    _Server().run()
