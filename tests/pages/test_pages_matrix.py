"""/matrix/: the items of the list against every roster delegation."""

import re

from recommendations import services
from recommendations.models import Delegation

pytest_plugins = ["tests.pages.fixtures"]


def cells(html: str) -> dict[str, list[str]]:
    """Item code → the text of each cell, in column order."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    result = {}
    for row in body.split("<tr ")[1:]:
        code = re.search(r'id="item-([^"]+)"', row).group(1)
        texts = []
        for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S):
            texts.append(
                re.sub(r"<[^>]+>", "", re.sub(r'<span aria-hidden="true">–</span>', "", cell))
            )
        result[code] = texts
    return result


def headers(html: str) -> list[str]:
    head = html.split("<thead>")[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head)]


def test_it_shows_every_item_against_every_roster_delegation_in_words(client, site_data):
    Delegation.objects.create(code="FRA", name="France", on_roster=False)
    response = client.get("/matrix/")
    html = response.content.decode()
    assert response.status_code == 200
    assert headers(html) == ["Item", "Japan", "Pakistan"]
    assert cells(html)["D1S1-01"] == ["In progress", "Completed"]
    assert cells(html)["D1S1-02"] == ["No report yet", "No report yet"]
    assert list(cells(html)) == ["D1S1-01", "D1S1-02", "D1S1-03", "D2S1-01", "D2S1-02"]
    # Each status in words as well as colour, linked to that follow-up.
    assert (
        '<a href="/recommendations/D1S1-01/#follow-up-PAK" class="status status-completed">'
        "Completed</a>" in html
    )
    assert 'role="region" aria-labelledby="matrix-caption" tabindex="0"' in html
    assert '<th scope="row"><a href="/recommendations/D1S1-01/" class="code">D1S1-01</a>' in html


def test_it_takes_the_filters_of_the_list(client, site_data):
    html = client.get("/matrix/?theme=ieds&status=not_reported").content.decode()
    # D1S1-01: neither delegation lacks a report, so the item is not listed.
    assert list(cells(html)) == ["D1S1-02"]
    assert cells(html)["D1S1-02"] == ["No report yet", "No report yet"]
    html = client.get("/matrix/?status=completed").content.decode()
    assert cells(html) == {
        "D1S1-01": ["Not in these results", "Completed"],
        "D1S1-03": ["Completed", "Not in these results"],
    }
    assert "A dash marks a delegation" in html


def test_a_delegation_chosen_is_its_only_column(client, site_data):
    html = client.get("/matrix/?delegation=PAK").content.decode()
    assert headers(html) == ["Item", "Pakistan"]


def test_as_of_gives_the_statuses_of_that_day(client, site_data):
    html = client.get("/matrix/?as_of=2023-09-15").content.decode()
    assert cells(html)["D1S1-01"] == ["No report yet", "Planned"]


def test_it_links_its_exports_and_is_linked_from_the_list_and_the_dashboard(client, site_data):
    html = client.get("/matrix/?theme=ieds").content.decode()
    assert 'href="/follow-ups/matrix.csv?theme=ieds"' in html
    assert 'href="/follow-ups/matrix.xlsx?theme=ieds"' in html
    assert 'href="/matrix/' in client.get("/recommendations/").content.decode()
    assert 'href="/matrix/' in client.get("/").content.decode()


def test_bad_parameters_give_a_clear_400(client, site_data):
    response = client.get("/matrix/?as_of=tomorrow-ish")
    assert response.status_code == 400
    assert "Nothing matches" not in response.content.decode()


def test_it_pages_over_items(client, site_data, many_items):
    many_items(10)
    html = client.get("/matrix/?per_page=10").content.decode()
    assert len(cells(html)) == 10
    assert "Showing 1–10 of 15 items" in html
    assert 'rel="next"' in html


def test_its_queries_do_not_grow_with_items_or_delegations(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 capped COUNT of items, 2 the roster delegations, 3 the page of items, 4 the
    # cells (every follow-up of the page by the columns), 5 sample_data_loaded, then
    # the filter form's choices: 6 themes, 7 meetings, 8 sessions, 9 speakers,
    # 10 delegations.
    with django_assert_num_queries(10):
        assert client.get("/matrix/?per_page=10").status_code == 200
    many_items(60)
    for n in range(5):
        delegation = Delegation.objects.create(code=f"X{n}A", name=f"Extra {n}")
        services.delegation_save(delegation=delegation)
    with django_assert_num_queries(10):
        assert client.get("/matrix/?per_page=100").status_code == 200
