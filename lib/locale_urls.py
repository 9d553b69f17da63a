"""The language in the URL: ``/fr/recommendations/`` is French whoever opens it, so a
shared link opens in the language it was shared in. A path without a prefix
(``/recommendations/``, every link before prefixes existed) keeps working and is
served in the reader's language, from the language cookie, then the browser's
Accept-Language; English, the default, has no prefix.

Django's own ``i18n_patterns(prefix_default_language=False)`` serves an unprefixed path
in English only. Here the pattern also matches an unprefixed path in the active
language, and the middleware activates the negotiated language for it, so that the
pages it links to carry the prefix of the language the reader reads.
"""

from django.middleware.locale import LocaleMiddleware
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import patch_vary_headers


class NegotiatedLocalePrefixPattern(LocalePrefixPattern):
    """Matches ``<language>/`` of the active language, or no language prefix at all."""

    def __init__(self):
        super().__init__(prefix_default_language=False)

    def match(self, path):
        matched = super().match(path)
        if matched is None and translation.get_language_from_path("/" + path) is None:
            return path, (), {}
        return matched


def language_patterns(*urls):
    """The URL patterns that take a language prefix (see the module docstring)."""
    return [URLResolver(NegotiatedLocalePrefixPattern(), list(urls))]


class LanguageMiddleware(LocaleMiddleware):
    """The language of the path, else the cookie's, else the browser's, else English."""

    def process_request(self, request):
        translation.activate(translation.get_language_from_request(request, check_path=True))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if translation.get_language_from_path(request.path_info) is None:
            # The language of an unprefixed page depends on the cookie too.
            patch_vary_headers(response, ("Cookie",))
        return response
