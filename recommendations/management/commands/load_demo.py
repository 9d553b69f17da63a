"""Load the Islamabad data (and, outside production, the illustrative follow-ups)
into an empty database, set up the roles and a local demo administrator.

Idempotent: a second run changes nothing and returns at once.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from recommendations.models import FollowUp, Meeting, Recommendation
from recommendations.roles import ensure_roles
from recommendations.services import recommendations_rebuild_derived_fields, roster_fill

FIXTURE_DIR = settings.BASE_DIR / "fixtures"
DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the Islamabad data and sample follow-ups into an empty database (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-sample", action="store_true", help="Do not load the illustrative follow-ups."
        )
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo administrator."
        )

    def handle(self, *args, no_sample=False, no_admin=False, **options):
        ensure_roles()
        with transaction.atomic():
            if not Meeting.objects.filter(slug="islamabad-2023").exists():
                call_command("loaddata", FIXTURE_DIR / "islamabad-2023.json", verbosity=0)
                self.stdout.write(self.style.SUCCESS("Loaded the Islamabad meeting."))
            else:
                self.stdout.write("The Islamabad meeting is already loaded.")
            # loaddata bypasses save(), which derives the search and sort columns.
            rebuilt = recommendations_rebuild_derived_fields(
                queryset=Recommendation.objects.filter(meeting__slug="islamabad-2023")
            )
            if rebuilt:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Rebuilt the search text and reading order of {rebuilt} recommendations."
                    )
                )
            wants_sample = not no_sample and settings.ALLOW_SAMPLE_DATA
            if wants_sample and not FollowUp.objects.exists():
                call_command("loaddata", FIXTURE_DIR / "sample-follow-ups.json", verbosity=0)
                self.stdout.write(
                    self.style.WARNING("Loaded illustrative follow-ups (sample data).")
                )
            # After the sample, whose follow-ups come with their own ids.
            filled = roster_fill()
            if filled:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Gave the roster delegations {filled} follow-ups (no report yet)."
                    )
                )
        if not no_admin:
            self._demo_admin()

    def _demo_admin(self):
        User = get_user_model()
        if User.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write(
                f"Demo administrator: {DEMO_USERNAME} (password printed on its first run; "
                "reset it with: python manage.py changepassword admin)"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(DEMO_USERNAME, "admin@localhost", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a local demo administrator: username {DEMO_USERNAME}, password {password}"
            )
        )
