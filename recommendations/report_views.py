"""One delegation's follow-up report: a page made to be printed, and the same page as a
PDF made on the server.

``/delegations/<code>/report/`` and ``/delegations/<code>/report.pdf`` take ``as_of``
(YYYY-MM-DD: the states and latest updates in force at the end of that day) and
``group`` (``theme``, the default, or ``session``). An unknown delegation gives 404;
a bad parameter gives the page with status 400 and what to correct; a PDF that cannot
be made (WeasyPrint's system libraries missing) gives a 503 page that points to the
printable page, which works without them.
"""

from __future__ import annotations

import logging

from django import forms
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy

from lib.pdf import PdfUnavailable, html_to_pdf

from .delegation_report import BY_THEME, GROUPINGS, delegation_report
from .models import Delegation
from .views import _valid_code

logger = logging.getLogger(__name__)

TEMPLATE = "recommendations/delegation_report.html"


class ReportForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        label=gettext_lazy("Status as of"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": gettext_lazy("Enter a date as YYYY-MM-DD, for example 2023-12-05.")
        },
    )
    group = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Group the follow-ups"),
        choices=GROUPINGS,
        error_messages={
            "invalid_choice": gettext_lazy("Choose “theme” or “session” to group the follow-ups.")
        },
    )


def _delegation(code: str) -> Delegation:
    """The delegation of the URL, its code in any case; 404 when there is none. One query."""
    if not _valid_code(code):
        raise Http404
    delegation = Delegation.objects.filter(code=code.upper()).first()
    if delegation is None:
        raise Http404
    return delegation


def _report_context(request, code: str) -> tuple[dict, bool]:
    """The report's template context and whether its parameters were valid (when they
    are not, the context holds the form and its errors, and no report)."""
    delegation = _delegation(code)
    form = ReportForm(request.GET)
    code = delegation.code
    context = {"delegation": delegation, "form": form, "pdf": False}
    if not form.is_valid():
        return context, False
    report = delegation_report(
        delegation,
        user=request.user,
        as_of=form.cleaned_data["as_of"],
        today=timezone.localdate(),
        group_by=form.cleaned_data["group"] or BY_THEME,
    )
    # The same report elsewhere: the parameters it was made with, none other.
    params = QueryDict(mutable=True)
    if report.as_of:
        params["as_of"] = report.as_of.isoformat()
    if form.cleaned_data["group"]:
        params["group"] = form.cleaned_data["group"]
    query = f"?{params.urlencode()}" if params else ""
    context.update(
        {
            "report": report,
            "as_of": report.as_of,
            "report_url": reverse("recommendations:delegation_report", args=[code]) + query,
            "pdf_url": reverse("recommendations:delegation_report_pdf", args=[code]) + query,
        }
    )
    if report.is_illustrative:
        # The report says so itself, above its table (on paper too): the site-wide
        # notice would repeat it on screen.
        context["sample_data_loaded"] = False
    return context, True


def delegation_report_page(request, code):
    """``/delegations/<code>/report/``: the printable follow-up report."""
    context, valid = _report_context(request, code)
    return render(request, TEMPLATE, context, status=200 if valid else 400)


def delegation_report_pdf(request, code):
    """``/delegations/<code>/report.pdf``: the same report as a PDF download."""
    context, valid = _report_context(request, code)
    if not valid:
        return render(request, TEMPLATE, context, status=400)
    context["pdf"] = True
    html = render_to_string(TEMPLATE, context, request=request)
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:
        logger.error("PDF report unavailable: %s", error)
        context["pdf"] = False
        return render(request, "recommendations/report_pdf_unavailable.html", context, status=503)
    report = context["report"]
    filename = f"{report.delegation.code}-report-{report.day.isoformat()}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
