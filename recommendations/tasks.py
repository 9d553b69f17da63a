"""Background tasks (Django's Tasks framework; the database backend of django-tasks-db
queues them, ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django.tasks import task

from . import services
from .models import ImportJob


@task()
def import_progress_updates(job_id: int) -> dict:
    """Import a queued CSV file (``services.import_job_run``); the job records the
    progress and the result that the import's status page shows."""
    job = services.import_job_run(job=ImportJob.objects.select_related("user").get(pk=job_id))
    return {"state": job.state, "updates": job.updates, "skipped": job.skipped}


@task()
def plan_import(job_id: int) -> dict:
    """Check a large uploaded CSV file for its preview (``services.import_job_plan``)."""
    job = services.import_job_plan(job=ImportJob.objects.select_related("user").get(pk=job_id))
    return {"state": job.state, "rows": job.summary.get("rows", 0)}
