"""Email reminders: a daily digest for each focal point of their delegation's follow-ups
that are overdue or due soon, and a weekly summary of progress for Secretariat staff.

Selectors (``digests_due``, ``weekly_changes``, ``weekly_recipients``) read; the service
``reminders_send`` sends and records what it sent in ``ReminderLog``, so that nothing is
sent twice for the same item (or summary) and day. Run daily by ``send_reminders``.

Illustrative sample follow-ups and synthetic load-test data are never reminded of.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import access
from .models import FocalPoint, FollowUp, ProgressUpdate, ReminderLog, real_meetings
from .status import OPEN, State, with_previous_status

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 30
WEEKLY_DAYS = 7
WEEKLY_WEEKDAY = 0  # Monday


@dataclass
class Digest:
    """One focal point's digest: the items not yet sent to them today."""

    user: object
    delegation: object
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)

    @property
    def follow_ups(self):
        return self.overdue + self.due_soon


@dataclass
class ReminderSummary:
    today: datetime.date
    dry_run: bool
    digests_sent: int = 0
    digest_items: int = 0
    weekly_sent: int = 0
    weekly_changes: int = 0
    recipients: list[str] = field(default_factory=list)
    skipped_no_email: list[str] = field(default_factory=list)
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)


def _remindable(queryset):
    return queryset.filter(real_meetings("recommendation__meeting__"), is_illustrative=False)


