"""The Content-Security-Policy in a real browser: the public pages and the admin
run without a single violation, and the admin's scripts really work under it."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.browser.conftest import csp_console_messages
from tests.system.test_fuzz import (  # public_data is a fixture shared with the fuzz tests
    SAMPLE_CODE,
    SAMPLE_DELEGATION,
    public_data,  # noqa: F401
    public_url_params,
)

pytestmark = pytest.mark.browser

ROOT_PASSWORD = "pw-root-Accra-2023"


def assert_no_csp_problem(page):
    assert page.csp_violations == []
    assert csp_console_messages(page) == []
    assert page.page_errors == []


def sign_in(page, username, password):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.fixture
def superuser(transactional_db):
    return User.objects.create_superuser("root", "root@example.org", ROOT_PASSWORD)


def test_the_violation_detector_sees_a_blocked_inline_script(transactional_db, recorded_page):
    # Without this, "no violation" below could mean "not listening".
    recorded_page.goto("/")
    recorded_page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.appendChild(script);
        }"""
    )
    recorded_page.wait_for_timeout(200)
    assert recorded_page.evaluate("window.inlineRan") is None
    assert [v["directive"] for v in recorded_page.csp_violations] == ["script-src-elem"]
    assert len(csp_console_messages(recorded_page)) == 1


@pytest.mark.usefixtures("transactional_db", "public_data")
@pytest.mark.parametrize("url", public_url_params(exports=False))
def test_a_public_page_runs_without_a_csp_violation(recorded_page, url):
    response = recorded_page.goto(url.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION))
    assert response.status == 200
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    recorded_page.wait_for_load_state("networkidle")
    assert_no_csp_problem(recorded_page)


def test_the_admin_scripts_work_under_the_policy(recorded_page, superuser):
    page = recorded_page
    sign_in(page, "root", ROOT_PASSWORD)
    page.wait_for_url("**/admin/")
    assert page.locator("#content-main").count() == 1

    # SelectFilter2.js turns the permissions list into a two-box chooser.
    page.goto("/admin/auth/group/add/")
    page.wait_for_selector("#id_permissions_from")
    page.fill("#id_permissions_input", "progress update")
    page.locator("#id_permissions_from option").first.dblclick()
    assert page.locator("#id_permissions_to option").count() == 1
    page.fill("#id_name", "Readers")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/auth/group/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    # actions.js: the header checkbox selects every row.
    page.goto("/admin/auth/group/")
    page.click("#action-toggle")
    checkboxes = page.locator("input.action-select")
    assert checkboxes.count() >= 1
    assert all(checkboxes.nth(i).is_checked() for i in range(checkboxes.count()))

    # The user form: password widgets and the groups chooser.
    page.goto(f"/admin/auth/user/{superuser.pk}/change/")
    page.wait_for_selector("#id_groups_from")
    page.wait_for_load_state("networkidle")
    assert_no_csp_problem(page)


def _admin_page_params():
    params = []
    for name, url_name, needs_object in [
        ("follow-up changelist", "admin:recommendations_followup_changelist", False),
        ("follow-up change form", "admin:recommendations_followup_change", True),
        ("progress update add form", "admin:recommendations_progressupdate_add", False),
    ]:
        # No skip when a URL stops resolving: reverse() in the test then fails it.
        params.append(pytest.param(url_name, needs_object, id=name))
    return params


@pytest.mark.parametrize(("url_name", "needs_object"), _admin_page_params())
def test_a_follow_up_admin_page_runs_without_a_csp_violation(
    transactional_db, recorded_page, follow_up, secretariat_user, url_name, needs_object
):
    page = recorded_page
    sign_in(page, "sec", "pw-sec-12345")
    response = page.goto(reverse(url_name, args=[follow_up.pk] if needs_object else []))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    if page.locator("#action-toggle").count():
        page.click("#action-toggle")
        assert page.locator("input.action-select").first.is_checked()
    if page.locator("input.vDateField").count():
        # DateTimeShortcuts.js adds "Today" and the calendar next to date fields.
        page.wait_for_selector(".datetimeshortcuts")
    assert_no_csp_problem(page)
