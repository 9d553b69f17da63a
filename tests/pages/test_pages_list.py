"""/recommendations/: every parameter, the result count, the active filters, the empty
state, the export link, bad input, and a fixed number of queries."""

import re

import pytest
from django.db import connection

pytest_plugins = ["tests.pages.fixtures"]

URL = "/recommendations/"


def codes(response) -> list[str]:
    return re.findall(r'<li class="item" id="item-([^"]+)">', response.content.decode())


def get_codes(client, query: str) -> list[str]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return codes(response)


def test_it_lists_every_item_in_session_order(client, site_data):
    response = client.get(URL)
    assert response.status_code == 200
    assert codes(response) == ["D1S1-01", "D1S1-02", "D1S1-03", "D2S1-01", "D2S1-02"]
    assert "Showing 1–5 of 5 items" in response.content.decode()


def test_each_row_shows_speaker_affiliation_panel_themes_text_and_status_counts(client, site_data):
    html = client.get(URL).content.decode()
    row_one = html.split('id="item-D1S1-01"')[1].split('<li class="item"')[0]
    assert "Ada Speaker, UN" in row_one
    assert "Counter IED threats with better detection equipment." in row_one
    assert '<a href="/recommendations/?theme=ieds">Ieds</a>' in row_one
    # PAK completed (latest update), JPN in progress.
    assert "In progress: 1" in row_one
    assert "Completed: 1" in row_one
    row_two = html.split('id="item-D1S1-02"')[1].split('<li class="item"')[0]
    assert "Session panel" in row_two
    assert "No report yet: 2" in row_two


def test_several_themes_mean_any_of_them(client, site_data):
    assert get_codes(client, "?theme=ieds") == ["D1S1-01", "D1S1-02"]
    assert get_codes(client, "?theme=ieds&theme=medical") == [
        "D1S1-01",
        "D1S1-02",
        "D1S1-03",
        "D2S1-01",
    ]


def test_free_text_matches_text_excerpt_code_and_speaker(client, site_data):
    assert get_codes(client, "?q=evacuation") == ["D1S1-03"]
    assert get_codes(client, "?q=improvised") == ["D1S1-01"]  # only in the excerpt
    assert get_codes(client, "?q=Panellist") == ["D2S1-01"]  # speaker name
    assert get_codes(client, "?q=evacuation&theme=ieds") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search")
def test_on_postgresql_the_search_is_full_text_and_can_sort_by_relevance(client, site_data):
    # Stemming: "hospital" finds "hospitals".
    assert get_codes(client, "?q=hospital") == ["D2S1-01"]
    # D2S1-02 holds both words ("casualties", "hazards"), D1S1-03 only one.
    assert get_codes(client, "?q=casualty+OR+hazards") == ["D1S1-03", "D2S1-02"]
    assert get_codes(client, "?q=casualty+OR+hazards&sort=relevance") == ["D2S1-02", "D1S1-03"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?meeting=test-2023", ["D1S1-01", "D1S1-02", "D1S1-03", "D2S1-01", "D2S1-02"]),
        ("?session=D2S1", ["D2S1-01", "D2S1-02"]),
        ("?session=d2s1", ["D2S1-01", "D2S1-02"]),
        ("?speaker=ada-speaker", ["D1S1-01", "D1S1-03"]),
        ("?kind=commitment", ["D2S1-01"]),
        ("?kind=observation", ["D2S1-02"]),
        ("?status=completed", ["D1S1-01", "D1S1-03"]),
        ("?status=completed&delegation=JPN", ["D1S1-03"]),
        ("?status=planned&delegation=PAK", ["D2S1-01"]),
        ("?delegation=PAK&verified=no", ["D1S1-01", "D2S1-01"]),
        ("?verified=yes", ["D1S1-03"]),
        ("?overdue=yes&theme=training", ["D1S1-02", "D2S1-02"]),
    ],
)
def test_it_answers_every_parameter(client, site_data, query, expected):
    assert get_codes(client, query) == expected


def test_sort_by_code_and_by_latest_update(client, site_data):
    assert get_codes(client, "?sort=code&theme=medical") == ["D1S1-03", "D2S1-01"]
    # Latest update first: D1S1-01 (25 Nov), D1S1-03 (10 Sep), D2S1-01 (15 Aug), then none.
    assert get_codes(client, "?sort=latest")[:3] == ["D1S1-01", "D1S1-03", "D2S1-01"]


def test_pages_split_the_results_and_keep_the_filters(client, site_data, many_items):
    many_items(25)
    response = client.get(URL + "?theme=ieds&per_page=10&page=2")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Showing 11–20 of 27 items" in html
    assert len(codes(response)) == 10
    assert 'href="?theme=ieds&amp;per_page=10&amp;page=3"' in html
    assert 'aria-current="page"' in html


