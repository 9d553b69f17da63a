"""CSV imports of progress updates: the file between its preview and its import, and
the progress and result of an import run in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    PLANNING = "planning", _("Checking the file")
    REFUSED = "refused", _("The file has errors")
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded file: checked (a large file by the task worker), previewed, then
    imported at once (a small file) or queued for the task worker, which imports it
    in batches and records its progress here."""

    State = ImportState

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("user"),
    )
    name = models.CharField(_("file name"), max_length=200)
    digest = models.CharField(
        _("digest"), max_length=64, help_text=_("SHA-256 of the file's text.")
    )
    # Emptied once the import has finished: the progress updates hold what it said.
    text = models.TextField(_("file text"), blank=True)
    visibility = models.CharField(_("visibility"), max_length=20)
    state = models.CharField(
        _("state"), max_length=20, choices=ImportState, default=ImportState.PREVIEWED
    )
    rows_total = models.PositiveIntegerField(
        _("rows to write"), default=0, help_text=_("Rows that will write.")
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    updates = models.PositiveIntegerField(_("progress updates imported"), default=0)
    follow_ups = models.PositiveIntegerField(_("follow-ups created"), default=0)
    skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The preview's counts (ImportPlan.summary), so that its later pages need not plan
    # the whole file again; for a file refused by the worker, its first rows with errors.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "state"], name="import_job_user_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ImportState.values), name="import_job_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("admin:recommendations_progressupdate_import_status", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.REFUSED)

    @property
    def percent(self) -> int:
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)
