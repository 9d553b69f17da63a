"""Admin lists for the daily task: the columns, filters and searches that matter, a
count that says "more than" instead of counting a huge table, and no error page for
malformed parameters."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse

from recommendations import services
from recommendations.models import FocalPoint, FollowUp, Person, Status
from recommendations.status import State

TODAY = datetime.date.today()

MODELS = [
    "meeting",
    "session",
    "person",
    "participation",
    "delegation",
    "theme",
    "recommendation",
    "followup",
    "progressupdate",
    "focalpoint",
    "reminderlog",
]


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def _listed(response):
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS)
def test_it_shows_the_secretariat_every_list_and_form(staff_client, follow_up, model):
    listing = staff_client.get(reverse(f"admin:recommendations_{model}_changelist"))
    searched = staff_client.get(
        reverse(f"admin:recommendations_{model}_changelist"), {"q": "a\x00b"}
    )
    add = staff_client.get(reverse(f"admin:recommendations_{model}_add"))

    assert listing.status_code == 200
    # A control character in an admin query string is refused (admin_site.refused_parameter).
    assert searched.status_code == 400
    assert add.status_code == (403 if model == "reminderlog" else 200)


def test_it_refuses_the_secretariat_to_delete_a_recommendation(staff_client, recommendation):
    response = staff_client.post(
        reverse("admin:recommendations_recommendation_delete", args=[recommendation.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 403
    assert type(recommendation).objects.filter(pk=recommendation.pk).exists()


def test_it_refuses_the_secretariat_to_change_users(staff_client, secretariat_user):
    response = staff_client.post(
        reverse("admin:auth_user_change", args=[secretariat_user.pk]),
        {"username": "sec", "is_superuser": "on"},
    )

    assert response.status_code == 403
    assert not User.objects.get(pk=secretariat_user.pk).is_superuser


def test_it_counts_follow_ups_per_status_on_the_recommendation_list(
    staff_client, secretariat_user, follow_up, jpn, make_recommendation
):
    services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)
    services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.COMPLETED, author=secretariat_user
    )
    make_recommendation(code="D1S1-02")

    response = staff_client.get(reverse("admin:recommendations_recommendation_changelist"))

    body = response.content.decode()
    first, second = _listed(response)
    assert first.status_counts == {
        "not_reported": 1,
        "not_started": 0,
        "planned": 0,
        "in_progress": 0,
        "completed": 1,
        "not_applicable": 0,
    }
    assert not any(second.status_counts.values())
    assert "?recommendation=D1S1-01&amp;status__exact=completed" in body


def test_it_filters_recommendations_by_theme_session_kind_and_follow_up_status(
    staff_client, make_recommendation, follow_up, secretariat_user, meeting
):
    other_session = meeting.sessions.create(day=1, order=2, code="D1S2", title="Medical")
    ieds = make_recommendation(code="D1S2-01", theme_slugs=("ieds",), session=other_session)
    commitment = make_recommendation(code="D1S1-05", kind="commitment")
    services.progress_update_create(
        follow_up=follow_up, date=TODAY, status=Status.PLANNED, author=secretariat_user
    )
    url = reverse("admin:recommendations_recommendation_changelist")

    assert _listed(staff_client.get(url, {"theme": "ieds"})) == [ieds]
    assert _listed(staff_client.get(url, {"session": other_session.pk})) == [ieds]
    assert _listed(staff_client.get(url, {"kind__exact": "commitment"})) == [commitment]
    assert _listed(staff_client.get(url, {"follow_up_status": "planned"})) == [
        follow_up.recommendation
    ]
    assert _listed(staff_client.get(url, {"theme": "nope"})) == []
    assert staff_client.get(url, {"session": "abc"}).status_code == 200


def test_it_searches_recommendations_by_text_excerpt_speaker_and_code(
    staff_client, make_recommendation, speaker
):
    by_speaker = make_recommendation(code="D1S1-01", text="Train medics.", speaker=speaker)
    by_excerpt = make_recommendation(
        code="D1S1-02", text="Share data.", source_excerpt="Improvised explosive devices kill."
    )
    url = reverse("admin:recommendations_recommendation_changelist")

    assert _listed(staff_client.get(url, {"q": "medics"})) == [by_speaker]
    assert _listed(staff_client.get(url, {"q": "explosive"})) == [by_excerpt]
    assert _listed(staff_client.get(url, {"q": "Ada"})) == [by_speaker]
    assert _listed(staff_client.get(url, {"q": "D1S1-02"})) == [by_excerpt]


def test_it_filters_follow_ups_by_delegation_status_theme_session_and_overdue(
    staff_client, make_recommendation, recommendation, pak, jpn, secretariat_user
):
    late = services.follow_up_create(
        recommendation=recommendation, delegation=pak, target_date=TODAY - datetime.timedelta(1)
    )
    on_time = services.follow_up_create(
        recommendation=make_recommendation(code="D1S1-02", theme_slugs=("ieds",)),
        delegation=jpn,
        target_date=TODAY + datetime.timedelta(30),
    )
    services.progress_update_create(
        follow_up=on_time, date=TODAY, status=Status.IN_PROGRESS, author=secretariat_user
    )
    url = reverse("admin:recommendations_followup_changelist")

    assert _listed(staff_client.get(url, {"delegation": "jpn"})) == [on_time]
    assert _listed(staff_client.get(url, {"status__exact": "in_progress"})) == [on_time]
    assert _listed(staff_client.get(url, {"theme": "medical"})) == [late]
    assert _listed(staff_client.get(url, {"session": recommendation.session_id})) == [
        late,
        on_time,
    ]
    assert _listed(staff_client.get(url, {"overdue": "yes"})) == [late]
    assert _listed(staff_client.get(url, {"overdue": "no"})) == [on_time]
    assert _listed(staff_client.get(url, {"recommendation": "D1S1-02"})) == [on_time]
    assert _listed(staff_client.get(url, {"delegation": "x" * 200})) == []


def test_it_shows_the_columns_of_the_daily_follow_up_list(staff_client, follow_up):
    response = staff_client.get(reverse("admin:recommendations_followup_changelist"))

    body = response.content.decode()
    assert response.context["cl"].list_display[1:] == [
        "recommendation_code",
        "recommendation_gist",
        "delegation_display",
        "status",
        "target_date",
        "last_update_date",
        "overdue",
    ]
    assert "PAK – Pakistan" in body


def test_the_overdue_column_shows_the_yes_icon_exactly_for_open_follow_ups_past_their_target(
    staff_client, make_recommendation, pak, jpn, secretariat_user
):
    def follow_up(code, delegation, target, status=None):
        created = services.follow_up_create(
            recommendation=make_recommendation(code=code), delegation=delegation, target_date=target
        )
        if status:
            services.progress_update_create(
                follow_up=created, date=TODAY, status=status, author=secretariat_user
            )
        return created

    yesterday, next_month = TODAY - datetime.timedelta(1), TODAY + datetime.timedelta(30)
    follow_up("D1S1-01", pak, yesterday)  # not started, target passed: overdue
    follow_up("D1S1-02", pak, yesterday, Status.IN_PROGRESS)  # open, passed: overdue
    follow_up("D1S1-03", pak, yesterday, Status.COMPLETED)  # closed: not overdue
    follow_up("D1S1-04", pak, next_month)  # target still ahead: not overdue
    follow_up("D1S1-05", jpn, TODAY)  # due today, not yet passed: not overdue

    body = staff_client.get(reverse("admin:recommendations_followup_changelist")).content.decode()

    icons = dict(
        re.findall(
            r'<th class="field-recommendation_code"><a [^>]+>([^<]+)</a></th>.*?'
            r'<td class="field-overdue"><img src="[^"]+/(icon-\w+)\.svg" alt="(?:True|False)">',
            body,
            re.S,
        )
    )
    # Django's boolean icons: "yes" (alt True) means overdue.
    assert icons == {
        "D1S1-01": "icon-yes",
        "D1S1-02": "icon-yes",
        "D1S1-03": "icon-no",
        "D1S1-04": "icon-no",
        "D1S1-05": "icon-no",
    }
    assert body.count('<img src="/static/admin/img/icon-yes.svg" alt="True">') == 2


@override_settings(LIST_COUNT_CAP=3)
def test_it_says_more_than_the_cap_instead_of_counting_everything(
    staff_client, make_recommendation, pak
):
    for i in range(5):
        services.follow_up_create(
            recommendation=make_recommendation(code=f"D1S1-{i:02d}"), delegation=pak
        )

    response = staff_client.get(reverse("admin:recommendations_followup_changelist"))
    searched = staff_client.get(reverse("admin:recommendations_followup_changelist"), {"q": "D1S1"})

    assert response.context["cl"].paginator.capped
    assert "More than 3 follow-ups" in response.content.decode()
    assert "more than 3 results" in searched.content.decode()
    assert response.context["cl"].full_result_count is None


def test_it_offers_delegations_by_autocomplete_not_a_long_select(staff_client, follow_up, pak):
    page = staff_client.get(reverse("admin:recommendations_followup_add"))
    suggestions = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "recommendations",
            "model_name": "followup",
            "field_name": "delegation",
            "term": "pak",
        },
    )

    widget = page.context["adminform"].form.fields["delegation"].widget
    assert "admin-autocomplete" in widget.render("delegation", None)
    assert [r["text"] for r in suggestions.json()["results"]] == ["Pakistan"]


def test_it_links_a_focal_point_account_to_a_delegation(staff_client, make_focal_point, pak, jpn):
    focal = make_focal_point(pak)
    link = FocalPoint.objects.get(user=focal)

    response = staff_client.post(
        reverse("admin:recommendations_focalpoint_change", args=[link.pk]),
        {"user": str(focal.pk), "delegation": str(jpn.pk)},
    )

    assert response.status_code == 302
    assert FocalPoint.objects.get(pk=link.pk).delegation == jpn


def test_it_refuses_to_make_a_secretariat_account_a_focal_point(
    staff_client, secretariat_user, pak
):
    response = staff_client.post(
        reverse("admin:recommendations_focalpoint_add"),
        {"user": str(secretariat_user.pk), "delegation": str(pak.pk)},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not FocalPoint.objects.exists()


def test_it_suggests_only_focal_point_accounts_for_a_focal_point_link(
    staff_client, make_focal_point, secretariat_user, pak
):
    focal = make_focal_point(pak)

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "recommendations",
            "model_name": "focalpoint",
            "field_name": "user",
            "term": "",
        },
    )

    assert [r["id"] for r in response.json()["results"]] == [str(focal.pk)]


def test_it_keeps_people_lists_searchable(staff_client, speaker):
    Person.objects.create(name="Bo Other", slug="bo-other")

    response = staff_client.get(reverse("admin:recommendations_person_changelist"), {"q": "ada"})

    assert _listed(response) == [speaker]


def test_it_sets_no_follow_up_status_directly_anywhere(staff_client, follow_up):
    page = staff_client.get(reverse("admin:recommendations_followup_change", args=[follow_up.pk]))

    assert "status" not in page.context["adminform"].form.fields
    assert FollowUp.objects.get(pk=follow_up.pk).status == State.NOT_REPORTED
