"""The admin site (``TrackerAdminConfig.default_site``): Django's, with

- the password change form throttled like the sign-in form (``signin``);
- one guard in front of every admin view, of every registered admin: a query string
  holding a control character (a NUL byte, which PostgreSQL refuses in text) or a
  whole number beyond 64 bits (which SQLite refuses) is answered 400 before any query;
  a posted number beyond 64 bits (a forged selection or reference) is answered 400
  where the database refuses it, instead of a 500.
"""

from __future__ import annotations

import re
from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.text import Truncator

from .signin import ThrottledPasswordChangeView

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
INT64_MAX = 2**63 - 1


def refused_parameter(query) -> str | None:
    """The name of the first query parameter no admin view can use (see above), or
    None. Reads nothing from the database."""
    for name, values in query.lists():
        for value in [name, *values]:
            if CONTROL.search(value):
                return name
            if WHOLE_NUMBER.fullmatch(value.strip()) and abs(int(value)) > INT64_MAX:
                return name
    return None


class ItemAutocompleteView(AutocompleteJsonView):
    """Autocomplete results that show an item's text beside its code (a code alone
    means little to a focal point)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        text = getattr(obj, "text", None)
        if text and hasattr(obj, "code"):
            result["text"] = f"{obj.code} – {Truncator(text).chars(90)}"
        return result


class TrackerAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return ItemAutocompleteView.as_view(admin_site=self)(request)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if refused_parameter(request.GET) is not None:
                raise BadRequest("Malformed query string.")
            try:
                response = inner(request, *args, **kwargs)
                # A form shown again renders (and queries) the values posted.
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            except OverflowError as error:
                # SQLite refuses integers beyond 64 bits (PostgreSQL answers no rows).
                raise BadRequest("A number is too large.") from error
            return response

        return guarded

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
