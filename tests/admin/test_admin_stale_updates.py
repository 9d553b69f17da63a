"""Two people editing one progress update: the second save, based on what they loaded
before the first saved, is refused with the "reload" message and writes nothing, on the
update's own page and in the follow-up's inline alike. A save writes only the fields
it changed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import services
from recommendations.models import ProgressUpdate, Status
from recommendations.roles import SECRETARIAT
from tests.admin.forms import change_form_data, inline_prefix

RESTRICTED = ProgressUpdate.Visibility.RESTRICTED
NEW_LINK = "https://example.org/evidence/report-2.pdf"


@pytest.fixture
def two_staff(secretariat_user):
    other = User.objects.create_user("sec2", "sec2@example.org", "pw-sec2-12345", is_staff=True)
    other.groups.add(Group.objects.get(name=SECRETARIAT))
    clients = []
    for user in (secretariat_user, other):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def update(follow_up, secretariat_user):
    return services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 9, 1),
        status=Status.PLANNED,
        note="Sensitive detail",
        author=secretariat_user,
    )


def _update_url(update):
    return reverse("admin:recommendations_progressupdate_change", args=[update.pk])


def _follow_up_url(follow_up):
    return reverse("admin:recommendations_followup_change", args=[follow_up.pk])


def test_it_refuses_an_evidence_edit_loaded_before_another_made_the_update_restricted(
    two_staff, update
):
    first, second = two_staff
    first_form = change_form_data(first.get(_update_url(update)))
    second_form = change_form_data(second.get(_update_url(update)))
    first_form["visibility"] = RESTRICTED
    second_form["evidence_url"] = NEW_LINK

    assert first.post(_update_url(update), first_form).status_code == 302
    refused = second.post(_update_url(update), second_form)

    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Someone else changed this follow-up since you opened it" in body
    assert NEW_LINK in body  # what they typed is still there to copy
    update.refresh_from_db()
    assert (update.visibility, update.evidence_url) == (RESTRICTED, "")


def test_it_refuses_a_stale_inline_row_too(two_staff, update, follow_up):
    first, second = two_staff
    first_form = change_form_data(first.get(_update_url(update)))
    page = second.get(_follow_up_url(follow_up))
    second_form = change_form_data(page)
    prefix = inline_prefix(page, "progressupdate")
    first_form["visibility"] = RESTRICTED
    second_form[f"{prefix}-0-evidence_url"] = NEW_LINK

    assert first.post(_update_url(update), first_form).status_code == 302
    refused = second.post(_follow_up_url(follow_up), second_form)

    assert refused.status_code == 200
    assert "Someone else changed this follow-up" in refused.content.decode()
    update.refresh_from_db()
    assert (update.visibility, update.evidence_url) == (RESTRICTED, "")


def test_the_service_refuses_a_change_based_on_an_older_version(update, secretariat_user):
    loaded = update.version
    services.progress_update_change(
        update=update, version=loaded, user=secretariat_user, visibility=RESTRICTED
    )
    with pytest.raises(services.StaleEditError, match="Reload the page"):
        services.progress_update_change(
            update=update, version=loaded, user=secretariat_user, evidence_url=NEW_LINK
        )
    update.refresh_from_db()
    assert (update.visibility, update.evidence_url, update.version) == (
        RESTRICTED,
        "",
        loaded + 1,
    )


def test_the_service_writes_only_the_fields_it_is_given(update, secretariat_user):
    with CaptureQueriesContext(connection) as queries:
        services.progress_update_change(
            update=update, version=update.version, user=secretariat_user, evidence_url=NEW_LINK
        )
    (write,) = [
        q["sql"] for q in queries if q["sql"].startswith('UPDATE "recommendations_progressupdate"')
    ]
    assert '"evidence_url"' in write and '"version"' in write
    assert '"visibility"' not in write and '"note"' not in write


def test_an_unchanged_form_saves_without_a_new_version(two_staff, update):
    first, _second = two_staff
    version = ProgressUpdate.objects.get(pk=update.pk).version
    response = first.post(_update_url(update), change_form_data(first.get(_update_url(update))))
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pk=update.pk).version == version
