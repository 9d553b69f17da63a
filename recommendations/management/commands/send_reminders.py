"""Send the daily focal point digests and the Secretariat's weekly summary.

Run it once a day from cron, for example at 06:00 UTC:

    0 6 * * *  cd /srv/tracker && .venv/bin/python manage.py send_reminders

Mail goes through Django's MAILERS setting: the console in development, SMTP configured
by EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS in
production. Running it again the same day sends nothing more.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations.reminders import DUE_SOON_DAYS, reminders_send


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Email each focal point one digest of their delegation's follow-ups that are not "
        f"completed and are overdue or due within {DUE_SOON_DAYS} days, and on Mondays email "
        "Secretariat staff a summary of the progress updates of the past week. Nothing is "
        "sent twice for the same item and day. Run daily from cron "
        "(e.g. '0 6 * * * .venv/bin/python manage.py send_reminders')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Act as if today were this day (YYYY-MM-DD), to catch up a missed run.",
        )
        parser.add_argument(
            "--weekly",
            action="store_true",
            help="Send the weekly summary even if the day is not a Monday.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args, date=None, weekly=False, dry_run=False, **options):
        today = _date(date) if date else timezone.localdate()
        summary = reminders_send(today=today, dry_run=dry_run, weekly=True if weekly else None)

        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {summary.digests_sent} digest(s) covering {summary.digest_items} "
                f"follow-up(s) and {summary.weekly_sent} weekly summary(ies) "
                f"({summary.weekly_changes} update(s)) for {today.isoformat()}."
            )
        )
        if options["verbosity"] > 1:
            for recipient in summary.recipients:
                self.stdout.write(f"  to {recipient}")
        if summary.already_sent:
            self.stdout.write(f"{summary.already_sent} recipient(s) had nothing new today.")
        for username in summary.skipped_no_email:
            self.stderr.write(self.style.WARNING(f"Skipped {username}: no email address."))
        if summary.failed:
            for failure in summary.failed:
                self.stderr.write(self.style.ERROR(f"Failed: {failure}"))
            raise CommandError(f"{len(summary.failed)} message(s) could not be sent.")
