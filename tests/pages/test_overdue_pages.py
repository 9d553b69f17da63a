"""Overdue that means something: when the meeting the follow-ups were due by has passed,
a page says so once at the top; the "Overdue" badge marks only a follow-up late on a
target date of its own."""

import datetime

import pytest

from recommendations import services, status
from recommendations.models import FollowUp, Status

pytest_plugins = ["tests.pages.fixtures"]

D = datetime.date
TODAY = datetime.date.today()
BADGE = '<span class="overdue">Overdue</span>'
NOTICE = '<p class="notice notice-overdue" role="note">'


@pytest.fixture
def targets(site_data):
    """The test meeting prepares the Accra Ministerial of 5 December 2023, the default
    target of every follow-up. Open follow-ups: eight of ten. Three get a target of
    their own: D1S1-02 PAK (passed, open), D2S1-01 JPN (ahead, open) and D1S1-03 JPN
    (passed, but completed)."""
    for code, delegation, target in [
        ("D1S1-02", "PAK", D(2024, 1, 31)),
        ("D2S1-01", "JPN", TODAY + datetime.timedelta(days=30)),
        ("D1S1-03", "JPN", D(2024, 1, 31)),
    ]:
        follow_up = site_data.follow_up(code, delegation)
        follow_up.refresh_from_db()
        services.follow_up_update(
            follow_up=follow_up, version=follow_up.version, user=site_data.staff, target_date=target
        )
    return site_data


def notice(html: str) -> str:
    assert html.count(NOTICE) == 1
    return " ".join(html.split(NOTICE)[1].split("</p>")[0].split())


def test_the_follow_up_list_says_once_that_the_target_meeting_passed(client, targets):
    html = client.get("/follow-ups/").content.decode()
    assert notice(html) == (
        "<strong>Accra Ministerial, Accra, Dec. 5, 2023: the target of these follow-ups "
        "has passed.</strong> 6 open follow-ups were due by then. “Overdue” marks those "
        "late on a date of their own."
    )
    # The one badge: D1S1-02 PAK, open and past a target of its own.
    assert html.count(BADGE) == 1
    row = html.split('<a href="/recommendations/D1S1-02/#follow-up-PAK">')[1].split("</tr>")[0]
    assert BADGE in row


def test_the_notice_counts_what_the_filters_keep(client, targets):
    html = client.get("/follow-ups/?delegation=JPN").content.decode()
    assert "3 open follow-ups were due by then." in notice(html)
    html = client.get("/follow-ups/?session=D2S1&delegation=JPN").content.decode()
    assert "1 open follow-up was due by then." in notice(html)
    # Nothing open was due by the meeting: no notice.
    html = client.get("/follow-ups/?status=completed").content.decode()
    assert NOTICE not in html and BADGE not in html


def test_the_delegation_page_says_it_once_with_the_delegations_count(client, targets):
    html = client.get("/delegations/PAK/").content.decode()
    assert "3 open follow-ups were due by then." in notice(html)
    assert html.count(BADGE) == 1
    row = html.split('<a href="/recommendations/D1S1-02/#follow-up-PAK"')[1].split("</tbody>")[0]
    assert BADGE in row


def test_the_detail_page_says_it_once_and_badges_the_own_target_only(client, targets):
    html = client.get("/recommendations/D1S1-02/").content.decode()
    assert "1 open follow-up was due by then." in notice(html)
    assert html.count(BADGE) == 1
    pak = html.split('id="follow-up-PAK"')[1].split("</article>")[0]
    assert BADGE in pak
    # Every follow-up of D2S1-01 has its target ahead or is on the passed one.
    html = client.get("/recommendations/D2S1-01/").content.decode()
    assert "1 open follow-up was due by then." in notice(html)
    assert BADGE not in html


def test_as_of_a_day_no_page_shows_overdue(client, targets):
    for url in (
        "/follow-ups/?as_of=2024-03-01",
        "/delegations/PAK/?as_of=2024-03-01",
        "/recommendations/D1S1-02/?as_of=2024-03-01",
    ):
        html = client.get(url).content.decode()
        assert NOTICE not in html and BADGE not in html, url


def test_before_the_target_meeting_there_is_no_notice_only_own_targets(client, targets):
    meeting = targets.items["D1S1-01"].meeting
    meeting.target_date = TODAY + datetime.timedelta(days=60)
    meeting.save()
    FollowUp.objects.filter(target_date=D(2023, 12, 5)).update(target_date=meeting.target_date)
    html = client.get("/follow-ups/").content.decode()
    assert NOTICE not in html
    assert html.count(BADGE) == 1  # D1S1-02 PAK, its own target passed


def test_without_a_target_date_the_meeting_notice_names_no_place(client, targets):
    meeting = targets.items["D1S1-01"].meeting
    meeting.target_city = ""
    meeting.target_name = ""
    meeting.save()
    html = client.get("/follow-ups/").content.decode()
    assert notice(html).startswith(
        "<strong>The Ministerial, Dec. 5, 2023: the target of these follow-ups has passed."
    )


def test_the_two_kinds_of_overdue_split_the_overdue_follow_ups(targets):
    """In SQL and in memory, "due by the passed target meeting" and "overdue on a target
    of its own" are two halves of ``overdue_q``, with nothing left over."""
    rows = FollowUp.objects.select_related("recommendation__meeting")
    overdue = set(rows.filter(status.overdue_q()).values_list("pk", flat=True))
    by_meeting = set(rows.filter(status.due_by_target_meeting_q()).values_list("pk", flat=True))
    own = overdue - by_meeting
    assert len(overdue) == 7 and len(by_meeting) == 6 and len(own) == 1
    for f in rows:
        meeting_target = f.recommendation.meeting.target_date
        assert status.due_by_target_meeting(f.target_date, f.status, meeting_target) == (
            f.pk in by_meeting
        )
        assert status.overdue_on_own_target(f.target_date, f.status, meeting_target) == (
            f.pk in own
        )
    assert not status.overdue_on_own_target(None, Status.NOT_STARTED, D(2023, 12, 5))
