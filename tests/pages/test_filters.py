import datetime

import pytest
from django.http import QueryDict

from recommendations import services
from recommendations.filters import FollowUpFilter, RecommendationFilter
from recommendations.models import FollowUp, Recommendation, Status


def codes(params, **kw):
    f = RecommendationFilter(QueryDict(params), queryset=Recommendation.objects.all(), **kw)
    assert f.is_valid(), f.errors
    return [r.code for r in f.qs]


@pytest.fixture
def items(make_recommendation, speaker, pak, jpn):
    a = make_recommendation(code="D1S1-01", text="Counter IED threats", theme_slugs=["ieds"])
    b = make_recommendation(
        code="D1S1-02", text="Medical evacuation", theme_slugs=["medical"], speaker=speaker
    )
    c = make_recommendation(
        code="D1S1-03", text="Train medics", theme_slugs=["medical", "training"]
    )
    for item in (a, b, c):
        services.follow_up_create(recommendation=item, delegation=pak)
        services.follow_up_create(recommendation=item, delegation=jpn)
    return a, b, c


def test_it_filters_by_any_of_several_themes_without_duplicates(items):
    assert codes("theme=ieds&theme=medical") == ["D1S1-01", "D1S1-02", "D1S1-03"]
    assert codes("theme=training&theme=medical") == ["D1S1-02", "D1S1-03"]


def test_it_finds_free_text_and_speaker_names(items):
    assert codes("q=evacuation") == ["D1S1-02"]
    assert codes("q=Speaker") == ["D1S1-02"]


def test_status_with_delegation_means_that_delegations_status(items):
    a, b, _ = items
    pak_a = FollowUp.objects.get(recommendation=a, delegation__code="PAK")
    jpn_b = FollowUp.objects.get(recommendation=b, delegation__code="JPN")
    day = datetime.date(2023, 10, 1)
    services.progress_update_create(follow_up=pak_a, date=day, status=Status.COMPLETED)
    services.progress_update_create(follow_up=jpn_b, date=day, status=Status.COMPLETED)
    assert codes("status=completed") == ["D1S1-01", "D1S1-02"]
    assert codes("status=completed&delegation=PAK") == ["D1S1-01"]
    assert codes("status=completed&delegation=JPN") == ["D1S1-02"]


def test_as_of_uses_the_status_in_force_that_day(items):
    a, _, _ = items
    fu = FollowUp.objects.get(recommendation=a, delegation__code="PAK")
    services.progress_update_create(
        follow_up=fu, date=datetime.date(2023, 9, 1), status=Status.PLANNED
    )
    services.progress_update_create(
        follow_up=fu, date=datetime.date(2023, 11, 1), status=Status.COMPLETED
    )
    assert codes("delegation=PAK&status=planned&as_of=2023-10-01") == ["D1S1-01"]
    assert codes("delegation=PAK&status=completed&as_of=2023-10-01") == []
    assert codes("delegation=PAK&status=not_reported&as_of=2023-08-01") == [
        "D1S1-01",
        "D1S1-02",
        "D1S1-03",
    ]
    assert codes("delegation=PAK&changed_since=2023-10-01") == ["D1S1-01"]
    assert codes("delegation=PAK&changed_since=2023-11-01") == []


def test_unknown_values_make_the_filter_invalid_not_an_error(items):
    for params in [
        "theme=nope",
        "delegation=XXX",
        "status=done",
        "as_of=2023-13-45",
        "q=" + "x" * 10_000,
    ]:
        f = RecommendationFilter(QueryDict(params), queryset=Recommendation.objects.all())
        assert not f.is_valid(), params


def test_the_follow_up_filter_applies_the_same_parameters(items):
    f = FollowUpFilter(QueryDict("theme=medical&delegation=JPN"), queryset=FollowUp.objects.all())
    assert f.is_valid()
    assert [(x.recommendation.code, x.delegation.code) for x in f.qs] == [
        ("D1S1-02", "JPN"),
        ("D1S1-03", "JPN"),
    ]
