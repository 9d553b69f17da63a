"""A follow-up's status and last update date follow its history on every write path:
the services, the ORM (save, create, bulk_create, update, delete), loaddata and raw
SQL. The database triggers keep them; these tests try each path."""

import datetime
import io
import json
import random

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate
from recommendations.status import LATEST_FIRST, State, Status

D = datetime.date


def kept(follow_up):
    follow_up.refresh_from_db()
    return follow_up.status, follow_up.last_update_date


def latest_by_the_orm(follow_up):
    latest = ProgressUpdate.objects.filter(follow_up=follow_up).order_by(*LATEST_FIRST).first()
    return (latest.status, latest.date) if latest else (State.NOT_REPORTED, None)


def test_it_follows_a_plain_orm_create(follow_up):
    ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 9, 1), status="planned")
    assert kept(follow_up) == ("planned", D(2023, 9, 1))


def test_it_follows_a_plain_orm_delete(follow_up):
    first = ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 9, 1), status="planned")
    later = ProgressUpdate.objects.create(
        follow_up=follow_up, date=D(2023, 10, 1), status="completed"
    )
    later.delete()
    assert kept(follow_up) == ("planned", D(2023, 9, 1))
    first.delete()
    assert kept(follow_up) == (State.NOT_REPORTED, None)


def test_it_follows_a_save_that_moves_an_update_in_time(follow_up):
    first = ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 9, 1), status="planned")
    ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 10, 1), status="in_progress")
    first.date = D(2023, 11, 1)
    first.save()
    assert kept(follow_up) == ("planned", D(2023, 11, 1))


def test_it_follows_bulk_create_and_queryset_update_and_delete(follow_up):
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(follow_up=follow_up, date=D(2023, 9, d), status=s)
            for d, s in [(1, "planned"), (3, "completed"), (2, "in_progress")]
        ]
    )
    assert kept(follow_up) == ("completed", D(2023, 9, 3))
    ProgressUpdate.objects.filter(follow_up=follow_up, status="completed").update(
        status="not_applicable"
    )
    assert kept(follow_up) == ("not_applicable", D(2023, 9, 3))
    ProgressUpdate.objects.filter(follow_up=follow_up, date__gte=D(2023, 9, 2)).delete()
    assert kept(follow_up) == ("planned", D(2023, 9, 1))


def test_moving_an_update_to_another_follow_up_refreshes_both(follow_up, recommendation, jpn):
    other = services.follow_up_create(recommendation=recommendation, delegation=jpn)
    update = ProgressUpdate.objects.create(
        follow_up=follow_up, date=D(2023, 9, 1), status="completed"
    )
    ProgressUpdate.objects.filter(pk=update.pk).update(follow_up=other)
    assert kept(follow_up) == (State.NOT_REPORTED, None)
    assert kept(other) == ("completed", D(2023, 9, 1))


def test_it_follows_raw_sql(follow_up):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO recommendations_progressupdate "
            "(follow_up_id, date, status, note, evidence_url, visibility, created_at) "
            "VALUES (%s, %s, 'in_progress', '', '', 'public', %s)",
            [follow_up.pk, D(2023, 9, 5), datetime.datetime(2023, 9, 5, tzinfo=datetime.UTC)],
        )
    assert kept(follow_up) == ("in_progress", D(2023, 9, 5))


def test_it_follows_loaddata(follow_up, tmp_path):
    update = ProgressUpdate.objects.create(
        follow_up=follow_up, date=D(2023, 9, 1), status="completed"
    )
    data = json.loads(serializers.serialize("json", [update]))
    update.delete()
    assert kept(follow_up) == (State.NOT_REPORTED, None)
    path = tmp_path / "updates.json"
    path.write_text(json.dumps(data))
    call_command("loaddata", str(path), stdout=io.StringIO())
    assert kept(follow_up) == ("completed", D(2023, 9, 1))


def test_a_cached_status_set_by_hand_is_corrected_by_the_next_write(follow_up):
    ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 9, 1), status="planned")
    FollowUp.objects.filter(pk=follow_up.pk).update(status="completed")
    ProgressUpdate.objects.create(follow_up=follow_up, date=D(2023, 8, 1), status="in_progress")
    assert kept(follow_up) == ("planned", D(2023, 9, 1))


def test_a_verification_does_not_touch_the_follow_up(follow_up, secretariat_user):
    update = ProgressUpdate.objects.create(
        follow_up=follow_up, date=D(2023, 9, 1), status="planned"
    )
    before = FollowUp.objects.get(pk=follow_up.pk)
    services.progress_update_verify(update=update, user=secretariat_user)
    after = FollowUp.objects.get(pk=follow_up.pk)
    assert (after.status, after.version, after.updated_at) == (
        before.status,
        before.version,
        before.updated_at,
    )


def test_the_triggers_choose_the_latest_update_as_latest_first_orders_them(follow_up):
    """Many same-day and back-dated updates in random order: the database's choice of
    the latest equals the ORM's ``LATEST_FIRST`` after every insert and delete."""
    rng = random.Random(20230830)
    days = [D(2023, 9, 1) + datetime.timedelta(days=rng.randrange(4)) for _ in range(30)]
    created = []
    for day in days:
        created.append(
            ProgressUpdate.objects.create(
                follow_up=follow_up, date=day, status=rng.choice(Status.values)
            )
        )
        assert kept(follow_up) == latest_by_the_orm(follow_up)
    rng.shuffle(created)
    for update in created:
        update.delete()
        assert kept(follow_up) == latest_by_the_orm(follow_up)


@pytest.mark.parametrize("path", ["create", "change", "delete"])
def test_the_services_bump_the_version_on_every_change_of_history(follow_up, path):
    update = services.progress_update_create(
        follow_up=follow_up, date=D(2023, 9, 1), status="planned"
    )
    version = FollowUp.objects.get(pk=follow_up.pk).version
    if path == "create":
        services.progress_update_create(follow_up=follow_up, date=D(2023, 9, 2), status="planned")
    elif path == "change":
        services.progress_update_change(update=update, version=None, status="completed")
    else:
        services.progress_update_delete(update=update)
    assert FollowUp.objects.get(pk=follow_up.pk).version == version + 1
