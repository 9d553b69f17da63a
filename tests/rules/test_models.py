import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Status
from recommendations.status import State


def test_it_refuses_a_second_follow_up_of_the_same_pair(follow_up):
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            recommendation=follow_up.recommendation, delegation=follow_up.delegation
        )
    assert FollowUp.objects.count() == 1


def test_the_database_refuses_an_unknown_status(follow_up):
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(status="finished")
    follow_up.refresh_from_db()
    assert follow_up.status == State.NOT_REPORTED


def test_the_service_refuses_an_unknown_status_and_writes_nothing(follow_up):
    with pytest.raises(ValidationError):
        services.progress_update_create(
            follow_up=follow_up, date=datetime.date(2023, 9, 1), status="finished"
        )
    assert ProgressUpdate.objects.count() == 0


def test_the_target_date_defaults_to_the_target_meeting(follow_up):
    assert follow_up.target_date == datetime.date(2023, 12, 5)


def test_the_status_follows_the_latest_dated_update(follow_up):
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 10, 1), status=Status.IN_PROGRESS
    )
    # Back-dated: recorded later, but it is not the latest by date.
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.PLANNED
    )
    follow_up.refresh_from_db()
    assert follow_up.status == Status.IN_PROGRESS
    assert follow_up.last_update_date == datetime.date(2023, 10, 1)

    update = services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 11, 1), status=Status.COMPLETED
    )
    follow_up.refresh_from_db()
    assert follow_up.status == Status.COMPLETED

    services.progress_update_delete(update=update)
    follow_up.refresh_from_db()
    assert follow_up.status == Status.IN_PROGRESS


def test_an_update_dated_in_the_future_is_refused(follow_up):
    with pytest.raises(ValidationError):
        services.progress_update_create(
            follow_up=follow_up,
            date=datetime.date.today() + datetime.timedelta(days=2),
            status=Status.PLANNED,
        )
    follow_up.refresh_from_db()
    assert follow_up.status == State.NOT_REPORTED


def test_a_stale_edit_is_refused_and_the_first_value_stays(follow_up):
    first = FollowUp.objects.get(pk=follow_up.pk)
    second = FollowUp.objects.get(pk=follow_up.pk)
    services.follow_up_update(follow_up=first, version=first.version, pledge="Two trainers")
    with pytest.raises(services.StaleEditError):
        services.follow_up_update(follow_up=second, version=second.version, pledge="Nothing")
    follow_up.refresh_from_db()
    assert follow_up.pledge == "Two trainers"


def test_a_focal_point_cannot_update_another_delegations_follow_up(
    follow_up, jpn, make_focal_point
):
    focal = make_focal_point(jpn)
    with pytest.raises(PermissionError):
        services.progress_update_create(
            follow_up=follow_up, date=datetime.date(2023, 9, 1), status="planned", author=focal
        )
    assert ProgressUpdate.objects.count() == 0
