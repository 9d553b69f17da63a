"""Public pages. Views stay thin: bind the filter, paginate, render."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from .models import Delegation, FollowUp, Meeting, Recommendation


def dashboard(request):
    meetings = (
        Meeting.objects.real()
        .prefetch_related("sessions__facilitator")
        .annotate(n_items=Count("recommendations"))
    )
    session_counts = dict(
        Recommendation.objects.values_list("session").annotate(n=Count("id")).order_by()
    )
    return render(
        request,
        "recommendations/dashboard.html",
        {"meetings": meetings, "session_counts": session_counts},
    )


def recommendation_list(request):
    items = Recommendation.objects.real().select_related("session", "speaker")
    return render(request, "recommendations/list.html", {"items": items})


def recommendation_detail(request, code):
    item = get_object_or_404(
        Recommendation.objects.select_related("session", "speaker", "meeting"), code=code
    )
    return render(request, "recommendations/detail.html", {"item": item})


def delegation_detail(request, code):
    delegation = get_object_or_404(Delegation, code=code.upper())
    follow_ups = FollowUp.objects.filter(delegation=delegation).select_related("recommendation")
    return render(
        request,
        "recommendations/delegation.html",
        {"delegation": delegation, "follow_ups": follow_ups},
    )
