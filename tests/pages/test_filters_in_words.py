"""Filters in words: delegations, speakers and sessions are chosen by name and sent by
code, the active filters name them, several statuses can be ticked at once, and the
theme, status, kind and session options say how many results each would give. On the
real Islamabad data where names matter, on the small meeting of
``tests.pages.fixtures`` where statuses do."""

import csv
import datetime
import html as html_lib
import io
import re

import pytest
from django.core.management import call_command

from recommendations import services
from recommendations.models import FollowUp, Person, Status, Theme

pytest_plugins = ["tests.pages.fixtures"]

LIST = "/recommendations/"
FOLLOW_UPS = "/follow-ups/"

# fixtures/islamabad-2023.json: Major General Silver Kayemba made two recommendations,
# and ten items are on improvised explosive devices.
KAYEMBA_ITEMS = ["D2S1-10", "D2S1-11"]
N_IED_ITEMS = 10


@pytest.fixture
def islamabad(db):
    call_command("load_demo", "--no-sample", "--no-admin", stdout=io.StringIO())


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def codes(html: str) -> list[str]:
    return re.findall(r'<li class="item" id="item-([^"]+)">', html)


def follow_up_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="/recommendations/([^/]+)/#follow-up-(\w+)">', html)


def options(html: str, name: str) -> list[tuple[str, str]]:
    """``(value, label)`` of each option of the select ``name``, in order."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return [(value, html_lib.unescape(label)) for value, label in found]


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def checkboxes(html: str, name: str) -> dict[str, tuple[str, bool]]:
    """value → (label, checked) of each checkbox ``name``."""
    box = rf'<input type="checkbox" name="{name}" value="([^"]*)" id="[^"]*"( checked)?>'
    found = re.findall(box + r"\s*([^<]*)</label>", html)
    return {value: (html_lib.unescape(label.strip()), bool(c)) for value, c, label in found}


def chips(html: str) -> list[str]:
    """'Label: value' of each active filter."""
    found = re.findall(r'<li class="chip"><span>(.*?): <strong>(.*?)</strong></span>', html)
    return [f"{label}: {html_lib.unescape(value)}" for label, value in found]


def count_of(label: str) -> int:
    return int(re.search(r"\((\d+)\)$", label).group(1))


def counted(html: str, name: str) -> dict[str, int]:
    """value → count of each option of the faceted field ``name``."""
    if f'<select name="{name}"' in html:
        return {v: count_of(label) for v, label in options(html, name) if v}
    return {v: count_of(label) for v, (label, _) in checkboxes(html, name).items()}


# --- Delegation, speaker and session by name ----------------------------------------


def test_the_delegation_is_chosen_by_name_and_sent_by_code_in_name_order(client, islamabad):
    html = page(client, LIST)
    assert '<label for="id_delegation">Delegation</label>' in html
    assert options(html, "delegation") == [
        ("", "Any delegation"),
        ("GHA", "Ghana"),
        ("JPN", "Japan"),
        ("PAK", "Pakistan"),
        ("UGA", "Uganda"),
        ("UNS", "United Nations Secretariat"),
        ("USA", "United States"),
    ]


@pytest.fixture
def pak_follows_two(islamabad):
    """Pakistan, on the roster, follows every item; it has reported on two."""
    for code in ("D1S1-01", "D2S1-10"):
        services.progress_update_create(
            follow_up=FollowUp.objects.get(recommendation__code=code, delegation__code="PAK"),
            date=datetime.date(2023, 9, 1),
            status=Status.PLANNED,
        )


@pytest.mark.parametrize("code", ["PAK", "pak", " Pak "])
def test_a_delegation_code_in_any_case_keeps_working(client, pak_follows_two, code):
    html = page(client, f"{LIST}?delegation={code}&status=planned")
    assert codes(html) == ["D1S1-01", "D2S1-10"]
    assert selected(html, "delegation") == "PAK"  # kept for the next submission
    assert chips(html) == ["Delegation: Pakistan", "Follow-up status: Planned"]


@pytest.mark.parametrize(
    "query", ["delegation=XYZ", "delegation=%00", "delegation=" + "P" * 500, "speaker=nobody"]
)
def test_an_unknown_code_gives_the_forms_error_not_a_500(client, islamabad, query):
    html = page(client, f"{LIST}?{query}", status=400)
    assert "Select a valid choice" in html
    assert "Some filters could not be applied" in html
    assert codes(html) == []


def test_an_unknown_session_is_refused_too(client, islamabad):
    assert "Select a valid choice" in page(client, f"{FOLLOW_UPS}?session=D9S9", status=400)


def test_the_speakers_are_those_who_made_a_recommendation_by_name_without_honorific(
    client, islamabad
):
    speakers = options(page(client, LIST), "speaker")
    assert speakers[0] == ("", "Any speaker")
    assert ("silver-kayemba", "Silver Kayemba") in speakers
    names = [label for value, label in speakers[1:]]
    assert names == sorted(names)
    expected = Person.objects.filter(recommendations__isnull=False).distinct()
    assert len(names) == expected.count() == 18
    assert not any("Major General" in name or "Mr." in name for name in names)
    # A facilitator who made no recommendation is not offered.
    assert "Anwar Ali Hyder" not in names


@pytest.mark.parametrize("slug", ["silver-kayemba", "Silver-Kayemba"])
def test_choosing_silver_kayemba_lists_exactly_his_items(client, islamabad, slug):
    html = page(client, f"{LIST}?speaker={slug}")
    assert codes(html) == KAYEMBA_ITEMS
    assert selected(html, "speaker") == "silver-kayemba"
    assert chips(html) == ["Speaker: Silver Kayemba"]


def test_sessions_are_offered_by_day_order_and_title_and_codes_keep_working(client, islamabad):
    html = page(client, f"{LIST}?session=d2s1&per_page=100")
    sessions = options(html, "session")
    assert [value for value, _ in sessions] == ["", "D1S1", "D1S2", "D1S3", "D2S1", "D2S2"]
    label = "Day 2, Session 1: UN Pledging System/Threat of Improvised Explosive Devices"
    assert sessions[4][1].startswith(label + " & Countermeasures (")
    assert selected(html, "session") == "D2S1"
    assert chips(html) == [f"Session: {label} & Countermeasures"]
    assert codes(html) and all(code.startswith("D2S1-") for code in codes(html))


def test_the_active_filters_show_names_and_titles_never_codes(client, pak_follows_two):
    html = page(
        client,
        f"{LIST}?delegation=pak&speaker=silver-kayemba&session=D2S1&theme=ieds"
        "&kind=recommendation&status=planned",
    )
    assert codes(html) == ["D2S1-10"]
    assert chips(html) == [
        "Theme: Improvised explosive devices",
        "Session: Day 2, Session 1: UN Pledging System/Threat of Improvised Explosive "
        "Devices & Countermeasures",
        "Speaker: Silver Kayemba",
        "Kind: Recommendation",
        "Delegation: Pakistan",
        "Follow-up status: Planned",
    ]


# --- Facet counts -------------------------------------------------------------------


def test_the_theme_counts_are_the_numbers_of_items_and_ignore_their_own_selection(
    client, islamabad
):
    everything = page(client, LIST)
    ieds = page(client, f"{LIST}?theme=ieds&per_page=100")
    label = dict(checkboxes(ieds, "theme"))["ieds"][0]
    assert label == f"Improvised explosive devices ({N_IED_ITEMS})"
    assert len(codes(ieds)) == N_IED_ITEMS
    # Ticking a theme does not narrow the theme counts: each is still that theme's items.
    assert counted(ieds, "theme") == counted(everything, "theme")
    for theme in Theme.objects.all():
        assert counted(everything, "theme")[theme.slug] == theme.recommendations.count()


def test_the_other_facets_count_within_the_theme(client, islamabad):
    html = page(client, f"{LIST}?theme=ieds")
    kinds = counted(html, "kind")
    assert kinds == {"recommendation": 7, "commitment": 1, "observation": 2}
    sessions = counted(html, "session")
    assert sessions == {"D1S1": 1, "D1S2": 0, "D1S3": 0, "D2S1": 7, "D2S2": 2}
    for code, n in sessions.items():
        assert len(codes(page(client, f"{LIST}?theme=ieds&session={code}&per_page=100"))) == n
    # The kind facet's own choice leaves it as it was, and narrows the others.
    observations = page(client, f"{LIST}?theme=ieds&kind=observation")
    assert counted(observations, "kind") == kinds
    assert sum(counted(observations, "session").values()) == 2


def test_the_status_counts_are_items_on_the_list_and_follow_ups_on_theirs(client, site_data):
    # PAK: D1S1-01 completed, D2S1-01 planned; JPN: D1S1-01 in progress, D1S1-03
    # completed; the six others with no report yet.
    items = counted(page(client, LIST), "status")
    assert items == {
        "not_reported": 4,
        "not_started": 0,
        "planned": 1,
        "in_progress": 1,
        "completed": 2,
        "not_applicable": 0,
    }
    follow_ups = counted(page(client, FOLLOW_UPS), "status")
    assert follow_ups == {**items, "not_reported": 6}
    # Under the other filters (PAK's follow-ups), never under the statuses ticked.
    expected = {**items, "not_reported": 3, "in_progress": 0, "completed": 1}
    for query in ("?delegation=PAK", "?delegation=PAK&status=completed&status=planned"):
        assert counted(page(client, LIST + query), "status") == expected
    assert counted(page(client, FOLLOW_UPS + "?delegation=PAK&status=planned"), "status") == {
        **expected,
        "not_reported": 3,
    }


def test_on_the_follow_ups_list_the_theme_counts_are_follow_ups(client, site_data):
    html = page(client, f"{FOLLOW_UPS}?theme=ieds&delegation=JPN")
    assert counted(html, "theme") == {"ieds": 2, "medical": 2, "training": 2}
    assert counted(html, "kind") == {"recommendation": 2, "commitment": 0, "observation": 0}
    assert counted(html, "session") == {"D1S1": 2, "D2S1": 0}
    assert follow_up_rows(html) == [("D1S1-01", "JPN"), ("D1S1-02", "JPN")]


def test_a_facet_with_more_rows_than_the_cap_shows_no_count_rather_than_a_slow_one(
    client, site_data, settings
):
    settings.LIST_COUNT_CAP = 3
    # Five items: more than three to count for the themes, kinds and sessions.
    html = page(client, LIST)
    assert dict(checkboxes(html, "theme"))["ieds"] == ("Ieds", False)
    assert ("commitment", "Commitment") in options(html, "kind")
    # Two items in the second session: each facet has at most three rows to count.
    html = page(client, f"{LIST}?session=D2S1")
    assert counted(html, "theme") == {"ieds": 0, "medical": 1, "training": 1}
    assert counted(html, "kind") == {"recommendation": 0, "commitment": 1, "observation": 1}


# --- Several statuses at once -------------------------------------------------------


def test_several_statuses_mean_any_of_them_and_one_keeps_working(client, site_data):
    html = page(client, f"{LIST}?status=completed&status=planned")
    assert codes(html) == ["D1S1-01", "D1S1-03", "D2S1-01"]
    assert codes(page(client, f"{LIST}?status=planned")) == ["D2S1-01"]
    rows = follow_up_rows(page(client, f"{FOLLOW_UPS}?status=completed&status=planned"))
    assert rows == [("D1S1-01", "PAK"), ("D1S1-03", "JPN"), ("D2S1-01", "PAK")]
    # One chip per status, each removing only its own.
    assert chips(html) == ["Follow-up status: Completed", "Follow-up status: Planned"]
    assert 'href="?status=planned" class="chip-remove"' in html
    assert 'href="?status=completed" class="chip-remove"' in html


def test_the_statuses_are_checkboxes_in_a_fieldset_with_a_legend(client, site_data):
    html = page(client, f"{LIST}?status=completed&status=planned")
    group = re.search(r'<fieldset class="field field-status">(.*?)</fieldset>', html, re.S)
    assert "<legend>Follow-up status</legend>" in group.group(1)
    boxes = checkboxes(html, "status")
    assert list(boxes) == [
        "not_reported",
        "not_started",
        "planned",
        "in_progress",
        "completed",
        "not_applicable",
    ]
    assert boxes["not_reported"][0].startswith("No report yet (")
    assert [value for value, (_, checked) in boxes.items() if checked] == ["planned", "completed"]
    assert all(f'<label for="id_status_{i}">' in group.group(1) for i in range(6))


def test_no_report_yet_is_a_status_like_the_others(client, site_data):
    waiting = FollowUp.objects.filter(status="not_reported")
    expected = sorted({f.recommendation.code for f in waiting})
    assert codes(page(client, f"{LIST}?status=not_reported")) == expected
    html = page(client, f"{LIST}?status=not_reported&status=completed")
    assert chips(html) == ["Follow-up status: No report yet", "Follow-up status: Completed"]


def test_an_unknown_status_among_several_is_refused(client, site_data):
    html = page(client, f"{LIST}?status=planned&status=done", status=400)
    assert "Select a valid choice. done is not one of the available choices." in html


def test_the_export_takes_the_same_statuses(client, site_data):
    response = client.get("/recommendations/export.csv?status=completed&status=planned")
    assert response.status_code == 200
    assert "completed-planned" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["D1S1-01", "D1S1-03", "D2S1-01"]


# --- Fixed numbers of queries -------------------------------------------------------


def test_the_list_in_words_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    query = (
        f"{LIST}?q=evacuation&theme=ieds&theme=medical&status=planned&status=not_reported"
        "&delegation=pak&speaker=ada-speaker&session=d1s1&kind=recommendation&per_page=100"
    )
    for n in (0, 60):
        many_items(n, prefix=f"N{n}")
        with django_assert_num_queries(16):
            # The form cleans 1 the themes named, 2 the sessions (read once: to
            # validate, to title the chip and as the choices), 3 the speakers and 4 the
            # delegations (likewise); 5–8 the facet counts: themes, statuses, kinds and
            # sessions, one grouped query each; 9 the theme choices; 10 capped COUNT,
            # 11 the page of items, 12 their themes, 13 their status counts (grouped),
            # 14 their matching follow-ups; 15 sample_data_loaded, 16 the meeting
            # choices.
            html = page(client, query)
        assert codes(html) == ["D1S1-03"]


def test_the_follow_ups_list_in_words_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    query = f"{FOLLOW_UPS}?theme=ieds&status=planned&status=completed&delegation=PAK&per_page=100"
    for n in (0, 60):
        many_items(n, prefix=f"N{n}")
        with django_assert_num_queries(14):
            # 1 the themes named, 2 the delegations (validation and choices); 3–6 the
            # facet counts of follow-ups: themes, statuses, kinds and sessions; 7 the
            # theme choices, 8 the session choices; 9 capped COUNT, 10 the page of
            # follow-ups, 11 the open follow-ups due by a target meeting that passed;
            # 12 sample_data_loaded, 13 the meeting and 14 the speaker choices.
            html = page(client, query)
        assert ("D1S1-01", "PAK") in follow_up_rows(html)
