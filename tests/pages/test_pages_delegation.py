"""/delegations/<code>/: one delegation's follow-ups, grouped by status."""

import re

import pytest

pytest_plugins = ["tests.pages.fixtures"]


def groups(html: str) -> dict[str, list[str]]:
    """Status group → item codes, in page order."""
    result = {}
    for part in html.split('<section class="status-group"')[1:]:
        status = re.search(r'id="group-(\w+)"', part).group(1)
        result[status] = re.findall(r'<a href="/recommendations/([^/]+)/#follow-up-', part)
    return result


def test_it_groups_the_follow_ups_by_status_in_workflow_order(client, site_data):
    response = client.get("/delegations/PAK/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Pakistan" in html
    assert groups(html) == {
        "not_reported": ["D1S1-02", "D1S1-03", "D2S1-02"],
        "planned": ["D2S1-01"],
        "completed": ["D1S1-01"],
    }
    assert list(groups(html)) == ["not_reported", "planned", "completed"]


def test_the_code_is_case_insensitive(client, site_data):
    assert client.get("/delegations/pak/").status_code == 200


def test_latest_updates_say_verified_or_self_reported(client, site_data):
    html = client.get("/delegations/PAK/").content.decode()
    # The first follow-up row of the group: in the first row group, after the
    # item's header row (which has a class).
    completed = html.split('id="group-completed"')[1].split("<tbody>")[1]
    assert "Self-reported" in completed.split("<tr>")[1]
    jpn = client.get("/delegations/JPN/").content.decode()
    assert "Verified" in jpn.split('id="group-completed"')[1].split("<tbody>")[1].split("<tr>")[1]


def test_filters_apply_within_the_delegation(client, site_data):
    html = client.get("/delegations/PAK/?theme=medical").content.decode()
    assert groups(html) == {"not_reported": ["D1S1-03"], "planned": ["D2S1-01"]}
    html = client.get("/delegations/JPN/?status=completed").content.decode()
    assert groups(html) == {"completed": ["D1S1-03"]}


def test_a_delegation_parameter_cannot_show_another_delegation(client, site_data):
    html = client.get("/delegations/PAK/?delegation=JPN&status=in_progress").content.decode()
    assert groups(html) == {}
    assert "Nothing matches these filters" in html


def test_as_of_groups_by_the_status_in_force_that_day(client, site_data):
    html = client.get("/delegations/PAK/?as_of=2023-10-31").content.decode()
    assert groups(html) == {
        "not_reported": ["D1S1-02", "D1S1-03", "D2S1-02"],
        "planned": ["D2S1-01"],
        "in_progress": ["D1S1-01"],
    }
    assert "Statuses as they stood at the end of Oct. 31, 2023." in html


def test_the_export_link_carries_the_delegation_and_the_filters(client, site_data):
    html = client.get("/delegations/PAK/?theme=ieds&page=1").content.decode()
    assert 'href="/follow-ups/export.csv?delegation=PAK&amp;theme=ieds"' in html


@pytest.mark.parametrize("code", ["XXX", "%00", "P" * 200])
def test_an_unknown_delegation_gives_404(client, site_data, code):
    assert client.get(f"/delegations/{code}/").status_code == 404


@pytest.mark.parametrize("query", ["?status=done", "?theme=nope", "?as_of=%00", "?q=%00"])
def test_a_bad_parameter_gives_400_with_the_form(client, site_data, query):
    response = client.get("/delegations/PAK/" + query)
    assert response.status_code == 400
    assert "Some filters could not be applied" in response.content.decode()


def test_bad_pages_give_the_nearest_page(client, site_data):
    for query in ("?page=abc", "?page=99999"):
        response = client.get("/delegations/PAK/" + query)
        assert response.status_code == 200
        assert "Showing 1–5 of 5 follow-ups" in response.content.decode()


def test_the_delegation_page_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 sample_data_loaded, 2 the delegation, 3 the delegations (filter validation),
    # 4 totals by status, 5 capped COUNT, 6 the page of follow-ups, 7 the open
    # follow-ups due by a target meeting that passed, 8 theme choices, 9 meeting
    # choices, 10 session choices and 11 speaker choices of the filter form.
    with django_assert_num_queries(11) as small:
        assert client.get("/delegations/PAK/?per_page=10").status_code == 200
    many_items(40)
    with django_assert_num_queries(11) as large:
        assert client.get("/delegations/PAK/?per_page=100").status_code == 200
    # As of a day no follow-up is shown overdue: no query 7.
    with django_assert_num_queries(10) as as_of:
        assert client.get("/delegations/PAK/?per_page=100&as_of=2023-09-15").status_code == 200
    assert (len(small), len(large), len(as_of)) == (11, 11, 10)
