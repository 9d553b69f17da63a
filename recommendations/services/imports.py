"""Applying an import plan of progress updates (``imports.build_plan``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, imports
from ..imports import WRITES, PlanRow
from ..models import Delegation, FollowUp, ImportJob, ProgressUpdate, Recommendation
from .conflicts import BusyError, retry_on_collision
from .follow_ups import follow_up_create
from .progress_updates import progress_update_create

# Rows written per transaction by a background import.
BATCH_ROWS = 500


@dataclass
class ImportResult:
    """What an import wrote: updates recorded, follow-ups created, rows skipped."""

    updates: int = 0
    follow_ups: int = 0
    skipped: int = 0

    def add(self, other: ImportResult) -> None:
        self.updates += other.updates
        self.follow_ups += other.follow_ups
        self.skipped += other.skipped


def progress_updates_import(*, plan, user) -> ImportResult:
    """Apply an import plan (``imports.build_plan``) whole, in one transaction
    (``progress_updates_import_rows``). Refuses a plan with errors
    (``ValidationError``); nothing is written then."""
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    return progress_updates_import_rows(rows=plan.all_rows(), user=user)


def import_job_plan(*, job: ImportJob) -> ImportJob:
    """Check a large uploaded file in the background (the task worker calls this), as
    its user: the counts of the preview, or, for a file with errors, its first rows
    with errors, are stored on the job, which is then previewed (its pages are planned
    when shown) or refused (its text dropped). Writes no progress update."""
    try:
        plan = imports.build_plan(
            job.text, user=job.user, default_visibility=job.visibility, keep=0
        )
    except imports.ImportFileError as error:
        job.state, job.error, job.text = ImportJob.State.REFUSED, str(error), ""
        job.save(update_fields=["state", "error", "text"])
        return job
    job.summary = plan.summary
    job.rows_total = plan.count(*imports.WRITES)
    if plan.is_valid:
        job.state = ImportJob.State.PREVIEWED
    else:
        job.state, job.text = ImportJob.State.REFUSED, ""
        job.error = "; ".join(plan.file_errors)
        job.summary["error_rows"] = [
            {
                "line": row.line,
                "code": row.code,
                "delegation": row.delegation,
                "status": row.status,
                "note": row.note or "",
                "errors": [str(error) for error in row.errors],
                "action": row.action,
            }
            for row in plan.error_rows
        ]
    job.save(update_fields=["state", "error", "text", "summary", "rows_total"])
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Import a queued job's file in the background (the task worker calls this), as
    its user: planned again, and refused whole (nothing written) if a row has an error
    now; else its rows are written in batches of ``BATCH_ROWS``, each batch one
    transaction (``progress_updates_import_rows``), the job's progress saved after
    each. A batch that fails ends the job as failed with the reason: the batches
    before it stay recorded, and importing the file again adds only what is missing
    (recorded rows are skipped). Reads the file twice per pass, streaming."""
    job.state, job.started_at = ImportJob.State.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at"])
    try:
        plan = imports.build_plan(
            job.text, user=job.user, default_visibility=job.visibility, keep=0
        )
        if not plan.is_valid:
            raise ValidationError(
                _(
                    "The data changed since the preview: %(count)s rows now have errors. "
                    "Nothing was imported; upload the file again to see them."
                )
                % {"count": plan.error_count}
                if plan.error_count
                else _("The file has no rows to import.")
            )
        job.rows_total = plan.count(*imports.WRITES)
        job.skipped = plan.total - job.rows_total
        job.save(update_fields=["rows_total", "skipped"])
        writes = (row for row in plan.all_rows() if row.writes)
        while batch := list(itertools.islice(writes, BATCH_ROWS)):
            done = progress_updates_import_rows(rows=batch, user=job.user)
            job.rows_done += len(batch)
            job.updates += done.updates
            job.follow_ups += done.follow_ups
            job.skipped += done.skipped
            job.save(update_fields=["rows_done", "updates", "follow_ups", "skipped"])
    except (ValidationError, PermissionError, BusyError, imports.ImportFileError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        job.state, job.error = ImportJob.State.FAILED, message
    except Exception as error:
        job.state, job.error = (
            ImportJob.State.FAILED,
            _("Unexpected error: %(error)s") % {"error": type(error).__name__},
        )
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        raise
    else:
        job.state, job.text = ImportJob.State.DONE, ""
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "text", "finished_at"])
    return job


