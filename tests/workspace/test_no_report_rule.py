"""``status.no_report_yet``: an item has no report from a delegation until one of that
delegation's progress updates exists for it, whatever made or removed the update."""

import datetime

from recommendations import services
from recommendations.models import ProgressUpdate, Recommendation, Status
from recommendations.status import no_report_yet


def not_reported_by(delegation, **kwargs) -> list[str]:
    return list(
        Recommendation.objects.real()
        .filter(no_report_yet(delegation, **kwargs))
        .order_by("code")
        .values_list("code", flat=True)
    )


def test_it_counts_items_without_a_follow_up_and_follow_ups_without_an_update(world):
    assert not_reported_by(world.pak) == ["D1S1-02", "D1S1-03"]


def test_it_takes_a_delegation_or_its_id(world):
    assert not_reported_by(world.pak.pk) == not_reported_by(world.pak)


def test_another_delegations_report_does_not_count(world):
    # Japan reported on D1S1-01 and D1S1-03 only.
    assert not_reported_by(world.jpn) == ["D1S1-02", "D1S1-04", "D1S1-05", "D1S1-06"]


def test_the_first_update_ends_it_and_deleting_the_last_one_brings_it_back(world, today):
    follow_up = world.follow_ups[("D1S1-02", "PAK")]
    update = services.progress_update_create(
        follow_up=follow_up, date=today, status=Status.PLANNED, author=world.pak_focal
    )
    assert "D1S1-02" not in not_reported_by(world.pak)
    services.progress_update_delete(update=update, user=world.staff)
    assert "D1S1-02" in not_reported_by(world.pak)


def test_an_update_written_without_the_services_counts_too(world, today):
    # The rule reads the follow-up's last update date, which the database keeps.
    ProgressUpdate.objects.create(
        follow_up=world.follow_ups[("D1S1-02", "PAK")], date=today, status=Status.PLANNED
    )
    assert not_reported_by(world.pak) == ["D1S1-03"]


def test_as_of_a_day_only_updates_dated_by_then_count(world, today):
    before_any = today - datetime.timedelta(days=4)
    # Pakistan's updates are dated three days ago.
    assert not_reported_by(world.pak, as_of=before_any) == [
        "D1S1-01",
        "D1S1-02",
        "D1S1-03",
        "D1S1-04",
        "D1S1-05",
        "D1S1-06",
    ]
    assert not_reported_by(world.pak, as_of=today) == not_reported_by(world.pak)


def test_it_is_one_subquery(world, django_assert_num_queries):
    with django_assert_num_queries(1):  # the recommendations, with NOT EXISTS inside
        not_reported_by(world.pak)
