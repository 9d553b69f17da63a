"""/follow-ups/: one row per delegation's follow-up, the same parameters."""

import re

import pytest

pytest_plugins = ["tests.pages.fixtures"]


def rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="/recommendations/([^/]+)/#follow-up-(\w+)">', html)


def test_it_lists_every_follow_up_in_session_order(client, site_data):
    response = client.get("/follow-ups/")
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html)[:4] == [
        ("D1S1-01", "JPN"),
        ("D1S1-01", "PAK"),
        ("D1S1-02", "JPN"),
        ("D1S1-02", "PAK"),
    ]
    assert "Showing 1–10 of 10 follow-ups" in html
    assert 'href="/follow-ups/export.csv?"' in html  # no filter: {% querystring %} gives "?"


def test_it_answers_the_same_parameters_as_the_item_list(client, site_data):
    html = client.get("/follow-ups/?theme=ieds&status=completed").content.decode()
    assert rows(html) == [("D1S1-01", "PAK")]
    html = client.get("/follow-ups/?delegation=JPN&verified=yes").content.decode()
    assert rows(html) == [("D1S1-03", "JPN")]
    assert 'href="/follow-ups/export.csv?delegation=JPN&amp;verified=yes"' in html


def test_deep_pages_past_the_cap_give_the_last_reachable_page_with_a_message(
    client, site_data, settings
):
    settings.LIST_COUNT_CAP = 4
    response = client.get("/follow-ups/?per_page=10&page=1000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only the first 4 results can be paged through" in html
    assert "Showing 1–4 of more than 4 follow-ups" in html


@pytest.mark.parametrize(
    "query", ["?theme=nope", "?delegation=XXX", "?status=done", "?q=%00", "?q=" + "x" * 10_000]
)
def test_a_bad_parameter_gives_400(client, site_data, query):
    response = client.get("/follow-ups/" + query)
    assert response.status_code == 400
    assert "Some filters could not be applied" in response.content.decode()


def test_the_follow_up_list_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 sample_data_loaded, 2 capped COUNT, 3 the page of follow-ups with item,
    # delegation, status and latest update, 4–7 the facet counts of follow-ups (themes,
    # statuses, kinds, sessions: one grouped query each), 8 theme choices, 9 meeting
    # choices, 10 session, 11 speaker and 12 delegation choices.
    with django_assert_num_queries(12) as small:
        assert client.get("/follow-ups/?per_page=10").status_code == 200
    many_items(60)
    with django_assert_num_queries(12) as large:
        assert client.get("/follow-ups/?per_page=100").status_code == 200
    assert len(small) == len(large) == 12
