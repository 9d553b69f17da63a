"""Full-text search index, PostgreSQL only (SQLite uses a substring match).

The indexed expression must be the one RecommendationQuerySet.search() builds.
"""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS rec_search_gin_idx ON recommendations_recommendation "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_document, ''::text)))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS rec_search_gin_idx")


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
