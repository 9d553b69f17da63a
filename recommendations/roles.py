"""Who may do what. The two roles are Django groups, created (and kept in step) by
``ensure_roles``, which runs after every ``migrate`` and from ``make run``.

- Secretariat staff: add and change everything except users; delete nothing
  but follow-ups, progress updates and translations of items (never recommendations).
- Delegation focal points: read the items, add and change their own delegation's
  follow-ups and progress updates, delete nothing; in the admin they see only those
  (the reference data they read on the public pages).

The groups grant the admin's model permissions; which rows a person may touch is
decided in ``access``.
"""

from __future__ import annotations

SECRETARIAT = "Secretariat staff"
FOCAL_POINTS = "Delegation focal points"

APP = "recommendations"
_REFERENCE_MODELS = ["meeting", "session", "person", "participation", "delegation", "theme"]

ROLE_PERMISSIONS = {
    SECRETARIAT: (
        [
            f"{APP}.{action}_{model}"
            for model in _REFERENCE_MODELS
            for action in ("add", "change", "view", "delete")
        ]
        + [f"{APP}.{action}_recommendation" for action in ("add", "change", "view")]
        + [f"{APP}.{action}_followup" for action in ("add", "change", "view", "delete")]
        + [f"{APP}.{action}_progressupdate" for action in ("add", "change", "view", "delete")]
        + [f"{APP}.{action}_focalpoint" for action in ("add", "change", "view", "delete")]
        + [f"{APP}.{action}_itemtranslation" for action in ("add", "change", "view", "delete")]
        + [f"{APP}.view_reminderlog", "auth.view_user"]
    ),
    # In the admin, only what they act on: the items (read), their delegation's follow-ups
    # and progress updates. Meetings, sessions, people, delegations and themes they read
    # on the public pages.
    FOCAL_POINTS: (
        [f"{APP}.view_recommendation"]
        + [f"{APP}.{action}_followup" for action in ("add", "change", "view")]
        + [f"{APP}.{action}_progressupdate" for action in ("add", "change", "view")]
    ),
}


def ensure_roles(**kwargs):
    """Create the role groups and set exactly their permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
