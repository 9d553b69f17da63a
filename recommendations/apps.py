from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from lib.history import skip_history_for_raw_saves


class RecommendationsConfig(AppConfig):
    default = True  # this module also holds TrackerAdminConfig
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = _("Ministerial recommendations")

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are set up then.
        post_migrate.connect(ensure_roles, sender=self)
        # A restore (loaddata) records no history of its own.
        post_save.connect(skip_history_for_raw_saves, dispatch_uid="tracker_skip_history_for_raw")


class TrackerAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the tracker's site (``admin_site.TrackerAdminSite``)."""

    default = False  # named in INSTALLED_APPS by its path
    default_site = "recommendations.admin_site.TrackerAdminSite"
