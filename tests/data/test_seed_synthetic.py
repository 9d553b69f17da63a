import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django_countries import countries

from devtools.synthetic import (
    UN_MEMBER_STATES,
    delegation_catalogue,
    seeded_parameters,
    synthetic_delete,
)
from recommendations import services
from recommendations.models import (
    Delegation,
    FollowUp,
    Meeting,
    Person,
    ProgressUpdate,
    Recommendation,
    Session,
    Status,
    Theme,
)
from recommendations.status import State

SMALL = {
    "recommendations": 30,
    "delegations": 8,
    "follow_ups": 100,
    "updates": 250,
    "people": 20,
    "seed": 3,
}


def seed(**overrides):
    options = SMALL | overrides
    call_command("seed_synthetic", verbosity=0, **options)


def snapshot():
    """Everything that must not depend on when or where the data was generated."""
    items = list(
        Recommendation.objects.filter(meeting__slug="synthetic")
        .order_by("code")
        .values_list("code", "text", "source_excerpt", "session__code", "speaker__slug", "kind")
    )
    follow_ups = list(
        FollowUp.objects.filter(recommendation__meeting__slug="synthetic")
        .order_by("recommendation__code", "delegation__code")
        .values_list(
            "recommendation__code",
            "delegation__code",
            "status",
            "target_date",
            "last_update_date",
            "version",
        )
    )
    updates = list(
        ProgressUpdate.objects.filter(follow_up__recommendation__meeting__slug="synthetic")
        .order_by("follow_up__recommendation__code", "follow_up__delegation__code", "id")
        .values_list("date", "status", "visibility", "note")
    )
    return items, follow_ups, updates


def count_everything():
    return {
        model.__name__: model.objects.count()
        for model in (
            Meeting,
            Session,
            Person,
            Delegation,
            Theme,
            Recommendation,
            Recommendation.themes.through,
            FollowUp,
            ProgressUpdate,
        )
    }


def test_the_member_state_list_holds_the_193_un_members():
    assert len(UN_MEMBER_STATES) == 193
    assert len(set(UN_MEMBER_STATES)) == 193
    assert all(code in countries for code in UN_MEMBER_STATES)
    # Territories and observers are not members.
    assert not {"PS", "VA", "TW", "XK", "PR", "GL"} & set(UN_MEMBER_STATES)
    codes = [row[0] for row in delegation_catalogue()]
    assert len(codes) == len(set(codes)) == 196
    assert codes[:3] == ["PAK", "JPN", "GHA"]
    assert codes[-3:] == ["UNS", "AU", "EU"]


def test_it_creates_exactly_the_requested_counts(db):
    seed()

    meeting = Meeting.objects.get(slug="synthetic")
    assert meeting.is_synthetic
    items = Recommendation.objects.filter(meeting=meeting)
    assert items.count() == 30
    assert sorted(items.values_list("code", flat=True)) == [f"SYN-{i:06d}" for i in range(1, 31)]
    assert FollowUp.objects.filter(recommendation__meeting=meeting).count() == 100
    assert ProgressUpdate.objects.filter(follow_up__recommendation__meeting=meeting).count() == 250
    assert Session.objects.filter(meeting=meeting).count() == 10
    assert Person.objects.filter(slug__startswith="synthetic-").count() == 20
    assert Delegation.objects.count() == 8
    assert set(Theme.objects.values_list("slug", flat=True)) == {
        "ieds",
        "medical",
        "gender",
        "training",
        "technology",
        "legal",
        "strategic-communications",
        "situational-awareness",
        "safety",
        "force-protection",
        "pledging",
        "environment",
    }
    assert seeded_parameters()["follow_ups"] == 100


def test_items_have_realistic_text_themes_and_a_search_document(db):
    seed()

    for item in Recommendation.objects.filter(meeting__slug="synthetic").annotate(
        n_themes=Count("themes")
    ):
        assert 150 <= len(item.text) <= 300
        assert 300 <= len(item.source_excerpt) <= 800
        assert 1 <= item.n_themes <= 3
        assert item.search_document == item.build_search_document()
    some_word = Recommendation.objects.first().text.split()[1]
    assert Recommendation.objects.search(some_word).exists()


