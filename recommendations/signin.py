"""The sign-in throttle (django-axes) and the password change form that it covers too.

Failures are counted per account and per address (``AXES_LOCKOUT_PARAMETERS``): enough
wrong passwords for one account lock that account from every address, and enough
from one address lock that address for every account. A successful sign-in forgives
only its own account's failures from its own address, never failures recorded against
another account: otherwise an attacker with an account of their own could sign in
between guesses at someone else's password and never be locked out.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables


class SignInThrottle(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, with a narrower reset on success."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        """Forget the failures of the account that just signed in, from the address it
        signed in from (axes would forget every failure matching any lockout
        parameter: the whole address, other accounts included). One query."""
        username = (credentials or {}).get("username")
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change form, checking the old password through
    ``authenticate()``: a wrong one counts as a failed sign-in of the account, and a
    locked account or address gets the lockout page (HTTP 429), so the form cannot be
    used to guess a signed-in account's password without limit."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
