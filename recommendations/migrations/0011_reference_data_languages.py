"""Reference data in every language: a column per language for theme, meeting, session
and delegation names (recommendations/translation.py), then, for a database that holds
data already, the English copied into the English column, the translations shipped with
the Islamabad data (``fixtures/islamabad-2023.json``) filled in where a row still reads
in English as shipped and has none of its own, and every member state's name in each
language (CLDR, with the UN's short names: recommendations/countries.py) where it has
none. Nothing anyone entered is replaced. Reversing drops the columns."""

import json

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from recommendations.countries import country_names

TRANSLATED = {
    "theme": ("name", "description"),
    "meeting": ("title", "theme", "city", "target_name", "target_city"),
    "session": ("title",),
    "delegation": ("name",),
}
# The columns this migration adds, whatever LANGUAGES holds later.
SUFFIXES = ["ar", "zh_hans", "fr", "ru", "es"]


def _shipped():
    """The fixture's objects of the translated models, by model name and natural key."""
    path = settings.BASE_DIR / "fixtures" / "islamabad-2023.json"
    if not path.exists():
        return {}
    objects = json.loads(path.read_text(encoding="utf-8"))
    meetings = {o["pk"]: o["fields"]["slug"] for o in objects if o["model"].endswith(".meeting")}
    shipped = {name: {} for name in TRANSLATED}
    for o in objects:
        name, fields = o["model"].split(".")[1], o["fields"]
        if name in ("theme", "meeting"):
            shipped[name][fields["slug"]] = fields
        elif name == "session":
            shipped[name][(meetings.get(fields["meeting"]), fields["code"])] = fields
        elif name == "delegation":
            shipped[name][fields["code"]] = fields
    return shipped


def _key(name, row):
    if name in ("theme", "meeting"):
        return row.slug
    if name == "session":
        return (row.meeting.slug, row.code)
    return row.code


def fill(apps, schema_editor):
    shipped = _shipped()
    for name, fields in TRANSLATED.items():
        model = apps.get_model("recommendations", name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})
        rows = model.objects.select_related("meeting") if name == "session" else model.objects
        for row in rows.all():
            source = shipped.get(name, {}).get(_key(name, row), {})
            changed = []
            for field in fields:
                if source.get(field) != getattr(row, field):
                    continue  # changed since it was shipped: its translations are not ours
                for suffix in SUFFIXES:
                    column = f"{field}_{suffix}"
                    if source.get(column) and not getattr(row, column):
                        setattr(row, column, source[column])
                        changed.append(column)
            if name == "delegation" and row.kind == "member_state" and row.country:
                for suffix, country_name in country_names(str(row.country)).items():
                    column = f"name_{suffix}"
                    if suffix in SUFFIXES and not getattr(row, column):
                        setattr(row, column, country_name)
                        changed.append(column)
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0010_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='delegation',
            name='name_ar',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='delegation',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='delegation',
            name='name_es',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='delegation',
            name='name_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='delegation',
            name='name_ru',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='delegation',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_ar',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_en',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_es',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_ru',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='city_zh_hans',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_ar',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_en',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_es',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_fr',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_ru',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_city_zh_hans',
            field=models.CharField(blank=True, max_length=100, null=True, verbose_name='target city'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_ar',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_en',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_es',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_fr',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_ru',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='target_name_zh_hans',
            field=models.CharField(blank=True, help_text='The meeting this one prepares.', max_length=200, null=True, verbose_name='target Ministerial'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_ar',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_es',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_fr',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_ru',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='theme_zh_hans',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_ar',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_es',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_ru',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='title_zh_hans',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_ar',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_es',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_ru',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_zh_hans',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_ar',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_es',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_ru',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_zh_hans',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_ar',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_es',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
