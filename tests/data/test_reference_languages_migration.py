"""The migration that gives reference data a column per language fills, in a database
that holds data already: the English column from the name; the translations shipped
with the Islamabad data where the row still reads as shipped; a member state's names
from CLDR and the UN's short names. Nothing anyone entered is replaced."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

APP = "recommendations"


def node(graph, suffix: str) -> tuple[str, str]:
    (found,) = [key for key in graph.nodes if key[0] == APP and key[1].endswith(suffix)]
    return found


@pytest.fixture
def migrate(transactional_db):
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    languages = node(graph, "_reference_data_languages")
    (before,) = graph.node_map[languages].parents

    def to(*targets):
        executor = MigrationExecutor(connection)
        executor.migrate(list(targets))
        return executor.loader.project_state(list(targets)).apps

    to.before, to.languages = before.key, languages
    yield to
    to(*graph.leaf_nodes())  # every app's latest, as the other tests expect


def test_it_fills_what_was_shipped_and_never_what_was_changed(migrate):
    apps = migrate(migrate.before)
    theme = apps.get_model(APP, "Theme")
    theme.objects.create(slug="ieds", name="Improvised explosive devices", order=0)
    theme.objects.create(slug="gender", name="Gender equality", order=1)  # changed by staff
    delegation = apps.get_model(APP, "Delegation")
    delegation.objects.create(code="PAK", name="Pakistan", country="PK")
    delegation.objects.create(code="CIV", name="Ivory Coast", country="CI")
    delegation.objects.create(
        code="UNS", name="United Nations Secretariat", kind="organisation", country=""
    )
    meeting = apps.get_model(APP, "Meeting").objects.create(
        slug="islamabad-2023",
        title="Preparatory Meeting of the 2023 UN Peacekeeping Ministerial: Safety and "
        "Security of Peacekeepers",
        city="Islamabad",
        country="PK",
        start_date=datetime.date(2023, 8, 30),
        end_date=datetime.date(2023, 8, 31),
        target_name="Accra Ministerial",  # not as shipped: left alone
        target_city="Accra",
    )
    apps.get_model(APP, "Session").objects.create(
        meeting=meeting,
        day=2,
        order=1,
        code="D2S1",
        title="UN Pledging System/Threat of Improvised Explosive Devices & Countermeasures",
    )

    apps = migrate(migrate.languages)

    themes = {t.slug: t for t in apps.get_model(APP, "Theme").objects.all()}
    assert themes["ieds"].name_en == "Improvised explosive devices"
    assert themes["ieds"].name_fr == "Engins explosifs improvisés"
    assert themes["ieds"].description_fr is None  # its English is not the shipped one
    assert (themes["gender"].name_en, themes["gender"].name_fr) == ("Gender equality", None)
    delegations = {d.code: d for d in apps.get_model(APP, "Delegation").objects.all()}
    assert delegations["PAK"].name_ru == "Пакистан"
    # The UN's short name in Spanish, not CLDR's "Costa de Marfil"; the English as it was.
    assert (delegations["CIV"].name_es, delegations["CIV"].name_en) == (
        "Côte d’Ivoire",
        "Ivory Coast",
    )
    assert delegations["UNS"].name_zh_hans == "联合国秘书处"
    meeting = apps.get_model(APP, "Meeting").objects.get()
    assert meeting.title_es.startswith("Reunión preparatoria")
    assert meeting.target_city_ar == "أكرا"
    assert (meeting.target_name_en, meeting.target_name_fr) == ("Accra Ministerial", None)
    session = apps.get_model(APP, "Session").objects.get()
    assert session.title_fr and session.title_fr != session.title_en
