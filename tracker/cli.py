"""The ``tracker`` command: a Flask CLI group. Commands are thin: they parse, call operations, commit, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from tracker.app import create_app
from tracker.entry import extract_command


def _app_factory():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory, add_version_option=False,
             help="Tracker: theo dõi văn bản chỉ đạo và nhiệm vụ (follow-up of official directives).")
def cli():
    """Root group."""


def _engine():
    return current_app.extensions["tracker.engine"]


def _sessions():
    return current_app.extensions["tracker.write_sessions"]


@cli.command("init")
@click.option("--demo", is_flag=True, help="Also load the demo province, users and letters.")
@with_appcontext
def init_command(demo: bool):
    """Create the database or upgrade it to the current schema (never loses data)."""
    from tracker.migrate import current_revision, head_revision, upgrade

    engine = _engine()
    before = current_revision(engine)
    upgrade(engine)
    after = head_revision()
    from tracker.db import transaction
    from tracker.tasks.tally import ensure_letters

    with transaction(_sessions()) as session:  # the overview's count of letters, once after an upgrade
        ensure_letters(session)
    if before == after:
        click.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).")
    else:
        click.echo(f"Đã nâng cấp cơ sở dữ liệu: {before or 'trống'} → {after}.")
    if demo:
        from tracker.demo import load_demo

        report = load_demo(_sessions(), current_app.extensions["tracker.settings"])
        click.echo(report)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default: one per core, at least 2, where the system can fork; else 1).")
@click.option("--threads", default=8, show_default=True, type=int, help="Threads of each worker process.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler with this server.")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int, no_scheduler: bool):
    """Serve the application: several worker processes (gunicorn) and the scheduler in a process of its own;
    with --workers 1, one process (waitress) with the scheduler on a thread."""
    from tracker import serving
    from tracker.migrate import current_revision, head_revision

    engine = _engine()
    current, head = current_revision(engine), head_revision()
    if current != head:
        click.echo(f"Cơ sở dữ liệu chưa được cập nhật (đang ở {current or 'trống'}, cần {head}). "
                   "Hãy chạy: tracker init", err=True)
        sys.exit(2)
    workers = workers or serving.default_workers()
    if workers > 1 and not serving.can_fork_workers():
        click.echo("Máy này không chạy được nhiều tiến trình phục vụ; dùng một tiến trình.", err=True)
        workers = 1
    if workers > 1:
        # the workers open their own connections after the fork; this process keeps none
        engine.dispose()
        scheduler = None if no_scheduler else serving.start_scheduler_process()
        click.echo(f"Tracker đang chạy tại http://{host}:{port}/ với {workers} tiến trình (Ctrl+C để dừng)")
        try:
            serving.serve_with_workers(_app_factory, host=host, port=port, workers=workers, threads=threads)
        finally:
            if scheduler is not None:
                serving.stop_process(scheduler)
        return
    from waitress import serve

    app = serving.settled(current_app._get_current_object())
    scheduler_thread = None
    if not no_scheduler:
        from tracker.reminders.scheduler import start_in_process

        scheduler_thread = start_in_process(app)
    click.echo(f"Tracker đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)")
    try:
        serve(app, host=host, port=port, threads=threads, ident="tracker")
    finally:
        if scheduler_thread is not None:
            scheduler_thread.shutdown()


@cli.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler (reminders, outbox, reports) as its own process; one is active per database.

    The recommended setup wherever the web server runs several worker processes. A second one waits and
    takes over when the active one stops. Ctrl+C or SIGTERM stops it cleanly.
    """
    import logging
    import signal

    from tracker.migrate import current_revision, head_revision
    from tracker.reminders.operations import ReminderService
    from tracker.reminders.scheduler import SchedulerRunner

    if current_revision(_engine()) != head_revision():
        click.echo("Cơ sở dữ liệu chưa được cập nhật. Hãy chạy: tracker init", err=True)
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = SchedulerRunner(ReminderService.from_app(current_app._get_current_object()),
                             say=lambda message: click.echo(message, err=True))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    runner.run()
    click.echo("Bộ lập lịch đã dừng.", err=True)


