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
