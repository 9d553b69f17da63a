"""``/workspace/``: every item of the real meetings, grouped by what it needs from the
delegation, with the public list's filters; staff choose the delegation."""

import datetime

import pytest

from recommendations.workspace.selectors import Need
from tests.workspace.conftest import signed_in


def grouped(response) -> dict[str, list[str]]:
    return {
        group["need"].value: [item.code for item in group["items"]]
        for group in response.context["groups"]
        if group["items"]
    }


def test_it_groups_every_item_by_what_it_needs_no_report_first(pak_client):
    response = pak_client.get("/workspace/")
    assert response.status_code == 200
    assert grouped(response) == {
        "no_report": ["D1S1-02", "D1S1-03"],
        "overdue": ["D1S1-01"],
        "due_soon": ["D1S1-05"],
        "in_progress": ["D1S1-06"],
        "closed": ["D1S1-04"],
    }
    html = response.content.decode()
    assert html.index('id="need-no_report"') < html.index('id="need-overdue"')
    assert response.context["n_items"] == 6


def test_it_lists_the_items_no_follow_up_exists_for_and_never_synthetic_ones(pak_client, world):
    html = pak_client.get("/workspace/").content.decode()
    assert 'id="item-D1S1-03"' in html  # Pakistan has no follow-up of it
    assert "SYN-0001" not in html


def test_each_row_has_the_text_session_themes_status_last_update_and_target(pak_client, today):
    html = pak_client.get("/workspace/").content.decode()
    row = html[html.index('id="item-D1S1-01"') :]
    row = row[: row.index("</li>")]
    assert "Item D1S1-01: act on it." in row
    assert "D1S1" in row and "Safety" in row  # the session's code and title
    assert "Medical" in row  # its theme
    assert "status-in_progress" in row
    assert (today - datetime.timedelta(days=3)).isoformat() in row  # last update
    assert "Self-reported" in row
    assert (today - datetime.timedelta(days=10)).isoformat() in row  # target date
    assert "Overdue" in row
    assert 'href="/workspace/PAK/items/D1S1-01/"' in row


def test_an_item_with_no_report_says_so_instead_of_a_status(pak_client):
    html = pak_client.get("/workspace/").content.decode()
    row = html[html.index('id="item-D1S1-02"') :]
    row = row[: row.index("</li>")]
    assert "No report yet" in row and "status-not_started" not in row
    assert "None yet" in row


def test_the_counts_cover_every_group_even_beyond_the_page(pak_client):
    response = pak_client.get("/workspace/?per_page=10")
    assert response.context["need_counts"] == {
        Need.NO_REPORT: 2,
        Need.OVERDUE: 1,
        Need.DUE_SOON: 1,
        Need.IN_PROGRESS: 1,
        Need.CLOSED: 1,
    }


def test_the_public_filters_narrow_the_items(pak_client, world, themes):
    world.items["D1S1-02"].themes.set([themes["ieds"]])
    response = pak_client.get("/workspace/?theme=ieds")
    assert grouped(response) == {"no_report": ["D1S1-02"]}
    response = pak_client.get("/workspace/?q=D1S1-05")
    assert grouped(response) == {"due_soon": ["D1S1-05"]}


def test_follow_up_filters_are_about_this_delegations_follow_up(pak_client):
    # Japan completed D1S1-01 and D1S1-03; Pakistan completed only D1S1-04.
    response = pak_client.get("/workspace/?status=completed")
    assert grouped(response) == {"closed": ["D1S1-04"]}
    # D1S1-02's follow-up has no report, and its target date has passed.
    response = pak_client.get("/workspace/?overdue=yes")
    assert grouped(response) == {"no_report": ["D1S1-02"], "overdue": ["D1S1-01"]}


def test_the_delegation_sort_and_as_of_parameters_of_the_public_list_are_ignored(pak_client):
    response = pak_client.get("/workspace/?delegation=JPN&sort=code&as_of=2000-01-01")
    assert response.status_code == 200
    assert response.context["n_items"] == 6
    assert 'name="delegation"' not in response.content.decode()


def test_invalid_filters_answer_400_with_the_summary(pak_client):
    response = pak_client.get("/workspace/?changed_since=not-a-date")
    assert response.status_code == 400
    assert "Some filters could not be applied" in response.content.decode()


def test_the_exports_carry_the_delegation(pak_client):
    html = pak_client.get("/workspace/").content.decode()
    assert 'href="/follow-ups/export.csv?delegation=PAK"' in html
    assert 'href="/progress-updates/export.csv?delegation=PAK"' in html


