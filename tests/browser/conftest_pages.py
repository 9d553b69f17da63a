"""Browser fixtures for the public-page tests: Debian's Chromium driven by Playwright
(never a downloaded browser), a page that records console errors and CSP violations,
and the small meeting of ``tests.pages.fixtures`` served by ``live_server``.

Used as a plugin: ``pytest_plugins = ["tests.pages.fixtures", "tests.browser.conftest_pages"]``.
"""

from pathlib import Path

import pytest

needs_chromium = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"
)

# Reported to the console by the page itself, so that the test sees CSP violations.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="session")
def pages_chromium(chromium):
    return chromium


class BrowserPage:
    """A Playwright page plus what went wrong in it (console errors, page errors)."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.add_init_script(REPORT_CSP)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path
        return response

    def assert_no_errors(self):
        assert self.errors == [], self.errors


def _new_page(chromium, live_server, locale: str):
    context = chromium.new_context(locale=locale, extra_http_headers={"Accept-Language": locale})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, BrowserPage(page, live_server.url)


@pytest.fixture
def pages_site(site_data, many_items):
    """The small meeting plus 25 more items on the IEDs theme (for paging)."""
    many_items(25)
    return site_data


@pytest.fixture
def browser_page(pages_chromium, live_server, pages_site):
    context, page = _new_page(pages_chromium, live_server, "en-GB")
    yield page
    context.close()


@pytest.fixture
def browser_page_fr(pages_chromium, live_server, pages_site):
    context, page = _new_page(pages_chromium, live_server, "fr-FR")
    yield page
    context.close()
