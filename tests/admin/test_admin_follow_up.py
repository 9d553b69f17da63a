"""The follow-up admin: the status follows progress updates, stale saves are refused
(never silently overwritten), bulk status changes and CSV export."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse

from recommendations import admin as tracker_admin
from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Status
from recommendations.status import State

from .forms import change_form_data, extra_form_index, inline_prefix

TODAY = datetime.date.today()


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def _change_url(follow_up):
    return reverse("admin:recommendations_followup_change", args=[follow_up.pk])


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def _add_inline_update(page, data, **fields):
    prefix = inline_prefix(page, "progressupdate")
    row = extra_form_index(page, "progressupdate")
    for name, value in fields.items():
        data[f"{prefix}-{row}-{name}"] = value
    return data


def test_it_changes_the_status_when_an_update_with_a_new_status_is_added_inline(
    staff_client, secretariat_user, follow_up
):
    page = staff_client.get(_change_url(follow_up))
    data = _add_inline_update(page, change_form_data(page), status=Status.PLANNED)

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == Status.PLANNED
    assert follow_up.last_update_date == TODAY
    update = follow_up.updates.get()
    assert (update.author, update.verified_by) == (secretariat_user, secretariat_user)


def test_it_re_derives_the_status_when_an_inline_update_is_deleted(
    staff_client, secretariat_user, follow_up
):
    services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=secretariat_user
    )
    page = staff_client.get(_change_url(follow_up))
    data = change_form_data(page)
    prefix = inline_prefix(page, "progressupdate")
    data[f"{prefix}-0-DELETE"] = "on"

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == State.NOT_REPORTED
    assert not follow_up.updates.exists()


def test_it_refuses_an_update_dated_in_the_future_with_a_message(staff_client, follow_up):
    page = staff_client.get(_change_url(follow_up))
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    data = _add_inline_update(page, change_form_data(page), status=Status.COMPLETED, date=tomorrow)

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == State.NOT_REPORTED


def test_it_refuses_the_second_of_two_stale_saves_and_keeps_the_first(staff_client, follow_up):
    page = staff_client.get(_change_url(follow_up))
    first, second = change_form_data(page), change_form_data(page)
    first["pledge"] = "Deploy two medical teams."
    second["pledge"] = "Deploy one engineering company."

    saved = staff_client.post(_change_url(follow_up), first)
    refused = staff_client.post(_change_url(follow_up), second)

    assert saved.status_code == 302
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Someone else changed this follow-up since you opened it" in body
    assert "Reload the page" in body
    # What the person typed is still on the screen for them to copy.
    assert "Deploy one engineering company." in body
    assert FollowUp.objects.get(pk=follow_up.pk).pledge == "Deploy two medical teams."


def test_it_refuses_a_form_opened_before_a_bulk_status_change(
    staff_client, secretariat_user, follow_up
):
    page = staff_client.get(_change_url(follow_up))
    data = change_form_data(page)
    data["pledge"] = "Typed while the bulk change ran."
    services.follow_ups_set_status(
        follow_ups=[follow_up], status=Status.COMPLETED, user=secretariat_user
    )

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 200
    assert "Someone else changed this follow-up" in response.content.decode()
    current = FollowUp.objects.get(pk=follow_up.pk)
    assert (current.status, current.pledge) == (Status.COMPLETED, "")


def test_it_refuses_a_stale_inline_update_as_well(staff_client, secretariat_user, follow_up):
    page = staff_client.get(_change_url(follow_up))
    data = _add_inline_update(page, change_form_data(page), status=Status.PLANNED)
    services.follow_ups_set_status(
        follow_ups=[follow_up], status=Status.COMPLETED, user=secretariat_user
    )

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 200
    assert FollowUp.objects.get(pk=follow_up.pk).status == Status.COMPLETED
    assert follow_up.updates.count() == 1


def test_it_rolls_back_and_explains_a_conflict_found_under_the_row_lock(
    staff_client, follow_up, monkeypatch
):
    """Another save lands between the form's check and the locked write: the service
    refuses, the request is rolled back and the person is told to reload."""
    page = staff_client.get(_change_url(follow_up))
    data = _add_inline_update(page, change_form_data(page), status=Status.PLANNED)
    data["pledge"] = "Lost race"
    original_get_object = tracker_admin.FollowUpAdmin.get_object

    def get_object_then_someone_saves(self, request, object_id, from_field=None):
        obj = original_get_object(self, request, object_id, from_field)
        FollowUp.objects.filter(pk=obj.pk).update(version=F("version") + 1)
        return obj

    monkeypatch.setattr(tracker_admin.FollowUpAdmin, "get_object", get_object_then_someone_saves)

    response = staff_client.post(_change_url(follow_up), data)

    assert response.status_code == 302
    assert response["Location"] == _change_url(follow_up)
    follow_up.refresh_from_db()
    assert (follow_up.pledge, follow_up.status) == ("", State.NOT_REPORTED)
    assert not follow_up.updates.exists()
    monkeypatch.undo()
    shown = staff_client.get(response["Location"])
    assert any("changed by someone else" in m for m in _messages(shown))


def test_it_saves_an_unchanged_form_without_writing_a_new_version(staff_client, follow_up):
    page = staff_client.get(_change_url(follow_up))
    version = FollowUp.objects.get(pk=follow_up.pk).version

    response = staff_client.post(_change_url(follow_up), change_form_data(page))

    assert response.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).version == version


def test_it_asks_for_the_new_status_before_a_bulk_change(staff_client, follow_up):
    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {"action": "set_status", "_selected_action": [str(follow_up.pk)], "index": "0"},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/recommendations/followup/set_status.html"
    assert response.context["count"] == 1
    assert FollowUp.objects.get(pk=follow_up.pk).status == State.NOT_REPORTED
    # No status is chosen for the user: the select starts on an empty prompt.
    select = response.content.decode().split('name="status"')[1].split("</select>")[0]
    assert '<option value="" selected>' in select


def test_a_bulk_change_without_a_chosen_status_changes_nothing(staff_client, follow_up):
    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk)],
            "status": "",
            "date": TODAY.isoformat(),
            "apply": "Set status",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert not ProgressUpdate.objects.exists()


def test_it_sets_the_status_of_the_selected_follow_ups_with_one_update_each(
    staff_client, secretariat_user, make_recommendation, follow_up, pak, jpn
):
    second = services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)
    untouched = services.follow_up_create(recommendation=make_recommendation(), delegation=pak)

    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk), str(second.pk)],
            "select_across": "0",
            "status": Status.COMPLETED,
            "date": TODAY.isoformat(),
            "note": "Confirmed at the review meeting.",
            "apply": "Set status",
        },
    )

    assert response.status_code == 302
    changed = FollowUp.objects.filter(pk__in=[follow_up.pk, second.pk])
    assert {f.status for f in changed} == {Status.COMPLETED}
    updates = ProgressUpdate.objects.filter(follow_up__in=changed)
    assert [(u.author, u.note) for u in updates] == [
        (secretariat_user, "Confirmed at the review meeting.")
    ] * 2
    assert FollowUp.objects.get(pk=untouched.pk).status == State.NOT_REPORTED
    shown = staff_client.get(response["Location"])
    assert "2 follow-ups set to “Completed”." in _messages(shown)


def test_it_asks_to_narrow_a_bulk_change_that_is_too_large(
    staff_client, follow_up, jpn, monkeypatch
):
    second = services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)
    monkeypatch.setattr(tracker_admin.follow_ups, "BULK_STATUS_LIMIT", 1)

    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk), str(second.pk)],
            "status": Status.COMPLETED,
            "date": TODAY.isoformat(),
            "apply": "Set status",
        },
    )

    assert response.status_code == 302
    assert not ProgressUpdate.objects.exists()


def test_it_refuses_a_bulk_change_dated_in_the_future(staff_client, follow_up):
    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk)],
            "status": Status.COMPLETED,
            "date": (TODAY + datetime.timedelta(days=3)).isoformat(),
            "apply": "Set status",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not ProgressUpdate.objects.exists()


def test_it_exports_the_selected_follow_ups_as_csv(staff_client, follow_up, jpn):
    services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)

    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {"action": "export_csv", "_selected_action": [str(follow_up.pk)], "index": "0"},
    )

    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,delegation,")
    assert [line.split(",")[:2] for line in lines[1:]] == [["D1S1-01", "PAK"]]


def test_it_refuses_a_forged_selection_without_an_error_page(staff_client, follow_up):
    response = staff_client.post(
        reverse("admin:recommendations_followup_changelist"),
        {"action": "export_csv", "_selected_action": ["abc"], "index": "0"},
    )

    assert response.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).status == State.NOT_REPORTED


def test_it_creates_a_follow_up_from_the_recommendation_page(
    staff_client, secretariat_user, recommendation, jpn
):
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    page = staff_client.get(url)
    data = change_form_data(page)
    prefix = inline_prefix(page, "followup")
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-delegation"] = str(jpn.pk)
    data[f"{prefix}-0-pledge"] = "Japan pledges training."

    response = staff_client.post(url, data)

    assert response.status_code == 302
    created = FollowUp.objects.get(recommendation=recommendation, delegation=jpn)
    assert created.pledge == "Japan pledges training."
    # The service set the default target date: the date of the target meeting.
    assert created.target_date == recommendation.meeting.target_date
    assert created.history.latest().history_user == secretariat_user
