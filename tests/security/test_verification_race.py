"""A focal point edits their update at the moment staff verify it: whichever gets the
update's row lock first, the update ends verified; the edit lands only if it came
first, and verification never overwrites what the edit wrote."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from recommendations import services
from recommendations.models import ProgressUpdate, Status
from recommendations.services import progress_updates
from tests.admin.forms import change_form_data

from .concurrency import postgres_only, run_together, slowed


@pytest.fixture
def focal(make_focal_point, pak):
    return make_focal_point(pak)


@pytest.fixture
def self_reported(follow_up, focal):
    return services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.PLANNED, author=focal
    )


def _copy(update):
    """What an editor loaded: a copy of the update as it was then."""
    return ProgressUpdate.objects.select_related("follow_up").get(pk=update.pk)


# --- Interleavings, step by step (both databases) ------------------------------------


def test_an_edit_loaded_before_verification_is_refused_after_it(
    self_reported, focal, secretariat_user
):
    loaded = _copy(self_reported)
    services.progress_update_verify(update=_copy(self_reported), user=secretariat_user)

    with pytest.raises(PermissionError, match="verified"):
        services.progress_update_change(
            update=loaded, version=loaded.version, user=focal, note="Rewritten"
        )
    current = ProgressUpdate.objects.get(pk=self_reported.pk)
    assert current.verified_at is not None
    assert current.verified_by == secretariat_user
    assert current.note == ""


def test_a_verification_loaded_before_an_edit_keeps_the_edit(
    self_reported, focal, secretariat_user
):
    loaded = _copy(self_reported)
    services.progress_update_change(
        update=_copy(self_reported), version=loaded.version, user=focal, note="Edited first"
    )
    services.progress_update_verify(update=loaded, user=secretariat_user)

    current = ProgressUpdate.objects.get(pk=self_reported.pk)
    assert current.verified_at is not None
    assert current.note == "Edited first"


def test_the_admin_refuses_a_focal_points_form_opened_before_verification(
    self_reported, focal, secretariat_user
):
    client = Client()
    client.force_login(focal)
    url = reverse("admin:recommendations_progressupdate_change", args=[self_reported.pk])
    data = change_form_data(client.get(url))
    data["note"] = "Rewritten after verification"
    services.progress_update_verify(update=_copy(self_reported), user=secretariat_user)

    response = client.post(url, data)

    assert response.status_code == 403
    current = ProgressUpdate.objects.get(pk=self_reported.pk)
    assert current.verified_at is not None
    assert current.note == ""


# --- Real concurrency (PostgreSQL) ---------------------------------------------------


@postgres_only
@pytest.mark.parametrize("first", ["edit", "verify"])
def test_an_edit_and_a_verification_at_once_end_verified(
    first, self_reported, focal, secretariat_user, monkeypatch
):
    # The first to start holds the update's lock for a moment; the other waits for it.
    monkeypatch.setattr(
        progress_updates,
        "_lock_update",
        slowed(progress_updates._lock_update, 0.5, only_in="job-0"),
    )
    loaded = _copy(self_reported)

    def edit():
        return services.progress_update_change(
            update=_copy(self_reported), version=loaded.version, user=focal, note="Edited"
        )

    def verify():
        return services.progress_update_verify(update=_copy(self_reported), user=secretariat_user)

    if first == "edit":
        edited, verified = run_together(edit, verify, stagger=0.2)
    else:
        verified, edited = run_together(verify, edit, stagger=0.2)

    current = ProgressUpdate.objects.get(pk=self_reported.pk)
    assert current.verified_at is not None, (edited, verified)
    assert not isinstance(verified, BaseException), verified
    if first == "edit":
        assert isinstance(edited, ProgressUpdate), edited
        assert current.note == "Edited"
    else:
        assert isinstance(edited, PermissionError), edited
        assert current.note == ""