def test_the_exports_include_the_delegations_restricted_notes(pak_client, jpn_client, world):
    assert "Japan's restricted note." not in (
        pak_client.get("/progress-updates/export.csv?delegation=JPN").getvalue().decode()
    )
    assert "Japan's restricted note." in (
        jpn_client.get("/progress-updates/export.csv?delegation=JPN").getvalue().decode()
    )


def test_a_focal_point_reaches_their_delegation_at_its_address_too(pak_client):
    assert pak_client.get("/workspace/PAK/").status_code == 200


def test_a_focal_point_cannot_open_another_delegations_workspace(pak_client):
    assert pak_client.get("/workspace/JPN/").status_code == 404
    assert pak_client.get("/workspace/ZZZ/").status_code == 404


def test_a_visitor_is_sent_to_sign_in(anonymous, world):
    for path in ("/workspace/", "/workspace/PAK/", "/workspace/PAK/history/"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_an_account_without_a_delegation_is_told_so(world, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pw-reader-12345")
    response = signed_in(reader).get("/workspace/")
    assert response.status_code == 403
    assert "not linked to a delegation" in response.content.decode()
    assert signed_in(reader).get("/workspace/PAK/").status_code == 404


def test_a_deactivated_focal_point_is_signed_out(pak_client, world):
    world.pak_focal.is_active = False
    world.pak_focal.save()
    response = pak_client.get("/workspace/")
    assert response["Location"] == "/accounts/login/?next=/workspace/"


def test_staff_choose_a_delegation(staff_client):
    response = staff_client.get("/workspace/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/workspace/PAK/"' in html and 'href="/workspace/JPN/"' in html
    assert staff_client.get("/workspace/?delegation=PAK")["Location"] == "/workspace/PAK/"
    assert staff_client.get("/workspace/?delegation=nope").status_code == 400


def test_staff_see_any_delegations_workspace(staff_client):
    response = staff_client.get("/workspace/JPN/")
    assert response.status_code == 200
    assert grouped(response)["no_report"] == ["D1S1-02", "D1S1-04", "D1S1-05", "D1S1-06"]
    assert "as Secretariat staff" in response.content.decode()


def test_the_page_is_get_only(pak_client):
    assert pak_client.post("/workspace/").status_code == 405


@pytest.mark.parametrize("n_more", [0, 30])
def test_a_fixed_number_of_queries_whatever_the_number_of_items(
    pak_client, make_recommendation, n_more, django_assert_num_queries
):
    for _ in range(n_more):
        make_recommendation(theme_slugs=("medical", "training"))
    with django_assert_num_queries(13):
        # 1. the session  2. the user
        # 3. is the user Secretariat staff?  4. the user's focal point and delegation
        # 5. the number of items in each group (grouped)
        # 6. the paginator's bounded COUNT  7. the page of items, with the delegation's
        #    follow-up joined and its latest verification as a subquery
        # 8. the themes of the page's items (prefetch)
        # 9. is illustrative data loaded? (context processor)
        # 10. the themes, 11. the meetings, 12. the sessions and 13. the speakers of
        #     the filter form
        response = pak_client.get("/workspace/")
    assert response.context["n_items"] == 6 + n_more


def test_filtering_on_the_follow_up_adds_the_delegation_and_theme_look_ups(
    pak_client, django_assert_num_queries
):
    with django_assert_num_queries(15):
        # the 13 queries above, plus the theme and the delegations the filter form cleans
        pak_client.get("/workspace/?status=planned&theme=medical")


def test_staff_queries_are_fixed_too(staff_client, django_assert_num_queries):
    with django_assert_num_queries(13):
        # 1. the session  2. the user  3. the delegation of the URL
        # 4. is the user Secretariat staff? (then no focal-point look-up)
        # 5.–8. groups, COUNT, page, themes  9. illustrative data?
        # 10.–13. the filter form's themes, meetings, sessions and speakers
        staff_client.get("/workspace/PAK/")


def test_without_javascript_the_filter_is_a_plain_get_form(pak_client):
    html = pak_client.get("/workspace/").content.decode()
    assert '<form method="get" action="" class="filter-form"' in html
    assert '<button type="submit">Apply filters</button>' in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=999",
        "per_page=100000",
        "theme=no-such-theme",
        "session=%00",
        "q=" + "x" * 500,
        "status=bogus",
        "overdue=maybe",
        "verified=perhaps",
        "changed_since=2023-13-45",
        "meeting=nope",
        "delegation=%ff%fe",
    ],
)
def test_malformed_parameters_never_break_the_page(pak_client, query):
    assert pak_client.get(f"/workspace/?{query}").status_code in (200, 400)