def test_the_active_filters_each_have_a_link_that_removes_them(client, site_data):
    html = client.get(URL + "?theme=ieds&theme=medical&kind=commitment&page=1").content.decode()
    assert "Theme: <strong>Ieds</strong>" in html
    assert 'href="?theme=medical&amp;kind=commitment"' in html  # removes ieds only
    assert 'href="?theme=ieds&amp;theme=medical"' in html  # removes the kind
    assert "Kind: <strong>Commitment</strong>" in html


def test_the_export_link_carries_the_same_query_without_the_page(client, site_data):
    html = client.get(URL + "?theme=ieds&q=IED&page=1&per_page=10").content.decode()
    assert 'href="/recommendations/export.csv?theme=ieds&amp;q=IED"' in html
    assert "Export these results (CSV)" in html


def test_no_result_gives_an_empty_state_that_says_what_to_try(client, site_data):
    response = client.get(URL + "?q=submarines")
    html = response.content.decode()
    assert response.status_code == 200
    assert codes(response) == []
    assert "Nothing matches these filters" in html
    assert "search for fewer or different words" in html
    assert 'role="status"' in html


def test_the_count_says_more_than_the_cap_when_capped(client, site_data, settings):
    settings.LIST_COUNT_CAP = 3
    response = client.get(URL)
    assert "Showing 1–3 of more than 3 items" in response.content.decode()
    assert codes(response) == ["D1S1-01", "D1S1-02", "D1S1-03"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("?theme=nope", "Select a valid choice"),
        ("?delegation=XXX", "Select a valid choice"),
        ("?status=done", "Select a valid choice"),
        ("?as_of=2023-13-45", "Enter a valid date"),
        ("?q=%00", "Null characters are not allowed"),
        ("?q=" + "x" * 10_000, "at most 200 characters"),
        ("?sort=sideways", "Select a valid choice"),
    ],
)
def test_a_bad_parameter_gives_400_with_the_error_next_to_its_field(
    client, site_data, query, message
):
    response = client.get(URL + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Some filters could not be applied" in html
    assert 'class="field-errors"' in html
    assert 'aria-invalid="true"' in html
    assert '<form method="get"' in html
    assert codes(response) == []


@pytest.mark.parametrize(
    "query, shown, message",
    [
        ("?page=abc&per_page=10", "Showing 1–5 of 5 items", "is not a page number"),
        ("?page=99999", "Showing 1–5 of 5 items", "There is no page 99999"),
        ("?page=%00", "Showing 1–5 of 5 items", "is not a page number"),
        ("?per_page=7", "Showing 1–5 of 5 items", ""),
    ],
)
def test_a_bad_page_gives_the_nearest_page_with_a_message(client, site_data, query, shown, message):
    response = client.get(URL + query)
    html = response.content.decode()
    assert response.status_code == 200
    assert shown in html
    assert message in html


def test_a_page_past_the_end_gives_the_last_page(client, site_data, many_items):
    many_items(15)
    response = client.get(URL + "?per_page=10&page=99999")
    assert response.status_code == 200
    assert "Showing 11–20 of 20 items" in response.content.decode()


def run_list(client, django_assert_num_queries, query: str, expected: int) -> int:
    with django_assert_num_queries(expected) as captured:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(captured)


def test_the_list_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 sample_data_loaded (context processor), 2 capped COUNT, 3 page of items with
    # meeting/session/speaker, 4 their themes, 5 status counts grouped for the page,
    # 6–9 the facet counts (themes, statuses, kinds, sessions: one grouped query each),
    # 10 theme choices, 11 meeting choices, 12 session choices, 13 speaker choices
    # and 14 delegation choices for the filter form.
    small_10 = run_list(client, django_assert_num_queries, "?per_page=10", 14)
    small_100 = run_list(client, django_assert_num_queries, "?per_page=100", 14)
    many_items(120)
    large_10 = run_list(client, django_assert_num_queries, "?per_page=10", 14)
    large_100 = run_list(client, django_assert_num_queries, "?per_page=100", 14)
    assert small_10 == small_100 == large_10 == large_100 == 14


def test_with_follow_up_filters_the_list_still_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # The 14 above (the delegations, read to validate the one named, are the choices
    # rendered), plus 15 the theme named, 16 the matching follow-ups of the page (with
    # from/to statuses), at most five per item.
    query = "?theme=ieds&delegation=PAK&changed_since=2023-08-01&as_of=2023-12-01"
    small = run_list(client, django_assert_num_queries, query + "&per_page=10", 16)
    many_items(120)
    large_10 = run_list(client, django_assert_num_queries, query + "&per_page=10", 16)
    large_100 = run_list(client, django_assert_num_queries, query + "&per_page=100", 16)
    assert small == large_10 == large_100 == 16
