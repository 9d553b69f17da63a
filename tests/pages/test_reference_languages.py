"""Reference data in every language: theme, meeting, session and delegation names read in
the page's language (English where a translation is missing, and marked so), member
states named as the UN names them; and items' texts translated by staff, shown marked
as translations with the original one click away."""

import pytest
from django.test import Client
from django.utils import translation

from recommendations import services
from recommendations.countries import country_names
from recommendations.models import Delegation, ItemTranslation, Meeting, Theme
from recommendations.services import StaleEditError

pytest_plugins = ["tests.pages.fixtures"]


@pytest.fixture
def in_french(site_data, meeting, session, themes):
    """The test meeting with its reference data in French."""
    Meeting.objects.filter(pk=meeting.pk).update(
        title_fr="Réunion préparatoire d’essai",
        city_fr="Villessai",
        target_name_fr="Réunion d’Accra",
    )
    session.title_fr = "Sécurité"
    session.save()
    Theme.objects.filter(slug="ieds").update(name_fr="Engins explosifs improvisés")
    Delegation.objects.filter(code="PAK").update(name_fr="Pakistan (fr)")
    return site_data


def test_reference_data_reads_in_the_pages_language_and_in_english_without_it(client, in_french):
    french = client.get("/fr/recommendations/?theme=ieds").content.decode()
    english = client.get("/recommendations/?theme=ieds").content.decode()
    assert "Engins explosifs improvisés" in french and "Engins explosifs" not in english
    assert ">Ieds<" in english
    # No French name for "medical": the English one, the data's own language.
    assert "Medical (2)" in client.get("/fr/recommendations/").content.decode()
    dashboard = client.get("/fr/").content.decode()
    assert "Réunion d’Accra" in dashboard and "Accra Ministerial" not in dashboard
    assert "Pakistan (fr)" in dashboard


def test_a_french_citation_is_french_throughout(client, in_french):
    html = client.get("/fr/recommendations/D1S1-01/").content.decode()
    citation = html[html.index('<p class="citation">') : html.index('class="permalink"')]
    assert "<cite>Résumé de la présidence</cite>" in citation
    assert '<span lang="fr">Réunion préparatoire d’essai</span>' in citation
    assert '<span lang="fr">Villessai</span>' in citation
    assert '<span lang="fr">Sécurité</span>' in citation
    assert "Jour 1" in citation and "30 août 2023" in citation
    for english in ("Chair", "Test preparatory meeting", "Testville", "Day 1", "Safety"):
        assert english not in citation
    start = html.index('class="breadcrumb"')
    breadcrumb = html[start : html.index("</nav>", start)]
    assert "Recommandations" in breadcrumb and "Recommendations" not in breadcrumb


def test_a_name_without_a_translation_is_marked_english(client, site_data):
    html = client.get("/fr/recommendations/D1S1-01/").content.decode()
    assert '<span lang="en">Test preparatory meeting</span>' in html
    assert '<span lang="en">Safety</span>' in html


def test_a_member_state_gets_its_un_name_in_every_language(db):
    ivory_coast = Delegation(code="CIV", country="CI", name="Côte d’Ivoire")
    services.delegation_save(delegation=ivory_coast)
    ivory_coast.refresh_from_db()
    # CLDR says "Costa de Marfil"; the UN's Spanish short name is Côte d’Ivoire.
    assert ivory_coast.name_es == "Côte d’Ivoire"
    assert ivory_coast.name_ru == "Кот-д’Ивуар"
    assert ivory_coast.name == "Côte d’Ivoire"  # the English, as entered
    with translation.override("zh-hans"):
        assert Delegation.objects.get(code="CIV").name == "科特迪瓦"
    assert country_names("US")["zh_hans"] == "美利坚合众国"  # CLDR: 美国
    assert country_names("JP")["ar"] == "اليابان"  # no UN name of its own: CLDR's


def test_a_name_staff_entered_is_kept(db):
    ghana = Delegation(code="GHA", country="GH", name="Ghana", name_fr="Le Ghana")
    services.delegation_save(delegation=ghana)
    ghana.refresh_from_db()
    assert ghana.name_fr == "Le Ghana" and ghana.name_ru == "Гана"


def test_the_spreadsheet_of_a_french_page_names_the_themes_in_french(client, in_french):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get("/fr/recommendations/export.xlsx?theme=ieds")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert any("Engins explosifs improvisés" in str(value) for value in values)


