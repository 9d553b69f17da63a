"""as_of and changed_since on the pages: the status in force at the end of a day,
and the follow-ups whose status changed after a day, with from and to statuses."""

import datetime
import re

import pytest

from recommendations import services
from recommendations.models import ProgressUpdate, Status
from recommendations.status import State

pytest_plugins = ["tests.pages.fixtures"]

D = datetime.date


def status_from_history(follow_up, day: datetime.date) -> str:
    """What the history says: the latest update dated on or before the day."""
    updates = [u for u in ProgressUpdate.objects.filter(follow_up=follow_up) if u.date <= day]
    if not updates:
        return State.NOT_REPORTED
    return max(updates, key=lambda u: (u.date, u.created_at, u.pk)).status


# Before any update, the day of the first (end of day counts), between the second
# and the third, and after the last.
DAYS = [D(2023, 9, 1), D(2023, 9, 15), D(2023, 10, 31), D(2023, 12, 1)]


@pytest.mark.parametrize("day", DAYS)
def test_the_list_shows_the_status_in_force_at_the_end_of_the_day(client, site_data, day):
    follow_up = site_data.follow_up("D1S1-01", "PAK")
    expected = status_from_history(follow_up, day)
    html = client.get(
        f"/recommendations/?delegation=PAK&theme=ieds&as_of={day.isoformat()}"
    ).content.decode()
    row = html.split('id="item-D1S1-01"')[1].split('<li class="item"')[0]
    match = row.split('<div class="matches">')[1]
    assert re.findall(r'class="status status-(\w+)"', match) == [expected]
    assert "Statuses as they stood at the end of" in html


def test_three_dates_give_three_different_statuses(site_data):
    follow_up = site_data.follow_up("D1S1-01", "PAK")
    assert [status_from_history(follow_up, day) for day in DAYS] == [
        State.NOT_REPORTED,
        Status.PLANNED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    ]


@pytest.mark.parametrize("day", DAYS)
def test_the_detail_page_shows_the_status_and_updates_in_force_that_day(client, site_data, day):
    follow_up = site_data.follow_up("D1S1-01", "PAK")
    expected = status_from_history(follow_up, day)
    html = client.get(f"/recommendations/D1S1-01/?as_of={day.isoformat()}").content.decode()
    pak = html.split('id="follow-up-PAK"')[1].split("</article>")[0]
    heading = pak.split("</h3>")[0]
    assert re.findall(r'class="status status-(\w+)"', heading) == [expected]
    shown_dates = re.findall(r'<time datetime="(2023-\d\d-\d\d)">', pak.split("<h4>")[1])
    assert shown_dates == [
        u.date.isoformat()
        for u in ProgressUpdate.objects.filter(follow_up=follow_up, date__lte=day)
    ]
    assert "Statuses as they stood at the end of" in html


def test_the_list_counts_statuses_as_of_the_day(client, site_data):
    html = client.get("/recommendations/?as_of=2023-09-15").content.decode()
    row = html.split('id="item-D1S1-01"')[1].split('<li class="item"')[0]
    # PAK planned that day, JPN had not reported yet.
    assert "No report yet: 1" in row
    assert "Planned: 1" in row
    assert "Completed" not in row


def test_a_status_filter_with_as_of_uses_the_status_of_that_day(client, site_data):
    html = client.get("/follow-ups/?status=in_progress&as_of=2023-10-31").content.decode()
    assert re.findall(r"#follow-up-(\w+)\">", html) == ["JPN", "PAK"]


def changes(html: str) -> list[tuple[str, str, str, str]]:
    """(item, delegation, from, to) for each row of the follow-up tables: a row group
    per item, its header row first; the link to the follow-up is in the row, or in
    the header on a delegation's page (one row per item)."""
    follow_up = r"/recommendations/([^/]+)/#follow-up-(\w+)"
    result = []
    for group in html.split("<tbody>")[1:]:
        header, *rows = group.split("</tbody>")[0].split("<tr>")
        for row in rows:
            item, delegation = (re.search(follow_up, row) or re.search(follow_up, header)).groups()
            statuses = re.findall(r'class="status status-(\w+)"', row)
            result.append((item, delegation, *statuses))
    return result


def test_changed_since_lists_exactly_the_follow_ups_updated_after_the_day(client, site_data):
    html = client.get("/follow-ups/?changed_since=2023-09-01").content.decode()
    assert changes(html) == [
        ("D1S1-01", "JPN", "not_reported", "in_progress"),
        ("D1S1-01", "PAK", "not_reported", "completed"),
        ("D1S1-03", "JPN", "not_reported", "completed"),
    ]
    # An update dated that very day is not "after" it.
    html = client.get("/follow-ups/?changed_since=2023-10-01").content.decode()
    assert changes(html) == [("D1S1-01", "PAK", "planned", "completed")]
    assert "Only follow-ups whose status changed after" in html


def test_changed_since_with_as_of_moves_the_to_status(client, site_data):
    html = client.get("/follow-ups/?changed_since=2023-09-01&as_of=2023-10-31").content.decode()
    assert changes(html) == [
        ("D1S1-01", "JPN", "not_reported", "in_progress"),
        ("D1S1-01", "PAK", "not_reported", "in_progress"),
        ("D1S1-03", "JPN", "not_reported", "completed"),
    ]


def test_changed_since_on_the_item_list_and_the_delegation_page(client, site_data):
    html = client.get("/recommendations/?changed_since=2023-10-01").content.decode()
    assert re.findall(r'<li class="item" id="item-([^"]+)">', html) == ["D1S1-01"]
    match = html.split('<div class="matches">')[1].split("</div>")[0]
    assert "PAK</a>" in match and "JPN</a>" not in match
    assert re.findall(r'class="status status-(\w+)"', match) == ["planned", "completed"]
    html = client.get("/delegations/PAK/?changed_since=2023-09-01").content.decode()
    assert changes(html) == [("D1S1-01", "PAK", "not_reported", "completed")]


def test_the_as_of_list_makes_a_fixed_number_of_queries_whatever_the_updates(
    client, site_data, django_assert_num_queries
):
    # 1 sample_data_loaded, 2 capped COUNT, 3 the page, 4 themes, 5 status counts
    # as of the day (grouped), 6–9 the facet counts (themes, statuses as of the day,
    # kinds, sessions: one grouped query each), 10 theme choices, 11 meeting choices,
    # 12 session, 13 speaker and 14 delegation choices.
    query = "/recommendations/?as_of=2023-10-15&per_page=10"
    with django_assert_num_queries(14) as before:
        assert client.get(query).status_code == 200
    for follow_up in site_data.follow_ups.values():
        for day in range(1, 29):
            services.progress_update_create(
                follow_up=follow_up, date=D(2023, 9, day), status=Status.IN_PROGRESS
            )
    with django_assert_num_queries(14) as after:
        assert client.get(query).status_code == 200
    assert len(before) == len(after) == 14
