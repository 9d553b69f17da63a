"""Follow-ups and their history of progress updates."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import status as rules
from ..status import State, Status
from .items import Recommendation
from .meetings import Delegation


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None):
        """Target date passed and still open (``status.overdue_q``)."""
        return self.filter(rules.overdue_q(today))

    def not_overdue(self, today: datetime.date | None = None):
        return self.exclude(rules.overdue_q(today))


class FollowUp(models.Model):
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("recommendation"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("delegation"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=State,
        default=State.NOT_REPORTED,
        editable=False,
        help_text=_("The status of the latest progress update; “No report yet” before the first."),
    )
    target_date = models.DateField(
        _("target date"),
        null=True,
        blank=True,
        help_text=_("Defaults to the date of the target meeting."),
    )
    pledge = models.TextField(_("pledge"), blank=True, help_text=_("The pledge announced, if any."))
    lead = models.CharField(
        _("lead"), max_length=200, blank=True, help_text=_("Lead office or focal point.")
    )
    last_update_date = models.DateField(
        _("last update date"), null=True, blank=True, editable=False
    )
    is_illustrative = models.BooleanField(
        _("sample data"),
        default=False,
        editable=False,
        help_text=_("Sample data for demonstration, never real reporting."),
    )
    # Optimistic lock: every change to the follow-up or to its history bumps it (the
    # services for the follow-up's own fields, the database triggers for its history),
    # and a save based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["recommendation__code", "delegation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "delegation"], name="follow_up_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(status__in=State.values),
                name="follow_up_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["delegation", "status"], name="fu_delegation_status_idx"),
            models.Index(fields=["status", "recommendation"], name="fu_status_rec_idx"),
            models.Index(fields=["target_date", "status"], name="fu_target_status_idx"),
            models.Index(fields=["last_update_date"], name="fu_last_update_idx"),
            models.Index(
                fields=["is_illustrative"],
                condition=Q(is_illustrative=True),
                name="fu_illustrative_idx",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation.code} / {self.delegation.code}"

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.recommendation.code]) + (
            f"#follow-up-{self.delegation.code}"
        )

    @property
    def is_overdue(self):
        return rules.is_overdue(self.target_date, self.status)


class ProgressUpdateQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by(*rules.LATEST_FIRST)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted")


class ProgressUpdate(models.Model):
    Visibility = Visibility

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="updates", verbose_name=_("follow-up")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Status)
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text=_(
            "Restricted notes and evidence are shown only to Secretariat staff and "
            "the delegation's focal points; the status stays public."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_updates",
        verbose_name=_("author"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verified_updates",
        editable=False,
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    # Optimistic lock, as on FollowUp: every change and verification bumps it, and a
    # save based on an older version is refused (``services.progress_update_change``).
    # The database default serves rows written by SQL or COPY.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = list(rules.LATEST_FIRST)
        indexes = [
            models.Index(fields=["follow_up", *rules.LATEST_FIRST], name="pu_follow_up_latest_idx"),
            models.Index(fields=["date"], name="pu_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="progress_update_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values),
                name="progress_update_visibility_valid",
            ),
        ]

    def __str__(self):
        return f"{self.follow_up} {self.date}: {self.get_status_display()}"

    @property
    def is_verified(self):
        return self.verified_at is not None