def test_follow_ups_are_unique_per_item_and_delegation_and_not_illustrative(db):
    seed(recommendations=10, delegations=5, follow_ups=50)  # every pair taken

    pairs = FollowUp.objects.values_list("recommendation_id", "delegation_id")
    assert len(set(pairs)) == 50
    assert not FollowUp.objects.filter(is_illustrative=True).exists()


def test_each_follow_up_status_date_and_version_follow_its_latest_update(db):
    seed()

    latest = ProgressUpdate.objects.filter(follow_up=OuterRef("pk")).latest_first()
    follow_ups = FollowUp.objects.annotate(
        latest_status=Coalesce(
            Subquery(latest.values("status")[:1]), Value(Status.NOT_STARTED.value)
        ),
        latest_date=Max("updates__date"),
        n_updates=Count("updates"),
    )
    assert follow_ups.count() == 100
    for follow_up in follow_ups:
        assert follow_up.status == follow_up.latest_status
        assert follow_up.last_update_date == follow_up.latest_date
        assert follow_up.version == 1 + follow_up.n_updates
    # The generated history uses several statuses and spans about two years.
    assert FollowUp.objects.values("status").distinct().count() >= 3
    dates = ProgressUpdate.objects.aggregate(first=Min("date"), last=Max("date"))
    assert datetime.date(2023, 9, 1) <= dates["first"] < dates["last"] <= datetime.date(2025, 8, 31)


def test_the_same_seed_gives_the_same_data_after_delete(db):
    seed()
    first = snapshot()
    call_command("seed_synthetic", delete=True, verbosity=0)
    assert not Recommendation.objects.exists()

    seed()
    assert snapshot() == first

    call_command("seed_synthetic", delete=True, verbosity=0)
    seed(seed=4)
    assert snapshot() != first


def test_existing_delegations_and_themes_are_reused(pak, themes):
    seed()

    assert Delegation.objects.filter(code="PAK").count() == 1
    assert Delegation.objects.get(code="PAK").pk == pak.pk
    assert Theme.objects.filter(slug="ieds").count() == 1
    assert Delegation.objects.count() == 8
    # The hosts first, then member states by alpha-2 code (AD, AE, AF, AG, AL …).
    assert seeded_parameters()["created_delegations"] == [
        "JPN",
        "GHA",
        "AND",
        "ARE",
        "AFG",
        "ATG",
        "ALB",
    ]


def test_delete_leaves_real_data_untouched(follow_up, speaker, jpn, make_focal_point):
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 10, 1), status=Status.IN_PROGRESS
    )
    real_before = {
        "items": list(Recommendation.objects.values_list("code", "text")),
        "follow_ups": list(FollowUp.objects.values_list("id", "status", "version")),
        "updates": list(ProgressUpdate.objects.values_list("id", "status")),
        "people": list(Person.objects.values_list("slug", flat=True)),
        "meetings": list(Meeting.objects.values_list("slug", flat=True)),
    }
    seed()
    # A delegation the seed created that has since been given a focal point stays.
    ghana = Delegation.objects.get(code="GHA")
    make_focal_point(ghana)
    # The real one, the seed's 100, and the follow-ups with no report yet that give
    # the roster delegations (PAK and JPN: those the seed creates are not on it) a
    # follow-up of every synthetic item.
    assert FollowUp.objects.count() == 139
    assert FollowUp.objects.filter(status=State.NOT_REPORTED).count() == 38

    call_command("seed_synthetic", delete=True, verbosity=0)

    assert {
        "items": list(Recommendation.objects.values_list("code", "text")),
        "follow_ups": list(FollowUp.objects.values_list("id", "status", "version")),
        "updates": list(ProgressUpdate.objects.values_list("id", "status")),
        "people": list(Person.objects.values_list("slug", flat=True)),
        "meetings": list(Meeting.objects.values_list("slug", flat=True)),
    } == real_before
    # PAK and JPN existed before; GHA is in use; the rest were the seed's own.
    assert sorted(Delegation.objects.values_list("code", flat=True)) == ["GHA", "JPN", "PAK"]
    assert not Session.objects.filter(meeting__slug="synthetic").exists()


def test_a_dry_run_writes_nothing(db, capsys):
    before = count_everything()

    call_command("seed_synthetic", dry_run=True, **SMALL)

    assert count_everything() == before
    assert "Would create" in capsys.readouterr().out


