"""The workspace tests' world: the users of ``tests/conftest.py`` (Secretariat staff, a
PAK focal point, a JPN focal point, an anonymous visitor) and one meeting whose items
each need something different from Pakistan:

- ``D1S1-01``: PAK reported "in progress" (self-reported), target date passed: overdue;
- ``D1S1-02``: a PAK follow-up without any update: no report yet;
- ``D1S1-03``: no PAK follow-up at all (JPN reported on it): no report yet;
- ``D1S1-04``: PAK completed it (entered by staff, so verified): closed;
- ``D1S1-05``: PAK planned it, target date in ten days: due within 30 days;
- ``D1S1-06``: PAK in progress, target date in a year: in progress.

Plus a synthetic (load-test) meeting's item, which the workspace never lists.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from recommendations import services
from recommendations.models import Meeting, Recommendation, Session, Status


@dataclass
class World:
    items: dict
    follow_ups: dict
    pak: object
    jpn: object
    staff: object
    pak_focal: object
    jpn_focal: object
    synthetic_item: object


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(today, make_recommendation, pak, jpn, secretariat_user, pak_focal, jpn_focal, session):
    days = datetime.timedelta
    items = {
        code: make_recommendation(code=code, text=f"Item {code}: act on it.")
        for code in ("D1S1-01", "D1S1-02", "D1S1-03", "D1S1-04", "D1S1-05", "D1S1-06")
    }
    targets = {
        "D1S1-01": today - days(10),
        "D1S1-02": today - days(10),
        "D1S1-04": today - days(10),
        "D1S1-05": today + days(10),
        "D1S1-06": today + days(365),
    }
    follow_ups = {
        (code, "PAK"): services.follow_up_create(
            recommendation=items[code], delegation=pak, target_date=target
        )
        for code, target in targets.items()
    }
    for code in ("D1S1-01", "D1S1-03"):
        follow_ups[(code, "JPN")] = services.follow_up_create(
            recommendation=items[code], delegation=jpn
        )
        services.progress_update_create(
            follow_up=follow_ups[(code, "JPN")],
            date=today - days(5),
            status=Status.COMPLETED,
            note="Japan's restricted note.",
            visibility="restricted",
            author=jpn_focal,
        )
    reports = [
        ("D1S1-01", Status.IN_PROGRESS, pak_focal),
        ("D1S1-04", Status.COMPLETED, secretariat_user),
        ("D1S1-05", Status.PLANNED, pak_focal),
        ("D1S1-06", Status.IN_PROGRESS, pak_focal),
    ]
    for code, status, author in reports:
        services.progress_update_create(
            follow_up=follow_ups[(code, "PAK")],
            date=today - days(3),
            status=status,
            note=f"Pakistan on {code}.",
            author=author,
        )
    for follow_up in follow_ups.values():
        follow_up.refresh_from_db()
    synthetic = Meeting.objects.create(
        title="Load test",
        slug="synthetic",
        city="Nowhere",
        country="PK",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 1),
        is_synthetic=True,
    )
    synthetic_session = Session.objects.create(
        meeting=synthetic, day=1, order=1, code="S1", title="Synthetic"
    )
    synthetic_item = Recommendation.objects.create(
        meeting=synthetic,
        session=synthetic_session,
        code="SYN-0001",
        text="Generated.",
        source_excerpt="Generated.",
    )
    return World(
        items, follow_ups, pak, jpn, secretariat_user, pak_focal, jpn_focal, synthetic_item
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pak_client(world):
    return signed_in(world.pak_focal)


@pytest.fixture
def jpn_client(world):
    return signed_in(world.jpn_focal)


@pytest.fixture
def staff_client(world):
    return signed_in(world.staff)
