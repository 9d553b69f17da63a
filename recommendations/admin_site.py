"""The admin site (``TrackerAdminConfig.default_site``): Django's, with the password
change form throttled like the sign-in form (``signin``)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from .signin import ThrottledPasswordChangeView


class TrackerAdminSite(admin.AdminSite):
    def password_change(self, request, extra_context=None):
        # Django's view, with a form that gets the request (axes needs it to count).
        url = reverse("admin:password_change_done", current_app=self.name)
        defaults = {
            "success_url": url,
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return ThrottledPasswordChangeView.as_view(**defaults)(request)
