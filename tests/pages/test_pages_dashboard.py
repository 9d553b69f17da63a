"""/: the road-to-Accra dashboard."""

import datetime
import json
import re

from django.utils import timezone

from recommendations import services
from recommendations.models import Delegation, Meeting, Recommendation

pytest_plugins = ["tests.pages.fixtures"]


def cells(html: str, table_id: str, header: str) -> list[str]:
    table = html.split(f'<table id="{table_id}"')[1].split("</table>")[0]
    part = table.split(f">{header}</")[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', part)


def chart_data(html: str) -> dict:
    raw = html.split('<script id="dashboard-data" type="application/json">')[1].split("</script>")[
        0
    ]
    return json.loads(raw)


def test_it_shows_the_meetings_and_the_days_since_the_target_ministerial(client, site_data):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The road to Accra" in html
    assert "Test preparatory meeting" in html
    assert '<time datetime="2023-12-05">' in html
    days = (timezone.localdate() - datetime.date(2023, 12, 5)).days
    assert f"Held {days} days ago" in html


def test_it_counts_days_to_a_target_in_the_future(client, site_data):
    meeting = Meeting.objects.get()
    meeting.target_date = timezone.localdate() + datetime.timedelta(days=12)
    meeting.save()
    assert "12 days to go" in client.get("/").content.decode()


def test_totals_by_status_in_a_table_and_in_the_chart_data(client, site_data):
    html = client.get("/").content.decode()
    # Ten follow-ups: six with no report yet, PAK planned on D2S1-01, JPN in progress
    # on D1S1-01, two completed.
    table = html.split('<table id="totals-table"')[1].split("</table>")[0]
    assert re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td>', table) == [
        "6",
        "0",
        "1",
        "1",
        "2",
        "0",
    ]
    assert chart_data(html)["totals"] == [6, 0, 1, 1, 2, 0]
    assert "<caption" in table
    assert 'scope="row"' in table


def test_progress_by_theme_and_by_delegation(client, site_data):
    html = client.get("/").content.decode()
    assert cells(html, "themes-table", "Ieds") == ["2", "2", "0", "0", "1", "1", "0", "4", "25"]
    assert cells(html, "delegations-table", "Pakistan") == ["3", "0", "1", "0", "1", "0", "5", "20"]
    assert cells(html, "delegations-table", "Japan") == ["3", "0", "0", "1", "1", "0", "5", "20"]
    data = chart_data(html)
    assert data["delegations"]["labels"] == ["Japan", "Pakistan"]
    assert data["delegations"]["series"][4] == [1, 1]  # completed
    assert data["themes"]["labels"] == ["Ieds", "Medical", "Training"]


def test_the_chart_is_only_an_enhancement_of_static_files(client, site_data):
    html = client.get("/").content.decode()
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/recommendations/dashboard.js" defer></script>' in html
    assert '<canvas id="chart-themes" aria-hidden="true">' in html
    assert "cdn" not in html.lower()
    # No inline script other than JSON data (the CSP forbids it).
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts == [' id="dashboard-data" type="application/json"']


def test_as_of_gives_the_totals_at_the_end_of_that_day(client, site_data):
    html = client.get("/?as_of=2023-09-15").content.decode()
    # On 15 September: PAK planned on D1S1-01 and D2S1-01, JPN completed on D1S1-03.
    assert chart_data(html)["totals"] == [7, 0, 2, 0, 1, 0]
    assert "Statuses as they stood at the end of Sept. 15, 2023." in html


def test_changes_since_the_last_meeting_default_to_its_end_date(client, site_data):
    html = client.get("/").content.decode()
    assert "Changes since the last meeting" in html
    # After 31 August: PAK D1S1-01 and JPN D1S1-03 to completed, JPN D1S1-01 to in progress.
    assert "3 follow-ups changed status after Aug. 31, 2023." in html
    assert 'href="/follow-ups/?meeting=test-2023&amp;changed_since=2023-08-31"' in html
    table = html.split('<table id="changes-table"')[1].split("</table>")[0]
    rows = re.findall(r'status-(\w+)">.*?status-(\w+)">.*?<td class="num">(\d+)', table, flags=re.S)
    assert rows == [("not_reported", "in_progress", "1"), ("not_reported", "completed", "2")]


def test_changes_since_an_asked_date_with_as_of(client, site_data):
    html = client.get("/?changed_since=2023-09-30&as_of=2023-10-31").content.decode()
    assert '<h2 id="changes-title">Changes</h2>' in html
    # PAK D1S1-01 planned → in progress (20 Oct), JPN D1S1-01 not started → in progress.
    assert "2 follow-ups changed status after Sept. 30, 2023." in html


def test_a_bad_parameter_gives_400_with_an_explanation(client, site_data):
    for query in ("?as_of=2023-02-30", "?meeting=atlantis", "?changed_since=%00"):
        response = client.get("/" + query)
        assert response.status_code == 400
        assert "could not be shown with these parameters" in response.content.decode()


def test_without_data_it_says_no_meeting_is_loaded(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No meeting has been loaded yet." in response.content.decode()


def test_the_dashboard_ignores_synthetic_meetings_by_default(client, site_data):
    Meeting.objects.create(
        title="Load test",
        slug="synthetic",
        city="Nowhere",
        country="PK",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 1, 1),
        is_synthetic=True,
    )
    html = client.get("/").content.decode()
    assert "Load test" not in html
    assert "Test preparatory meeting" in html


def test_the_dashboard_makes_a_fixed_number_of_queries(
    client, site_data, django_assert_num_queries
):
    # 1 sample_data_loaded, 2 real meetings with item counts, 3 totals by status,
    # 4 sessions with facilitators and item counts, 5 themes with item counts,
    # 6 follow-ups by theme and status, 7 follow-ups by delegation and status,
    # 8 status changes since the last meeting.
    with django_assert_num_queries(8) as small:
        assert client.get("/").status_code == 200
    for i in range(30):
        delegation = Delegation.objects.create(code=f"D{i:03d}", name=f"Delegation {i:03d}")
        for item in site_data.items.values():
            services.follow_up_create(recommendation=item, delegation=delegation)
    with django_assert_num_queries(8) as large:
        assert client.get("/?as_of=2023-10-01").status_code == 200
    assert len(small) == len(large) == 8


def test_the_delegation_chart_keeps_the_busiest_delegations_and_the_table_all(client, site_data):
    item = site_data.items["D1S1-01"]
    for i in range(35):
        delegation = Delegation.objects.create(code=f"D{i:03d}", name=f"Delegation {i:03d}")
        services.follow_up_create(recommendation=item, delegation=delegation)
    html = client.get("/").content.decode()
    labels = chart_data(html)["delegations"]["labels"]
    assert len(labels) == 30
    assert "Japan" in labels and "Pakistan" in labels  # five follow-ups each
    assert html.count('<a href="/delegations/') == 37
    assert "The chart shows the 30 delegations with the most follow-ups" in html


def test_it_lists_the_meetings_sessions_with_their_item_counts(client, site_data, meeting):
    response = client.get("/")
    sessions = {s.code: s.n_items for s in response.context["sessions"]}
    expected = {
        code: Recommendation.objects.filter(session__code=code, meeting=meeting).count()
        for code in sessions
    }
    assert sessions == expected
    assert sum(sessions.values()) > 0
    page = response.content.decode()
    for code in sessions:
        assert f"session={code}" in page
