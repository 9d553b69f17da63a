"""A delegate filters the real Islamabad data by names alone, in Chromium: the speaker
and the delegation by the labels of their selects, statuses by their checkboxes, and
the results, the active filters and the URL follow."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from recommendations import services
from recommendations.models import Delegation, FollowUp, Status
from tests.browser.conftest_pages import BrowserPage, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

# fixtures/islamabad-2023.json: Major General Silver Kayemba's two recommendations.
KAYEMBA_ITEMS = ["D2S1-10", "D2S1-11"]


@pytest.fixture
def islamabad():
    """The real meeting; Pakistan has completed one of Silver Kayemba's two items."""
    call_command("load_demo", "--no-sample", "--no-admin", stdout=io.StringIO())
    pak = Delegation.objects.get(code="PAK")
    # On the roster, Pakistan follows every item already.
    for code in KAYEMBA_ITEMS:
        follow_up = FollowUp.objects.get(recommendation__code=code, delegation=pak)
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 10, 2), status=Status.COMPLETED
    )


@pytest.fixture
def browser_page(chromium, live_server, islamabad):
    context = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield BrowserPage(page, live_server.url)
    context.close()


def result_codes(page) -> list[str]:
    return page.locator("li.item h3 a").all_inner_texts()


def test_a_delegate_picks_a_speaker_a_delegation_and_statuses_by_their_names(browser_page):
    bp = browser_page
    page = bp.page
    bp.goto("/recommendations/")
    page.get_by_text("Where it was said", exact=True).click()  # opens the group
    page.get_by_label("Speaker", exact=True).select_option(label="Silver Kayemba")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"speaker=silver-kayemba"))
    assert result_codes(page) == KAYEMBA_ITEMS
    assert "Speaker: Silver Kayemba" in page.locator("section.active-filters").inner_text()
    assert "session=" not in page.url  # empty choices are left out of the URL

    page.get_by_text("Follow-up", exact=True).click()
    page.get_by_label("Delegation", exact=True).select_option(label="Pakistan")
    statuses = page.get_by_role("group", name="Follow-up status")
    statuses.get_by_role("checkbox", name=re.compile(r"^Completed \(\d+\)$")).check()
    statuses.get_by_role("checkbox", name=re.compile(r"^Planned \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=planned"))
    assert "delegation=PAK" in page.url and "status=completed" in page.url
    assert result_codes(page) == [KAYEMBA_ITEMS[1]]
    chips = page.locator("section.active-filters").inner_text()
    assert "Delegation: Pakistan" in chips and "Follow-up status: Completed" in chips

    # The choices stay chosen: the form sends the same query again.
    assert page.get_by_label("Speaker", exact=True).input_value() == "silver-kayemba"
    page.get_by_role("link", name="Remove filter Follow-up status: Planned").click()
    page.wait_for_url(re.compile(r"status=completed"))
    assert "status=planned" not in page.url
    assert result_codes(page) == [KAYEMBA_ITEMS[1]]
    bp.assert_no_errors()


def test_without_javascript_the_plain_form_filters_by_name_too(chromium, live_server, islamabad):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/recommendations/")
    page.get_by_text("Where it was said", exact=True).click()
    page.get_by_label("Speaker", exact=True).select_option(label="Silver Kayemba")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"speaker=silver-kayemba"))
    assert result_codes(page) == KAYEMBA_ITEMS
    context.close()


# fixtures/islamabad-2023.json: of the ten items on improvised explosive devices,
# Pakistan reports on four below (and has completed D2S1-11 above): the answer is the
# one it reports as not started and the five it has not reported on.
PAKISTAN_IED_REPORTS = {
    "D1S1-12": Status.COMPLETED,
    "D2S1-05": Status.NOT_STARTED,
    "D2S1-08": Status.IN_PROGRESS,
    "D2S1-10": Status.PLANNED,
}
# The six delegations the summary names, in the order of their names.
ROSTER = ["Ghana", "Japan", "Pakistan", "Uganda", "United Nations Secretariat", "United States"]
PAKISTAN_IED_NOT_STARTED = ["D2S1-05", "D2S1-06", "D2S1-07", "D2S1-09", "D2S2-03", "D2S2-07"]


def test_the_ied_items_pakistan_has_not_started_by_their_names(browser_page):
    for code, status in PAKISTAN_IED_REPORTS.items():
        follow_up = FollowUp.objects.get(recommendation__code=code, delegation__code="PAK")
        services.progress_update_create(
            follow_up=follow_up, date=datetime.date(2023, 11, 6), status=status
        )
    bp = browser_page
    page = bp.page
    bp.goto("/recommendations/")
    themes = page.get_by_role("group", name="Theme", exact=True)
    ieds = re.compile(r"^Improvised explosive devices \(\d+\)$")
    themes.get_by_role("checkbox", name=ieds).check()
    page.get_by_text("Follow-up", exact=True).click()
    page.get_by_label("Delegation", exact=True).select_option(label="Pakistan")
    statuses = page.get_by_role("group", name="Follow-up status")
    statuses.get_by_role("checkbox", name=re.compile(r"^Not started \(\d+\)$")).check()
    statuses.get_by_role("checkbox", name=re.compile(r"^No report yet \(\d+\)$")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=not_reported"))
    assert sorted(result_codes(page)) == PAKISTAN_IED_NOT_STARTED
    chips = page.locator("section.active-filters").inner_text()
    assert "Delegation: Pakistan" in chips and "No report yet" in chips
    bp.assert_no_errors()


def test_the_page_of_an_item_nobody_reported_on_lists_every_roster_delegation(browser_page):
    bp = browser_page
    page = bp.page
    bp.goto("/recommendations/D2S1-10/")
    follow_ups = page.get_by_role("region", name="Follow-up by delegation")
    for name in ROSTER:
        follow_up = follow_ups.get_by_role("article", name=re.compile(f"^{name} "))
        assert follow_up.count() == 1, name
    uganda = follow_ups.get_by_role("article", name=re.compile("^Uganda "))
    assert "No report yet" in uganda.inner_text()
    bp.assert_no_errors()


def test_the_matrix_shows_every_item_against_every_roster_delegation_in_words(browser_page):
    bp = browser_page
    page = bp.page
    bp.goto("/matrix/?per_page=100")
    matrix = page.get_by_role("table", name=re.compile("Status of each item"))
    headers = matrix.locator("thead th").all_inner_texts()
    assert headers[1:] == ROSTER
    rows = matrix.locator("tbody tr")
    # The fifty items of fixtures/islamabad-2023.json (the summary's 49 and the
    # second part of D1S1-13, which the data holds as an item of its own).
    assert rows.count() == 50
    words = {"No report yet", "Not started", "Planned", "In progress", "Completed"}
    cells = matrix.locator("tbody td").all_inner_texts()
    assert len(cells) == 50 * 6
    assert set(cells) <= words, set(cells) - words
    assert cells.count("Completed") >= 1  # Pakistan's D2S1-11
    bp.assert_no_errors()
