"""/themes/: every theme with its number of items and a per-status breakdown."""

pytest_plugins = ["tests.pages.fixtures"]


def row(html: str, name: str) -> list[str]:
    """The cells of a theme's row in the table, as text."""
    import re

    part = html.split(f">{name}</a></th>")[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', part)


def test_it_lists_every_theme_with_items_and_statuses(client, site_data):
    response = client.get("/themes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption" in html
    assert '<th scope="col"' in html
    assert '<th scope="row">' in html
    # Items, then no report yet, not started, planned, in progress, completed, not
    # applicable, follow-ups, % completed. IEDs: D1S1-01 (PAK completed, JPN in
    # progress) and D1S1-02 (no report by either).
    assert row(html, "Ieds") == ["2", "2", "0", "0", "1", "1", "0", "4", "25"]
    # Medical: D1S1-03 (JPN completed), D2S1-01 (PAK planned).
    assert row(html, "Medical") == ["2", "2", "0", "1", "0", "1", "0", "4", "25"]
    assert row(html, "Training") == ["2", "4", "0", "0", "0", "0", "0", "4", "0"]


def test_each_theme_links_to_the_filtered_list(client, site_data):
    html = client.get("/themes/").content.decode()
    assert 'href="/recommendations/?meeting=test-2023&amp;theme=ieds"' in html


def test_as_of_gives_the_breakdown_at_that_date(client, site_data):
    html = client.get("/themes/?as_of=2023-09-30").content.decode()
    # On 30 September: PAK planned, JPN not started on D1S1-01.
    assert row(html, "Ieds") == ["2", "3", "0", "1", "0", "0", "0", "4", "0"]
    assert "Statuses as they stood at the end of" in html
    assert 'href="/recommendations/?meeting=test-2023&amp;as_of=2023-09-30&amp;theme=ieds"' in html


def test_a_bad_parameter_gives_400_with_an_explanation(client, site_data):
    for query in ("?as_of=yesterday", "?meeting=nowhere", "?meeting=%00"):
        response = client.get("/themes/" + query)
        assert response.status_code == 400
        assert "could not be shown with these parameters" in response.content.decode()


def test_without_a_meeting_it_says_so(client, db):
    response = client.get("/themes/")
    assert response.status_code == 200
    assert "No meeting has been loaded yet." in response.content.decode()


def test_the_themes_page_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 sample_data_loaded, 2 the real meetings with item counts, 3 themes with their
    # item counts, 4 follow-ups grouped by theme and status.
    with django_assert_num_queries(4):
        assert client.get("/themes/").status_code == 200
    many_items(30)
    with django_assert_num_queries(4):
        assert client.get("/themes/").status_code == 200