def follow_ups_needing_reminder(*, today: datetime.date, within_days: int = DUE_SOON_DAYS):
    """Follow-ups still open (not started, planned or in progress) whose target date has
    passed or falls within ``within_days`` days of ``today``. A lazy queryset, with the
    item and delegation joined, earliest target first."""
    return (
        _remindable(FollowUp.objects)
        .filter(
            status__in=OPEN,
            target_date__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("recommendation", "delegation")
        .order_by("target_date", "recommendation__code")
    )


def digests_due(*, today: datetime.date) -> list[Digest]:
    """One ``Digest`` per active focal point with something not yet sent today (users
    without an email address included, for the caller to report). Three queries: focal
    points, due follow-ups of their delegations, today's digest log."""
    focal_points = list(
        FocalPoint.objects.filter(user__is_active=True)
        .select_related("user", "delegation")
        .order_by("delegation__code", "user__username")
    )
    if not focal_points:
        return []
    by_delegation: dict[int, list[FollowUp]] = {}
    for follow_up in follow_ups_needing_reminder(today=today).filter(
        delegation__in={fp.delegation_id for fp in focal_points}
    ):
        by_delegation.setdefault(follow_up.delegation_id, []).append(follow_up)
    sent = set(
        ReminderLog.objects.filter(
            kind=ReminderLog.Kind.DIGEST,
            date=today,
            user__in=[fp.user_id for fp in focal_points],
        ).values_list("user_id", "follow_up_id")
    )
    digests = []
    for fp in focal_points:
        digest = Digest(user=fp.user, delegation=fp.delegation)
        for follow_up in by_delegation.get(fp.delegation_id, []):
            if (fp.user_id, follow_up.pk) in sent:
                continue
            if follow_up.target_date < today:
                digest.overdue.append(follow_up)
            else:
                digest.due_soon.append(follow_up)
        if digest.follow_ups:
            digests.append(digest)
    return digests


def weekly_recipients():
    """Active Secretariat staff (group members and superusers), by username. Lazy."""
    return (
        get_user_model()
        .objects.filter(access.secretariat_accounts())
        .distinct()
        .order_by("username")
    )


def weekly_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The seven full days before ``today``: consecutive weekly runs cover every date once."""
    return today - datetime.timedelta(days=WEEKLY_DAYS), today - datetime.timedelta(days=1)


def weekly_changes(*, today: datetime.date):
    """Progress updates dated in the week before ``today``, each annotated with
    ``previous_status``: the status of the follow-up's previous update (``not_started``
    when it is the first). One query; oldest first."""
    first, last = weekly_period(today)
    in_week = ProgressUpdate.objects.filter(date__gte=first, date__lte=last)
    histories = ProgressUpdate.objects.filter(
        real_meetings("follow_up__recommendation__meeting__"),
        follow_up__in=in_week.values("follow_up"),
        follow_up__is_illustrative=False,
    )
    return (
        with_previous_status(histories, after=first - datetime.timedelta(days=1), until=last)
        .select_related("follow_up__recommendation", "follow_up__delegation")
        .order_by("date", "follow_up__recommendation__code", "follow_up__delegation__code", "id")
    )


def _site_name():
    return _("Ministerial recommendations tracker")


def _digest_message(digest: Digest, today: datetime.date) -> EmailMessage:
    n = len(digest.follow_ups)
    subject = ngettext(
        "[%(site)s] %(count)d follow-up of %(delegation)s is overdue or due soon",
        "[%(site)s] %(count)d follow-ups of %(delegation)s are overdue or due soon",
        n,
    ) % {"site": _site_name(), "count": n, "delegation": digest.delegation.name}
    body = render_to_string(
        "recommendations/email/digest.txt",
        {
            "user": digest.user,
            "delegation": digest.delegation,
            "overdue": digest.overdue,
            "due_soon": digest.due_soon,
            "days": DUE_SOON_DAYS,
            "today": today,
            "site_url": settings.SITE_URL,
        },
    )
    return EmailMessage(subject=subject, body=body, to=[digest.user.email])


def _weekly_message(user, changes, today: datetime.date) -> EmailMessage:
    first, last = weekly_period(today)
    subject = _("[%(site)s] Progress from %(first)s to %(last)s") % {
        "site": _site_name(),
        "first": first.isoformat(),
        "last": last.isoformat(),
    }
    statuses = dict(State.choices)
    body = render_to_string(
        "recommendations/email/weekly_summary.txt",
        {
            "user": user,
            "first": first,
            "last": last,
            "changes": [
                {
                    "update": update,
                    "from": statuses.get(update.previous_status, update.previous_status),
                    "to": statuses.get(update.status, update.status),
                }
                for update in changes
            ],
            "site_url": settings.SITE_URL,
        },
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _send_logged(message: EmailMessage, logs: list[ReminderLog]) -> bool:
    """Record the log rows and send, all or nothing: a failed send leaves no log (so the
    next run retries), and a log that exists already (a concurrent run) sends nothing."""
    try:
        with transaction.atomic():
            ReminderLog.objects.bulk_create(logs)
            message.send()
    except IntegrityError:
        return False
    return True


def reminders_send(
    *, today: datetime.date, dry_run: bool = False, weekly: bool | None = None
) -> ReminderSummary:
    """Send today's focal point digests and, on Mondays (or when ``weekly`` is true),
    the Secretariat's weekly summary; never the same item or summary twice a day.

    Users without an email address are skipped (listed in the summary). A failed send is
    listed in ``failed`` and not recorded, so a later run retries it. With ``dry_run``
    nothing is sent or recorded; the summary says what would have been.
    """
    summary = ReminderSummary(today=today, dry_run=dry_run)

    for digest in digests_due(today=today):
        user = digest.user
        if not user.email:
            summary.skipped_no_email.append(user.get_username())
            continue
        if not dry_run:
            logs = [
                ReminderLog(user=user, follow_up=f, kind=ReminderLog.Kind.DIGEST, date=today)
                for f in digest.follow_ups
            ]
            try:
                sent = _send_logged(_digest_message(digest, today), logs)
            except Exception as error:  # an SMTP or network failure: report, go on
                logger.exception("Digest to %s failed", user.get_username())
                summary.failed.append(f"{user.get_username()}: {error}")
                continue
            if not sent:
                summary.already_sent += 1
                continue
        summary.digests_sent += 1
        summary.digest_items += len(digest.follow_ups)
        summary.recipients.append(user.email)

    if weekly is None:
        weekly = today.weekday() == WEEKLY_WEEKDAY
    if weekly:
        changes = list(weekly_changes(today=today))
        summary.weekly_changes = len(changes)
        already = set(
            ReminderLog.objects.filter(
                kind=ReminderLog.Kind.WEEKLY, date=today, follow_up__isnull=True
            ).values_list("user_id", flat=True)
        )
        for user in weekly_recipients():
            if user.pk in already:
                summary.already_sent += 1
                continue
            if not user.email:
                summary.skipped_no_email.append(user.get_username())
                continue
            if not dry_run:
                log = ReminderLog(user=user, kind=ReminderLog.Kind.WEEKLY, date=today)
                try:
                    sent = _send_logged(_weekly_message(user, changes, today), [log])
                except Exception as error:
                    logger.exception("Weekly summary to %s failed", user.get_username())
                    summary.failed.append(f"{user.get_username()}: {error}")
                    continue
                if not sent:
                    summary.already_sent += 1
                    continue
            summary.weekly_sent += 1
            summary.recipients.append(user.email)
    return summary
