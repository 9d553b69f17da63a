from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = "Ministerial recommendations"

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are set up then.
        post_migrate.connect(ensure_roles, sender=self)
