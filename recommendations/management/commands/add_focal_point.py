"""Create or update a delegation focal point: a staff account in the "Delegation focal
points" group, linked to exactly one delegation.

    manage.py add_focal_point USERNAME DELEGATION_CODE [--email E]
                              [--password-from-env VAR] [--dry-run]

A new account needs a password: from the environment variable named by
``--password-from-env``, or typed twice at the prompt. An existing account keeps its
password unless one is given (at the prompt, an empty entry keeps it). Passwords are
checked with the project's password validators.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from recommendations import access
from recommendations.models import Delegation, FocalPoint
from recommendations.roles import FOCAL_POINTS, ensure_roles


class Command(BaseCommand):
    help = "Create or update a delegation focal point (a staff user linked to one delegation)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("delegation_code", help="e.g. PAK")
        parser.add_argument("--email", default=None, help="Set the account's email address.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            default=None,
            help="Read the password from this environment variable instead of prompting.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but save nothing."
        )

    def handle(self, *args, username, delegation_code, email, password_from_env, dry_run, **opts):
        username = username.strip()
        if not username:
            raise CommandError("The username cannot be empty.")
        code = delegation_code.strip().upper()
        delegation = Delegation.objects.filter(code=code).first()
        if delegation is None:
            raise CommandError(f"No delegation has the code {code!r}.")
        if email is not None:
            email = email.strip()
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not a valid email address.") from None

        ensure_roles()
        User = get_user_model()
        existing = User.objects.filter(username=username).first()
        if existing is not None and access.is_secretariat(existing):
            raise CommandError(
                f"{username} is Secretariat staff or a superuser, who already sees every "
                "delegation; give the focal point a separate account."
            )
        # Asked before the transaction, so no row stays locked while someone types.
        probe = existing or User(username=username)
        if email is not None:
            probe.email = email
        password = self._password(probe, existing is None, password_from_env)

        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username, email=email or "")
            elif email is not None:
                user.email = email
            if password is not None:
                user.set_password(password)
            elif created:
                raise CommandError("A new account needs a password.")
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=FOCAL_POINTS))

            link = FocalPoint.objects.filter(user=user).select_related("delegation").first()
            previous = link.delegation if link else None
            if link is None:
                FocalPoint.objects.create(user=user, delegation=delegation)
            elif previous.pk != delegation.pk:
                link.delegation = delegation
                link.save(update_fields=["delegation"])

            summary = self._summary(user, delegation, created, previous, password is not None)
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write(
                    self.style.WARNING(f"Dry run, nothing saved. Would have: {summary}")
                )
            else:
                self.stdout.write(self.style.SUCCESS(summary))

    def _summary(self, user, delegation, created, previous, password_set) -> str:
        where = f"{delegation.code} ({delegation.name})"
        if created:
            return f"Created focal point {user.username} for {where}."
        parts = [f"Updated focal point {user.username}"]
        if previous is None:
            parts.append(f"now linked to {where}")
        elif previous.pk != delegation.pk:
            parts.append(f"moved from {previous.code} to {where}")
        else:
            parts.append(f"still linked to {where}")
        if password_set:
            parts.append("password changed")
        return "; ".join(parts) + "."

    def _password(self, user, created: bool, env_var: str | None) -> str | None:
        """The new password, or None to keep the current one (existing accounts only)."""
        if env_var:
            password = os.environ.get(env_var, "")
            if not password:
                raise CommandError(f"The environment variable {env_var} is not set or empty.")
            self._validate(password, user)
            return password
        if not sys.stdin.isatty():
            if created:
                raise CommandError(
                    "A new account needs a password: run interactively or pass "
                    "--password-from-env VAR."
                )
            return None
        prompt = "Password: " if created else "New password (empty keeps the current one): "
        password = getpass.getpass(prompt)
        if not password:
            if created:
                raise CommandError("A new account needs a password.")
            return None
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("The two passwords differ; nothing was saved.")
        self._validate(password, user)
        return password

    def _validate(self, password: str, user) -> None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
