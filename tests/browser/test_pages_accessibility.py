"""An axe-core scan of the public pages finds no WCAG 2.1 A/AA violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest_pages import needs_chromium

pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]
pytestmark = [pytest.mark.browser, needs_chromium]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.mark.parametrize(
    "path",
    [
        "/recommendations/",
        "/recommendations/?theme=ieds&delegation=PAK&changed_since=2023-09-01",
        "/recommendations/?status=done&q=%00",
        "/recommendations/?q=improvised&speaker=ada-speaker&status=completed&status=planned",
        "/recommendations/D1S1-01/",
        "/recommendations/D1S1-01/?as_of=2023-10-31",
        "/themes/",
        "/",
        "/follow-ups/?per_page=10",
        "/delegations/PAK/",
        "/matrix/",
        "/matrix/?theme=ieds&status=completed",
        "/follow-ups/?theme=ieds&status=not_started",
        "/source/",
    ],
)
def test_the_page_has_no_wcag_21_aa_violation(browser_page, path):
    response = browser_page.page.goto(browser_page.base_url + path)
    assert response.status in (200, 400)
    browser_page.page.wait_for_load_state("networkidle")
    results = Axe().run(browser_page.page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    if response.status == 200:
        browser_page.assert_no_errors()


def test_the_french_pages_have_no_violation_either(browser_page_fr):
    for path in (
        "/recommendations/?theme=ieds",
        "/recommendations/D1S1-01/",
        "/",
        "/follow-ups/",
        "/source/",
    ):
        browser_page_fr.goto(path)
        browser_page_fr.page.wait_for_load_state("networkidle")
        results = Axe().run(browser_page_fr.page, options=WCAG_21_AA)
        assert results.violations_count == 0, results.generate_report()
    browser_page_fr.assert_no_errors()


@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_the_arabic_and_chinese_pages_have_no_violation(browser_page, language):
    for path in (
        "/recommendations/?theme=ieds",
        "/recommendations/D1S1-01/",
        "/",
        "/matrix/",
        "/delegations/PAK/",
    ):
        browser_page.goto(f"/{language}{path}")
        browser_page.page.wait_for_load_state("networkidle")
        direction = browser_page.page.evaluate("document.documentElement.dir")
        assert direction == ("rtl" if language == "ar" else "ltr"), path
        results = Axe().run(browser_page.page, options=WCAG_21_AA)
        assert results.violations_count == 0, (path, results.generate_report())
    browser_page.assert_no_errors()