@retry_on_collision
@transaction.atomic
def progress_updates_import_rows(*, rows: Iterable[PlanRow], user) -> ImportResult:
    """Apply planned rows, all or nothing, in one transaction: every ``new`` row becomes
    a progress update through ``progress_update_create`` (so the status follows and the
    author is recorded), creating the follow-up first where the delegation had none.

    Concurrent imports of one file, and an import beside a bulk status change, neither
    duplicate nor deadlock: the missing follow-ups are created in one order (a
    concurrent creation of the same one is waited for and reused), then every follow-up
    the rows touch is locked, by id ascending, before any row is checked. A row whose
    update is already recorded (by a second run, a double submit, a concurrent import)
    is then skipped. Raises ``PermissionError`` if the user may not edit one of the
    follow-ups (nothing is written). Queries: two, plus a handful per row written."""
    result = ImportResult()
    writes = []
    for row in rows:
        if row.action in WRITES:
            writes.append(row)
        else:
            result.skipped += 1
    follow_ups = _lock_follow_ups(writes, user, result)
    for row in writes:
        follow_up = follow_ups[(row.recommendation_id, row.delegation_id)]
        access.check_may_edit(user, follow_up)
        if _recorded(follow_up, row):
            result.skipped += 1
            continue
        progress_update_create(
            follow_up=follow_up,
            date=row.date,
            status=row.status,
            note=row.note or "",
            evidence_url=row.evidence_url or "",
            visibility=row.visibility,
            author=user,
        )
        result.updates += 1
    return result


def _existing(pairs) -> dict[tuple[int, int], int]:
    """Follow-up ids by (recommendation, delegation), of those pairs. One query."""
    recommendations = {rec for rec, _dele in pairs}
    delegations = {dele for _rec, dele in pairs}
    found = FollowUp.objects.filter(
        recommendation_id__in=recommendations, delegation_id__in=delegations
    ).values_list("recommendation_id", "delegation_id", "pk")
    return {(rec, dele): pk for rec, dele, pk in found if (rec, dele) in pairs}


def _lock_follow_ups(rows, user, result) -> dict[tuple[int, int], FollowUp]:
    pairs = {(row.recommendation_id, row.delegation_id) for row in rows}
    ids = _existing(pairs)
    for pair in sorted(pairs - ids.keys()):
        follow_up, created = _follow_up_get_or_create(*pair, user=user)
        ids[pair] = follow_up.pk
        result.follow_ups += created
    locked = FollowUp.objects.select_for_update().filter(pk__in=ids.values()).order_by("pk")
    by_pk = {follow_up.pk: follow_up for follow_up in locked}
    return {pair: by_pk[pk] for pair, pk in ids.items()}


def _follow_up_get_or_create(recommendation_id, delegation_id, *, user):
    """The pair's follow-up, created if missing. A concurrent import creating the same
    one is waited for (the unique constraint), and its follow-up used."""
    try:
        with transaction.atomic():
            return (
                follow_up_create(
                    recommendation=Recommendation.objects.select_related("meeting").get(
                        pk=recommendation_id
                    ),
                    delegation=Delegation.objects.get(pk=delegation_id),
                    user=user,
                ),
                True,
            )
    except (IntegrityError, ValidationError):
        existing = FollowUp.objects.filter(
            recommendation_id=recommendation_id, delegation_id=delegation_id
        ).first()
        if existing is None:
            raise
        return existing, False


def _recorded(follow_up, row) -> bool:
    """Is the row's update already in the follow-up's history? One query (under the
    follow-up's lock, so a concurrent import's rows are seen once committed)."""
    already = ProgressUpdate.objects.filter(follow_up=follow_up, date=row.date, status=row.status)
    if row.note is not None:
        already = already.filter(note=row.note)
    if row.evidence_url is not None:
        already = already.filter(evidence_url=row.evidence_url)
    return already.exists()
