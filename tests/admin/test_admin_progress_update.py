"""The progress-update admin: the status follows every change, Secretariat staff
verify self-reported updates (bulk action and change-form button), the list filters
by verification, and the changelist links to the CSV import."""

import datetime

import pytest
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import translation

from recommendations import services
from recommendations.admin.follow_ups import verification_text
from recommendations.models import FollowUp, ProgressUpdate, Status
from recommendations.status import State

TODAY = datetime.date.today()


def _import_view(request):
    return HttpResponse("import")


# Used by the test of the "Import CSV" link: the admin plus an import URL in its namespace.
urlpatterns = [
    path(
        "admin/",
        (
            [
                path(
                    "recommendations/progressupdate/import/",
                    _import_view,
                    name="recommendations_progressupdate_import",
                ),
                *admin.site.get_urls(),
            ],
            "admin",
            "admin",
        ),
    ),
]


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def self_reported(follow_up, pak_focal):
    return services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.IN_PROGRESS, author=pak_focal
    )


def _change_url(update):
    return reverse("admin:recommendations_progressupdate_change", args=[update.pk])


def test_it_lets_the_secretariat_mark_selected_updates_verified(
    staff_client, secretariat_user, self_reported
):
    response = staff_client.post(
        reverse("admin:recommendations_progressupdate_changelist"),
        {"action": "mark_verified", "_selected_action": [str(self_reported.pk)], "index": "0"},
    )

    assert response.status_code == 302
    self_reported.refresh_from_db()
    assert self_reported.verified_by == secretariat_user
    assert self_reported.verified_at is not None


def test_it_shows_a_mark_verified_button_on_a_self_reported_update(
    staff_client, self_reported, secretariat_user
):
    page = staff_client.get(_change_url(self_reported))
    verified = services.progress_update_create(
        follow_up=self_reported.follow_up,
        date=TODAY,
        status=Status.COMPLETED,
        author=secretariat_user,
    )
    already = staff_client.get(_change_url(verified))

    assert 'name="CHANGE_FORM-action" value="mark_verified"' in page.content.decode()
    assert "mark_verified" not in already.content.decode()


def test_it_marks_an_update_verified_from_its_change_form(
    staff_client, secretariat_user, self_reported
):
    response = staff_client.post(
        _change_url(self_reported),
        {"CHANGE_FORM-action": "mark_verified", "_selected_action": str(self_reported.pk)},
    )

    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pk=self_reported.pk).verified_by == secretariat_user


def test_it_offers_no_verification_to_a_focal_point(client, pak_focal, self_reported):
    client.force_login(pak_focal)

    page = client.get(_change_url(self_reported))
    forged = client.post(
        reverse("admin:recommendations_progressupdate_changelist"),
        {"action": "mark_verified", "_selected_action": [str(self_reported.pk)], "index": "0"},
    )
    forged_form = client.post(
        _change_url(self_reported),
        {"CHANGE_FORM-action": "mark_verified", "_selected_action": str(self_reported.pk)},
    )

    assert "mark_verified" not in page.content.decode()
    assert forged.status_code == 200  # no action exists for them: the list is shown again
    assert forged_form.status_code in (200, 302)
    assert ProgressUpdate.objects.get(pk=self_reported.pk).verified_at is None


def test_it_filters_updates_by_verification(staff_client, secretariat_user, self_reported):
    verified = services.progress_update_create(
        follow_up=self_reported.follow_up,
        date=TODAY,
        status=Status.COMPLETED,
        author=secretariat_user,
    )
    url = reverse("admin:recommendations_progressupdate_changelist")

    yes = staff_client.get(url, {"verified": "yes"})
    no = staff_client.get(url, {"verified": "no"})
    junk = staff_client.get(url, {"verified": "maybe"})

    assert list(yes.context["cl"].result_list) == [verified]
    assert list(no.context["cl"].result_list) == [self_reported]
    assert list(junk.context["cl"].result_list) == []


def test_it_shows_visibility_and_verification_in_the_list(staff_client, self_reported):
    response = staff_client.get(reverse("admin:recommendations_progressupdate_changelist"))

    columns = response.context["cl"].list_display
    assert {"visibility", "verified", "verified_by", "author"} <= set(columns)


def test_it_re_derives_the_status_when_an_update_is_changed_on_its_own_page(
    staff_client, self_reported
):
    response = staff_client.post(
        _change_url(self_reported),
        {
            "date": TODAY.isoformat(),
            "status": Status.NOT_APPLICABLE,
            "visibility": "public",
            "note": "Not relevant for us.",
            "evidence_url": "",
            "version": str(self_reported.version),
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert FollowUp.objects.get(pk=self_reported.follow_up_id).status == Status.NOT_APPLICABLE


def test_it_re_derives_the_status_when_updates_are_deleted_in_bulk(
    staff_client, secretariat_user, self_reported
):
    response = staff_client.post(
        reverse("admin:recommendations_progressupdate_changelist"),
        {"action": "delete_selected", "_selected_action": [str(self_reported.pk)], "post": "yes"},
    )

    assert response.status_code == 302
    assert not ProgressUpdate.objects.exists()
    assert FollowUp.objects.get(pk=self_reported.follow_up_id).status == State.NOT_REPORTED


def test_the_changelist_links_to_the_csv_import(staff_client):
    response = staff_client.get(reverse("admin:recommendations_progressupdate_changelist"))

    assert response.status_code == 200
    assert 'href="/admin/recommendations/progressupdate/import/"' in response.content.decode()


@pytest.mark.urls("tests.admin.test_admin_progress_update")
def test_it_links_to_the_import_from_the_changelist(staff_client):
    response = staff_client.get(reverse("admin:recommendations_progressupdate_changelist"))

    assert 'href="/admin/recommendations/progressupdate/import/"' in response.content.decode()


def test_the_verification_says_its_day_in_the_languages_date_format(self_reported, settings):
    self_reported.verified_at = datetime.datetime(2023, 12, 5, 23, 30, tzinfo=datetime.UTC)
    self_reported.verified_by = self_reported.author
    settings.TIME_ZONE = "UTC"
    with translation.override("en"):
        assert verification_text(self_reported) == "Verified by focal-pak on Dec. 5, 2023"
    with translation.override("fr"):
        assert verification_text(self_reported) == "Vérifiée par focal-pak le 5 décembre 2023"