@cli.command("remind")
@click.option("--now", "now", default=None, metavar="YYYY-MM-DD",
              help="Run the pass as if today were this date (demos, catching up by hand).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@with_appcontext
def remind_command(now: str | None, dry_run: bool):
    """Run one reminder pass now and deliver the outbox; print what is sent (or would be)."""
    import datetime as dt

    from tracker.reminders.operations import ReminderService, deliver_all, format_delivery, format_pass, run_pass

    try:
        day = dt.date.fromisoformat(now) if now else None
    except ValueError:
        raise click.BadParameter("ngày phải có dạng YYYY-MM-DD, ví dụ 2019-09-25", param_hint="--now") from None
    service = ReminderService.from_app(current_app._get_current_object())
    result = run_pass(service, day, dry_run=dry_run)
    click.echo(format_pass(result))
    if dry_run:
        return
    click.echo(format_delivery(deliver_all(service)))


@cli.group("user")
def user_group():
    """Manage user accounts."""


@user_group.command("create")
@click.option("--username", prompt="Tên đăng nhập")
@click.option("--full-name", prompt="Họ và tên")
@click.option("--role", type=click.Choice(["admin", "clerk", "leader", "officer"]), prompt="Vai trò")
@click.option("--agency", default=None, help="Agency code or exact name (required for officers).")
@click.option("--email", default=None)
@click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_create(username, full_name, role, agency, email, password):
    """Create a user account."""
    from sqlalchemy import or_, select

    from tracker.accounts.operations import AccountError, create_user
    from tracker.agencies.models import Agency
    from tracker.db import transaction

    with transaction(_sessions()) as session:
        agency_id = None
        if agency:
            found = session.scalar(select(Agency).where(or_(Agency.code == agency, Agency.name == agency)))
            if found is None:
                raise click.ClickException(f"Không tìm thấy cơ quan “{agency}”.")
            agency_id = found.id
        try:
            user = create_user(session, username=username, full_name=full_name, password=password, role=role,
                               email=email, agency_id=agency_id)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Đã tạo người dùng {user.username} ({user.role_enum.label}).")


@user_group.command("password")
@click.argument("username")
@click.option("--password", prompt="Mật khẩu mới", hide_input=True, confirmation_prompt=True)
@with_appcontext
def user_password(username: str, password: str):
    """Set a new password for USERNAME (signs out their open sessions)."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.accounts.operations import AccountError, set_password
    from tracker.db import transaction

    with transaction(_sessions()) as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise click.ClickException(f"Không có người dùng “{username}”.")
        try:
            set_password(user, password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Đã đặt mật khẩu mới cho {username}.")


@cli.group("agencies")
def agencies_group():
    """Manage the agency catalog."""


@agencies_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def agencies_import(file: Path):
    """Load or update agencies from a catalog FILE (.toml or .csv) without duplicating rows."""
    from tracker.agencies.catalog import CatalogError, read_catalog
    from tracker.agencies.operations import import_catalog
    from tracker.db import transaction

    try:
        with transaction(_sessions()) as session:
            result = import_catalog(session, read_catalog(file))
    except CatalogError as exc:
        raise click.ClickException(f"Không nhập được danh mục: {exc}") from None
    click.echo(result.summary())


@agencies_group.command("merge")
@click.argument("old")
@click.argument("successor")
@with_appcontext
def agencies_merge(old: str, successor: str):
    """Merge agency OLD into SUCCESSOR (codes): open tasks move, history is kept."""
    from tracker.agencies.operations import MergeError, merge_agency
    from tracker.db import transaction

    try:
        with transaction(_sessions()) as session:
            moved = merge_agency(session, old, successor, actor=None,
                                     open_states=current_app.extensions["tracker.workflow"].open_states)
    except MergeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã sáp nhập; {moved} nhiệm vụ đang mở được chuyển sang cơ quan kế thừa.")


# Backup and restore build no app (with_appcontext=False): a backup must work even when a workflow file is
# broken, and a restore must not create files in the instance it is about to fill.
@cli.command("backup", with_appcontext=False)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The .zip to write, or a folder to write tracker-backup-YYYYMMDD-HHMMSS.zip into.")
def backup_command(output: Path):
    """Back up the whole instance to one .zip: a consistent database snapshot, files, reports, outbox, secret key."""
    from tracker.backup import BackupError, create_backup

    try:
        result = create_backup(output)
    except BackupError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary())
    for warning in result.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)


@cli.command("restore", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a non-empty instance or database.")
@click.option("--check", "check_only", is_flag=True, help="Only verify the archive's checksums; write nothing.")
def restore_command(file: Path, force: bool, check_only: bool):
    """Restore a backup FILE into this instance (empty unless --force), then upgrade its database schema."""
    from tracker.backup import BackupError, check_backup, restore_backup

    try:
        result = check_backup(file) if check_only else restore_backup(file, force=force)
    except BackupError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary())


# The extractor needs no database; its command lives in tracker.entry so that it starts without Flask.
cli.add_command(extract_command)


# JSON API tokens: tracker api-token create NAME --user USERNAME (tracker/tasks/cli.py)
from tracker.tasks.cli import api_token_group, tasks_group  # noqa: E402

cli.add_command(api_token_group)
cli.add_command(tasks_group)

from tracker.reports.cli import report_group  # noqa: E402

cli.add_command(report_group)


def main():
    """Run the Flask CLI group (the console script goes through tracker.entry.main)."""
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
