"""Pagination and sorting of list pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.db import MAX_INTEGER
from tracker.web.params import read_int

PER_PAGE_CHOICES = (20, 50, 100)


@dataclass
class Page:
    """One page of results with what the template needs to draw the pager."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        """1-based position of the last item shown."""
        return min(self.total, self.page * self.per_page)

    def url_for_page(self, page: int) -> str:
        """The current URL with another page number."""
        args = request.args.to_dict()
        args["page"] = str(page)
        return f"{request.path}?{urlencode(args)}"


def int_arg(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer query argument, forgiving bad input by falling back to ``default``."""
    value, _ = read_int(request.args.get(name), minimum=-MAX_INTEGER, maximum=MAX_INTEGER)
    if value is None:
        return default
    value = max(minimum, value)
    return min(value, maximum) if maximum is not None else value


def paginate(session: Session, query: Select, *, default_per_page: int = 20) -> Page:
    """Run ``query`` for the page named in the request (?page=, ?per_page=)."""
    per_page = int_arg("per_page", default_per_page)
    if per_page not in PER_PAGE_CHOICES:
        per_page = default_per_page
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(int_arg("page", 1), pages)
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


def sort_arg(allowed: dict[str, Any], default: str) -> tuple[str, list[Any]]:
    """The sort key from ?sort= ("-key" for descending) and the ORDER BY clauses for it."""
    raw = request.args.get("sort", default)
    key = raw.lstrip("-")
    if key not in allowed:
        raw, key = default, default.lstrip("-")
    columns = allowed[key] if isinstance(allowed[key], (list, tuple)) else [allowed[key]]
    descending = raw.startswith("-")
    return raw, [c.desc() if descending else c.asc() for c in columns]
