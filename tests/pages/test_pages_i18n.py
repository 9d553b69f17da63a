"""The interface in the six UN languages; recommendation texts stay as in the source."""

import functools
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

pytest_plugins = ["tests.pages.fixtures"]

# Every language of the interface but English, by its catalogue's directory.
CATALOGUES = [to_locale(code) for code, _ in settings.LANGUAGES if code != "en"]


def catalogue(locale: str) -> Path:
    return Path(settings.BASE_DIR) / "locale" / locale / "LC_MESSAGES"


def french(client, url: str):
    return client.get(url, headers={"accept-language": "fr"})


def test_the_list_speaks_french_but_keeps_the_source_text(client, site_data):
    response = french(client, "/recommendations/?theme=ieds")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in html
    assert "Appliquer les filtres" in html
    assert "Exporter ces résultats (CSV)" in html
    assert "Éléments 1 à 2 sur 2" in html
    assert "Pas encore de rapport : 2" in html
    assert '<p class="item-text" lang="en">Counter IED threats with better detection' in html


def test_errors_and_dates_are_french_too(client, site_data):
    html = french(client, "/recommendations/?status=done").content.decode()
    assert "Certains filtres n’ont pas pu être appliqués" in html
    assert "Sélectionnez un choix valide" in html  # Django's own catalogue
    html = french(client, "/recommendations/D1S1-01/?as_of=2023-10-31").content.decode()
    assert "États tels qu’ils étaient à la fin du 31 octobre 2023." in html
    assert "Déclaré par la délégation" in html


def test_the_dashboard_themes_and_delegation_pages_speak_french(client, site_data):
    assert "En route pour Accra" in french(client, "/").content.decode()
    assert "Éléments et suivis par thème" in french(client, "/themes/").content.decode()
    html = french(client, "/delegations/PAK/").content.decode()
    assert "Le suivi des recommandations par Pakistan, regroupé par état." in html


def test_the_language_switcher_keeps_the_page_and_its_filters_in_the_new_language(
    client, site_data
):
    html = client.get("/recommendations/?theme=ieds").content.decode()
    assert '<form action="/i18n/setlang/" method="post"' in html
    assert '<input name="next" type="hidden" value="/recommendations/?theme=ieds">' in html
    next_page = "/recommendations/?theme=ieds"
    response = client.post("/i18n/setlang/", {"language": "fr", "next": next_page})
    assert response.status_code == 302
    assert response["Location"] == "/fr/recommendations/?theme=ieds"
    assert "Thèmes" in client.get("/themes/").content.decode()  # the cookie it set
    response = client.post("/i18n/setlang/", {"language": "en", "next": response["Location"]})
    assert response["Location"] == "/recommendations/?theme=ieds"
    assert "Themes" in client.get("/themes/").content.decode()