def test_a_dry_run_delete_deletes_nothing(db, capsys):
    seed()
    before = count_everything()

    call_command("seed_synthetic", delete=True, dry_run=True)

    assert count_everything() == before
    assert "Would delete 250 progress updates, 100 follow-ups" in capsys.readouterr().out


def test_it_refuses_to_seed_twice(db):
    seed()
    with pytest.raises(CommandError, match="exists already"):
        seed()
    assert Recommendation.objects.count() == 30


@pytest.mark.parametrize(
    "overrides",
    [
        {"follow_ups": 10_000},  # more than items × delegations
        {"delegations": 0},
        {"delegations": 197},
        {"follow_ups": 0, "updates": 5},
        {"recommendations": 0},
    ],
)
def test_impossible_parameters_are_refused_and_write_nothing(db, overrides):
    with pytest.raises(CommandError):
        seed(**overrides)
    assert not Meeting.objects.exists()
    assert not Delegation.objects.exists()


def roster_pairs(meeting_slug="synthetic"):
    return set(
        FollowUp.objects.filter(recommendation__meeting__slug=meeting_slug).values_list(
            "recommendation__code", "delegation__code"
        )
    )


def statuses():
    return {
        (code, delegation): status
        for code, delegation, status in FollowUp.objects.values_list(
            "recommendation__code", "delegation__code", "status"
        )
    }


def test_a_roster_of_the_first_delegations_follows_every_item(db):
    seed()
    generated = statuses()
    call_command("seed_synthetic", delete=True, verbosity=0)

    seed(roster=3)

    codes = [row[0] for row in delegation_catalogue()[:8]]
    on_roster = Delegation.objects.on_roster().values_list("code", flat=True)
    assert sorted(on_roster) == sorted(codes[:3])
    items = list(Recommendation.objects.values_list("code", flat=True))
    roster = {(i, d) for i in items for d in codes[:3]}
    # The generated follow-ups are the same with a roster as without; the roster adds
    # "No report yet" for the others of its delegations, and nothing for the rest.
    follow_ups = statuses()
    assert {pair: follow_ups[pair] for pair in generated} == generated
    added = set(follow_ups) - set(generated)
    assert added == roster - set(generated)
    assert added
    assert {follow_ups[pair] for pair in added} == {State.NOT_REPORTED}
    assert seeded_parameters()["roster_delegations"] == codes[:3]


def test_a_roster_seed_is_deterministic_and_deleted_entirely(db):
    before = count_everything()
    seed(roster=4)
    first = snapshot()
    call_command("seed_synthetic", delete=True, verbosity=0)
    # Everything but the themes, which stay (they are reference data).
    assert count_everything() == before | {"Theme": 12}

    seed(roster=4)
    assert snapshot() == first


def test_roster_delegations_it_creates_follow_the_real_items_until_deleted(
    recommendation, pak, make_focal_point
):
    services.roster_fill()  # the real item's follow-up by PAK, on the roster
    real = set(FollowUp.objects.values_list("id", "recommendation__code", "delegation__code"))

    seed(roster=3)

    # PAK existed and is reused as it is; JPN and GHA were created on the roster and
    # follow the real item too, as every roster delegation does.
    assert roster_pairs("test-2023") == {("D1S1-01", code) for code in ("PAK", "JPN", "GHA")}
    assert seeded_parameters()["roster_delegations"] == ["JPN", "GHA"]
    # Ghana reports on the real item: it is real data now, and stays.
    ghana_follow_up = FollowUp.objects.get(recommendation=recommendation, delegation__code="GHA")
    services.progress_update_create(
        follow_up=ghana_follow_up, date=datetime.date(2023, 10, 1), status=Status.PLANNED
    )

    deleted = synthetic_delete()

    assert deleted["roster follow-ups"] == 1  # Japan's, which held nothing
    assert roster_pairs("test-2023") == {("D1S1-01", "PAK"), ("D1S1-01", "GHA")}
    assert real <= set(
        FollowUp.objects.values_list("id", "recommendation__code", "delegation__code")
    )
    assert sorted(Delegation.objects.values_list("code", flat=True)) == ["GHA", "PAK"]
    assert not FollowUp.objects.filter(recommendation__meeting__slug="synthetic").exists()


def test_a_roster_larger_than_the_delegations_is_refused(db):
    with pytest.raises(CommandError, match="--roster"):
        seed(roster=9)
    assert not Meeting.objects.exists()
