"""Admin lists make a fixed number of queries whatever the page size: related rows
come from joins, themes from one prefetch, per-status counts from one aggregate."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from recommendations import services
from recommendations.models import Status

TODAY = datetime.date.today()


@pytest.fixture
def build(make_recommendation, speaker, secretariat_user, pak, jpn):
    """``n`` recommendations with two themes, each followed up by PAK and JPN, each
    follow-up with one progress update."""

    def make(n):
        for i in range(n):
            item = make_recommendation(
                code=f"D1S1-{i:03d}", speaker=speaker, theme_slugs=("medical", "ieds")
            )
            for delegation in (pak, jpn):
                follow_up = services.follow_up_create(recommendation=item, delegation=delegation)
                services.progress_update_create(
                    follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=secretariat_user
                )

    return make


def _rows(response):
    return len(response.context["cl"].result_list)


@pytest.mark.parametrize("n", [5, 100])
def test_it_lists_recommendations_in_a_fixed_number_of_queries(
    client, build, secretariat_user, pak_focal, django_assert_num_queries, n
):
    build(n)
    url = reverse("admin:recommendations_recommendation_changelist")
    for user in (secretariat_user, pak_focal):
        client.force_login(user)
        # 1 session, 2 user, 3-4 the user's and their groups' permissions,
        # 5 meetings, 6 sessions and 7 themes for the filters, 8 the capped count,
        # 9 the page (session and speaker joined), 10 the page's themes (prefetch),
        # 11 the page's per-status counts (one aggregate), 12 the Secretariat role (for
        # the sidebar's "Translations of items", offered to staff only). (The admin never
        # asks whether the data is illustrative, so that query is not made.)
        with django_assert_num_queries(12):
            response = client.get(url, {"all": ""})
        assert _rows(response) == n


@pytest.mark.parametrize("n", [5, 100])
def test_it_lists_follow_ups_in_a_fixed_number_of_queries(
    client, build, secretariat_user, pak_focal, django_assert_num_queries, n
):
    build(n)
    url = reverse("admin:recommendations_followup_changelist")
    # 1 session, 2 user, 3-4 permissions, 5 the Secretariat role, then for a focal
    # point only their delegation; then themes and sessions for the filters, the
    # capped count, the page (recommendation and delegation joined): 9 for staff,
    # 10 for a focal point.
    for user, rows, queries in ((secretariat_user, 2 * n, 9), (pak_focal, n, 10)):
        client.force_login(user)
        with django_assert_num_queries(queries):
            response = client.get(url, {"all": ""})
        assert _rows(response) == rows


@pytest.mark.parametrize("n", [5, 100])
def test_it_lists_progress_updates_in_a_fixed_number_of_queries(
    client, build, secretariat_user, pak_focal, django_assert_num_queries, n
):
    build(n)
    url = reverse("admin:recommendations_progressupdate_changelist")
    # 1 session, 2 user, 3-4 permissions, 5 the Secretariat role, then for a focal
    # point only their delegation; then the capped count, the page (follow-up, its
    # recommendation and delegation, author and verifier joined): 7 for staff, 8 for
    # a focal point.
    for user, rows, queries in ((secretariat_user, 2 * n, 7), (pak_focal, n, 8)):
        client.force_login(user)
        with django_assert_num_queries(queries):
            response = client.get(url, {"all": ""})
        assert _rows(response) == rows


@pytest.mark.parametrize("n", [5, 100])
def test_it_shows_a_follow_up_with_its_updates_in_a_fixed_number_of_queries(
    client, follow_up, secretariat_user, django_assert_num_queries, n
):
    for _ in range(n):
        services.progress_update_create(
            follow_up=follow_up, date=TODAY, status=Status.IN_PROGRESS, author=secretariat_user
        )
    client.force_login(secretariat_user)
    url = reverse("admin:recommendations_followup_change", args=[follow_up.pk])
    # 1 session, 2 user, 3 the Secretariat role, 4 the follow-up (recommendation and
    # delegation joined), 5-6 permissions, 7 the updates (author and verifier joined),
    # 8 the content type for the history link (cleared here: Django caches it for
    # the process).
    ContentType.objects.clear_cache()
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][0].formset.initial_forms) == n
