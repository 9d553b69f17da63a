"""A delegation focal point touches only their own delegation's follow-ups, on every
path of the admin, and the refusal happens on the server."""

import datetime
import json

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Status

from .forms import change_form_data, extra_form_index, inline_prefix

TODAY = datetime.date.today()


@pytest.fixture
def jpn_follow_up(recommendation, jpn):
    return services.follow_up_create(
        recommendation=recommendation, delegation=jpn, pledge="Japan's pledge"
    )


@pytest.fixture
def jpn_update(jpn_follow_up, secretariat_user):
    return services.progress_update_create(
        follow_up=jpn_follow_up, date=TODAY, status=Status.PLANNED, author=secretariat_user
    )


@pytest.fixture
def focal(client, pak_focal):
    client.force_login(pak_focal)
    return pak_focal


def _snapshot(follow_up):
    row = FollowUp.objects.get(pk=follow_up.pk)
    return (row.status, row.pledge, row.version, row.updates.count())


def test_it_lists_only_the_focal_points_own_follow_ups(client, focal, follow_up, jpn_follow_up):
    response = client.get(reverse("admin:recommendations_followup_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [follow_up]


def test_it_sends_a_focal_point_away_from_another_delegations_follow_up(
    client, focal, jpn_follow_up
):
    url = reverse("admin:recommendations_followup_change", args=[jpn_follow_up.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_it_refuses_a_change_to_another_delegations_follow_up(
    client, focal, follow_up, jpn_follow_up
):
    own = client.get(reverse("admin:recommendations_followup_change", args=[follow_up.pk]))
    data = change_form_data(own)
    data["pledge"] = "Forged pledge"
    data["version"] = str(jpn_follow_up.version)
    before = _snapshot(jpn_follow_up)

    response = client.post(
        reverse("admin:recommendations_followup_change", args=[jpn_follow_up.pk]), data
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert _snapshot(jpn_follow_up) == before


def test_it_refuses_adding_a_follow_up_with_a_forged_delegation(
    client, focal, make_recommendation, jpn
):
    other = make_recommendation(code="D1S1-09")
    data = {
        "recommendation": str(other.pk),
        "delegation": str(jpn.pk),
        "target_date": "",
        "pledge": "Forged",
        "lead": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:recommendations_followup_add"), data)

    assert response.status_code == 403
    assert not FollowUp.objects.filter(recommendation=other).exists()


def test_it_lets_a_focal_point_add_their_own_delegations_follow_up(
    client, focal, make_recommendation, pak
):
    other = make_recommendation(code="D1S1-09")
    data = {
        "recommendation": str(other.pk),
        "delegation": str(pak.pk),
        "target_date": "",
        "pledge": "Our pledge",
        "lead": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:recommendations_followup_add"), data)

    assert response.status_code == 302
    created = FollowUp.objects.get(recommendation=other)
    assert (created.delegation, created.pledge) == (pak, "Our pledge")
    assert created.history.latest().history_user == focal


def test_it_offers_a_focal_point_only_their_delegation_on_the_add_form(client, focal, pak, jpn):
    response = client.get(reverse("admin:recommendations_followup_add"))

    choices = list(response.context["adminform"].form.fields["delegation"].queryset)
    assert choices == [pak]


def test_it_ignores_another_delegations_follow_ups_in_a_bulk_status_change(
    client, focal, follow_up, jpn_follow_up
):
    before = _snapshot(jpn_follow_up)

    response = client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(jpn_follow_up.pk)],
            "select_across": "0",
            "status": Status.COMPLETED,
            "date": TODAY.isoformat(),
            "apply": "Set status",
        },
    )

    assert response.status_code == 302
    assert _snapshot(jpn_follow_up) == before


def test_it_changes_only_own_follow_ups_when_selecting_across_all(
    client, focal, follow_up, jpn_follow_up
):
    before = _snapshot(jpn_follow_up)

    client.post(
        reverse("admin:recommendations_followup_changelist"),
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk), str(jpn_follow_up.pk)],
            "select_across": "1",
            "status": Status.COMPLETED,
            "date": TODAY.isoformat(),
            "apply": "Set status",
        },
    )

    assert FollowUp.objects.get(pk=follow_up.pk).status == Status.COMPLETED
    assert _snapshot(jpn_follow_up) == before


def test_it_exports_none_of_another_delegations_follow_ups(client, focal, follow_up, jpn_follow_up):
    url = reverse("admin:recommendations_followup_changelist")

    forged = client.post(
        url, {"action": "export_csv", "_selected_action": [str(jpn_follow_up.pk)], "index": "0"}
    )
    across = client.post(
        url,
        {
            "action": "export_csv",
            "_selected_action": [str(follow_up.pk)],
            "select_across": "1",
            "index": "0",
        },
    )

    forged_text = b"".join(forged.streaming_content).decode("utf-8-sig")
    across_text = b"".join(across.streaming_content).decode("utf-8-sig")
    assert forged_text.splitlines()[1:] == []
    assert "PAK" in across_text
    assert "JPN" not in across_text


def test_it_exports_only_own_follow_ups_from_the_recommendation_list(
    client, focal, follow_up, jpn_follow_up
):
    response = client.post(
        reverse("admin:recommendations_recommendation_changelist"),
        {
            "action": "export_follow_ups",
            "_selected_action": [str(follow_up.recommendation_id)],
            "index": "0",
        },
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "PAK" in text
    assert "JPN" not in text


def test_it_hides_the_history_of_another_delegations_follow_up(client, focal, jpn_follow_up):
    history = client.get(reverse("admin:recommendations_followup_history", args=[jpn_follow_up.pk]))
    record = jpn_follow_up.history.latest()
    version = client.get(
        reverse(
            "admin:recommendations_followup_simple_history",
            args=[jpn_follow_up.pk, record.history_id],
        )
    )

    assert history.status_code == 302
    assert version.status_code == 302
    assert history["Location"] == reverse("admin:index")


def test_it_shows_a_focal_point_the_history_of_their_own_follow_up(client, focal, follow_up):
    response = client.get(reverse("admin:recommendations_followup_history", args=[follow_up.pk]))

    assert response.status_code == 200


def test_it_hides_another_delegations_progress_updates(client, focal, jpn_update):
    listing = client.get(reverse("admin:recommendations_progressupdate_changelist"))
    change = client.get(
        reverse("admin:recommendations_progressupdate_change", args=[jpn_update.pk])
    )
    history = client.get(
        reverse("admin:recommendations_progressupdate_history", args=[jpn_update.pk])
    )

    assert list(listing.context["cl"].result_list) == []
    assert change.status_code == 302
    assert history.status_code == 302


def test_it_refuses_a_progress_update_on_another_delegations_follow_up(
    client, focal, jpn_follow_up
):
    before = _snapshot(jpn_follow_up)

    response = client.post(
        reverse("admin:recommendations_progressupdate_add"),
        {
            "follow_up": str(jpn_follow_up.pk),
            "date": TODAY.isoformat(),
            "status": Status.COMPLETED,
            "visibility": "public",
            "note": "",
            "evidence_url": "",
        },
    )

    assert response.status_code == 403
    assert _snapshot(jpn_follow_up) == before


def test_it_lets_a_focal_point_add_a_progress_update_inline_and_the_status_follows(
    client, focal, follow_up
):
    url = reverse("admin:recommendations_followup_change", args=[follow_up.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefix = inline_prefix(page, "progressupdate")
    row = extra_form_index(page, "progressupdate")
    data[f"{prefix}-{row}-status"] = Status.IN_PROGRESS
    data[f"{prefix}-{row}-note"] = "Training plan drafted."

    response = client.post(url, data)

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == Status.IN_PROGRESS
    update = follow_up.updates.get()
    assert (update.author, update.note, update.verified_at) == (
        focal,
        "Training plan drafted.",
        None,  # self-reported until the Secretariat verifies it
    )


def test_it_lets_a_focal_point_add_a_progress_update_on_its_own_page(client, focal, follow_up):
    response = client.post(
        reverse("admin:recommendations_progressupdate_add"),
        {
            "follow_up": str(follow_up.pk),
            "date": TODAY.isoformat(),
            "status": Status.COMPLETED,
            "visibility": "restricted",
            "note": "Done.",
            "evidence_url": "",
        },
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == Status.COMPLETED
    assert follow_up.updates.get().author == focal


def test_it_refuses_a_focal_point_any_delete(client, focal, follow_up, secretariat_user):
    update = services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=focal
    )

    follow_up_delete = client.post(
        reverse("admin:recommendations_followup_delete", args=[follow_up.pk]), {"post": "yes"}
    )
    update_delete = client.post(
        reverse("admin:recommendations_progressupdate_delete", args=[update.pk]), {"post": "yes"}
    )

    assert follow_up_delete.status_code == 403
    assert update_delete.status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_it_locks_an_update_the_secretariat_verified(client, focal, follow_up, secretariat_user):
    update = services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=focal
    )
    services.progress_update_verify(update=update, user=secretariat_user)
    url = reverse("admin:recommendations_progressupdate_change", args=[update.pk])

    response = client.post(
        url,
        {
            "date": TODAY.isoformat(),
            "status": Status.COMPLETED,
            "visibility": "public",
            "note": "",
            "evidence_url": "",
        },
    )

    assert response.status_code == 403
    assert ProgressUpdate.objects.get(pk=update.pk).status == Status.PLANNED


def test_it_shows_recommendations_read_only_to_a_focal_point(
    client, focal, follow_up, jpn_follow_up
):
    url = reverse("admin:recommendations_recommendation_change", args=[follow_up.recommendation_id])

    page = client.get(url)
    post = client.post(url, {"text": "Rewritten", "code": "X"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    (inline,) = page.context["inline_admin_formsets"]
    assert list(inline.formset.queryset) == [follow_up]
    assert post.status_code == 403


def test_it_suggests_only_own_follow_ups_in_autocomplete(client, focal, follow_up, jpn_follow_up):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "recommendations",
            "model_name": "progressupdate",
            "field_name": "follow_up",
            "term": "",
        },
    )

    results = json.loads(response.content)["results"]
    assert [r["id"] for r in results] == [str(follow_up.pk)]


def test_it_refuses_a_staff_user_without_a_delegation(client, django_user_model, follow_up):
    user = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(user)

    response = client.get(reverse("admin:recommendations_followup_changelist"))

    assert response.status_code == 403


def test_it_follows_a_delegation_link_for_a_focal_point_without_an_error(
    client, focal, follow_up, jpn_follow_up
):
    url = reverse("admin:recommendations_followup_changelist")

    own = client.get(url, {"delegation": "PAK"})
    other = client.get(url, {"delegation": "JPN"})

    assert list(own.context["cl"].result_list) == [follow_up]
    assert list(other.context["cl"].result_list) == []


def test_a_focal_point_sees_no_delegation_column_or_filter_staff_do(
    client, focal, follow_up, secretariat_user
):
    lists = [
        reverse("admin:recommendations_followup_changelist"),
        reverse("admin:recommendations_progressupdate_changelist"),
    ]
    for url in lists:
        html = client.get(url).content.decode()
        assert "column-delegation_display" not in html
        if "followup" in url:  # the item's text beside its code
            assert follow_up.recommendation.text[:40] in html
        assert 'id="filter-delegation"' not in html
    client.force_login(secretariat_user)
    html = client.get(lists[0]).content.decode()
    assert "column-delegation_display" in html
    assert 'id="filter-delegation"' in html


def test_the_item_autocomplete_shows_the_text_and_leaves_out_items_already_followed(
    client, focal, follow_up, make_recommendation
):
    other = make_recommendation(code="D1S1-09", text="Strengthen medical evacuation.")
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "recommendations",
            "model_name": "followup",
            "field_name": "recommendation",
            "term": "",
        },
    )

    results = json.loads(response.content)["results"]
    # PAK already follows follow_up's item: only the other is offered, with its text.
    assert [r["id"] for r in results] == [str(other.pk)]
    assert results[0]["text"] == "D1S1-09 – Strengthen medical evacuation."


def test_a_focal_points_admin_holds_only_what_they_act_on(client, focal):
    index = client.get(reverse("admin:index"))
    models = [model["object_name"] for app in index.context["app_list"] for model in app["models"]]
    assert models == ["FollowUp", "ProgressUpdate", "Recommendation"]


@pytest.mark.parametrize(
    "model", ["meeting", "session", "person", "participation", "delegation", "theme"]
)
def test_a_focal_point_reads_the_reference_data_on_the_public_pages_not_the_admin(
    client, focal, model
):
    assert client.get(reverse(f"admin:recommendations_{model}_changelist")).status_code == 403
