"""The workspace's pages. Thin: find what the URL names among what the user may reach
(``_delegation_for``, the one access check of every page), bind the form or filter,
call a selector or a service, render. Every page needs a signed-in user; every state
change is a POST with a CSRF token, answered with a redirect.

A delegation the user may not work for, an item or an update outside it: 404, the
same answer as for one that does not exist. A write the services refuse: 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from .. import access
from ..filters import FOLLOW_UP_PARAMS, RecommendationFilter
from ..models import Delegation, ProgressUpdate, Recommendation
from ..pagination import page_size_from, paginate
from ..services import StaleEditError, progress_update_verify
from ..services.reports import report_correct, report_submit
from ..views import _filter_context
from . import selectors
from .forms import CorrectionForm, DelegationChoiceForm, ReportForm

# The public list's parameters that mean nothing here: the delegation is the
# workspace's, the order is by need, and the workspace shows today's statuses.
IGNORED_PARAMS = ("delegation", "sort", "as_of")
ITEMS_PER_PAGE = 100

STALE_MESSAGE = gettext_lazy(
    "Someone else saved a report on this item after you opened the form, so yours was "
    "not saved. Their report is now shown on this page. What you typed is kept below: "
    "check it against theirs and save again if it is still right."
)


def _delegation_for(request, code: str) -> Delegation:
    """The delegation ``code`` if the user may work for it (``access``), else 404.
    One query (plus the user's role look-ups, cached)."""
    delegation = Delegation.objects.filter(code=code).first()
    if delegation is None or not access.audience(request.user).edits(delegation.pk):
        raise Http404
    return delegation


def _base_context(request, delegation: Delegation) -> dict:
    return {
        "delegation": delegation,
        "is_secretariat": access.is_secretariat(request.user),
        "workspace_url": _workspace_url(request, delegation),
        "exports": _export_links(delegation),
    }


def _export_links(delegation: Delegation) -> list[tuple[str, str]]:
    """The delegation's CSV exports; they include its restricted notes for its focal
    points and for staff (``access.readable``)."""
    params = QueryDict(mutable=True)
    params["delegation"] = delegation.code
    query = "?" + params.urlencode()
    return [
        (
            _("Follow-ups, with the latest note"),
            reverse("recommendations:follow_ups_export") + query,
        ),
        (_("Every progress update"), reverse("recommendations:progress_updates_export") + query),
    ]


@require_safe
@login_required
def home(request):
    """``/workspace/``: a focal point's own workspace; for Secretariat staff, the choice
    of a delegation (``?delegation=PAK`` opens ``/workspace/PAK/``)."""
    if access.is_secretariat(request.user):
        return _choose_delegation(request)
    delegation = access.delegation_of(request.user)
    if delegation is None:
        return render(request, "workspace/no_delegation.html", status=403)
    return _items_page(request, delegation)


def _choose_delegation(request):
    form = DelegationChoiceForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("workspace:items", code=form.cleaned_data["delegation"].code)
    context = {
        "form": form,
        "delegations": selectors.delegations_with_waiting(),
        "n_waiting": selectors.awaiting_verification().count(),
    }
    return render(request, "workspace/choose.html", context, status=400 if form.errors else 200)


@require_safe
@login_required
def delegation_home(request, code: str):
    """``/workspace/<code>/``: the workspace of one delegation."""
    return _items_page(request, _delegation_for(request, code))


def _filter_data(params, delegation: Delegation) -> QueryDict:
    """The public list's parameters for this workspace: the follow-up-level ones
    (status, overdue …) are about this delegation's follow-up, so they carry it; without
    them every item is listed, whether the delegation follows it up or not."""
    data = params.copy()
    for name in IGNORED_PARAMS:
        data.pop(name, None)
    if any(data.get(name) for name in FOLLOW_UP_PARAMS):
        data["delegation"] = delegation.code
    return data


def _items_page(request, delegation: Delegation):
    """Every item of the real meetings, grouped by what it needs from ``delegation``,
    with the public list's filters. A fixed number of queries (see the tests)."""
    filterset = RecommendationFilter(
        _filter_data(request.GET, delegation), queryset=Recommendation.objects.all()
    )
    context = _base_context(request, delegation)
    context.update(_filter_context(request, filterset, hidden=IGNORED_PARAMS))
    # The items come first here: the search group opens only when it is in use.
    for group in context["field_groups"]:
        group["open"] = group["open"] and any(request.GET.get(f.name) for f in group["fields"])
    if not filterset.is_valid():
        return render(request, "workspace/items.html", context, status=400)
    items = selectors.workspace_items(delegation, filterset.qs)
    counts = selectors.need_counts(items)
    pagination = paginate(
        items.prefetch_related("themes"),
        request.GET,
        per_page=page_size_from(request.GET, default=ITEMS_PER_PAGE),
    )
    rows = list(pagination.page.object_list)
    for row in rows:
        row.need = selectors.need_at(row.need_rank)
    context.update(
        {
            "pagination": pagination,
            "page_obj": pagination.page,
            "page_range": list(
                pagination.paginator.get_elided_page_range(pagination.page.number, on_ends=1)
            ),
            "need_counts": counts,
            "n_items": sum(counts.values()),
            "groups": [
                {"need": need, "total": counts[need], "items": [r for r in rows if r.need == need]}
                for need in selectors.Need
            ],
            "no_report": selectors.Need.NO_REPORT,
        }
    )
    return render(request, "workspace/items.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report(request, code: str, item_code: str):
    """``/workspace/<code>/items/<item>/``: report on one item (GET shows the form,
    POST saves it through ``services.reports.report_submit``)."""
    delegation = _delegation_for(request, code)
    try:
        item = selectors.item_for_report(delegation, item_code)
    except Recommendation.DoesNotExist:
        raise Http404 from None
    form = ReportForm(request.POST if request.method == "POST" else None, item=item)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                report_submit(
                    recommendation=item,
                    delegation=delegation,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    pledge=form.cleaned_data["pledge"],
                    target_date=form.cleaned_data["target_date"],
                    **form.update_fields(),
                )
            except PermissionError as error:
                return _refused(request, error)
            except StaleEditError:
                item = selectors.item_for_report(delegation, item_code)
                version = item.follow_up.version if item.follow_up else None
                form = _with_current_version(ReportForm, request.POST, version, item=item)
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _saved_message(item, delegation, request.user))
                return redirect(_workspace_url(request, delegation) + f"#item-{item.code}")
        status = 400
    context = _base_context(request, delegation)
    context.update(
        {
            "item": item,
            "follow_up": item.follow_up,
            "themes": list(item.themes.all()),
            "timeline": selectors.item_timeline(item.follow_up, user=request.user),
            "form": form,
        }
    )
    return render(request, "workspace/report.html", context, status=status)


def _with_current_version(form_class, data, version: int | None, **kwargs):
    """The form as it was posted, with the record's current version, so that saving
    again after reading the other person's change is possible (and deliberate)."""
    data = data.copy()
    data["version"] = "" if version is None else str(version)
    return form_class(data, **kwargs)


def _add_service_errors(form, error: ValidationError) -> None:
    """A refusal of the services (``full_clean``) next to the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _refused(request, error: PermissionError):
    return render(request, "workspace/refused.html", {"reason": str(error)}, status=403)


def _saved_message(item, delegation, user) -> str:
    if access.may_verify(user):
        return _("Saved: %(delegation)s’s report on %(code)s, verified by you.") % {
            "delegation": delegation.name,
            "code": item.code,
        }
    return _(
        "Saved: your report on %(code)s. It shows as self-reported until the Secretariat "
        "verifies it."
    ) % {"code": item.code}


def _workspace_url(request, delegation: Delegation) -> str:
    """A focal point's workspace is ``/workspace/``; staff's is the delegation's."""
    if access.is_secretariat(request.user):
        return reverse("workspace:items", args=[delegation.code])
    return reverse("workspace:home")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def correct(request, code: str, pk: int):
    """``/workspace/<code>/updates/<pk>/``: correct one of the delegation's updates. A
    verified update is shown with the reason it cannot be changed, and no form."""
    delegation = _delegation_for(request, code)
    try:
        update = selectors.update_for_correction(delegation, pk, user=request.user)
    except ProgressUpdate.DoesNotExist:
        raise Http404 from None
    context = _base_context(request, delegation)
    context.update({"update": update, "item": update.follow_up.recommendation})
    if not update.may_change:
        context["reason"] = _(
            "This update has been verified by the Secretariat; only staff can change it. "
            "To report a change, add a new update."
        )
        return render(
            request,
            "workspace/correct.html",
            context,
            status=403 if request.method == "POST" else 200,
        )
    form = CorrectionForm(request.POST if request.method == "POST" else None, update=update)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                report_correct(
                    update=update,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    **form.update_fields(),
                )
            except PermissionError as error:
                return _refused(request, error)
            except StaleEditError:
                update.refresh_from_db(fields=["version"])
                form = _with_current_version(
                    CorrectionForm, request.POST, update.version, update=update
                )
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved: your correction of the update of %(date)s on %(code)s.")
                    % {
                        "date": date_format(form.cleaned_data["date"]),
                        "code": update.follow_up.recommendation.code,
                    },
                )
                return redirect("workspace:history", code=delegation.code)
        status = 400
    context["form"] = form
    return render(request, "workspace/correct.html", context, status=status)


