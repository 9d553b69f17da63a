"""The admin's CSV import of progress updates: upload → preview → confirm.

The upload is read and checked at once (a file of more than
``imports.PREVIEW_SYNC_LINES`` lines by the task worker, while a status page waits for
it) and nothing is written: the preview counts what
every row will do and lists the rows page by page (``imports.ROWS_KEPT`` a page) with
their line numbers, and the first rows with errors; it is planned streaming, so a file
of 200,000 rows takes bounded memory and a page of bounded size. The file's text waits
in an ``ImportJob`` (the session holds only its id and SHA-256, which the confirm form
carries back), so the confirm step imports exactly the file that was previewed; the
plan is built again from it at that moment and applied only if it has no error: in
one transaction when it writes at most ``IMPORT_SYNC_ROWS`` rows, else by the task
worker in the background, in batches, with a status page showing its progress and
then its result.

Needs the ``add_progressupdate`` permission; a focal point's scope (their own
delegation) is enforced by the plan and again by the service.
"""

from __future__ import annotations

import hashlib
import math
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import access, imports, services, tasks
from ..models import ImportJob, ProgressUpdate

SESSION_KEY = "progress_update_import"
TEMPLATES = "admin/recommendations/progressupdate/"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: code, delegation, status, date, note, evidence_url (and optionally "
            "visibility). A file exported from the follow-ups list can be imported back. "
            "UTF-8, comma or semicolon separated, at most %(mb)s MB."
        ),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility of the notes"),
        choices=ProgressUpdate.Visibility.choices,
        initial=ProgressUpdate.Visibility.PUBLIC,
        help_text=gettext_lazy(
            "For new notes in rows without a visibility value. A note or link already "
            "recorded keeps its visibility."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "mb": imports.MAX_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB; split it into smaller files.")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        data = upload.read(imports.MAX_BYTES + 1)
        try:
            self.cleaned_data["text"] = imports.decode(data)
        except imports.ImportFileError as error:
            raise ValidationError(str(error)) from None
        return upload


def import_urls(model_admin):
    """The URL patterns of the import, to prepend to ``model_admin.get_urls()``."""
    site = model_admin.admin_site
    return [
        path(
            "import/",
            site.admin_view(_view(model_admin)),
            name="recommendations_progressupdate_import",
        ),
        path(
            "import/<int:pk>/",
            site.admin_view(_job_view(model_admin)),
            name="recommendations_progressupdate_import_status",
        ),
    ]


def _view(model_admin):
    @require_http_methods(["GET", "POST"])
    def progress_update_import(request):
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return _confirm(request, model_admin)
        if request.method == "POST":
            return _preview(request, model_admin)
        return _render(request, model_admin, "import_form.html", {"form": ImportUploadForm()})

    return progress_update_import


def _job_view(model_admin):
    @require_http_methods(["GET"])
    def progress_update_import_status(request, pk):
        """A previewed file's pages (``?page=``), or a confirmed import's progress."""
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        jobs = ImportJob.objects.all()
        if not access.is_secretariat(request.user):
            jobs = jobs.filter(user=request.user)
        job = get_object_or_404(jobs, pk=pk)
        if job.state == ImportJob.State.PREVIEWED:
            return _preview_page(request, model_admin, job)
        if job.state == ImportJob.State.REFUSED:
            return _refused_page(request, model_admin, job)
        return _render(request, model_admin, "import_status.html", {"job": job})

    return progress_update_import_status


def _render(request, model_admin, template, context, status=200):
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("Import progress updates"),
        "has_view_permission": model_admin.has_view_permission(request),
        **context,
    }
    return TemplateResponse(request, TEMPLATES + template, context, status=status)


def _plan(request, text: str, visibility: str, page: int = 1, count_all: bool = True):
    try:
        plan = imports.build_plan(
            text,
            user=request.user,
            default_visibility=visibility,
            start=(page - 1) * imports.ROWS_KEPT,
            count_all=count_all,
        )
        return plan, None
    except imports.ImportFileError as error:
        return None, str(error)


def _preview_context(plan, job, filename, page=1, summary=None) -> dict:
    summary = summary or plan.summary
    pages = max(1, math.ceil(summary["rows"] / imports.ROWS_KEPT))
    return {
        "plan": plan,
        "summary": summary,
        "job": job,
        "digest": job.digest if job else "",
        "filename": filename,
        "page": page,
        "pages": pages,
        "page_range": range(1, pages + 1) if pages <= 20 else None,
        "first_line_shown": plan.start + 1,
        "last_line_shown": plan.start + len(plan.rows),
        "more_errors": max(0, plan.error_count - len(plan.error_rows)),
    }


def _preview(request, model_admin):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, model_admin, "import_form.html", {"form": form}, status=400)
    text, visibility = form.cleaned_data["text"], form.cleaned_data["visibility"]
    if text.count("\n") > imports.PREVIEW_SYNC_LINES:
        return _plan_in_background(request, form, text, visibility)
    plan, file_error = _plan(request, text, visibility)
    if plan is None:
        form.add_error("file", file_error)
        return _render(request, model_admin, "import_form.html", {"form": form}, status=400)
    name = form.cleaned_data["file"].name[:200]
    job = None
    request.session.pop(SESSION_KEY, None)
    if plan.is_valid:
        job = _new_job(
            request,
            name,
            text,
            visibility,
            rows_total=plan.count(*imports.WRITES),
            summary=plan.summary,
        )
    context = _preview_context(plan, job, name)
    return _render(request, model_admin, "import_preview.html", context)


