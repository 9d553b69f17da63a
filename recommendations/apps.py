from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save

from lib.history import skip_history_for_raw_saves


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Ministerial recommendations"

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are set up then.
        post_migrate.connect(ensure_roles, sender=self)
        # A restore (loaddata) records no history of its own.
        post_save.connect(skip_history_for_raw_saves, dispatch_uid="tracker_skip_history_for_raw")
