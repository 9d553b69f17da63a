"""Imports beside other writers: two confirms of one file at once record each row once;
an import and a bulk status change over the same follow-ups in the opposite order
neither deadlock nor show the outage page; a collision the database reports is retried,
then explained."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import OperationalError, connection

from recommendations import imports, services
from recommendations.models import FollowUp, ProgressUpdate, Status
from recommendations.services import conflicts, progress_updates

from .concurrency import postgres_only, run_together, slowed


@pytest.fixture
def thirty(make_recommendation, pak, jpn):
    """Thirty rows: 15 items, for PAK (follow-ups exist) and JPN (they do not yet)."""
    lines = ["code,delegation,status,date,note"]
    for n in range(15):
        item = make_recommendation(code=f"D1S1-{n + 1:02d}")
        services.follow_up_create(recommendation=item, delegation=pak)
        lines.append(f"{item.code},PAK,planned,2023-09-01,Row {n}")
        lines.append(f"{item.code},JPN,in_progress,2023-09-02,Row {n}")
    return "\r\n".join(lines) + "\r\n"


def _confirm(text, user):
    def job():
        plan = imports.build_plan(text, user=user)
        return services.progress_updates_import(plan=plan, user=user)

    return job


@postgres_only
def test_two_confirms_of_one_file_at_once_record_each_row_once(
    thirty, secretariat_user, monkeypatch
):
    # Each write takes a moment, so the two imports overlap for certain.
    monkeypatch.setattr(
        progress_updates,
        "history_changed",
        slowed(progress_updates.history_changed, 0.02, only_in="job-0"),
    )
    first, second = run_together(
        _confirm(thirty, secretariat_user), _confirm(thirty, secretariat_user)
    )

    assert not isinstance(first, BaseException), first
    assert not isinstance(second, BaseException), second
    assert ProgressUpdate.objects.count() == 30
    assert FollowUp.objects.count() == 30
    assert first.updates + second.updates == 30
    assert first.follow_ups + second.follow_ups == 15


@postgres_only
def test_an_import_and_a_bulk_status_change_in_the_other_order_both_land(
    make_recommendation, pak, secretariat_user, monkeypatch
):
    follow_ups = [
        services.follow_up_create(recommendation=make_recommendation(), delegation=pak)
        for _ in range(2)
    ]
    low, high = follow_ups
    # The file names the follow-ups highest id first; the bulk change goes lowest first.
    text = "code,delegation,status,date\r\n" + "".join(
        f"{f.recommendation.code},PAK,planned,2023-09-01\r\n" for f in (high, low)
    )
    plan = imports.build_plan(text, user=secretariat_user)
    monkeypatch.setattr(
        progress_updates,
        "history_changed",
        slowed(progress_updates.history_changed, 0.3, only_in="job-0"),
    )

    imported, changed = run_together(
        lambda: services.progress_updates_import(plan=plan, user=secretariat_user),
        lambda: services.follow_ups_set_status(
            follow_ups=FollowUp.objects.filter(pk__in=[low.pk, high.pk]),
            status=Status.COMPLETED,
            user=secretariat_user,
            date=datetime.date(2023, 10, 1),
        ),
        stagger=0.1,
    )

    assert not isinstance(imported, BaseException), imported
    assert not isinstance(changed, BaseException), changed
    assert imported.updates == 2 and changed == 2
    assert ProgressUpdate.objects.count() == 4


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


@pytest.mark.django_db(transaction=True)
def test_a_collision_is_run_again_and_the_second_attempt_lands(monkeypatch):
    monkeypatch.setattr(conflicts.time, "sleep", lambda seconds: None)
    attempts = []

    @conflicts.retry_on_collision
    def write():
        attempts.append(1)
        if len(attempts) == 1:
            raise _deadlock()
        return "written"

    assert write() == "written"
    assert len(attempts) == 2


@pytest.mark.django_db(transaction=True)
def test_a_collision_that_keeps_happening_is_explained_not_an_outage(monkeypatch):
    monkeypatch.setattr(conflicts.time, "sleep", lambda seconds: None)

    @conflicts.retry_on_collision
    def write():
        raise OperationalError("database is locked")

    with pytest.raises(services.BusyError, match="try again") as caught:
        write()
    assert not isinstance(caught.value, OperationalError)  # never the 503 page


@pytest.mark.django_db(transaction=True)
def test_an_unavailable_database_is_not_retried(monkeypatch):
    attempts = []

    @conflicts.retry_on_collision
    def write():
        attempts.append(1)
        raise OperationalError("connection refused")

    with pytest.raises(OperationalError):
        write()
    assert len(attempts) == 1


def test_inside_a_callers_transaction_nothing_is_retried(db):
    attempts = []

    @conflicts.retry_on_collision
    def write():
        attempts.append(1)
        raise _deadlock()

    assert connection.in_atomic_block
    with pytest.raises(OperationalError):
        write()
    assert len(attempts) == 1


def test_the_admin_explains_a_bulk_change_that_kept_colliding(
    client, secretariat_user, follow_up, monkeypatch
):
    def busy(**kwargs):
        raise services.BusyError()

    monkeypatch.setattr(services, "follow_ups_set_status", busy)
    client.force_login(secretariat_user)
    response = client.post(
        "/admin/recommendations/followup/",
        {
            "action": "set_status",
            "_selected_action": [str(follow_up.pk)],
            "index": "0",
            "apply": "1",
            "status": Status.COMPLETED,
            "date": "2023-10-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Please try again" in response.content.decode()
