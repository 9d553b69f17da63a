"""/follow-ups/: one row per delegation's follow-up, the same parameters."""

import re

import pytest

from recommendations import services
from recommendations.models import Delegation

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


def groups(html: str) -> list[tuple[str, list[str]]]:
    """(item code in the group's header row, delegations of its rows) per row group."""
    result = []
    for group in html.split("<tbody>")[1:]:
        header, *rows = group.split("</tbody>")[0].split("<tr>")
        code = re.search(r'class="item-code">([^<]+)</a>', header).group(1)
        result.append((code, [re.search(r"#follow-up-(\w+)", row).group(1) for row in rows]))
    return result


def test_each_item_is_shown_once_above_the_rows_of_its_follow_ups(client, site_data):
    html = client.get("/follow-ups/").content.decode()
    assert groups(html) == [
        ("D1S1-01", ["JPN", "PAK"]),
        ("D1S1-02", ["JPN", "PAK"]),
        ("D1S1-03", ["JPN", "PAK"]),
        ("D2S1-01", ["JPN", "PAK"]),
        ("D2S1-02", ["JPN", "PAK"]),
    ]
    # The text once, in source language, in a header row across the four columns.
    assert html.count("Counter IED threats with better detection equipment.") == 1
    assert (
        '<th scope="rowgroup" colspan="4"><a href="/recommendations/D1S1-01/" class="item-code">'
        "D1S1-01</a>\n        "
        '<span class="item-header-text" lang="en">Counter IED threats with better detection '
        "equipment.</span></th>"
    ) in html
    # Each row is a delegation's follow-up, headed by the delegation's name.
    assert (
        '<th scope="row"><a href="/recommendations/D1S1-01/#follow-up-PAK">Pakistan</a></th>'
        in html
    )


def test_an_item_split_across_two_pages_is_headed_on_both(client, site_data):
    uganda = Delegation.objects.create(code="UGA", name="Uganda")
    services.follow_up_create(recommendation=site_data.items["D2S1-02"], delegation=uganda)
    first = client.get("/follow-ups/?per_page=10").content.decode()
    assert groups(first)[-1] == ("D2S1-02", ["JPN", "PAK"])
    second = client.get("/follow-ups/?per_page=10&page=2").content.decode()
    assert groups(second) == [("D2S1-02", ["UGA"])]


def test_the_delegation_page_heads_each_row_with_its_item(client, site_data):
    html = client.get("/delegations/PAK/").content.decode()
    planned = html.split('id="group-planned"')[1].split("</section>")[0]
    # One row per item: the header row links to this delegation's follow-up of it.
    assert (
        '<th scope="rowgroup" colspan="3"><a href="/recommendations/D2S1-01/#follow-up-PAK" '
        'class="item-code">D2S1-01</a>'
    ) in planned
    assert planned.count('<tr class="item-header">') == planned.count("<tr>") - 1 == 1
    assert "Delegation</th>" not in planned


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
    # delegation, status and latest update, 4 the open follow-ups due by a target
    # meeting that passed, 5–8 the facet counts of follow-ups (themes, statuses,
    # kinds, sessions: one grouped query each), 9 theme choices, 10 meeting choices,
    # 11 session, 12 speaker and 13 delegation choices.
    with django_assert_num_queries(13) as small:
        assert client.get("/follow-ups/?per_page=10").status_code == 200
    many_items(60)
    with django_assert_num_queries(13) as large:
        assert client.get("/follow-ups/?per_page=100").status_code == 200
    assert len(small) == len(large) == 13
