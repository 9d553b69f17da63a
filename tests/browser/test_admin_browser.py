"""The admin in a real browser under the site's Content-Security-Policy: the daily
pages run without a policy violation, and a bulk status change works end to end."""

import datetime
import shutil

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import FollowUp, Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("/usr/bin/chromium"), reason="Chromium is not installed"),
]


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def open_admin(browser, live_server, client):
    """A page signed in as ``user``, collecting the browser's console errors."""

    def open_as(user):
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    return open_as


def _policy_violations(page):
    return [error for error in page.console_errors if "Content Security Policy" in error]


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_daily_admin_pages_without_a_policy_violation(
    open_admin, follow_up, secretariat_user, make_focal_point, pak
):
    update = services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date.today(),
        status=Status.PLANNED,
        author=secretariat_user,
    )
    urls = [
        reverse("admin:recommendations_recommendation_changelist"),
        reverse("admin:recommendations_recommendation_change", args=[follow_up.recommendation_id]),
        reverse("admin:recommendations_followup_changelist") + "?delegation=PAK",
        reverse("admin:recommendations_followup_change", args=[follow_up.pk]),
        reverse("admin:recommendations_followup_history", args=[follow_up.pk]),
        reverse("admin:recommendations_progressupdate_changelist"),
        reverse("admin:recommendations_progressupdate_change", args=[update.pk]),
    ]

    focal_urls = [
        reverse("admin:recommendations_followup_change", args=[follow_up.pk]),
        reverse("admin:recommendations_progressupdate_changelist"),
        reverse("admin:recommendations_recommendation_changelist"),
    ]

    for user, visits in ((secretariat_user, urls), (make_focal_point(pak), focal_urls)):
        page = open_admin(user)
        for url in visits:
            response = page.goto(url)
            assert response.status == 200, url
            assert page.url.endswith(url), f"{url} led to {page.url}"
        assert _policy_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_it_sets_the_status_of_selected_follow_ups_in_the_browser(
    open_admin, follow_up, secretariat_user
):
    browser_page = open_admin(secretariat_user)
    browser_page.goto(reverse("admin:recommendations_followup_changelist"))
    browser_page.check(f"input[name=_selected_action][value='{follow_up.pk}']")
    browser_page.select_option("select[name=action]", "set_status")
    browser_page.click("button[name=index]")
    browser_page.select_option("select[name=status]", Status.IN_PROGRESS)
    browser_page.fill("textarea[name=note]", "Agreed at the weekly review.")
    browser_page.click("input[name=apply]")
    browser_page.wait_for_selector("ul.messagelist")

    assert "1 follow-up set to “In progress”." in browser_page.inner_text("ul.messagelist")
    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    assert follow_up.status == Status.IN_PROGRESS
    assert follow_up.updates.get().author == secretariat_user
    assert _policy_violations(browser_page) == []
