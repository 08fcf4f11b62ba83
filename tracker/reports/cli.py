"""``tracker report summary|agency|letter|register|followup``: write a report as a Word file (.xlsx: a spreadsheet).

Registered on the ``tracker`` group in tracker/cli.py (``cli.add_command(report_group)``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.reports.template import TEMPLATE_NAME, TemplateError
from tracker.reports.vn import Period, ReportInputError, period_between, period_from_text, vn_number


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    text = value.strip()
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise click.BadParameter(f"ngày “{value}” không hợp lệ; hãy ghi 2019-09-30 hoặc 30/9/2019", param_hint=option)


def _period(start: str | None, end: str | None, period: str | None, today: dt.date) -> Period:
    """The period asked for: --period, or --from and --to; this month when none is given."""
    if period and (start or end):
        raise ReportInputError("Hãy dùng --period hoặc --from/--to, không dùng cả hai.")
    if period:
        return period_from_text(period)
    if start or end:
        if not (start and end):
            raise ReportInputError("Cần cả --from và --to (ví dụ --from 2019-09-01 --to 2019-09-30).")
        return period_between(_date(start, "--from"), _date(end, "--to"))
    return period_from_text(f"{today.year}-{today.month:02d}")


def _template(path: Path | None) -> Path:
    if path is not None:
        return path
    from tracker.resources import find_file

    return find_file("templates", TEMPLATE_NAME, current_app.extensions["tracker.settings"].instance_path)


def _run(kind: str, output: Path, start, end, period, agency, letter, template, signer) -> None:
    from tracker.reports import builders
    from tracker.web.clock import today as office_today

    today = office_today()
    sessions = current_app.extensions["tracker.write_sessions"]
    if output.suffix.lower() == ".xlsx":
        _run_xlsx(kind, output, start, end, period, today, sessions)
        return
    try:
        template_path = _template(template)
        with sessions() as session:
            if kind == "letter":
                if not letter:
                    raise ReportInputError("Cần --letter (mã văn bản hoặc số đến/năm, ví dụ 913/2019).")
                report = builders.build_letter_report(session, letter, today, template=template_path, signer=signer)
            else:
                chosen = _period(start, end, period, today)
                if kind == "summary":
                    report = builders.build_summary(session, chosen, today, template=template_path, signer=signer)
                elif kind == "agency":
                    if not agency:
                        raise ReportInputError("Cần --agency (mã cơ quan, ví dụ finance).")
                    report = builders.build_agency_report(session, agency, chosen, today, template=template_path,
                                                          signer=signer)
                elif kind == "register":
                    report = builders.build_register(session, chosen, today, template=template_path)
                else:
                    report = builders.build_followup(session, chosen, today, template=template_path)
            output.parent.mkdir(parents=True, exist_ok=True)
            report.save(output)
    except (ReportInputError, TemplateError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã ghi báo cáo: {output} ({vn_number(output.stat().st_size)} byte).")


def _run_xlsx(kind: str, output: Path, start, end, period, today: dt.date, sessions) -> None:
    """The spreadsheet form (-o FILE.xlsx) of the summary, the register or the follow-up register."""
    from tracker.reports.spreadsheet import XLSX_KINDS, build_xlsx

    try:
        if kind not in XLSX_KINDS:
            raise ReportInputError("Chỉ báo cáo tổng hợp (summary), sổ đăng ký (register) và sổ theo dõi (followup) "
                                   "xuất được ra .xlsx; "
                                   "hãy ghi -o TỆP.docx cho báo cáo này.")
        chosen = _period(start, end, period, today)
        with sessions() as session:
            data = build_xlsx(session, kind, chosen, today)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except ReportInputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Đã ghi bảng tính: {output} ({vn_number(len(data))} byte).")


def _options(function):
    for decorator in reversed([
        click.option("--from", "start", metavar="NGÀY", help="First day (2019-09-01 or 1/9/2019)."),
        click.option("--to", "end", metavar="NGÀY", help="Last day, inclusive."),
        click.option("--period", metavar="KỲ", help="2019 (year), 2019-Q3 (quarter), 2019-09 (month), 2019-W38 (week)."),
        click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="The file to write: .docx (Word), or .xlsx (spreadsheet; summary, register, followup)."),
        click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Template .docx (default: instance/templates/reports/bao-cao.docx, else the shipped one)."),
    ]):
        function = decorator(function)
    return function


@click.group("report")
def report_group():
    """Write reports as Word documents (layout of Nghị định 30/2020/NĐ-CP)."""


@report_group.command("summary")
@_options
@click.option("--signer", default="", help="Name printed under the signature.")
@with_appcontext
def summary_command(start, end, period, output, template, signer):
    """The leaders' summary of a period (this month by default)."""
    _run("summary", output, start, end, period, None, None, template, signer)


@report_group.command("agency")
@_options
@click.option("--agency", required=False, help="Agency code (as in the catalog).")
@click.option("--signer", default="", help="Name printed under the signature.")
@with_appcontext
def agency_command(start, end, period, output, template, agency, signer):
    """All tasks of one agency in a period."""
    _run("agency", output, start, end, period, agency, None, template, signer)


@report_group.command("letter")
@click.option("--letter", required=False, help="Letter id, or incoming number/year (913/2019).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--signer", default="", help="Name printed under the signature.")
@with_appcontext
def letter_command(letter, output, template, signer):
    """One letter and how each of its tasks stands."""
    _run("letter", output, None, None, None, None, letter, template, signer)


@report_group.command("register")
@_options
@with_appcontext
def register_command(start, end, period, output, template):
    """Sổ đăng ký văn bản đến (Nghị định 30/2020, Phụ lục IV) of a period."""
    _run("register", output, start, end, period, None, None, template, "")


@report_group.command("followup")
@_options
@with_appcontext
def followup_command(start, end, period, output, template):
    """Sổ theo dõi giải quyết văn bản đến of a period."""
    _run("followup", output, start, end, period, None, None, template, "")
