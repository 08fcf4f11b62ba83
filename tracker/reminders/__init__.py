"""Reminders: deadlines watched by a scheduler, reminder e-mails that are never sent twice and never lost.

How it fits together
--------------------
* ``workflows/reminders.toml`` — the policy (stages 5 and 2 working days before the deadline, on the day,
  then 3, 6, 12, 24, 48, 96 working days overdue and every 60 after that, leaders copied from 5 working
  days overdue, the weekly note to the clerk, how many tasks a mail lists, retry settings), validated at
  start (:mod:`.policy`). An office overrides it in ``instance/workflows/reminders.toml``.
* :mod:`.planner` — plain Python: the latest stage each task is due for on a day (one mail per task
  after a scheduler was down, not a burst), and the same as ranges of deadlines for SQL.
* :mod:`.operations` — the daily pass: reminder rows with a unique key (task, stage, day) and one digest
  per recipient written to the outbox in the same transaction; delivery; the task timeline. The due tasks
  are found and counted in SQL and read a page at a time; a digest lists the most urgent tasks (20 by
  default), then how many more and a link to the filtered task list.
* :mod:`.outbox`, :mod:`.smtp`, :mod:`.mail`, :mod:`.ics` — the outbox with claims, SMTP or .eml files,
  the Vietnamese messages (plain text, HTML, an .ics of the deadlines).
* :mod:`.scheduler` — APScheduler 3 tick jobs; one active scheduler per database.

Running it
----------
* ``tracker serve`` (one process) starts the scheduler in-process once it holds the lock — the demo needs
  one command. With several web worker processes (gunicorn), start the web server with
  ``tracker serve --no-scheduler`` or your WSGI server, and run ``tracker scheduler`` once, as its own
  service: a scheduler inside each worker is the classic duplicate-mail bug. A second ``tracker scheduler``
  on the same database waits and takes over when the first stops.
* ``tracker remind [--now YYYY-MM-DD] [--dry-run]`` runs one pass by hand (or as if on a date) and delivers.
* ``TRACKER_SMTP_URL``: ``smtp://host:25``, ``smtp://user:password@host:587?starttls=1``,
  ``smtps://user:password@host:465`` (``verify=0`` accepts an internal relay's self-signed certificate).
  Without it, messages are written as .eml files to ``instance/outbox/``. Links in mails start with
  ``TRACKER_BASE_URL``; the sender is ``TRACKER_MAIL_FROM``.

What "exactly once" means here
------------------------------
A reminder is decided once (unique key) and its message is written with it; a crash before delivery
sends it on the next run; two schedulers cannot both claim a message. One window remains that no SMTP
client can close: the server accepted the message and the process died before recording it as sent.
That message is sent again after the claim timeout, with the **same Message-ID**, so mail clients and
people can recognise the repeat (the footer of every reminder says so). SMTP failures are retried with a
doubling delay and keep their error; a 5xx answer for one address fails that message only; the admin sees
every message, its state and errors on Quản trị › Hộp thư đi and can send it again.
"""
