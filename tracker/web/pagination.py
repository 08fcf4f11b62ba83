"""Pagination and sorting of list pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from tracker.db import MAX_INTEGER, count_capped
from tracker.web.params import read_int

PER_PAGE_CHOICES = (20, 50, 100)
#: lists count and page through at most this many results: counting or skipping more costs as much as the history
#: is long (a province's ten years are a million tasks), and nobody reads past it; filters and search narrow a list
MAX_COUNTED = 10_000


@dataclass
class Page:
    """One page of results with what the template needs to draw the pager."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    #: False when there are more than ``total`` (= MAX_COUNTED) results and the rest cannot be paged to
    exact: bool = True

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


def _single_key(query: Select):
    """The primary-key column when ``query`` selects one entity with a one-column key, else None."""
    described = query.column_descriptions
    entity = described[0].get("entity") if len(described) == 1 else None
    if entity is None or described[0]["expr"] is not entity:
        return None
    keys = inspect(entity).primary_key
    return keys[0] if len(keys) == 1 else None


def count_up_to(session: Session, query: Select, limit: int = MAX_COUNTED) -> tuple[int, bool]:
    """How many rows ``query`` has, counting no further than ``limit``: (count, whether it is exact)."""
    counted = query.order_by(None)
    key = _single_key(query)
    if key is not None:  # count ids, which an index often holds, not whole rows
        counted = counted.with_only_columns(key)
    return count_capped(session, counted, limit)


def paginate(session: Session, query: Select, *, default_per_page: int = 20,
             counted: tuple[int, bool] | None = None) -> Page:
    """Run ``query`` for the page named in the request (?page=, ?per_page=), within the first MAX_COUNTED;
    ``counted`` is the (count, exact) of count_up_to when the caller knows it a cheaper way."""
    per_page = int_arg("per_page", default_per_page)
    if per_page not in PER_PAGE_CHOICES:
        per_page = default_per_page
    return page_of(session, query, page=int_arg("page", 1), per_page=per_page, counted=counted)


def page_of(session: Session, query: Select, *, page: int, per_page: int,
            counted: tuple[int, bool] | None = None) -> Page:
    """Page ``page`` (clamped to the last one) of ``per_page`` rows of ``query``, counted up to MAX_COUNTED (or
    as ``counted`` says): the one paginator of the list pages and the JSON API."""
    total, exact = counted if counted is not None else count_up_to(session, query)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = page_items(session, query, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, page, per_page, total, exact)


def page_items(session: Session, query: Select, *, limit: int, offset: int) -> list[Any]:
    """One page of ``query``'s rows.

    For a query of one entity, the page's ids are found first from the filters and the order alone, often in one
    index, then only those rows are loaded with what the query loads with them (letter, agency). Sorting and
    skipping then handle narrow rows instead of whole rows joined with their letter and agency.
    """
    key = _single_key(query)
    if key is None:
        return list(session.scalars(query.limit(limit).offset(offset)).unique())
    ids = list(session.scalars(query.with_only_columns(key).limit(limit).offset(offset)))
    if not ids:
        return []
    # the rows by id alone (the filters again would tempt the planner into another index), loaded as the query
    # loads them (its options: letter, agency, tasks)
    entity = query.column_descriptions[0]["entity"]
    by_id = select(entity).where(key.in_(ids)).options(*getattr(query, "_with_options", ()))
    rows = {getattr(row, key.key): row for row in session.scalars(by_id).unique()}
    return [rows[i] for i in ids if i in rows]


def sort_arg(allowed: dict[str, Any], default: str) -> tuple[str, list[Any]]:
    """The sort key from ?sort= ("-key" for descending) and the ORDER BY clauses for it."""
    raw = request.args.get("sort", default)
    key = raw.lstrip("-")
    if key not in allowed:
        raw, key = default, default.lstrip("-")
    columns = allowed[key] if isinstance(allowed[key], (list, tuple)) else [allowed[key]]
    descending = raw.startswith("-")
    return raw, [c.desc() if descending else c.asc() for c in columns]
