"""What every admin of the tracker shares: lists that stay fast on huge tables,
read-only history, and the small helpers that check posted values."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from .. import access
from ..filters import MAX_QUERY_LENGTH
from ..pagination import CappedPaginator
from ..services import StaleEditError
from ..widgets import SafeAutocompleteMixin

# ---------------------------------------------------------------------------
# Who may touch what


def may_edit_delegation(request, delegation_id) -> bool:
    """``access``: may the user change follow-ups of this delegation?"""
    return access.audience(request.user).edits(delegation_id)


def as_pk(value) -> int | None:
    """A posted primary key as an int, or None when it is not one (beyond 64 bits
    included: the database would refuse it)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def adopt(target, saved) -> None:
    """Make the object the admin holds the one a service saved (pk, version, status…),
    so the admin's log entry, message and redirect speak of the saved row."""
    if target is not saved:
        target.__dict__.update(saved.__dict__)


def without_version(fields) -> list[str]:
    """The fields to build a ``forms.VersionedForm`` with: "version" is a declared form
    field that shadows a non-editable model field, which ``modelform_factory`` refuses
    to see named in ``fields``; it stays in the fieldsets so that it is rendered."""
    return [name for name in fields if name != "version"]


def clean_term(text: str) -> str:
    """A search term without control characters (a NUL byte would make the database
    refuse the query) and of bounded length."""
    return "".join(c for c in text if ord(c) >= 32)[:MAX_QUERY_LENGTH].strip()


# ---------------------------------------------------------------------------
# Base classes


class CappedListMixin(SafeAutocompleteMixin):
    """Lists that stay fast on huge tables: a bounded COUNT, no full count, no facet
    counts, a sane page size."""

    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200

    class Media:
        css = {"all": ["recommendations/admin.css"]}

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, clean_term(search_term))

    def response_action(self, request, queryset, *args, **kwargs):
        # A forged selection ("abc") would fail inside the query as a 500.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(as_pk(value) is None for value in selected):
            self.message_user(
                request,
                gettext("The selection was not understood; nothing was changed."),
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class TrackerAdmin(CappedListMixin, admin.ModelAdmin):
    pass


class VersionedAdminMixin:
    """The admin of a model edited with a ``forms.VersionedForm`` (optimistic lock):
    "version" is rendered (a hidden field) where the user may change the object, and a
    save its service refuses as stale (``StaleEditError``, raised under the row lock
    after the form's own check passed: a save landed in between) is a message on the
    form reloaded, the whole request rolled back by the atomic block around it."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def version_field(self, request, obj=None) -> list[str]:
        """``["version"]`` to add to the fieldsets where the user may change ``obj``."""
        return ["version"] if obj is not None and self.has_change_permission(request, obj) else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        return super().get_form(request, obj, change, fields=without_version(fields), **kwargs)


class HistoryAdmin(CappedListMixin, SimpleHistoryAdmin):
    """Admin of a model with history: the History page lists every create, change and
    delete with who, when and which fields changed. History is read-only (no revert:
    a revert would write around the services) and shown only for objects the user may
    see; the history of deleted objects only to Secretariat staff."""

    object_history_list_template = "admin/recommendations/object_history_list.html"
    history_list_per_page = 50

    def revert_disabled(self, request, obj=None):
        return True

    def _history_allowed(self, request, object_id) -> bool:
        if self.get_object(request, unquote(object_id)) is not None:
            return True
        if not access.is_secretariat(request.user):
            return False
        pk = as_pk(unquote(object_id))
        return pk is not None and self.model.history.filter(id=pk).exists()

    def history_view(self, request, object_id, extra_context=None):
        if not self._history_allowed(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(gettext("History is read-only."))
        if as_pk(version_id) is None:
            raise Http404
        if not self._history_allowed(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class OneDelegationMixin:
    """A focal point acts for one delegation: the delegation's column would say the same
    thing on every row, so it is shown to Secretariat staff only (the delegation
    filters hide themselves likewise, see ``filters.DelegationCodeFilter``)."""

    delegation_columns: tuple[str, ...] = ()

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if access.is_secretariat(request.user):
            return shown
        return [name for name in shown if name not in self.delegation_columns]
