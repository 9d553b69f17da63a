"""The delegation report in a real browser: on paper (print media) only the report is
left, the site's header, navigation, footer and forms are not; on a phone's width and
a desktop's, on screen and on paper, nothing scrolls sideways; no WCAG 2.1 A/AA
violation and no CSP violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest_pages import needs_chromium

pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]
pytestmark = [pytest.mark.browser, needs_chromium]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
REPORT = "/delegations/PAK/report/"
# What the paper leaves out: the site's header and its navigation, the language
# switcher, the footer, and the report's own controls (the form, the print hint).
OFF_PAPER = [
    ".site-header",
    ".site-nav",
    ".language-switcher",
    ".site-footer",
    ".report-form",
    ".report-print-hint",
    ".breadcrumb",
]


def test_on_paper_only_the_report_is_left(browser_page):
    page = browser_page.page
    browser_page.goto(REPORT)
    for selector in OFF_PAPER:
        assert page.locator(selector).first.is_visible(), selector
    assert page.get_by_role("link", name="Download PDF").is_visible()

    page.emulate_media(media="print")

    for selector in OFF_PAPER:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.get_by_role("heading", level=1).inner_text() == "Pakistan: follow-up report"
    tables = page.locator("table.report-table")
    assert tables.count() == 3
    assert all(tables.nth(i).is_visible() for i in range(3))
    assert page.get_by_text("D1S1-01", exact=True).first.is_visible()
    # Black on white.
    colours = page.evaluate(
        """() => [getComputedStyle(document.body).backgroundColor,
                 getComputedStyle(document.querySelector('.status')).color,
                 getComputedStyle(document.querySelector('.report-table td')).color]"""
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)", "rgb(0, 0, 0)"]
    browser_page.assert_no_errors()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("media", ["screen", "print"])
def test_nothing_scrolls_sideways_on_screen_or_paper(browser_page, tmp_path, width, media):
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(media=media)
    browser_page.goto(REPORT + "?as_of=2023-11-30")
    page.screenshot(path=str(tmp_path / f"report-{media}-{width}.png"), full_page=True)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    assert page.locator("table.report-table").first.is_visible()
    browser_page.assert_no_errors()


@pytest.mark.parametrize("query", ["", "?group=session&as_of=2023-10-31", "?as_of=2023-13-01"])
def test_the_report_has_no_wcag_21_aa_violation(browser_page, query):
    response = browser_page.page.goto(browser_page.base_url + REPORT + query)
    assert response.status == (400 if "13-01" in query else 200)
    results = Axe().run(browser_page.page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    if response.status == 200:  # the browser reports a 400 as a console error
        browser_page.assert_no_errors()
