from django.contrib import admin
from django.urls import include, path

from lib.health import healthz
from lib.locale_urls import language_patterns
from recommendations.workspace import accounts

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("workspace/", include("recommendations.workspace.urls")),
    # The public pages, whose links are shared: /fr/… is French (lib/locale_urls.py).
    *language_patterns(path("", include("recommendations.urls"))),
]

# Error pages rendered without a database query (lib/errors.py).
handler400 = "lib.errors.bad_request"
handler403 = "lib.errors.permission_denied"
handler404 = "lib.errors.page_not_found"
handler500 = "lib.errors.server_error"
