from django.contrib import admin
from django.urls import include, path

from recommendations.health import healthz
from recommendations.workspace import accounts

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("workspace/", include("recommendations.workspace.urls")),
    path("", include("recommendations.urls")),
]

# Error pages rendered without a database query (recommendations/errors.py).
handler400 = "recommendations.errors.bad_request"
handler403 = "recommendations.errors.permission_denied"
handler404 = "recommendations.errors.page_not_found"
handler500 = "recommendations.errors.server_error"
