"""The admin's CSV import of progress updates: upload → preview → confirm.

The upload is read and checked at once and nothing is written: the preview lists
every row with its line number, what it will change and every error. The file's
text waits in the session (keyed by its SHA-256, which the confirm form carries back),
so the confirm step imports exactly the file that was previewed; the plan is built
again from it at that moment, and applied in one transaction only if it has no error.

Needs the ``add_progressupdate`` permission; a focal point's scope (their own
delegation) is enforced by the plan and again by the service.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import imports, services
from ..models import ProgressUpdate

SESSION_KEY = "progress_update_import"
TEMPLATES = "admin/recommendations/progressupdate/"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: code, delegation, status, date, note, evidence_url (and optionally "
            "visibility). A file exported from the follow-ups list can be imported back. "
            "UTF-8, comma or semicolon separated, at most 5 MB."
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
    view = model_admin.admin_site.admin_view(_view(model_admin))
    return [path("import/", view, name="recommendations_progressupdate_import")]


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


def _plan(request, text: str, visibility: str):
    try:
        return imports.build_plan(text, user=request.user, default_visibility=visibility), None
    except imports.ImportFileError as error:
        return None, str(error)


def _preview(request, model_admin):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, model_admin, "import_form.html", {"form": form}, status=400)
    text, visibility = form.cleaned_data["text"], form.cleaned_data["visibility"]
    plan, file_error = _plan(request, text, visibility)
    if plan is None:
        form.add_error("file", file_error)
        return _render(request, model_admin, "import_form.html", {"form": form}, status=400)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if plan.is_valid:
        request.session[SESSION_KEY] = {
            "digest": digest,
            "text": text,
            "name": form.cleaned_data["file"].name[:200],
            "visibility": visibility,
        }
    else:
        request.session.pop(SESSION_KEY, None)
    return _render(
        request,
        model_admin,
        "import_preview.html",
        {"plan": plan, "digest": digest, "filename": form.cleaned_data["file"].name},
    )


def _confirm(request, model_admin):
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("digest") != request.POST.get("digest"):
        # Shown again, not redirected: a redirect would read as "done".
        error = _("This preview is no longer available; upload the file again, please.")
        context = {"form": ImportUploadForm(), "error": error}
        return _render(request, model_admin, "import_form.html", context, status=400)
    plan, file_error = _plan(request, stored["text"], stored["visibility"])
    context = {"plan": plan, "digest": stored["digest"], "filename": stored["name"]}
    if plan is None or not plan.is_valid:
        # The data changed since the preview in a way that makes a row invalid.
        messages.error(request, file_error or _("The file has errors; nothing was imported."))
        return _render(request, model_admin, "import_preview.html", context, status=400)
    try:
        result = services.progress_updates_import(plan=plan, user=request.user)
    except (PermissionError, ValidationError, services.BusyError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("Nothing was imported: %(error)s") % {"error": text})
        return _render(request, model_admin, "import_preview.html", context, status=400)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "Imported %(updates)s progress updates from %(name)s (%(follow_ups)s follow-ups "
            "created, %(skipped)s rows already recorded or unchanged)."
        )
        % {
            "updates": result.updates,
            "name": stored["name"],
            "follow_ups": result.follow_ups,
            "skipped": result.skipped,
        },
    )
    return HttpResponseRedirect(reverse("admin:recommendations_progressupdate_changelist"))
