"""/recommendations/<code>/: the item, its source, speaker, themes and every
delegation's follow-up with its timeline, in a fixed number of queries."""

import datetime

import pytest

from recommendations import services
from recommendations.models import Delegation, Status
from recommendations.templatetags.tracker import headline

pytest_plugins = ["tests.pages.fixtures"]


def section(html: str, code: str) -> str:
    """The HTML of one delegation's follow-up on the detail page."""
    return html.split(f'id="follow-up-{code}"')[1].split("</article>")[0]


def test_it_shows_the_item_its_source_session_speaker_themes_and_kind(client, site_data):
    response = client.get("/recommendations/D1S1-01/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="item-label-code">D1S1-01</span>' in html
    assert '<h1 lang="en">Counter IED threats with better detection equipment.</h1>' in html
    assert (
        '<blockquote><p lang="en">Speakers called for better equipment to detect '
        "improvised devices.</p></blockquote>"
    ) in html
    assert (
        'Ada Speaker</a>, <span lang="en">Under-Secretary-General</span> '
        '(<span lang="en">UN</span>)'
    ) in html
    assert 'D1S1</a> <span lang="en">Safety</span>' in html
    assert '<a href="/recommendations/?theme=ieds">Ieds</a>' in html
    assert "<dd>Recommendation</dd>" in html


def test_a_panel_conclusion_names_the_session_panel(client, site_data):
    html = client.get("/recommendations/D1S1-02/").content.decode()
    assert "The session panel" in html
    assert '“<span lang="en">Safety</span>”, the session panel, <time' in html


def citation(html: str) -> str:
    return " ".join(html.split('<p class="citation">')[1].split("</p>")[0].split())


def test_the_heading_is_the_recommendation_itself_and_the_code_its_label(client, site_data):
    html = client.get("/recommendations/D1S1-01/").content.decode()
    heading = html.split('<header class="item-heading">')[1].split("</header>")[0]
    assert heading.index("D1S1-01") < heading.index("<h1")
    assert '<span class="kind kind-recommendation">Recommendation</span>' in heading
    # Short enough to be the heading whole: not repeated below it.
    body = html.split("<body>")[1]
    assert body.count("Counter IED threats with better detection equipment.") == 1
    assert "<title>D1S1-01: Counter IED threats with better detection equipment." in html


def test_a_long_recommendation_is_headed_by_its_leading_part_then_given_whole(
    client, make_recommendation
):
    text = (
        "The session set out to improve understanding of the requirements of the pledging "
        "system across peacekeeping domains, of how the 2023 Ministerial pledging process "
        "operates and of what steps are needed to strengthen UN peacekeeping."
    )
    make_recommendation(code="D1S1-20", text=text)
    html = client.get("/recommendations/D1S1-20/").content.decode()
    assert (
        '<h1 lang="en">The session set out to improve understanding of the requirements of '
        "the pledging system across peacekeeping domains…</h1>"
    ) in html
    assert f'<p class="lead" lang="en">{text}</p>' in html


@pytest.mark.parametrize(
    "text, heading",
    [
        ("Short.", "Short."),
        ("x " * 80, "x " * 79 + "x"),  # 159 characters once tidied: whole
        (
            "Five key factors shape the legal aspects of peacekeeping: international legal "
            "frameworks, the evolution of peacekeeping mandates, the behaviour of "
            "peacekeepers, the current environment and context, and accountability.",
            "Five key factors shape the legal aspects of peacekeeping…",
        ),
        (
            "Within the Global Peace Operations Initiative the United States has worked on "
            "countering disinformation and misinformation campaigns that target "
            "peacekeepers in several missions across several regions of the world.",
            "Within the Global Peace Operations Initiative the United States has worked on "
            "countering disinformation…",
        ),
    ],
)
def test_the_headline_is_the_whole_text_or_its_leading_part(text, heading):
    assert headline(text) == heading


def test_the_cite_line_names_meeting_session_speaker_day_and_permanent_link(client, site_data):
    html = client.get("/recommendations/D1S1-01/").content.decode()
    assert citation(html) == (
        '<cite>Chair&#x27;s Summary</cite>, <span lang="en">Test preparatory meeting</span>, '
        '<span lang="en">Testville</span>, Day 1, Session 1 “<span lang="en">Safety</span>”, '
        '<span lang="en">Ada Speaker (UN)</span>, <time datetime="2023-08-30">Aug. 30, 2023'
        '</time>. <a href="http://testserver/recommendations/D1S1-01/" class="permalink">'
        "http://testserver/recommendations/D1S1-01/</a>"
    )
    # A second-day session is cited on the meeting's second day.
    html = client.get("/recommendations/D2S1-01/").content.decode()
    assert "Day 2, Session 1" in citation(html)
    assert '<time datetime="2023-08-31">Aug. 31, 2023</time>' in citation(html)
    assert '<a href="/source/">Read it in the Chair\'s Summary</a>' in html


def test_in_french_the_source_text_stays_marked_english(client, site_data):
    html = client.get("/recommendations/D1S1-01/", headers={"accept-language": "fr"}).content
    html = html.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert '<h1 lang="en">Counter IED threats with better detection equipment.</h1>' in html
    assert '<blockquote><p lang="en">Speakers called' in html
    cite = citation(html)
    # The citation is French, the names without a French version marked English.
    assert "<cite>Résumé de la présidence</cite>" in cite
    assert '<span lang="en">Test preparatory meeting</span>' in cite
    assert 'Jour 1, séance 1 « <span lang="en">Safety</span> »' in cite
    assert '<time datetime="2023-08-30">30 août 2023</time>' in cite


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
