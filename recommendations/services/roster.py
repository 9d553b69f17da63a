"""The roster: the delegations taking part in the follow-up.

Every roster delegation has a follow-up of every item, so that an item nobody has
reported on is still on every page, as "No report yet" (the follow-up's status until
its first progress update). ``roster_fill`` keeps that true; it is called when a
delegation joins the roster and when items arrive (``load_demo``, the admin, the
synthetic data).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q

from ..countries import fill_member_state_names
from ..models import Delegation, FollowUp, Meeting, Recommendation

# The columns the INSERT … SELECT fills from the pair and the item's meeting.
_FROM_ITEM = {"recommendation", "delegation", "target_date"}


@transaction.atomic
def roster_fill(*, recommendations=None, delegations=None) -> int:
    """Create the missing follow-ups of ``recommendations`` (a queryset, every item by
    default) by the roster delegations among ``delegations`` (every roster delegation
    by default), each targeted at the date of the meeting its item's meeting prepares.
    Returns how many were created, so a second run returns 0.

    One ``INSERT … SELECT`` (PostgreSQL and SQLite): the database makes the pairs and
    leaves out those followed already (it reads the roster delegations' follow-ups
    once, into a hash), so no row is held in Python: six delegations over 100,000
    items take seconds, not a minute and 400 MB. The other columns get their model
    defaults, as ``bulk_create`` would give them (no history rows or signals either)."""
    if recommendations is None:
        recommendations = Recommendation.objects.all()
    if delegations is None:
        delegations = Delegation.objects.all()
    try:
        items_sql, items_params = recommendations.order_by().values("pk").query.sql_with_params()
        roster_sql, roster_params = (
            delegations.on_roster().order_by().values("pk").query.sql_with_params()
        )
    except EmptyResultSet:  # .none(), pk__in=[]: nothing to fill
        return 0
    template = FollowUp()
    defaults = [
        (field.column, field.get_db_prep_save(field.pre_save(template, add=True), connection))
        for field in FollowUp._meta.concrete_fields
        if not field.primary_key and field.name not in _FROM_ITEM
    ]
    qn = connection.ops.quote_name
    item, delegation, target = (
        qn(FollowUp._meta.get_field(name).column)
        for name in ("recommendation", "delegation", "target_date")
    )
    columns = ", ".join([item, delegation, target] + [qn(column) for column, _ in defaults])
    values = ", ".join(["r.id", "d.id", "m.target_date"] + ["%s"] * len(defaults))
    follow_ups = qn(FollowUp._meta.db_table)
    # Names come from the models, values are parameters. A concurrent fill may have
    # created some of the pairs since: the unique pair keeps one.
    sql = (
        f"INSERT INTO {follow_ups} ({columns}) "  # noqa: S608
        f"SELECT {values} FROM {qn(Recommendation._meta.db_table)} r "
        f"INNER JOIN {qn(Meeting._meta.db_table)} m ON m.id = r.meeting_id "
        f"CROSS JOIN {qn(Delegation._meta.db_table)} d "
        f"WHERE r.id IN ({items_sql}) AND d.id IN ({roster_sql}) "
        f"AND (r.id, d.id) NOT IN (SELECT f.{item}, f.{delegation} FROM {follow_ups} f "
        f"WHERE f.{delegation} IN ({roster_sql})) "
        "ORDER BY r.id, d.id ON CONFLICT DO NOTHING"
    )
    params = [value for _, value in defaults] + [*items_params, *roster_params, *roster_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# A follow-up holds nothing of its own yet: no report, pledge or lead.
EMPTY = Q(last_update_date__isnull=True, pledge="", lead="")


@transaction.atomic
def delegation_save(*, delegation: Delegation) -> int:
    """Validate and save ``delegation`` (a member state gets its name in every language
    it has none in, ``countries.fill_member_state_names``); on the roster, give it a
    follow-up of every item; off it, remove its follow-ups that hold nothing (no report,
    pledge or lead), so that nothing anyone wrote is lost. Returns how many follow-ups
    were created or removed."""
    fill_member_state_names(delegation)
    delegation.full_clean()
    delegation.save()
    if delegation.on_roster:
        return roster_fill(delegations=Delegation.objects.filter(pk=delegation.pk))
    removed, _ = FollowUp.objects.filter(EMPTY, delegation=delegation).delete()
    return removed


def delegations_set_roster(*, delegations, on_roster: bool) -> int:
    """Put ``delegations`` on the roster or take them off it (``delegation_save`` for
    each), in one transaction. Returns how many delegations changed."""
    changed = 0
    with transaction.atomic():
        for delegation in delegations.select_for_update().order_by("pk"):
            if delegation.on_roster != on_roster:
                delegation.on_roster = on_roster
                delegation_save(delegation=delegation)
                changed += 1
    return changed
