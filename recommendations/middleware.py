"""The site's own rule for requests: with ``READ_REQUIRES_LOGIN`` on, reading needs a
signed-in user. The middleware every site would want (request log, HEAD, the 503 page)
is in ``lib/middleware.py``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse


class ReadRequiresLoginMiddleware:
    """With ``READ_REQUIRES_LOGIN`` on, every page and export needs a signed-in user.

    Exempt: the admin (it has its own sign-in), the sign-in and password pages of
    ``/accounts/``, static files, ``/healthz`` and the language switch. A page
    redirects to the sign-in (``LOGIN_URL``) and back; an export (a path ending
    in ``.csv`` or ``.xlsx``) answers 403 in plain text, since a script fetching
    CSV cannot follow a sign-in form. Checked before URL resolution, so a visitor
    who is not signed in cannot probe which paths exist. The setting is read on
    every request, so tests can switch it. Queries only to load a signed-in
    user's session (as any page does).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_prefixes: tuple[str, ...] | None = None

    def exempt_prefixes(self) -> tuple[str, ...]:
        if self._exempt_prefixes is None:
            self._exempt_prefixes = (
                reverse("admin:index"),
                # Sign-in, sign-out and password reset, which a visitor must reach.
                "/accounts/",
                reverse("healthz"),
                "/" + settings.STATIC_URL.lstrip("/"),
                "/i18n/",
            )
        return self._exempt_prefixes

    def __call__(self, request):
        if (
            settings.READ_REQUIRES_LOGIN
            and not request.path_info.startswith(self.exempt_prefixes())
            and not request.user.is_authenticated
        ):
            if request.path_info.endswith((".csv", ".xlsx")):
                return HttpResponse(
                    "Sign in to download this export.\n",
                    status=403,
                    content_type="text/plain; charset=utf-8",
                )
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)
