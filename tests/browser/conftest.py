"""Browser tests: Playwright (sync API) driving Debian's Chromium against
pytest-django's ``live_server``.

Use ``recorded_page`` for a fresh page (its own cookies) whose CSP violations,
JavaScript errors and console messages are recorded while it navigates:
``page.csp_violations``, ``page.page_errors``, ``page.console_messages``.
Data seen by the live server must be committed: use ``transactional_db``.
"""

import pytest

# Runs before any page script, through the DevTools protocol (so the page's own
# CSP does not apply to it), and reports every violation to Python.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.pathname,
  });
});
"""


@pytest.fixture(autouse=True, scope="session")
def _allow_database_access_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread, and
    Django then refuses database access there as "async unsafe". Set from the
    first browser test to the end of the session (the live server's database
    flush runs after each test's own fixtures are gone). Tests that start a
    subprocess give it an environment of its own, so it does not reach them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser(chromium):
    """The session's Chromium (tests/conftest.py)."""
    return chromium


@pytest.fixture
def recorded_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_violations = []
    page.page_errors = []
    page.console_messages = []
    page.expose_function("__reportCspViolation", lambda v: page.csp_violations.append(v))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.on("console", lambda message: page.console_messages.append((message.type, message.text)))
    yield page
    context.close()


def csp_console_messages(page) -> list[str]:
    """Console messages in which Chromium reports a blocked resource or script."""
    return [
        text
        for _, text in page.console_messages
        if "Content Security Policy" in text or "Refused to" in text
    ]
