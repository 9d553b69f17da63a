import datetime
import io
import re
import smtplib
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from recommendations import services
from recommendations.models import FollowUp, ReminderLog, Status
from recommendations.reminders import digests_due, reminders_send

MONDAY = datetime.date(2024, 3, 4)
TUESDAY = MONDAY + datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def make_follow_up(make_recommendation, pak):
    def make(code, target_date, status=None, delegation=None, update_date=None):
        item = make_recommendation(code=code, text=f"Text of {code}.")
        follow_up = services.follow_up_create(
            recommendation=item, delegation=delegation or pak, target_date=target_date
        )
        if status is not None:
            services.progress_update_create(
                follow_up=follow_up, date=update_date or TUESDAY - 30 * DAY, status=status
            )
        return follow_up

    return make


@pytest.fixture
def due_items(make_follow_up, jpn):
    """PAK's follow-ups as of TUESDAY, each named for whether a digest must list it."""
    today = TUESDAY
    make_follow_up("R-OVERDUE", today - 10 * DAY, Status.IN_PROGRESS)
    make_follow_up("R-SOON", today + 20 * DAY)
    make_follow_up("R-TODAY", today, Status.PLANNED)
    make_follow_up("R-EDGE", today + 30 * DAY, Status.PLANNED)
    make_follow_up("R-FAR", today + 31 * DAY)
    make_follow_up("R-DONE", today - 10 * DAY, Status.COMPLETED)
    make_follow_up("R-NA", today - 10 * DAY, Status.NOT_APPLICABLE)
    no_date = make_follow_up("R-NODATE", None)
    FollowUp.objects.filter(pk=no_date.pk).update(target_date=None)
    sample = make_follow_up("R-SAMPLE", today - 5 * DAY)
    FollowUp.objects.filter(pk=sample.pk).update(is_illustrative=True)
    make_follow_up("R-JAPAN", today - 3 * DAY, delegation=jpn)


def codes_in(message):
    """The item codes a message lists (one "- CODE: text" line per item)."""
    return set(re.findall(r"^- (R-[A-Z]+):", message.body, re.MULTILINE))


def test_each_focal_point_gets_one_digest_with_exactly_the_overdue_and_due_soon_items(
    due_items, pak, jpn, make_focal_point
):
    first = make_focal_point(pak, "focal-pak-1")
    second = make_focal_point(pak, "focal-pak-2")
    japan = make_focal_point(jpn)

    summary = reminders_send(today=TUESDAY)

    assert summary.digests_sent == 3
    assert sorted(len(m.to) for m in mail.outbox) == [1, 1, 1]
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {first.email, second.email, japan.email}
    for user in (first, second):
        message = by_recipient[user.email]
        assert codes_in(message) == {"R-OVERDUE", "R-SOON", "R-TODAY", "R-EDGE"}
        assert "4 follow-ups of Pakistan" in message.subject
        overdue, due_soon = message.body.split("Due within 30 days")
        assert codes_in(mail.EmailMessage(body=overdue)) == {"R-OVERDUE"}
        assert "http://127.0.0.1:8000/recommendations/R-OVERDUE/#follow-up-PAK" in overdue
    assert codes_in(by_recipient[japan.email]) == {"R-JAPAN"}
    assert ReminderLog.objects.filter(user=first, kind="digest", date=TUESDAY).count() == 4


def test_a_second_run_the_same_day_sends_nothing_more(due_items, pak, make_focal_point):
    make_focal_point(pak)
    reminders_send(today=TUESDAY)
    assert len(mail.outbox) == 1

    summary = reminders_send(today=TUESDAY)

    assert len(mail.outbox) == 1
    assert summary.digests_sent == 0
    assert ReminderLog.objects.count() == 4


def test_an_item_that_falls_due_later_the_same_day_is_sent_alone(due_items, pak, make_focal_point):
    make_focal_point(pak)
    reminders_send(today=TUESDAY)
    far = FollowUp.objects.get(recommendation__code="R-FAR")
    services.follow_up_update(follow_up=far, version=far.version, target_date=TUESDAY + DAY)

    reminders_send(today=TUESDAY)

    assert len(mail.outbox) == 2
    assert codes_in(mail.outbox[1]) == {"R-FAR"}


def test_the_next_day_sends_again(due_items, pak, make_focal_point):
    make_focal_point(pak)
    reminders_send(today=TUESDAY)

    summary = reminders_send(today=TUESDAY + DAY)

    assert summary.digests_sent == 1
    assert len(mail.outbox) == 2
    # A day later R-TODAY is overdue and R-FAR (now 30 days away) has come due.
    assert codes_in(mail.outbox[1]) == {"R-OVERDUE", "R-SOON", "R-TODAY", "R-EDGE", "R-FAR"}