# Items translated by staff


@pytest.fixture
def translated(site_data):
    item = site_data.items["D1S1-01"]
    return services.item_translation_save(
        translation=ItemTranslation(
            recommendation=item,
            language="fr",
            text="Contrer la menace des EEI avec un meilleur matériel de détection.",
        ),
        user=site_data.staff,
    )


def test_a_translated_item_is_shown_as_a_translation_with_the_original_a_click_away(
    client, translated
):
    html = client.get("/fr/recommendations/D1S1-01/").content.decode()
    heading = '<h1 lang="fr">Contrer la menace des EEI avec un meilleur matériel de détection.'
    assert heading in html
    original = html[html.index('<details class="original-text">') :]
    original = original[: original.index("</details>")]
    assert "<summary>Traduit par le Secrétariat" in original
    assert '<p lang="en">Counter IED threats with better detection equipment.</p>' in original
    listed = client.get("/fr/recommendations/?theme=ieds").content.decode()
    assert '<p class="item-text" lang="fr">Contrer la menace des EEI' in listed
    assert '<details class="original-text">' in listed
    # Another language has no translation: the source text, marked English.
    spanish = client.get("/es/recommendations/D1S1-01/").content.decode()
    assert '<h1 lang="en">Counter IED threats' in spanish
    assert "original-text" not in spanish
    assert "Contrer" not in client.get("/recommendations/D1S1-01/").content.decode()


def test_only_secretariat_staff_translate_items(site_data):
    translation_row = ItemTranslation(
        recommendation=site_data.items["D1S1-02"], language="ar", text="نص"
    )
    with pytest.raises(PermissionError):
        services.item_translation_save(translation=translation_row, user=site_data.pak_focal)
    assert not ItemTranslation.objects.exists()


def test_a_stale_translation_is_refused_and_the_first_save_kept(translated, site_data):
    first = ItemTranslation.objects.get(pk=translated.pk)
    second = ItemTranslation.objects.get(pk=translated.pk)
    first.text = "Première version."
    services.item_translation_save(translation=first, version=1, user=site_data.staff)
    second.text = "Seconde version, sur une copie périmée."
    with pytest.raises(StaleEditError):
        services.item_translation_save(translation=second, version=1, user=site_data.staff)
    saved = ItemTranslation.objects.get(pk=translated.pk)
    assert (saved.text, saved.version, saved.translated_by) == (
        "Première version.",
        2,
        site_data.staff,
    )


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_a_translation_in_the_admin(site_data):
    item = site_data.items["D1S1-03"]
    response = admin_client(site_data.staff).post(
        "/admin/recommendations/itemtranslation/add/",
        {"recommendation": item.pk, "language": "es", "text": "Mejorar la evacuación."},
    )
    assert response.status_code == 302
    saved = ItemTranslation.objects.get()
    assert (saved.recommendation, saved.language, saved.translated_by) == (
        item,
        "es",
        site_data.staff,
    )
    page = admin_client(site_data.staff).get(
        f"/admin/recommendations/recommendation/{item.pk}/change/"
    )
    assert "Mejorar la evacuación." in page.content.decode()


def test_a_stale_admin_form_is_refused_with_a_reload_message(translated, site_data):
    url = f"/admin/recommendations/itemtranslation/{translated.pk}/change/"
    staff = admin_client(site_data.staff)
    data = {"recommendation": translated.recommendation_id, "language": "fr", "version": 1}
    assert staff.post(url, {**data, "text": "D’abord."}).status_code == 302
    response = staff.post(url, {**data, "text": "Ensuite, sur la copie périmée."})
    assert response.status_code == 200
    assert "Someone else changed this translation" in response.content.decode()
    assert ItemTranslation.objects.get().text == "D’abord."


@pytest.mark.parametrize(
    "path",
    ["/admin/recommendations/itemtranslation/", "/admin/recommendations/itemtranslation/add/"],
)
def test_a_focal_point_cannot_reach_the_translations(site_data, path):
    response = admin_client(site_data.pak_focal).get(path)
    assert response.status_code == 403


def test_a_focal_point_cannot_post_a_translation(site_data):
    response = admin_client(site_data.pak_focal).post(
        "/admin/recommendations/itemtranslation/add/",
        {"recommendation": site_data.items["D1S1-01"].pk, "language": "fr", "text": "Non."},
    )
    assert response.status_code == 403
    assert not ItemTranslation.objects.exists()
