"""The interface in English and French; recommendation texts stay as in the source."""

import gettext
import re
from pathlib import Path

from django.conf import settings

pytest_plugins = ["tests.pages.fixtures"]

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


def french(client, url: str):
    return client.get(url, headers={"accept-language": "fr"})


def test_the_list_speaks_french_but_keeps_the_source_text(client, site_data):
    response = french(client, "/recommendations/?theme=ieds")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
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


def test_the_language_switcher_sets_french_for_the_next_pages(client, site_data):
    html = client.get("/recommendations/").content.decode()
    assert '<form action="/i18n/setlang/" method="post"' in html
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/themes/"})
    assert response.status_code == 302
    assert response["Location"] == "/themes/"
    assert "Thèmes" in client.get("/themes/").content.decode()


def po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr (first form for plurals) of a .po file, header left out."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d\])\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", fields.get("msgstr[0]", ""))
    return entries


def unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_every_message_is_translated_and_the_compiled_file_matches():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = compiled._catalog  # msgid → msgstr; (msgid, n) for plural forms
    for msgid, msgstr in entries.items():
        key = unescape(msgid)
        found = catalog.get(key, catalog.get((key, 0)))
        assert found == unescape(msgstr), msgid