def test_a_french_link_opens_in_french_whatever_the_browser_or_the_cookie(client, site_data):
    client.cookies["django_language"] = "en"
    response = client.get("/fr/recommendations/?theme=ieds", headers={"accept-language": "en"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in html and "Appliquer les filtres" in html
    assert response["Content-Language"] == "fr"
    # Its links stay in French: the item pages, the exports and the other pages.
    assert 'href="/fr/recommendations/D1S1-01/' in html
    assert 'href="/fr/recommendations/export.xlsx?theme=ieds"' in html
    assert 'href="/fr/themes/"' in html


def test_a_link_without_a_language_opens_in_the_readers_language(client, site_data):
    response = french(client, "/recommendations/")
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert 'href="/fr/themes/"' in response.content.decode()  # and goes on in French
    # The same path answers in another language for another reader: caches must know.
    assert {"Accept-Language", "Cookie"} <= {
        header.strip() for header in response["Vary"].split(",")
    }
    english = client.get("/recommendations/", headers={"accept-language": "en"})
    assert '<html lang="en" dir="ltr">' in english.content.decode()
    assert 'href="/themes/"' in english.content.decode()


def test_a_prefixed_page_varies_on_neither(client, site_data):
    response = client.get("/fr/themes/")
    assert "Accept-Language" not in response.get("Vary", "")


@pytest.mark.parametrize("path", ["/en/themes/", "/de/themes/", "/fr/admin/", "/fr/fr/themes/"])
def test_an_unknown_language_prefix_is_a_404(client, site_data, path):
    assert client.get(path).status_code == 404


def po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr (first form for plurals) of a .po file, header left out. A msgid
    with a context is keyed as gettext keys it, ``context + "\\x04" + msgid``."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\])\s+"(.*)"$', line
            )
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            key = fields["msgid"]
            if "msgctxt" in fields:
                key = f"{fields['msgctxt']}\x04{key}"
            entries[key] = fields.get("msgstr", fields.get("msgstr[0]", ""))
    return entries


def unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.parametrize("locale", CATALOGUES)
def test_every_message_is_translated_and_the_compiled_file_matches(locale):
    entries = po_entries(catalogue(locale) / "django.po")
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    with open(catalogue(locale) / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = compiled._catalog  # msgid → msgstr; (msgid, n) for plural forms
    for msgid, msgstr in entries.items():
        key = unescape(msgid)
        found = catalog.get(key, catalog.get((key, 0)))
        assert found == unescape(msgstr), msgid


# What ``make messages`` leaves out of the extraction, and what it need not copy.
NOT_SOURCES = (".venv", "frontend", ".git", "staticfiles", "node_modules", "*.sqlite3*")


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="needs gettext (apt-get install gettext)")
def test_the_catalogue_has_every_string_of_the_code_translated(tmp_path):
    """Extracts the strings of the code and templates afresh (makemessages, on a copy)
    and finds none untranslated or fuzzy: a new string cannot ship in English only."""
    tree = tmp_path / "tree"
    shutil.copytree(
        settings.BASE_DIR, tree, ignore=shutil.ignore_patterns("__pycache__", *NOT_SOURCES)
    )
    run = functools.partial(subprocess.run, cwd=tree, capture_output=True, text=True)
    languages = [f"--locale={locale}" for locale in CATALOGUES]
    extracted = run(
        [sys.executable, "manage.py", "makemessages", *languages, "--no-obsolete"]
        + ["--ignore=.venv", "--ignore=frontend"],
        env={**os.environ, "DEBUG": "1"},
    )
    assert extracted.returncode == 0, extracted.stderr
    for locale in CATALOGUES:
        po = tree / "locale" / locale / "LC_MESSAGES" / "django.po"
        for kind in ("--untranslated", "--only-fuzzy"):
            found = run(["msgattrib", kind, "--no-wrap", str(po)]).stdout
            missing = re.findall(r'^msgid "(.+)"$', found, flags=re.MULTILINE)
            assert missing == [], (locale, kind, missing)


def test_a_french_page_says_the_texts_are_in_the_language_of_the_source(client, site_data):
    english = client.get("/recommendations/").content.decode()
    french = client.get("/fr/recommendations/").content.decode()
    assert '<html lang="en" dir="ltr">' in english and "language of the Chair" not in english
    assert '<html lang="fr" dir="ltr">' in french
    assert "sont présentés en anglais, la langue du Résumé de la présidence." in french


@pytest.mark.parametrize(
    ("language", "direction", "phrase"),
    [
        ("ar", "rtl", "تطبيق عوامل التصفية"),
        ("zh-hans", "ltr", "应用筛选条件"),
        ("fr", "ltr", "Appliquer les filtres"),
        ("ru", "ltr", "Применить фильтры"),
        ("es", "ltr", "Aplicar filtros"),
    ],
)
def test_each_un_language_has_its_pages_in_its_direction(
    client, site_data, language, direction, phrase
):
    html = client.get(f"/{language}/recommendations/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert phrase in html
    assert '<p class="item-text" lang="en">Counter IED threats with better detection' in html


def test_the_switcher_offers_the_six_languages_each_in_its_own_name(client, site_data):
    html = client.get("/ar/").content.decode()
    for code, name in [
        ("ar", "العربيّة"),
        ("zh-hans", "简体中文"),
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("es", "Español"),
    ]:
        assert f'<option value="{code}" lang="{code}"' in html
        assert f">{name}</option>" in html


def test_a_date_and_a_place_are_joined_as_each_language_writes_a_list(client, site_data):
    assert "</time>, Accra</p>" in client.get("/").content.decode()
    assert "</time>، Accra</p>" in client.get("/ar/").content.decode()  # the Arabic comma
    assert "</time>，Accra</p>" in client.get("/zh-hans/").content.decode()
