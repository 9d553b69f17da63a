"""The database keeps a follow-up's status and last update date.

Triggers on the progress-update table set ``FollowUp.status`` and
``FollowUp.last_update_date`` from the follow-up's latest progress update (latest date,
then latest entry, then highest id: ``status.LATEST_FIRST``) after every insert, delete,
and change of a column that decides it, whatever wrote the row: the services, a plain
``ProgressUpdate.objects.create()``, ``bulk_create``, ``QuerySet.update()``/``delete()``,
``loaddata``, ``COPY`` or SQL typed by hand. So the cached status cannot disagree with
its history.

PostgreSQL: statement-level triggers with transition tables, so a bulk write refreshes
each touched follow-up once. The function first locks the touched follow-ups (in id
order, so concurrent writers queue rather than deadlock), then reads the history with a
fresh snapshot: whichever order concurrent appends commit in, the later-dated status
wins. SQLite: row-level triggers (SQLite has no other kind).
"""

from django.db import migrations

LATEST = "ORDER BY u.date DESC, u.created_at DESC, u.id DESC LIMIT 1"
DECIDING = ("follow_up_id", "date", "status", "created_at")

POSTGRESQL = [
    f"""
    CREATE FUNCTION recommendations_follow_up_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM recommendations_followup
            WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
        UPDATE recommendations_followup AS f
            SET status = COALESCE(latest.status, 'not_started'),
                last_update_date = latest.date
            FROM unnest(ids) AS touched(id)
            LEFT JOIN LATERAL (
                SELECT u.status, u.date FROM recommendations_progressupdate AS u
                WHERE u.follow_up_id = touched.id {LATEST}
            ) AS latest ON true
            WHERE f.id = touched.id
              AND (f.status IS DISTINCT FROM COALESCE(latest.status, 'not_started')
                   OR f.last_update_date IS DISTINCT FROM latest.date);
    END $$
    """,
    """
    CREATE FUNCTION recommendations_progressupdate_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM recommendations_follow_up_refresh(
            ARRAY(SELECT DISTINCT follow_up_id FROM new_rows));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION recommendations_progressupdate_deleted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM recommendations_follow_up_refresh(
            ARRAY(SELECT DISTINCT follow_up_id FROM old_rows));
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION recommendations_progressupdate_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM recommendations_follow_up_refresh(ARRAY(
            SELECT o.follow_up_id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
                WHERE ({", ".join("o." + c for c in DECIDING)})
                      IS DISTINCT FROM ({", ".join("n." + c for c in DECIDING)})
            UNION
            SELECT n.follow_up_id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
                WHERE ({", ".join("o." + c for c in DECIDING)})
                      IS DISTINCT FROM ({", ".join("n." + c for c in DECIDING)})));
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER pu_keeps_status_inserted AFTER INSERT ON recommendations_progressupdate
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION recommendations_progressupdate_inserted()
    """,
    """
    CREATE TRIGGER pu_keeps_status_deleted AFTER DELETE ON recommendations_progressupdate
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION recommendations_progressupdate_deleted()
    """,
    """
    CREATE TRIGGER pu_keeps_status_changed AFTER UPDATE ON recommendations_progressupdate
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION recommendations_progressupdate_changed()
    """,
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS pu_keeps_status_inserted ON recommendations_progressupdate",
    "DROP TRIGGER IF EXISTS pu_keeps_status_deleted ON recommendations_progressupdate",
    "DROP TRIGGER IF EXISTS pu_keeps_status_changed ON recommendations_progressupdate",
    "DROP FUNCTION IF EXISTS recommendations_progressupdate_inserted()",
    "DROP FUNCTION IF EXISTS recommendations_progressupdate_deleted()",
    "DROP FUNCTION IF EXISTS recommendations_progressupdate_changed()",
    "DROP FUNCTION IF EXISTS recommendations_follow_up_refresh(bigint[])",
]


def _sqlite_refresh(where: str) -> str:
    def latest(column):
        return (
            f"(SELECT u.{column} FROM recommendations_progressupdate AS u "
            f"WHERE u.follow_up_id = recommendations_followup.id {LATEST})"
        )

    return (
        "UPDATE recommendations_followup SET "
        f"status = COALESCE({latest('status')}, 'not_started'), "
        f"last_update_date = {latest('date')} "
        f"WHERE {where};"
    )


SQLITE = [
    "CREATE TRIGGER pu_keeps_status_inserted AFTER INSERT ON recommendations_progressupdate "
    f"BEGIN {_sqlite_refresh('id = NEW.follow_up_id')} END",
    "CREATE TRIGGER pu_keeps_status_deleted AFTER DELETE ON recommendations_progressupdate "
    f"BEGIN {_sqlite_refresh('id = OLD.follow_up_id')} END",
    f"CREATE TRIGGER pu_keeps_status_changed AFTER UPDATE OF {', '.join(DECIDING)} "
    "ON recommendations_progressupdate "
    f"BEGIN {_sqlite_refresh('id IN (OLD.follow_up_id, NEW.follow_up_id)')} END",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS pu_keeps_status_inserted",
    "DROP TRIGGER IF EXISTS pu_keeps_status_deleted",
    "DROP TRIGGER IF EXISTS pu_keeps_status_changed",
]

# Bring every existing follow-up in line once (a no-op where the services kept them).
REFRESH_ALL = {
    "postgresql": "SELECT recommendations_follow_up_refresh(ARRAY(SELECT id FROM recommendations_followup))",
    "sqlite": _sqlite_refresh("1 = 1"),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No status triggers written for the {vendor} database.")
    for statement in [*statements, REFRESH_ALL[vendor]]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0004_recommendation_sort_key")]

    operations = [migrations.RunPython(create, drop)]
