"""Shared fixtures: small objects built in code (fixtures/ holds the real seed data)."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import translation

from recommendations import services
from recommendations.models import (
    Delegation,
    Meeting,
    Person,
    Recommendation,
    Session,
    Theme,
)
from recommendations.roles import FOCAL_POINTS, SECRETARIAT


@pytest.fixture
def meeting(db):
    return Meeting.objects.create(
        title="Test preparatory meeting",
        slug="test-2023",
        city="Testville",
        country="PK",
        start_date=datetime.date(2023, 8, 30),
        end_date=datetime.date(2023, 8, 31),
        target_name="Accra Ministerial",
        target_date=datetime.date(2023, 12, 5),
    )


@pytest.fixture
def session(meeting):
    return Session.objects.create(meeting=meeting, day=1, order=1, code="D1S1", title="Safety")


@pytest.fixture
def themes(db):
    return {
        slug: Theme.objects.create(slug=slug, name=slug.title(), order=i)
        for i, slug in enumerate(["ieds", "medical", "training"])
    }


@pytest.fixture
def speaker(db):
    return Person.objects.create(name="Ada Speaker", slug="ada-speaker", affiliation="UN")


@pytest.fixture
def make_recommendation(meeting, session, themes):
    counter = {"n": 0}

    def make(code=None, text="Improve casualty evacuation.", theme_slugs=("medical",), **kw):
        counter["n"] += 1
        item = Recommendation.objects.create(
            meeting=meeting,
            session=kw.pop("session", session),
            code=code or f"D1S1-{counter['n']:02d}",
            text=text,
            source_excerpt=kw.pop("source_excerpt", text),
            order=counter["n"],
            **kw,
        )
        item.themes.set([themes[s] for s in theme_slugs])
        return item

    return make


@pytest.fixture
def recommendation(make_recommendation, speaker):
    return make_recommendation(code="D1S1-01", speaker=speaker)


@pytest.fixture
def pak(db):
    return Delegation.objects.create(code="PAK", name="Pakistan", country="PK")


@pytest.fixture
def jpn(db):
    return Delegation.objects.create(code="JPN", name="Japan", country="JP")


@pytest.fixture
def follow_up(recommendation, pak):
    return services.follow_up_create(recommendation=recommendation, delegation=pak)


@pytest.fixture
def secretariat_user(db):
    user = User.objects.create_user("sec", "sec@example.org", "pw-sec-12345", is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT))
    return user


@pytest.fixture
def make_focal_point(db):
    from recommendations.models import FocalPoint

    def make(delegation, username=None):
        username = username or f"focal-{delegation.code.lower()}"
        user = User.objects.create_user(
            username, f"{username}@example.org", "pw-focal-12345", is_staff=True
        )
        user.groups.add(Group.objects.get(name=FOCAL_POINTS))
        FocalPoint.objects.create(user=user, delegation=delegation)
        return user

    return make


# The world of users the tests share: Secretariat staff (``secretariat_user``), a focal
# point of Pakistan, one of Japan, and an anonymous visitor.


@pytest.fixture
def pak_focal(make_focal_point, pak):
    return make_focal_point(pak)


@pytest.fixture
def jpn_focal(make_focal_point, jpn):
    return make_focal_point(jpn)


@pytest.fixture
def anonymous():
    """A visitor who has not signed in."""
    return Client()


@pytest.fixture(autouse=True)
def in_english():
    """Each test starts in English, the language of the data: a page of another language
    requested by an earlier test leaves that language active in the thread, and a name
    set then (``Meeting(title=…)``) would go to that language's column."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers are deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright, one per test process (never a downloaded
    browser). Skips the test when Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls that
    # build test data would otherwise look "async" to Django although they are not.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The slow system tests: a real browser, a PostgreSQL restart, servers started as
# subprocesses, large seeds and property-based fuzzing. ``make test-fast`` skips them;
# ``make test`` runs everything.
SLOW = {"browser", "system", "data/test_seed_synthetic.py"}


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        relative = Path(item.path).relative_to(root).as_posix()
        if any(relative == slow or relative.startswith(slow + "/") for slow in SLOW):
            item.add_marker(pytest.mark.slow)
