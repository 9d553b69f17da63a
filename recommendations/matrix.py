"""The matrix's reads: the items of a page against the roster delegations. Each makes
one query, whatever the number of items and columns."""

from __future__ import annotations

from dataclasses import dataclass

from .filters import follow_up_conditions
from .models import Delegation, FollowUp, Recommendation
from .status import with_shown_status


@dataclass
class MatrixRow:
    """One item of the matrix and its cells, one per column delegation: the shown
    status of that delegation's follow-up when it meets the filters, else None."""

    item: Recommendation
    cells: list[tuple[Delegation, str | None]]


def matrix_columns(filterset) -> list[Delegation]:
    """The matrix's columns: the roster delegations by name, or the one delegation the
    filters choose (on the roster or not). One query."""
    chosen = filterset.clean_value("delegation")
    delegations = Delegation.objects.all() if chosen else Delegation.objects.on_roster()
    if chosen:
        delegations = delegations.filter(code=getattr(chosen, "code", chosen))
    return list(delegations.order_by("name", "code"))


def matrix_rows(items, columns, filterset) -> list[MatrixRow]:
    """The cells of a page of items: the shown status (as of the filters' day) of each
    column delegation's follow-up that meets the follow-up-level filters. One query,
    whatever the number of items and columns."""
    as_of = filterset.as_of_date
    params = filterset.follow_up_params()
    follow_ups = follow_up_conditions(
        FollowUp.objects.filter(
            recommendation_id__in=[item.pk for item in items],
            delegation_id__in=[d.pk for d in columns],
        ),
        as_of=as_of,
        **params,
    )
    found = {
        (item_id, delegation_id): status
        for item_id, delegation_id, status in with_shown_status(follow_ups, as_of)
        .values_list("recommendation_id", "delegation_id", "shown_status")
        .order_by()
    }
    return [MatrixRow(item, [(d, found.get((item.pk, d.pk))) for d in columns]) for item in items]
