"""Pagination that stays fast on huge tables.

The count is capped: ``COUNT(*)`` over at most ``cap + 1`` rows (a ``LIMIT`` in a
subquery), so a page never counts a million rows; past the cap the page says
"more than N". Pages past the cap are not served (OFFSET would degrade): the
visitor is sent to the last reachable page with a message asking to narrow the filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def count_cap() -> int:
    return getattr(settings, "LIST_COUNT_CAP", 10_000)


class CappedPaginator(Paginator):
    """A Paginator whose ``count`` never exceeds ``cap`` (one bounded COUNT query)."""

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = cap if cap is not None else count_cap()
        self.capped = False

    @cached_property
    def count(self):
        # The order does not change a count; dropping it spares a sort of up to cap rows.
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


@dataclass
class Pagination:
    page: Page
    paginator: CappedPaginator
    per_page: int
    message: str = ""

    @property
    def count_is_capped(self) -> bool:
        return self.paginator.capped


def page_size_from(params, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The ``per_page`` parameter if it is one of PAGE_SIZES, else the default."""
    try:
        value = int(params.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return value if value in PAGE_SIZES else default


def paginate(queryset, params, per_page: int | None = None) -> Pagination:
    """Page ``queryset`` by the ``page`` and ``per_page`` parameters.

    A malformed page number gives page 1, a page past the end the last page, each
    with a message; never an error. Queries: one bounded COUNT, one page SELECT.
    """
    per_page = per_page or page_size_from(params)
    paginator = CappedPaginator(queryset, per_page)
    raw = params.get("page", "1")
    message = ""
    try:
        number = int(raw)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        number = 1
        message = _("“%(page)s” is not a page number; showing the first page.") % {
            "page": "".join(c for c in str(raw)[:20] if c.isprintable())
        }
    if number > paginator.num_pages:
        if paginator.capped:
            message = _(
                "Only the first %(count)s results can be paged through; narrow the filters "
                "to see the rest. Showing the last reachable page."
            ) % {"count": f"{paginator.cap:,}"}
        elif paginator.count:
            message = _("There is no page %(page)s; showing the last page.") % {"page": number}
        number = paginator.num_pages
    return Pagination(
        page=paginator.page(number), paginator=paginator, per_page=per_page, message=message
    )
