"""A small meeting built in code for the page tests: two sessions, five items across
three themes, two delegations following each item up, dated progress updates (some
verified by staff, some self-reported, one restricted).

Used as a plugin: ``pytest_plugins = ["tests.pages.fixtures"]`` in a test module.
"""

import datetime
from dataclasses import dataclass

import pytest

from recommendations import services
from recommendations.models import FollowUp, Person, Recommendation, Session, Status

D = datetime.date


@dataclass
class SiteData:
    items: dict
    follow_ups: dict
    pak: object
    jpn: object
    staff: object
    pak_focal: object
    jpn_focal: object

    def follow_up(self, code: str, delegation: str) -> FollowUp:
        return self.follow_ups[(code, delegation)]


@pytest.fixture
def fast_password_hashing(settings):
    """The page tests create a few users; their passwords need no strong hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site_data(
    fast_password_hashing,
    meeting,
    session,
    themes,
    speaker,
    pak,
    jpn,
    make_recommendation,
    secretariat_user,
    pak_focal,
    jpn_focal,
):
    meeting.target_city = "Accra"
    meeting.save()
    speaker.title = "Under-Secretary-General"
    speaker.save()
    day_two = Session.objects.create(
        meeting=meeting, day=2, order=1, code="D2S1", title="Medical support"
    )
    other = Person.objects.create(name="Ben Panellist", slug="ben-panellist", affiliation="Japan")
    items = {
        "D1S1-01": make_recommendation(
            code="D1S1-01",
            text="Counter IED threats with better detection equipment.",
            source_excerpt="Speakers called for better equipment to detect improvised devices.",
            theme_slugs=["ieds"],
            speaker=speaker,
        ),
        "D1S1-02": make_recommendation(
            code="D1S1-02",
            text="Train explosive ordnance disposal teams before deployment.",
            theme_slugs=["ieds", "training"],
        ),
        "D1S1-03": make_recommendation(
            code="D1S1-03",
            text="Improve casualty evacuation within the golden hour.",
            theme_slugs=["medical"],
            speaker=speaker,
        ),
        "D2S1-01": make_recommendation(
            code="D2S1-01",
            text="Deploy level two hospitals in high-risk missions.",
            theme_slugs=["medical"],
            session=day_two,
            speaker=other,
            kind=Recommendation.Kind.COMMITMENT,
        ),
        "D2S1-02": make_recommendation(
            code="D2S1-02",
            text="Many casualties are linked to workplace hazards.",
            theme_slugs=["training"],
            session=day_two,
            kind=Recommendation.Kind.OBSERVATION,
        ),
    }
    follow_ups = {}
    for code, item in items.items():
        for delegation in (pak, jpn):
            follow_ups[(code, delegation.code)] = services.follow_up_create(
                recommendation=item, delegation=delegation, pledge=f"{delegation.code} pledge"
            )
    history = follow_ups[("D1S1-01", "PAK")]
    services.progress_update_create(
        follow_up=history,
        date=D(2023, 9, 15),
        status=Status.PLANNED,
        note="Budget requested.",
        author=secretariat_user,
    )
    services.progress_update_create(
        follow_up=history,
        date=D(2023, 10, 20),
        status=Status.IN_PROGRESS,
        note="Equipment ordered.",
        author=pak_focal,
    )
    services.progress_update_create(
        follow_up=history,
        date=D(2023, 11, 25),
        status=Status.COMPLETED,
        note="Restricted note: delivery schedule.",
        evidence_url="https://example.org/restricted-evidence",
        visibility="restricted",
        author=pak_focal,
    )
    services.progress_update_create(
        follow_up=follow_ups[("D1S1-01", "JPN")],
        date=D(2023, 10, 1),
        status=Status.IN_PROGRESS,
        author=jpn_focal,
    )
    services.progress_update_create(
        follow_up=follow_ups[("D1S1-03", "JPN")],
        date=D(2023, 9, 10),
        status=Status.COMPLETED,
        author=secretariat_user,
    )
    services.progress_update_create(
        follow_up=follow_ups[("D2S1-01", "PAK")],
        date=D(2023, 8, 15),
        status=Status.PLANNED,
        author=pak_focal,
    )
    for follow_up in follow_ups.values():
        follow_up.refresh_from_db()
    return SiteData(items, follow_ups, pak, jpn, secretariat_user, pak_focal, jpn_focal)


@pytest.fixture
def many_items(make_recommendation, pak, jpn):
    """``make(n)``: n more items on the IEDs theme, each followed up by both delegations,
    with one progress update each (for query-count tests at a larger size)."""

    def make(n: int, prefix: str = "X"):
        created = []
        for i in range(n):
            item = make_recommendation(
                code=f"{prefix}-{i:03d}", text=f"Extra item {i}", theme_slugs=["ieds"]
            )
            for delegation in (pak, jpn):
                follow_up = services.follow_up_create(recommendation=item, delegation=delegation)
                services.progress_update_create(
                    follow_up=follow_up, date=D(2023, 9, 1 + i % 28), status=Status.PLANNED
                )
            created.append(item)
        return created

    return make
