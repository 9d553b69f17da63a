"""/recommendations/<code>/: the item, its source, speaker, themes and every
delegation's follow-up with its timeline, in a fixed number of queries."""

import datetime

import pytest

from recommendations import services
from recommendations.models import Delegation, Status

pytest_plugins = ["tests.pages.fixtures"]


def section(html: str, code: str) -> str:
    """The HTML of one delegation's follow-up on the detail page."""
    return html.split(f'id="follow-up-{code}"')[1].split("</article>")[0]


def test_it_shows_the_item_its_source_session_speaker_themes_and_kind(client, site_data):
    response = client.get("/recommendations/D1S1-01/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>D1S1-01" in html
    assert "Counter IED threats with better detection equipment." in html
    assert "Speakers called for better equipment to detect improvised devices." in html
    assert "Ada Speaker</a>, Under-Secretary-General (UN)" in html
    assert "D1S1</a> Safety" in html
    assert '<a href="/recommendations/?theme=ieds">Ieds</a>' in html
    assert "<dd>Recommendation</dd>" in html


def test_a_panel_conclusion_names_the_session_panel(client, site_data):
    html = client.get("/recommendations/D1S1-02/").content.decode()
    assert "The session panel" in html


def test_every_follow_up_shows_status_pledge_target_date_and_timeline(client, site_data):
    html = client.get("/recommendations/D1S1-01/").content.decode()
    pak = section(html, "PAK")
    assert 'class="status status-completed">Completed' in pak.split("</h3>")[0]
    assert "PAK pledge" in pak
    assert '<time datetime="2023-12-05">' in pak
    timeline = pak.split('<ol class="timeline">')[1]
    dates = [part.split('"')[0] for part in timeline.split('<time datetime="')[1:]]
    assert dates == ["2023-11-25", "2023-10-20", "2023-09-15"]  # newest first
    assert "Equipment ordered." in pak
    jpn = section(html, "JPN")
    assert "In progress" in jpn.split("</h3>")[0]


def test_updates_say_whether_staff_verified_them_or_the_delegation_reported_them(client, site_data):
    pak = section(client.get("/recommendations/D1S1-01/").content.decode(), "PAK")
    entries = pak.split('<ol class="timeline">')[1].split("<li>")[1:]
    assert [("Verified" in e, "Self-reported" in e) for e in entries] == [
        (False, True),  # 25 Nov, by the focal point
        (False, True),  # 20 Oct, by the focal point
        (True, False),  # 15 Sep, by Secretariat staff
    ]


def test_an_item_without_follow_ups_says_so(client, make_recommendation):
    make_recommendation(code="D1S1-09")
    html = client.get("/recommendations/D1S1-09/").content.decode()
    assert "No delegation follows this item up yet." in html


@pytest.mark.parametrize("code", ["NOPE-01", "%00", "x" * 300, "D1S1-01%0A"])
def test_an_unknown_code_gives_404(client, site_data, code):
    assert client.get(f"/recommendations/{code}/").status_code == 404


def test_a_bad_as_of_date_gives_400_with_the_error(client, site_data):
    response = client.get("/recommendations/D1S1-01/?as_of=2023-02-30")
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def add_delegations(recommendation, n: int, start: int = 0):
    """n more delegations following ``recommendation`` up, with two updates each."""
    for i in range(start, start + n):
        delegation = Delegation.objects.create(code=f"D{i:03d}", name=f"Delegation {i:03d}")
        follow_up = services.follow_up_create(recommendation=recommendation, delegation=delegation)
        for day, status in ((1, Status.PLANNED), (20, Status.IN_PROGRESS)):
            services.progress_update_create(
                follow_up=follow_up, date=datetime.date(2023, 9, day), status=status
            )


def test_the_detail_page_makes_a_fixed_number_of_queries(
    client, site_data, django_assert_num_queries
):
    # 1 sample_data_loaded (context processor), 2 the item with meeting, session and
    # speaker, 3 its themes, 4 the follow-ups with their delegation, 5 every progress
    # update of them (with whether this visitor may read the note).
    item = site_data.items["D1S1-01"]
    counts = []
    for extra in (0, 40):
        add_delegations(item, extra, start=len(counts) * 100)
        with django_assert_num_queries(5) as captured:
            response = client.get("/recommendations/D1S1-01/")
        assert response.status_code == 200
        counts.append(len(captured))
    assert response.content.decode().count('class="follow-up"') == 42
    assert counts == [5, 5]


def test_with_as_of_the_detail_page_makes_the_same_number_of_queries(
    client, site_data, django_assert_num_queries
):
    add_delegations(site_data.items["D1S1-01"], 30)
    with django_assert_num_queries(5) as captured:
        response = client.get("/recommendations/D1S1-01/?as_of=2023-09-10")
    assert response.status_code == 200
    assert len(captured) == 5


def test_the_not_found_page_explains_and_offers_a_way_on(client, site_data, settings):
    settings.DEBUG = False
    response = client.get("/recommendations/D9S9-99/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'href="/recommendations/"' in html
    response = client.get("/delegations/XYZ/", headers={"accept-language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
