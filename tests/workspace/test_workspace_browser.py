"""The focal point's task in Chromium, on the real Islamabad data (every item of it): sign in at
/accounts/login/, land on /workspace/, find the items with no report first, report on
one with the keyboard alone, and see Pakistan's status on its public page; and axe
finds no WCAG 2.1 A/AA violation on the workspace and account pages, in English and
in French."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from recommendations import services
from recommendations.models import Delegation, FollowUp, ProgressUpdate, Recommendation, Status

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "pw-focal-12345"  # tests/conftest.py make_focal_point


@pytest.fixture
def islamabad(make_focal_point, secretariat_user):
    """The real meeting (50 items), a PAK focal point without staff status who has
    reported on two items, and one update waiting for verification."""
    call_command("load_demo", "--no-sample", "--no-admin", verbosity=0)
    pak = Delegation.objects.get(code="PAK")
    focal = make_focal_point(pak, username="amina")
    focal.is_staff = False
    focal.first_name, focal.last_name = "Amina", "Khan"
    focal.save()
    today = timezone.localdate()
    for code, status, author in (
        ("D1S1-01", Status.IN_PROGRESS, focal),
        ("D1S1-02", Status.COMPLETED, secretariat_user),
    ):
        # On the roster, Pakistan follows every item already.
        follow_up = FollowUp.objects.get(recommendation__code=code, delegation=pak)
        services.follow_up_update(
            follow_up=follow_up,
            target_date=today + datetime.timedelta(days=200),
            version=follow_up.version,
        )
        services.progress_update_create(
            follow_up=follow_up,
            date=today,
            status=status,
            note=f"Pakistan on {code}.",
            author=author,
        )
    return focal


def new_page(chromium, live_server, locale="en-GB", width=1280):
    context = chromium.new_context(
        base_url=live_server.url,
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return context, page


@pytest.fixture
def browser_page(chromium, live_server, islamabad):
    context, page = new_page(chromium, live_server)
    yield page
    context.close()


def focused(page) -> str:
    """What has the keyboard focus: its id, or its text (hidden words included, as a
    screen reader hears them)."""
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.id || (e.textContent || e.value || '').replace(/\\s+/g, ' ').trim(); })()"
    )


def tab_to(page, wanted, limit=80) -> None:
    """Press Tab until the focused element is ``wanted`` (an id, or a text's start)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == wanted or focused(page).startswith(wanted):
            return
    pytest.fail(f"{wanted!r} is not reachable with Tab (last: {focused(page)!r})")


def sign_in_with_the_keyboard(page, username="amina", password=PASSWORD):
    page.goto("/accounts/login/")
    assert focused(page) == "id_username"  # the form takes the focus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/workspace/$"))


def test_the_focal_point_reports_on_an_item_with_the_keyboard_alone(browser_page):
    page = browser_page
    loads = []
    page.on("load", lambda: loads.append(page.url))

    sign_in_with_the_keyboard(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Workspace: Pakistan"
    n_items = Recommendation.objects.real().count()  # the whole meeting (49 in 2023)
    assert page.locator("ol.ws-items > li").count() == n_items
    headings = page.locator(".need-group > h3").all_inner_texts()
    assert headings[0] == f"No report yet ({n_items - 2})"
    assert [h.split(" (")[0] for h in headings] == [
        "No report yet",
        "In progress",
        "Done or not applicable",
    ]
    first = page.locator("#need-no_report ~ ol > li").first
    code = first.get_attribute("id").removeprefix("item-")
    unreported = Recommendation.objects.exclude(code__in=["D1S1-01", "D1S1-02"])
    assert code == unreported.order_by("sort_key").first().code  # in reading order

    # From the top of the page to the first item's Report button with Tab alone.
    tab_to(page, f"Report {code}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/workspace/PAK/items/{code}/$"))
    tab_to(page, "id_status_0")  # "Not started" is chosen; the arrows choose another
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_status_1").is_checked()  # Planned
    page.keyboard.press("Tab")
    assert focused(page) == "id_date"  # today already; Tab walks through its parts
    tab_to(page, "id_note")
    page.keyboard.type("Officer rotations planned for 2024.")
    page.keyboard.press("Tab")
    assert focused(page) == "id_evidence_url"
    page.keyboard.type("https://example.org/rotations")
    tab_to(page, "Save the report")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/workspace/#item-{code}$"))
    assert "self-reported until the Secretariat verifies it" in page.locator("main").inner_text()
    assert page.locator("#need-no_report").inner_text() == f"No report yet ({n_items - 3})"

    page.locator(f"#item-{code}").get_by_role("link", name=f"Public page of {code}").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/recommendations/{code}/$"))
    pakistan = page.locator("#follow-up-PAK")
    assert pakistan.locator(".status").first.inner_text() == "Planned"
    assert "Officer rotations planned for 2024." in pakistan.inner_text()
    assert "Self-reported" in pakistan.inner_text()
    # Sign-in page, workspace, report form, workspace again, public page.
    assert len(loads) <= 5, loads
    assert page.errors == []
    follow_up = FollowUp.objects.get(recommendation__code=code, delegation__code="PAK")
    assert follow_up.status == Status.PLANNED


def test_staff_verify_from_the_queue_and_the_public_page_shows_it(chromium, live_server, islamabad):
    context, page = new_page(chromium, live_server)
    sign_in_with_the_keyboard(page, "sec", "pw-sec-12345")
    page.goto("/workspace/verify/")
    assert page.locator("ol.ws-updates > li").count() == 1
    page.get_by_role("button", name="Verify Pakistan’s update on D1S1-01").click()
    page.wait_for_url(re.compile(r"/workspace/verify/$"))
    assert "Nothing is waiting for verification." in page.locator("main").inner_text()
    page.goto("/recommendations/D1S1-01/")
    assert page.locator("#follow-up-PAK .verified").count() == 1
    context.close()


def test_nothing_scrolls_sideways_at_390_pixels(chromium, live_server, islamabad):
    context, page = new_page(chromium, live_server, width=390)
    sign_in_with_the_keyboard(page)
    for path in ("/workspace/", "/workspace/PAK/items/D1S1-01/", "/workspace/PAK/history/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


def axe_violations(page, path) -> str:
    response = page.goto(path)
    assert response.status in (200, 400), path
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=WCAG_21_AA)
    return "" if results.violations_count == 0 else path + "\n" + results.generate_report()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_axe_finds_no_wcag_21_aa_violation(chromium, live_server, islamabad, locale):
    context, page = new_page(chromium, live_server, locale=locale)
    reports = [axe_violations(page, p) for p in ("/accounts/login/", "/accounts/password/reset/")]
    sign_in_with_the_keyboard(page)
    expected = {"en-GB": "Workspace: Pakistan", "fr-FR": "Espace de travail : Pakistan"}
    assert page.get_by_role("heading", level=1).inner_text() == expected[locale]
    own, verified = (
        ProgressUpdate.objects.get(follow_up__recommendation__code=code)
        for code in ("D1S1-01", "D1S1-02")
    )
    # A form with errors: a future date and a bad link.
    page.goto("/workspace/PAK/items/D1S1-03/")
    page.fill("#id_date", "2999-01-01")
    page.fill("#id_evidence_url", "not a link")
    page.locator("form.ws-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary a").count() == 2
    results = Axe().run(page, options=WCAG_21_AA)
    if results.violations_count:
        reports.append("report form with errors\n" + results.generate_report())
    for path in (
        "/workspace/",
        "/workspace/?status=planned&theme=gender",
        "/workspace/PAK/items/D1S1-01/",
        "/workspace/PAK/history/",
        f"/workspace/PAK/updates/{own.pk}/",  # self-reported: the correction form
        f"/workspace/PAK/updates/{verified.pk}/",  # verified: the reason, no form
        "/accounts/password/change/",
    ):
        reports.append(axe_violations(page, path))
    context.close()
    context, page = new_page(chromium, live_server, locale=locale)
    sign_in_with_the_keyboard(page, "sec", "pw-sec-12345")
    for path in ("/workspace/", "/workspace/verify/", "/workspace/JPN/"):
        reports.append(axe_violations(page, path))
    context.close()
    assert [r for r in reports if r] == []
