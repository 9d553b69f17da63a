"""A version on each progress update (optimistic lock, as on follow-ups).

On SQLite, adding a NOT NULL column rebuilds the table, which drops its triggers: the
status triggers of 0005 are created again after it (and after the reverse too). Any
later migration that rebuilds the progress-update table on SQLite must do the same.
"""

import importlib

from django.db import migrations, models

triggers = importlib.import_module("recommendations.migrations.0005_follow_up_status_triggers")


def sqlite_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*triggers.SQLITE_DROP, *triggers.SQLITE]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0006_islamabad_audit")]

    operations = [
        # Runs last when migrating back, after the column is removed.
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers_again),
        migrations.AddField(
            model_name="historicalprogressupdate",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.RunPython(sqlite_triggers_again, migrations.RunPython.noop),
    ]
