"""A delegate's journey through the public pages, in English and in French: filter
by theme, narrow by free text, open a result, follow a theme link back, and find
the same results again from the URL alone."""

import re

import pytest

from tests.browser.conftest_pages import needs_chromium

pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]
pytestmark = [pytest.mark.browser, needs_chromium]

LABELS = {
    "en": {"apply": "Apply filters", "search": "Search", "count_27": "of 27 items"},
    "fr": {"apply": "Appliquer les filtres", "search": "Recherche", "count_27": "sur 27"},
}


def result_codes(page) -> list[str]:
    return page.locator("li.item h3 a").all_inner_texts()


def journey(bp, language: str):
    page, words = bp.page, LABELS[language]
    bp.goto("/recommendations/")
    page.get_by_role("checkbox", name="Ieds (27)", exact=True).check()
    page.get_by_role("button", name=words["apply"]).click()
    page.wait_for_url(re.compile(r"theme=ieds"))
    assert words["count_27"] in page.locator("p.result-count").inner_text()
    codes = result_codes(page)
    assert codes[:2] == ["D1S1-01", "D1S1-02"]
    assert "D1S1-03" not in codes  # a medical item

    # The theme stays ticked, so the search narrows within it.
    page.get_by_role("textbox", name=words["search"]).fill("detection")
    page.get_by_role("button", name=words["apply"]).click()
    page.wait_for_url(re.compile(r"q=detection"))
    assert "theme=ieds" in page.url
    assert result_codes(page) == ["D1S1-01"]
    narrowed_url = page.url

    page.get_by_role("link", name="D1S1-01", exact=True).click()
    page.wait_for_url(re.compile(r"/recommendations/D1S1-01/$"))
    # The item's page is headed by the recommendation, its code the label above.
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Counter IED threats with better detection equipment."
    assert page.locator(".item-label-code").inner_text() == "D1S1-01"
    assert page.locator("html").get_attribute("lang") == language

    page.locator("dl.facts").get_by_role("link", name="Ieds").click()
    page.wait_for_url(re.compile(r"/recommendations/\?theme=ieds$"))
    listed = result_codes(page)
    assert listed == codes

    page.reload()
    assert result_codes(page) == listed
    bp.goto(narrowed_url.removeprefix(bp.base_url))
    assert result_codes(page) == ["D1S1-01"]
    bp.assert_no_errors()


def test_a_delegate_filters_narrows_opens_and_comes_back(browser_page):
    journey(browser_page, "en")


def test_the_same_journey_in_french(browser_page_fr):
    journey(browser_page_fr, "fr")


def test_the_dashboard_draws_its_charts_from_static_files(browser_page):
    browser_page.goto("/")
    page = browser_page.page
    page.wait_for_function("window.Chart !== undefined")
    for chart in ("chart-totals", "chart-themes", "chart-delegations"):
        canvas = page.locator(f"#{chart}")
        assert canvas.get_attribute("aria-hidden") == "true"
        assert canvas.bounding_box()["height"] > 100
        assert page.evaluate(f"!!window.Chart.getChart('{chart}')")
    # The same numbers stay in the tables beside the charts.
    assert page.locator("#totals-table caption").is_visible()
    browser_page.assert_no_errors()


def test_the_pages_work_without_javascript(pages_chromium, live_server, pages_site):
    context = pages_chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/recommendations/")
    page.get_by_role("checkbox", name="Ieds (27)", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"theme=ieds"))
    assert "of 27 items" in page.locator("p.result-count").inner_text()
    page.goto(live_server.url + "/")
    assert page.locator("#themes-table").is_visible()
    context.close()
