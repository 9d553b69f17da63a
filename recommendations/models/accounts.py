"""Accounts: which delegation a focal point speaks for, and the reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .follow_ups import FollowUp
from .meetings import Delegation


class FocalPoint(models.Model):
    """Links a user to the one delegation whose follow-ups they may edit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="focal_point",
        verbose_name=_("user"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="focal_points",
        verbose_name=_("delegation"),
    )

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["delegation__code", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.delegation.code})"


class ReminderLog(models.Model):
    """One row per email item sent, so ``send_reminders`` never sends it twice a day."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Focal point digest")
        WEEKLY = "weekly", _("Secretariat weekly summary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("user"),
    )
    follow_up = models.ForeignKey(
        FollowUp,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("follow-up"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    date = models.DateField(_("date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder log")
        verbose_name_plural = _("reminder logs")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "follow_up", "kind", "date"],
                condition=Q(follow_up__isnull=False),
                name="reminder_item_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "date"],
                condition=Q(follow_up__isnull=True),
                name="reminder_summary_once_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.user} on {self.date}"
