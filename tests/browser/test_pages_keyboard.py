"""The filter form and the pagination can be used with the keyboard alone, and the
focus is always visible."""

import re

import pytest

from tests.browser.conftest_pages import needs_chromium

pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]
pytestmark = [pytest.mark.browser, needs_chromium]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id, tag: el.tagName, text: (el.innerText || el.value || "").trim(),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def tab_to(page, matches, limit: int = 200) -> dict:
    """Press Tab until the focused element satisfies ``matches``; check the focus
    is visible on every element passed through."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "BODY":
            assert focused["outline"] or focused["shadow"], focused
        if matches(focused):
            return focused
    raise AssertionError("never reached the element with the keyboard")


def test_the_filter_form_and_the_pages_work_with_the_keyboard(browser_page):
    browser_page.goto("/recommendations/?per_page=10")
    page = browser_page.page

    tab_to(page, lambda f: f["id"] == "id_q")
    page.keyboard.type("extra")
    tab_to(page, lambda f: f["id"] == "id_theme_0")  # the IEDs checkbox
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "SUMMARY" and f["text"] == "Display")
    page.keyboard.press("Enter")  # opens the group
    tab_to(page, lambda f: f["id"] == "id_sort")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Apply filters")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=extra"))
    assert "theme=ieds" in page.url and "per_page=10" in page.url
    assert "meeting=" not in page.url  # empty fields are left out of the URL
    assert page.locator("p.result-count").inner_text() == "Showing 1–10 of 25 items"

    tab_to(page, lambda f: f["tag"] == "A" and f["text"].startswith("Next"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("p.result-count").inner_text() == "Showing 11–20 of 25 items"
    tab_to(page, lambda f: f["tag"] == "A" and re.fullmatch(r"(Page\s*)?3", f["text"]))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=3"))
    assert page.locator("p.result-count").inner_text() == "Showing 21–25 of 25 items"
    assert page.locator('nav.pagination a[aria-current="page"]').inner_text().endswith("3")
    browser_page.assert_no_errors()


def test_an_active_filter_can_be_removed_with_the_keyboard(browser_page):
    browser_page.goto("/recommendations/?theme=ieds&kind=observation")
    page = browser_page.page
    assert page.locator("li.item").count() == 0
    tab_to(page, lambda f: f["tag"] == "A" and f["text"].startswith("Remove filter Kind"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?theme=ieds$"))
    assert page.locator("li.item").count() == 20
    browser_page.assert_no_errors()