def _new_job(request, name, text, visibility, **fields) -> ImportJob:
    # One waiting preview per person: an earlier one is never confirmed now.
    ImportJob.objects.filter(
        user=request.user, state__in=[ImportJob.State.PLANNING, ImportJob.State.PREVIEWED]
    ).delete()
    job = ImportJob.objects.create(
        user=request.user,
        name=name,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        visibility=visibility,
        **fields,
    )
    request.session[SESSION_KEY] = {"job": job.pk, "digest": job.digest}
    return job


def _plan_in_background(request, form, text, visibility):
    """A large file is checked by the task worker; its status page shows the preview
    once it is ready."""
    request.session.pop(SESSION_KEY, None)
    job = _new_job(
        request,
        form.cleaned_data["file"].name[:200],
        text,
        visibility,
        state=ImportJob.State.PLANNING,
    )
    tasks.plan_import.enqueue(job.pk)
    return HttpResponseRedirect(job.get_absolute_url())


def _refused_page(request, model_admin, job):
    """The preview of a file the worker refused: its counts and first rows with errors."""
    summary = job.summary or {}
    error_rows = summary.get("error_rows", [])
    plan = SimpleNamespace(
        is_valid=False,
        rows=[],
        error_rows=error_rows,
        file_errors=[job.error] if job.error else [],
    )
    context = {
        "plan": plan,
        "summary": {"errors": summary.get("errors", 0), **summary},
        "filename": job.name,
        "more_errors": max(0, summary.get("errors", 0) - len(error_rows)),
    }
    return _render(request, model_admin, "import_preview.html", context)


def _preview_page(request, model_admin, job):
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 10**6))
    except ValueError:
        page = 1
    # Planned only up to the page asked for; the counts are the preview's.
    plan, file_error = _plan(request, job.text, job.visibility, page, count_all=False)
    if plan is None or not plan.rows:
        raise Http404(file_error)
    context = _preview_context(plan, job, job.name, page, summary=job.summary)
    return _render(request, model_admin, "import_preview.html", context)


def _stored_job(request):
    stored = request.session.get(SESSION_KEY) or {}
    digest = request.POST.get("digest")
    if not stored or stored.get("digest") != digest:
        return None
    return ImportJob.objects.filter(
        pk=stored.get("job"), user=request.user, digest=digest, state=ImportJob.State.PREVIEWED
    ).first()


def _queue(request, job):
    """Hand a large import to the task worker, which plans the file again (refusing it
    whole if a row has an error by then) and writes it in batches."""
    job.state = ImportJob.State.QUEUED
    job.save(update_fields=["state"])
    tasks.import_progress_updates.enqueue(job.pk)
    del request.session[SESSION_KEY]
    messages.info(
        request,
        _(
            "%(name)s is being imported in the background; this page shows its "
            "progress, and then what it recorded."
        )
        % {"name": job.name},
    )
    return HttpResponseRedirect(job.get_absolute_url())


def _confirm(request, model_admin):
    job = _stored_job(request)
    if job is None:
        # Shown again, not redirected: a redirect would read as "done".
        error = _("This preview is no longer available; upload the file again, please.")
        context = {"form": ImportUploadForm(), "error": error}
        return _render(request, model_admin, "import_form.html", context, status=400)
    if job.rows_total > settings.IMPORT_SYNC_ROWS:
        return _queue(request, job)
    plan, file_error = _plan(request, job.text, job.visibility)
    if plan is None or not plan.is_valid:
        # The data changed since the preview in a way that makes a row invalid.
        messages.error(request, file_error or _("The file has errors; nothing was imported."))
        context = _preview_context(plan, job, job.name) if plan else {"filename": job.name}
        return _render(request, model_admin, "import_preview.html", context, status=400)
    writes = plan.count(*imports.WRITES)
    if writes > settings.IMPORT_SYNC_ROWS:
        return _queue(request, job)
    try:
        result = services.progress_updates_import(plan=plan, user=request.user)
    except (PermissionError, ValidationError, services.BusyError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("Nothing was imported: %(error)s") % {"error": text})
        context = _preview_context(plan, job, job.name)
        return _render(request, model_admin, "import_preview.html", context, status=400)
    del request.session[SESSION_KEY]
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE,
        text="",
        rows_done=writes,
        updates=result.updates,
        follow_ups=result.follow_ups,
        skipped=result.skipped,
        finished_at=timezone.now(),
    )
    messages.success(
        request,
        _(
            "Imported %(updates)s progress updates from %(name)s (%(follow_ups)s follow-ups "
            "created, %(skipped)s rows already recorded or unchanged)."
        )
        % {
            "updates": result.updates,
            "name": job.name,
            "follow_ups": result.follow_ups,
            "skipped": result.skipped,
        },
    )
    return HttpResponseRedirect(reverse("admin:recommendations_progressupdate_changelist"))
