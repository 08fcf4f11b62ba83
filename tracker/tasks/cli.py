"""Commands of the task area: ``tracker api-token create|list|revoke``, ``tracker tasks refresh-periods|recount``.

Registered on the ``tracker`` group in tracker/cli.py (``cli.add_command(api_token_group)`` ...).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


def _sessions():
    return current_app.extensions["tracker.write_sessions"]


@click.group("api-token")
def api_token_group():
    """Manage the tokens integrations use for the JSON API."""


@api_token_group.command("create")
@click.argument("name")
@click.option("--user", "username", required=True,
              help="The account whose role and agency the integration acts with.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True,
              help="read: only GET/HEAD/OPTIONS; write: also change tasks. Least privilege unless asked.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="Refuse the token after this many days (default: it does not expire).")
@with_appcontext
def api_token_create(name: str, username: str, scope: str, expires_days: int | None):
    """Create a token for the integration NAME; it is printed once."""
    from sqlalchemy import select

    from tracker.accounts.models import User
    from tracker.db import transaction
    from tracker.tasks.api_tokens import TokenError, create_token, expiry_after

    with transaction(_sessions()) as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise click.ClickException(f"Không có tài khoản “{username}”.")
        try:
            row, token = create_token(session, name, user, scope=scope, expires_at=expiry_after(expires_days))
        except TokenError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Đã tạo mã truy cập “{row.name}” cho tài khoản {user.username} ({user.role_enum.label}), "
                   f"quyền: {row.scope_label.lower()}, hết hạn: {_when(row.expires_at, 'không bao giờ')}.")
        click.echo("Mã chỉ hiện một lần, hãy lưu lại ngay:")
        click.echo(token)


def _when(moment, blank: str) -> str:
    """A UTC moment as dd/mm/yyyy HH:MM in the office's time zone, or ``blank``."""
    if moment is None:
        return blank
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_app.extensions["tracker.settings"].timezone)).strftime("%d/%m/%Y %H:%M")


@api_token_group.command("list")
@with_appcontext
def api_token_list():
    """List tokens with scope, expiry and state (never the tokens themselves)."""
    from tracker.db import transaction, utcnow
    from tracker.tasks.api_tokens import list_tokens

    with transaction(_sessions()) as session:
        rows = list_tokens(session)
        if not rows:
            click.echo("Chưa có mã truy cập nào.")
        now = utcnow()
        for row in rows:
            click.echo(f"{row.name:24} {row.prefix}…  {row.user.username:16} {row.scope_label:11} "
                       f"{row.state_label(now):11} hết hạn: {_when(row.expires_at, 'không'):16} "
                       f"lần dùng cuối: {_when(row.last_used_at, 'chưa dùng')}")


@api_token_group.command("revoke")
@click.argument("name")
@with_appcontext
def api_token_revoke(name: str):
    """Revoke the token of the integration NAME."""
    from tracker.db import transaction
    from tracker.tasks.api_tokens import TokenError, revoke_token

    try:
        with transaction(_sessions()) as session:
            revoke_token(session, name)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã thu hồi mã truy cập “{name}”.")


@click.group("tasks")
def tasks_group():
    """Task maintenance jobs."""


@tasks_group.command("refresh-periods")
@with_appcontext
def refresh_periods():
    """Create the due and next periods of recurring tasks (run daily, e.g. by the scheduler)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from tracker.db import transaction
    from tracker.tasks.occurrences import refresh_all

    settings = current_app.extensions["tracker.settings"]
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    with transaction(_sessions()) as session:
        made = refresh_all(session, today, workflow=current_app.extensions["tracker.workflow"])
    click.echo(f"Đã tạo {made} kỳ báo cáo.")


@tasks_group.command("recount")
@click.option("--check", is_flag=True, help="Only say whether the stored counts agree with a full count.")
@with_appcontext
def recount(check: bool):
    """Count every task again for the overview's running figures (after a bulk import or a hand-made fix)."""
    from tracker.db import transaction
    from tracker.tasks import tally

    with transaction(_sessions()) as session:
        if check:
            problems = tally.differences(session)
            if problems:
                for line in problems[:50]:
                    click.echo(line)
                raise click.ClickException(f"Số liệu tổng hợp lệch ở {len(problems)} chỗ; chạy "
                                           "“tracker tasks recount” để đếm lại.")
            click.echo("Số liệu tổng hợp khớp với số nhiệm vụ.")
            return
        tally.rebuild(session)
    click.echo("Đã đếm lại số liệu tổng hợp.")
