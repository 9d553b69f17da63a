"""A roster of the delegations taking part in the follow-up, and "No report yet".

- ``Delegation.on_roster``: every delegation already here takes part.
- A follow-up's kept status is ``not_reported`` until its first progress update (it
  was ``not_started``, which made "nobody reported" look like a reported status): the
  status triggers of 0005 are replaced with ones that fall back to ``not_reported``,
  and follow-ups without any update are brought in line.
- Every roster delegation gets a follow-up of every item it does not follow yet,
  targeted at the date of the meeting the item's meeting prepares, as
  ``services.roster_fill`` does from now on.
"""

import importlib

from django.db import migrations, models

triggers = importlib.import_module("recommendations.migrations.0005_follow_up_status_triggers")

OLD, NEW = "'not_started'", "'not_reported'"


def _refresh_function(fallback: str) -> str:
    function = triggers.POSTGRESQL[0].replace(OLD, fallback)
    return function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def sqlite_statements(fallback: str) -> list[str]:
    """The SQLite status triggers falling back to ``fallback`` (a later migration that
    rebuilds the progress-update table on SQLite creates these again)."""
    return [statement.replace(OLD, fallback) for statement in triggers.SQLITE]


def _sqlite(schema_editor) -> bool:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"No status triggers written for the {vendor} database.")
    return vendor == "sqlite"


def _postgresql_refresh(schema_editor, fallback: str) -> None:
    if not _sqlite(schema_editor):
        schema_editor.execute(_refresh_function(fallback))
        # The rows just written leave deferred foreign-key checks pending, and
        # PostgreSQL alters no table with pending trigger events: check them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# On SQLite, rebuilding the follow-up table (its constraint changes) fails while
# triggers name it: they are dropped first and created again last.
def _sqlite_drop(apps, schema_editor):
    if _sqlite(schema_editor):
        for statement in triggers.SQLITE_DROP:
            schema_editor.execute(statement)


def _sqlite_create(fallback: str):
    def create(apps, schema_editor):
        if _sqlite(schema_editor):
            for statement in sqlite_statements(fallback):
                schema_editor.execute(statement)

    return create


def forwards(apps, schema_editor):
    FollowUp = apps.get_model("recommendations", "FollowUp")
    FollowUp.objects.filter(last_update_date__isnull=True).update(status="not_reported")
    Delegation = apps.get_model("recommendations", "Delegation")
    Recommendation = apps.get_model("recommendations", "Recommendation")
    items = list(Recommendation.objects.values_list("pk", "meeting__target_date"))
    for delegation_id in Delegation.objects.filter(on_roster=True).values_list("pk", flat=True):
        followed = set(
            FollowUp.objects.filter(delegation_id=delegation_id).values_list(
                "recommendation_id", flat=True
            )
        )
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    recommendation_id=item_id,
                    delegation_id=delegation_id,
                    target_date=target_date,
                    status="not_reported",
                )
                for item_id, target_date in items
                if item_id not in followed
            ],
            batch_size=1000,
        )
    _postgresql_refresh(schema_editor, NEW)


def backwards(apps, schema_editor):
    FollowUp = apps.get_model("recommendations", "FollowUp")
    # The follow-ups the roster added hold nothing: no update, pledge or lead.
    FollowUp.objects.filter(
        last_update_date__isnull=True, pledge="", lead="", is_illustrative=False
    ).delete()
    FollowUp.objects.filter(status="not_reported").update(status="not_started")
    _postgresql_refresh(schema_editor, OLD)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0008_import_job")]

    operations = [
        migrations.RunPython(_sqlite_drop, _sqlite_create(OLD)),
        migrations.RemoveConstraint(model_name="followup", name="follow_up_status_valid"),
        migrations.AddField(
            model_name="delegation",
            name="on_roster",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Delegations on the roster have a follow-up of every item, shown as "
                    "“No report yet” until they report."
                ),
                verbose_name="takes part in the follow-up",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="status",
            field=models.CharField(
                choices=[
                    ("not_reported", "No report yet"),
                    ("not_started", "Not started"),
                    ("planned", "Planned"),
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                    ("not_applicable", "Not applicable"),
                ],
                default="not_reported",
                editable=False,
                help_text="The status of the latest progress update; “No report yet” before the first.",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="historicalfollowup",
            name="status",
            field=models.CharField(
                choices=[
                    ("not_reported", "No report yet"),
                    ("not_started", "Not started"),
                    ("planned", "Planned"),
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                    ("not_applicable", "Not applicable"),
                ],
                default="not_reported",
                editable=False,
                help_text="The status of the latest progress update; “No report yet” before the first.",
                max_length=20,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "not_reported",
                        "not_started",
                        "planned",
                        "in_progress",
                        "completed",
                        "not_applicable",
                    ]
                ),
                name="follow_up_status_valid",
            ),
        ),
        migrations.RunPython(_sqlite_create(NEW), _sqlite_drop),
    ]
