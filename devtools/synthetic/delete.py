"""Removal of the synthetic meeting and everything under it, leaving real data alone."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from recommendations.models import (
    Delegation,
    FocalPoint,
    FollowUp,
    Meeting,
    Participation,
    Person,
    ProgressUpdate,
    Recommendation,
    ReminderLog,
    Session,
)

from .spec import MEETING_SLUG, PERSON_SLUG_PREFIX, seeded_parameters


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def synthetic_delete(*, dry_run: bool = False) -> dict[str, int]:
    """Remove the synthetic meeting and everything under it, in one transaction:
    progress updates, reminders, follow-ups (and any history rows of these), theme links,
    items, participations, sessions, the synthetic people, the meeting, and the
    delegations the seed created unless something real now refers to them. A roster
    delegation the seed created (``--roster``) also had a follow-up of every real item
    made for it: these go with it when they still hold nothing (no report, pledge or
    lead) and nothing else real refers to it; otherwise it stays, and they too.

    Raw ``DELETE … WHERE`` statements in dependency order; real data is not touched.
    Returns the rows deleted per table (what would be, with ``dry_run``).
    """
    meeting_id = Meeting.objects.filter(slug=MEETING_SLUG).values_list("id", flat=True).first()
    if meeting_id is None:
        return {}
    seeded = seeded_parameters() or {}
    created = seeded.get("created_delegations", [])
    rostered = seeded.get("roster_delegations", [])
    history = {
        name: apps.get_model("recommendations", name)
        for name in (
            "HistoricalProgressUpdate",
            "HistoricalFollowUp",
            "HistoricalRecommendation",
            "HistoricalRecommendation_themes",
        )
    }
    # Table names come from the models, values are parameters.
    items = f"SELECT id FROM {_table(Recommendation)} WHERE meeting_id = %(m)s"  # noqa: S608
    follow_ups = f"SELECT id FROM {_table(FollowUp)} WHERE recommendation_id IN ({items})"  # noqa: S608
    in_follow_ups = f"follow_up_id IN ({follow_ups})"
    in_items = f"recommendation_id IN ({items})"
    steps = [
        ("progress updates", ProgressUpdate, in_follow_ups),
        ("progress update history", history["HistoricalProgressUpdate"], in_follow_ups),
        ("reminders", ReminderLog, in_follow_ups),
        ("follow-up history", history["HistoricalFollowUp"], in_items),
        ("follow-ups", FollowUp, in_items),
        ("theme links", Recommendation.themes.through, in_items),
        ("item theme history", history["HistoricalRecommendation_themes"], in_items),
        ("item history", history["HistoricalRecommendation"], "meeting_id = %(m)s"),
        ("recommendations", Recommendation, "meeting_id = %(m)s"),
        ("participations", Participation, "meeting_id = %(m)s"),
        ("sessions", Session, "meeting_id = %(m)s"),
        ("people", Person, "slug LIKE %(slug)s"),
        ("meeting", Meeting, "id = %(m)s"),
    ]
    params: dict = {"m": meeting_id, "slug": PERSON_SLUG_PREFIX + "%"}
    if rostered:
        params |= {f"r{i}": code for i, code in enumerate(rostered)}
        steps += _roster_steps(history, ", ".join(f"%(r{i})s" for i in range(len(rostered))))
    if created:
        params |= {f"c{i}": code for i, code in enumerate(created)}
        d = _table(Delegation)
        unused = " AND ".join(
            f"NOT EXISTS (SELECT 1 FROM {_table(model)} r WHERE r.delegation_id = {d}.id)"  # noqa: S608
            for model in (FollowUp, Person, FocalPoint)
        )
        placeholders = ", ".join(f"%(c{i})s" for i in range(len(created)))
        steps.append(("delegations", Delegation, f"code IN ({placeholders}) AND {unused}"))
    deleted: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 0")
        for label, model, where in steps:
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {where}", params)  # noqa: S608
            deleted[label] = cursor.rowcount
        if dry_run:
            transaction.set_rollback(True)
    return deleted


def _roster_steps(history: dict, placeholders: str) -> list[tuple]:
    """The steps that remove the follow-ups of real items made for the roster
    delegations the seed created (codes ``placeholders``), run once the synthetic
    follow-ups and people are gone: those of a delegation that nothing real refers to
    (no person, focal point or follow-up that holds something), which all hold nothing."""
    qn = connection.ops.quote_name
    d, f = _table(Delegation), _table(FollowUp)
    holds_something = (
        f"(f.{qn('last_update_date')} IS NOT NULL OR f.{qn('pledge')} <> '' "
        f"OR f.{qn('lead')} <> '')"
    )
    refs = [
        f"SELECT 1 FROM {_table(model)} r WHERE r.delegation_id = {d}.id"  # noqa: S608
        for model in (Person, FocalPoint)
    ]
    refs.append(f"SELECT 1 FROM {f} f WHERE f.delegation_id = {d}.id AND {holds_something}")  # noqa: S608
    free = " AND ".join(f"NOT EXISTS ({ref})" for ref in refs)
    delegations = f"SELECT id FROM {d} WHERE code IN ({placeholders}) AND {free}"  # noqa: S608
    leftovers = f"SELECT id FROM {f} WHERE delegation_id IN ({delegations})"  # noqa: S608
    return [
        ("roster follow-up reminders", ReminderLog, f"follow_up_id IN ({leftovers})"),
        (
            "roster progress update history",
            history["HistoricalProgressUpdate"],
            f"follow_up_id IN ({leftovers})",
        ),
        ("roster follow-up history", history["HistoricalFollowUp"], f"id IN ({leftovers})"),
        ("roster follow-ups", FollowUp, f"id IN ({leftovers})"),
    ]
