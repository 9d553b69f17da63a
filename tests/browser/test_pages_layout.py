"""Readable on any screen: no public page scrolls sideways on a 390px phone, in English
or in French; a table too wide for its box scrolls inside a named, focusable region;
on a 1280px screen no table is cut off; on a phone the filter form folds away so that
the first result is on the first screen, and it unfolds without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from recommendations import services
from recommendations.models import Person, Session
from tests.browser.conftest_pages import needs_chromium

pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]
pytestmark = [pytest.mark.browser, needs_chromium]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = [
    "/",
    "/recommendations/",
    "/recommendations/D1S1-01/",
    "/recommendations/D2S1-09/",
    "/follow-ups/",
    "/delegations/PAK/",
    "/themes/",
    "/source/",
    "/matrix/",
    "/delegations/PAK/report/",
]

# Every table, its box (the element it scrolls in) and whether that box is a named,
# focusable scroll region.
TABLES = """() => [...document.querySelectorAll("table")].map((table) => {
  const box = table.parentElement;
  return {
    id: table.id,
    width: table.scrollWidth,
    box: box.clientWidth,
    scrolls: getComputedStyle(box).overflowX === "auto",
    region: box.getAttribute("role") === "region" && box.tabIndex === 0
      && !!(box.getAttribute("aria-label") || box.getAttribute("aria-labelledby")),
    right: Math.max(
      ...[...table.querySelectorAll("th")].map((th) => th.getBoundingClientRect().right)
    ),
  };
})"""


@pytest.fixture
def layout_site(pages_site, make_recommendation, pak, jpn):
    """The page test data plus an item as long as the longest of the Islamabad meeting,
    voiced by a speaker with a long rank and affiliation."""
    speaker = Person.objects.create(
        name="Silver Kayemba",
        slug="silver-kayemba",
        honorific="Major General",
        affiliation="Permanent Mission of Uganda to the United Nations",
    )
    item = make_recommendation(
        code="D2S1-09",
        text=(
            "The session set out to improve understanding of the requirements of the "
            "pledging system across peacekeeping domains, of how the 2023 Ministerial "
            "pledging process operates and of what steps are needed to strengthen UN "
            "peacekeeping, in preparation for the Ministerial meeting in Ghana."
        ),
        session=Session.objects.get(code="D2S1"),
        speaker=speaker,
    )
    for delegation in (pak, jpn):
        services.follow_up_create(recommendation=item, delegation=delegation)
    return pages_site


def open_page(chromium, live_server, *, viewport, locale="en-GB", cookie=None, scripts=True):
    context = chromium.new_context(
        viewport=viewport,
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
        java_script_enabled=scripts,
    )
    if cookie:
        context.add_cookies([{"name": "django_language", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def visit(page, live_server, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    "locale, cookie",
    [("en-GB", None), ("fr-FR", None), ("en-GB", "fr")],
    ids=["english", "french-by-browser", "french-by-cookie"],
)
def test_no_page_scrolls_sideways_on_a_phone(
    pages_chromium, live_server, layout_site, locale, cookie
):
    context, page = open_page(
        pages_chromium, live_server, viewport=PHONE, locale=locale, cookie=cookie
    )
    for path in PAGES:
        visit(page, live_server, path)
        language = page.evaluate("document.documentElement.lang")
        assert language == ("fr" if "fr" in (locale + (cookie or "")) else "en"), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        # A table wider than its box scrolls in a region keyboard users can reach.
        for table in page.evaluate(TABLES):
            if table["width"] > table["box"]:
                assert table["scrolls"] and table["region"], (path, table)
    context.close()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_no_table_is_cut_off_on_a_wide_screen(pages_chromium, live_server, layout_site, locale):
    context, page = open_page(pages_chromium, live_server, viewport=DESKTOP, locale=locale)
    seen = set()
    for path in PAGES:
        visit(page, live_server, path)
        for table in page.evaluate(TABLES):
            seen.add(table["id"])
            assert table["width"] <= table["box"], (path, table)
            assert table["right"] <= DESKTOP["width"], (path, table)
    # The dashboard's and the themes page's per-status tables among them.
    assert {"sessions-table", "themes-table", "delegations-table", "follow-ups"} <= seen
    context.close()


def test_every_wide_table_box_is_a_named_focusable_region(pages_chromium, live_server, layout_site):
    context, page = open_page(pages_chromium, live_server, viewport=PHONE)
    for path in ("/", "/themes/", "/follow-ups/", "/delegations/PAK/"):
        visit(page, live_server, path)
        for table in page.evaluate(TABLES):
            assert table["scrolls"] and table["region"], (path, table)
    context.close()


@pytest.mark.parametrize("path", ["/recommendations/", "/follow-ups/", "/delegations/PAK/"])
def test_on_a_phone_the_filters_fold_and_the_first_result_is_on_the_first_screen(
    pages_chromium, live_server, layout_site, path
):
    context, page = open_page(pages_chromium, live_server, viewport=PHONE)
    visit(page, live_server, path)
    fold = page.locator("details.filters-fold")
    assert fold.evaluate("(el) => el.open") is False
    assert page.locator("details.filters-fold > summary").inner_text() == "Filters"
    assert not page.locator("#id_q").is_visible()
    # The first item (its header row in a follow-up table) shows on the first screen.
    first = page.locator(".item-list > li, table tbody tr").first
    assert first.bounding_box()["y"] < PHONE["height"] - 40, path
    # Folded, the summary says how many filters are active.
    visit(page, live_server, path + "?theme=ieds&theme=medical&q=IED")
    assert page.locator("details.filters-fold > summary").inner_text() == "Filters (3 active)"
    assert fold.evaluate("(el) => el.open") is False
    context.close()


def test_the_filters_unfold_with_the_keyboard_and_without_javascript(
    pages_chromium, live_server, layout_site
):
    context, page = open_page(pages_chromium, live_server, viewport=PHONE, scripts=False)
    visit(page, live_server, "/follow-ups/")
    assert page.locator("details.filters-fold > summary").inner_text() == "Filters"
    page.locator("details.filters-fold > summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#id_q").is_visible()
    page.fill("#id_q", "Counter")
    page.locator("button", has_text="Apply filters").click()
    page.wait_for_url("**q=Counter**")
    assert page.locator("details.filters-fold > summary").inner_text() == "Filters (1 active)"
    assert page.locator("table tbody tr.item-header").count() == 1
    context.close()


def test_on_a_wide_screen_the_filters_are_always_shown(pages_chromium, live_server, layout_site):
    context, page = open_page(pages_chromium, live_server, viewport=DESKTOP, scripts=False)
    visit(page, live_server, "/follow-ups/")
    assert page.locator("#id_q").is_visible()
    assert not page.locator("details.filters-fold > summary").is_visible()
    context.close()


def test_errors_in_the_filters_unfold_them_on_a_phone(pages_chromium, live_server, layout_site):
    context, page = open_page(pages_chromium, live_server, viewport=PHONE)
    response = page.goto(live_server.url + "/follow-ups/?status=done")
    assert response.status == 400
    assert page.locator("#id_status").first.is_visible()
    context.close()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_pages_have_no_wcag_violation_on_a_phone(
    pages_chromium, live_server, layout_site, locale
):
    context, page = open_page(pages_chromium, live_server, viewport=PHONE, locale=locale)
    for path in PAGES:
        visit(page, live_server, path)
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, (path, results.generate_report())
    context.close()
