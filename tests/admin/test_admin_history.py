"""Every create, change and delete made in the admin, bulk ones included, leaves a
history row naming the user, visible from the admin and never revertible there."""

import datetime

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Recommendation, Status
from recommendations.status import State

from .forms import change_form_data, extra_form_index, inline_prefix

TODAY = datetime.date.today()


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def test_it_records_who_changed_a_recommendation_and_which_fields(
    staff_client, secretariat_user, recommendation
):
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    data = change_form_data(staff_client.get(url))
    data["text"] = "Improve casualty evacuation within the golden hour."

    staff_client.post(url, data)

    latest, previous = recommendation.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == secretariat_user
    assert [c.field for c in latest.diff_against(previous).changes] == ["text"]


def test_it_records_who_changed_a_follow_up_and_who_added_its_update(
    staff_client, secretariat_user, follow_up
):
    url = reverse("admin:recommendations_followup_change", args=[follow_up.pk])
    page = staff_client.get(url)
    data = change_form_data(page)
    data["pledge"] = "A new pledge"
    prefix = inline_prefix(page, "progressupdate")
    data[f"{prefix}-{extra_form_index(page, 'progressupdate')}-status"] = Status.PLANNED

    staff_client.post(url, data)

    follow_up_rows = FollowUp.history.filter(id=follow_up.pk, history_user=secretariat_user)
    assert follow_up_rows.filter(pledge="A new pledge").exists()
    assert follow_up_rows.filter(status=Status.PLANNED).exists()
    update = ProgressUpdate.objects.get(follow_up=follow_up)
    assert update.history.get().history_user == secretariat_user


def test_it_records_the_user_on_every_row_of_a_bulk_status_change(
    staff_client, secretariat_user, follow_up, jpn
):
    second = services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)

    staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk), str(second.pk)],
            "status": Status.IN_PROGRESS,
            "date": TODAY.isoformat(),
            "apply": "Set status",
        },
    )

    for item in (follow_up, second):
        latest = FollowUp.history.filter(id=item.pk).latest()
        assert (latest.status, latest.history_user) == (Status.IN_PROGRESS, secretariat_user)
        created = ProgressUpdate.history.get(follow_up_id=item.pk)
        assert (created.history_type, created.history_user) == ("+", secretariat_user)


def test_it_records_who_deleted_a_progress_update(staff_client, secretariat_user, follow_up):
    update = services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=secretariat_user
    )

    response = staff_client.post(
        reverse("admin:recommendations_progressupdate_delete", args=[update.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    deleted = ProgressUpdate.history.filter(id=update.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", secretariat_user)
    latest = FollowUp.history.filter(id=follow_up.pk).latest()
    assert (latest.status, latest.history_user) == (State.NOT_REPORTED, secretariat_user)


def test_it_records_who_verified_an_update(
    staff_client, secretariat_user, make_focal_point, follow_up, pak
):
    focal = make_focal_point(pak)
    update = services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=focal
    )

    staff_client.post(
        reverse("admin:recommendations_progressupdate_changelist"),
        {"action": "mark_verified", "_selected_action": [str(update.pk)], "index": "0"},
    )

    latest = update.history.latest()
    assert latest.history_user == secretariat_user
    assert latest.verified_by == secretariat_user


def test_it_shows_who_changed_what_on_the_history_page(staff_client, follow_up):
    url = reverse("admin:recommendations_followup_change", args=[follow_up.pk])
    data = change_form_data(staff_client.get(url))
    data["lead"] = "Ministry of Defence"
    staff_client.post(url, data)

    response = staff_client.get(
        reverse("admin:recommendations_followup_history", args=[follow_up.pk])
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ministry of Defence" in body
    assert ">sec<" in body
    assert 'style="' not in body.split('id="change-history"')[1]


def test_it_shows_the_secretariat_the_history_of_a_deleted_follow_up(staff_client, follow_up):
    pk = follow_up.pk
    follow_up.delete()

    response = staff_client.get(reverse("admin:recommendations_followup_history", args=[pk]))

    assert response.status_code == 200


def test_it_never_reverts_from_the_history_page(staff_client, recommendation):
    record = recommendation.history.earliest()
    url = reverse(
        "admin:recommendations_recommendation_simple_history",
        args=[recommendation.pk, record.history_id],
    )
    data = change_form_data(staff_client.get(url))
    data["text"] = "Reverted"

    view = staff_client.get(url)
    revert = staff_client.post(url, data)

    assert view.status_code == 200
    assert revert.status_code == 403
    assert Recommendation.objects.get(pk=recommendation.pk).text != "Reverted"


def test_it_answers_a_malformed_history_address_without_an_error(staff_client, follow_up):
    history = staff_client.get(f"/admin/recommendations/followup/{follow_up.pk}x/history/")
    version = staff_client.get(f"/admin/recommendations/followup/{follow_up.pk}/history/abc/")

    assert history.status_code == 302
    assert version.status_code == 404
