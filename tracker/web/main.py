"""Home pages per role and the leaders' overview."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.accounts.permissions import require
from tracker.agencies.models import Agency
from tracker.tasks import queries
from tracker.tasks.models import DEADLINE_ORDER
from tracker.web import db, workflow
from tracker.web.clock import today
from tracker.web.deadlines import annotate, due_soon_end
from tracker.web.pagination import page_items

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Send each role to the page it works from."""
    role = current_user.role
    if role == Role.CLERK:
        return redirect(url_for("letters.register"))
    if role == Role.OFFICER:
        return redirect(url_for("tasks.my_agency"))
    if role == Role.LEADER:
        return redirect(url_for("main.overview"))
    return redirect(url_for("admin.users"))


#: rows of the overview's overdue and due-soon lists: the most urgent, the rest one click away in the task list
OVERVIEW_ROWS = 20


@bp.route("/overview")
@login_required
def overview():
    """Leaders' overview: the figures, overdue tasks, tasks due soon, agencies' performance."""
    require(current_user, "overview.view")
    session = db()
    wf = workflow()
    day = today()
    soon_end = due_soon_end(day)
    figures, agencies = queries.overview_figures(session, day, wf.open_states, soon_end)
    # the most urgent rows of each list, one more to know whether the full list (paginated) has others
    late = page_items(session, queries.overdue(queries.tasks_query(), day, wf.open_states)
                      .order_by(*DEADLINE_ORDER), limit=OVERVIEW_ROWS + 1, offset=0)
    soon = page_items(session, queries.due_between(queries.tasks_query(), day, soon_end, wf.open_states)
                      .order_by(*DEADLINE_ORDER), limit=OVERVIEW_ROWS + 1, offset=0)
    return render_template("main/overview.html", figures=figures, overdue=annotate(late[:OVERVIEW_ROWS]),
                           due_soon=annotate(soon[:OVERVIEW_ROWS]), more_overdue=len(late) > OVERVIEW_ROWS,
                           more_due_soon=len(soon) > OVERVIEW_ROWS,
                           agencies=agencies, today=day, soon_end=soon_end)


@bp.route("/agencies/search")
@login_required
def agency_search():
    """Agencies matching ?q= without diacritics, for autocomplete (JSON)."""
    from flask import request

    from tracker.text import fold

    require(current_user, "agency.list")
    q = fold(request.args.get("q", ""))[:100]
    query = select(Agency).where(Agency.active.is_(True))
    for word in q.split():
        query = query.where(Agency.search_text.contains(word))
    rows = db().scalars(query.order_by(Agency.name).limit(20))
    return {"items": [{"id": a.id, "name": a.name, "short_name": a.short_name} for a in rows]}
