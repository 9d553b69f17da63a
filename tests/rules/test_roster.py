"""The roster: every roster delegation follows every item, "No report yet" until it
reports (``services.roster``)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import services
from recommendations.models import Delegation, FollowUp, Recommendation
from recommendations.status import State, Status


@pytest.fixture
def items(make_recommendation):
    return [make_recommendation(code=f"D1S1-0{n}") for n in (1, 2, 3)]


def pairs():
    return set(FollowUp.objects.values_list("recommendation__code", "delegation__code"))


def test_it_gives_each_roster_delegation_a_follow_up_of_every_item(items, pak, jpn):
    assert services.roster_fill() == 6
    assert pairs() == {(i.code, d) for i in items for d in ("PAK", "JPN")}
    follow_up = FollowUp.objects.first()
    assert follow_up.status == State.NOT_REPORTED
    assert follow_up.last_update_date is None
    assert follow_up.target_date == items[0].meeting.target_date


def test_it_fills_only_what_it_is_given_in_one_statement(items, pak, jpn):
    with CaptureQueriesContext(connection) as captured:
        filled = services.roster_fill(
            recommendations=Recommendation.objects.filter(code__in=["D1S1-01", "D1S1-02"]),
            delegations=Delegation.objects.filter(code__in=["JPN", "FRA"]),
        )
    assert filled == 2
    assert pairs() == {("D1S1-01", "JPN"), ("D1S1-02", "JPN")}
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert services.roster_fill(recommendations=Recommendation.objects.none()) == 0
    assert services.roster_fill(delegations=Delegation.objects.filter(pk__in=[])) == 0
    # Every column as a follow-up made one by one has it.
    made = FollowUp.objects.values().get(recommendation__code="D1S1-01")
    one = services.follow_up_create(recommendation=items[2], delegation=jpn)
    expected = FollowUp.objects.values().get(pk=one.pk)
    ignore = {"id", "recommendation_id", "created_at", "updated_at"}
    assert {k: v for k, v in made.items() if k not in ignore} == {
        k: v for k, v in expected.items() if k not in ignore
    }
    assert made["created_at"] is not None


def test_a_second_fill_creates_nothing(items, pak):
    services.roster_fill()
    assert services.roster_fill() == 0
    assert FollowUp.objects.count() == 3


def test_it_keeps_the_follow_ups_that_exist_with_their_history(follow_up, jpn):
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.PLANNED
    )
    services.roster_fill()
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.version) == (Status.PLANNED, 2)
    assert pairs() == {("D1S1-01", "PAK"), ("D1S1-01", "JPN")}


def test_a_delegation_off_the_roster_gets_none(items, pak):
    Delegation.objects.create(code="FRA", name="France", country="FR", on_roster=False)
    services.roster_fill()
    assert {d for _, d in pairs()} == {"PAK"}


def test_joining_the_roster_fills_and_leaving_removes_only_what_holds_nothing(items, pak):
    france = Delegation(code="FRA", name="France", country="FR", on_roster=True)
    assert services.delegation_save(delegation=france) == 3
    pledged, reported, empty = FollowUp.objects.filter(delegation=france).order_by(
        "recommendation__code"
    )
    services.follow_up_update(
        follow_up=pledged, pledge="A training centre.", version=pledged.version
    )
    services.progress_update_create(
        follow_up=reported, date=datetime.date(2023, 9, 1), status=Status.IN_PROGRESS
    )

    france.on_roster = False
    assert services.delegation_save(delegation=france) == 1

    assert set(FollowUp.objects.filter(delegation=france).values_list("pk", flat=True)) == {
        pledged.pk,
        reported.pk,
    }
    assert not FollowUp.objects.filter(pk=empty.pk).exists()


def test_a_new_item_gets_a_follow_up_by_every_roster_delegation(meeting, session, pak, jpn):
    item = Recommendation(
        meeting=meeting, session=session, code="D1S1-09", order=9, text="Train medics."
    )
    services.recommendation_save(instance=item)
    assert pairs() == {("D1S1-09", "PAK"), ("D1S1-09", "JPN")}
    item.text = "Train more medics."
    services.recommendation_save(instance=item)
    assert FollowUp.objects.count() == 2


def test_the_first_report_ends_no_report_yet_and_deleting_it_brings_it_back(follow_up):
    assert follow_up.status == State.NOT_REPORTED
    update = services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.NOT_STARTED
    )
    follow_up.refresh_from_db()
    assert follow_up.status == Status.NOT_STARTED
    update.delete()
    follow_up.refresh_from_db()
    assert follow_up.status == State.NOT_REPORTED


def test_no_report_yet_calls_for_action_and_is_no_reported_status():
    from recommendations.status import OPEN

    assert State.NOT_REPORTED in OPEN
    assert State.NOT_REPORTED not in Status.values
    assert State.values == [State.NOT_REPORTED, *Status.values]