@require_safe
@login_required
def history(request, code: str):
    """``/workspace/<code>/history/``: every update of the delegation, newest first."""
    delegation = _delegation_for(request, code)
    pagination = paginate(selectors.delegation_history(delegation, user=request.user), request.GET)
    updates = selectors.decorate(
        pagination.page.object_list, user=request.user, delegation_id=delegation.pk
    )
    context = _base_context(request, delegation)
    context.update(
        {
            "updates": updates,
            "pagination": pagination,
            "page_obj": pagination.page,
            "page_range": list(
                pagination.paginator.get_elided_page_range(pagination.page.number, on_ends=1)
            ),
        }
    )
    return render(request, "workspace/history.html", context)


def _check_secretariat(request):
    if not access.may_verify(request.user):
        raise Http404


@require_safe
@login_required
def verify_queue(request):
    """``/workspace/verify/``: self-reported updates waiting for the Secretariat,
    oldest first (``?delegation=PAK`` for one delegation's). Staff only."""
    _check_secretariat(request)
    form = DelegationChoiceForm(request.GET if request.GET.get("delegation") else None)
    form.fields["delegation"].empty_label = _("All delegations")
    form.fields["delegation"].required = False
    delegation = form.cleaned_data["delegation"] if form.is_bound and form.is_valid() else None
    pagination = paginate(selectors.awaiting_verification(delegation=delegation), request.GET)
    context = {
        "form": form,
        "updates": list(pagination.page.object_list),
        "pagination": pagination,
        "page_obj": pagination.page,
        "page_range": list(
            pagination.paginator.get_elided_page_range(pagination.page.number, on_ends=1)
        ),
    }
    return render(request, "workspace/verify.html", context, status=400 if form.errors else 200)


@require_http_methods(["POST"])
@login_required
def verify(request, pk: int):
    """POST ``/workspace/verify/<pk>/``: verify one update (who and when are recorded by
    ``services.progress_update_verify``), back to the queue."""
    _check_secretariat(request)
    update = (
        ProgressUpdate.objects.select_related("follow_up__recommendation", "follow_up__delegation")
        .filter(pk=pk)
        .first()
    )
    if update is None:
        raise Http404
    progress_update_verify(update=update, user=request.user)
    messages.success(
        request,
        _("Verified: %(delegation)s’s update of %(date)s on %(code)s.")
        % {
            "delegation": update.follow_up.delegation.name,
            "date": date_format(update.date),
            "code": update.follow_up.recommendation.code,
        },
    )
    queue = reverse("workspace:verify_queue")
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith(queue)
    return redirect(back if safe else queue)