def test_a_dry_run_sends_and_records_nothing(due_items, pak, make_focal_point, secretariat_user):
    make_focal_point(pak)

    summary = reminders_send(today=MONDAY, dry_run=True)

    assert summary.digests_sent == 1
    assert summary.digest_items == 3  # as of Monday R-EDGE is 31 days away
    assert summary.weekly_sent == 1
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_a_dry_run_from_the_command_says_what_it_would_send(due_items, pak, make_focal_point):
    out = io.StringIO()
    make_focal_point(pak)

    call_command("send_reminders", "--dry-run", "--date", TUESDAY.isoformat(), stdout=out)

    assert "Would send 1 digest(s) covering 4 follow-up(s)" in out.getvalue()
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_finding_the_digests_takes_three_queries(
    due_items, pak, jpn, make_focal_point, django_assert_num_queries
):
    make_focal_point(pak)
    make_focal_point(jpn)

    # 1. focal points with their users and delegations
    # 2. the due follow-ups of those delegations, with their items
    # 3. today's digest log for those users
    with django_assert_num_queries(3):
        digests = digests_due(today=TUESDAY)
        assert [len(d.follow_ups) for d in digests] == [1, 4]  # JPN, PAK


def test_the_weekly_summary_lists_last_weeks_updates_with_from_and_to_statuses(
    make_follow_up, jpn, secretariat_user, make_focal_point, pak
):
    moved = make_follow_up("R-MOVED", None, Status.PLANNED, update_date=MONDAY - 20 * DAY)
    services.progress_update_create(
        follow_up=moved, date=MONDAY - 3 * DAY, status=Status.IN_PROGRESS
    )
    make_follow_up("R-DONE", None, Status.COMPLETED, delegation=jpn, update_date=MONDAY - 7 * DAY)
    make_follow_up("R-OLD", None, Status.PLANNED, update_date=MONDAY - 8 * DAY)
    make_follow_up("R-TODAY", None, Status.PLANNED, update_date=MONDAY)
    no_email = User.objects.create_superuser("root", "", "pw-root-12345")
    make_focal_point(pak)

    summary = reminders_send(today=MONDAY)

    assert summary.weekly_sent == 1
    assert summary.weekly_changes == 2
    assert summary.skipped_no_email == [no_email.username]
    weekly = [m for m in mail.outbox if m.to == [secretariat_user.email]]
    assert len(weekly) == 1
    body = weekly[0].body
    assert "Progress from 2024-02-26 to 2024-03-03" in weekly[0].subject
    assert "2 progress updates were dated from 2024-02-26 to 2024-03-03." in body
    assert "2024-03-01 R-MOVED / Pakistan: Planned → In progress" in body
    assert "2024-02-26 R-DONE / Japan: No report yet → Completed" in body
    assert "R-OLD" not in body
    assert "R-TODAY" not in body
    # Focal points get digests, not the summary.
    assert all(m.subject.endswith("soon") for m in mail.outbox if m is not weekly[0])

    again = reminders_send(today=MONDAY)

    assert again.weekly_sent == 0
    assert len([m for m in mail.outbox if m.to == [secretariat_user.email]]) == 1


def test_the_weekly_summary_waits_for_monday_unless_forced(secretariat_user):
    reminders_send(today=TUESDAY)
    assert mail.outbox == []

    call_command("send_reminders", "--weekly", "--date", TUESDAY.isoformat(), stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert "0 progress updates were dated" in mail.outbox[0].body
    assert ReminderLog.objects.get().kind == ReminderLog.Kind.WEEKLY


def test_a_focal_point_without_email_is_skipped_with_a_warning(due_items, pak, make_focal_point):
    user = make_focal_point(pak)
    user.email = ""
    user.save()
    err = io.StringIO()

    call_command("send_reminders", "--date", TUESDAY.isoformat(), stdout=io.StringIO(), stderr=err)

    assert "Skipped focal-pak: no email address." in err.getvalue()
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_an_inactive_focal_point_gets_nothing(due_items, pak, make_focal_point):
    user = make_focal_point(pak)
    user.is_active = False
    user.save()

    assert reminders_send(today=TUESDAY).digests_sent == 0
    assert mail.outbox == []


def test_a_failed_send_records_nothing_and_the_command_fails(due_items, pak, make_focal_point):
    make_focal_point(pak)

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("down")),
        pytest.raises(CommandError, match="1 message"),
    ):
        call_command(
            "send_reminders",
            "--date",
            TUESDAY.isoformat(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert not ReminderLog.objects.exists()
    reminders_send(today=TUESDAY)  # the next run retries
    assert len(mail.outbox) == 1


def test_a_malformed_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "04/03/2024")
