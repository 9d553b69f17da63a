"""The services hold the write rules themselves, whoever calls them: a focal point may
not change or delete a verified update, may not touch another delegation's history,
may set only the fields a service names, and nobody dates an update in the future."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate
from recommendations.status import State, Status

D = datetime.date


@pytest.fixture
def verified_update(follow_up, pak_focal, secretariat_user):
    update = services.progress_update_create(
        follow_up=follow_up, author=pak_focal, date=D(2023, 9, 1), status=Status.PLANNED
    )
    return services.progress_update_verify(update=update, user=secretariat_user)


def test_a_focal_point_may_not_change_a_verified_update(verified_update, pak_focal):
    with pytest.raises(PermissionError):
        services.progress_update_change(
            update=verified_update,
            version=None,
            user=pak_focal,
            note="Rewritten after verification",
        )
    verified_update.refresh_from_db()
    assert verified_update.note == ""
    assert verified_update.verified_at is not None


def test_a_focal_point_may_not_delete_a_verified_update(verified_update, pak_focal):
    with pytest.raises(PermissionError):
        services.progress_update_delete(update=verified_update, user=pak_focal)
    assert ProgressUpdate.objects.filter(pk=verified_update.pk).exists()


def test_staff_may_correct_a_verified_update(verified_update, secretariat_user):
    changed = services.progress_update_change(
        update=verified_update,
        version=None,
        user=secretariat_user,
        note="Corrected by the Secretariat",
    )
    assert changed.note == "Corrected by the Secretariat"


def test_a_focal_point_may_correct_their_own_self_reported_update(follow_up, pak_focal):
    update = services.progress_update_create(
        follow_up=follow_up, author=pak_focal, date=D(2023, 9, 1), status=Status.PLANNED
    )
    services.progress_update_change(
        update=update, version=update.version, user=pak_focal, status=Status.IN_PROGRESS
    )
    follow_up.refresh_from_db()
    assert follow_up.status == Status.IN_PROGRESS


def test_a_focal_point_may_not_write_another_delegations_history(recommendation, jpn, pak_focal):
    other = FollowUp.objects.create(recommendation=recommendation, delegation=jpn)
    with pytest.raises(PermissionError):
        services.progress_update_create(
            follow_up=other, author=pak_focal, date=D(2023, 9, 1), status=Status.PLANNED
        )
    assert not ProgressUpdate.objects.filter(follow_up=other).exists()


@pytest.mark.parametrize(
    "field", ["verified_at", "verified_by", "author", "follow_up", "created_at", "id"]
)
def test_a_change_may_set_only_the_fields_it_names(verified_update, secretariat_user, field):
    with pytest.raises(TypeError):
        services.progress_update_change(
            update=verified_update, version=None, user=secretariat_user, **{field: None}
        )


def test_a_follow_up_update_may_set_only_the_fields_it_names(follow_up, secretariat_user):
    with pytest.raises(TypeError):
        services.follow_up_update(
            follow_up=follow_up,
            version=follow_up.version,
            user=secretariat_user,
            status="completed",
        )
    follow_up.refresh_from_db()
    assert follow_up.status == State.NOT_REPORTED


def test_no_update_is_dated_in_the_future(follow_up, secretariat_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.progress_update_create(
            follow_up=follow_up, author=secretariat_user, date=tomorrow, status=Status.PLANNED
        )
    with pytest.raises(ValidationError):
        services.follow_ups_set_status(
            follow_ups=FollowUp.objects.filter(pk=follow_up.pk),
            status=Status.PLANNED,
            user=secretariat_user,
            date=tomorrow,
        )
    assert not ProgressUpdate.objects.filter(follow_up=follow_up).exists()
