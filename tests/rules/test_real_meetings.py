"""The synthetic load-test meeting is never taken for real data: the meetings the site
lists, the items, the admin's session filter and the reminders all leave it out, through
the one condition ``real_meetings``."""

import datetime

import pytest

from recommendations import services
from recommendations.admin.filters import SessionFilter
from recommendations.models import Meeting, Recommendation, Session, Status
from recommendations.reminders import follow_ups_needing_reminder, weekly_changes

MONDAY = datetime.date(2024, 3, 4)


@pytest.fixture
def synthetic_follow_up(pak):
    meeting = Meeting.objects.create(
        title="Synthetic load-test meeting",
        slug="synthetic",
        city="Synthetic City",
        country="PK",
        start_date=datetime.date(2023, 8, 30),
        end_date=datetime.date(2023, 8, 31),
        is_synthetic=True,
    )
    session = Session.objects.create(meeting=meeting, day=1, order=1, code="D1S1", title="Load")
    item = Recommendation.objects.create(
        meeting=meeting, session=session, code="SYN-000001", order=1, text="Generated."
    )
    follow_up = services.follow_up_create(
        recommendation=item, delegation=pak, target_date=MONDAY - datetime.timedelta(days=10)
    )
    services.progress_update_create(
        follow_up=follow_up, date=MONDAY - datetime.timedelta(days=2), status=Status.PLANNED
    )
    return follow_up


@pytest.fixture
def real_follow_up(recommendation, pak):
    follow_up = services.follow_up_create(
        recommendation=recommendation,
        delegation=pak,
        target_date=MONDAY - datetime.timedelta(days=10),
    )
    services.progress_update_create(
        follow_up=follow_up, date=MONDAY - datetime.timedelta(days=2), status=Status.PLANNED
    )
    return follow_up


def test_meetings_and_items_of_the_synthetic_meeting_are_not_real(
    synthetic_follow_up, recommendation
):
    assert list(Meeting.objects.real()) == [recommendation.meeting]
    assert list(Recommendation.objects.real()) == [recommendation]


def test_the_admin_session_filter_offers_only_real_sessions(synthetic_follow_up, session, rf):
    lookups = SessionFilter(rf.get("/"), {}, Session, None).lookups(rf.get("/"), None)
    assert [pk for pk, _label in lookups] == [str(session.pk)]


def test_no_reminder_or_weekly_line_is_about_the_synthetic_meeting(
    synthetic_follow_up, real_follow_up
):
    assert list(follow_ups_needing_reminder(today=MONDAY)) == [real_follow_up]
    assert [u.follow_up_id for u in weekly_changes(today=MONDAY)] == [real_follow_up.pk]
