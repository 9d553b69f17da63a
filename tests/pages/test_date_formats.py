"""Dates in one format per language: every date a page shows is in the language's
date format, while date inputs, URLs and exports keep ISO (YYYY-MM-DD)."""

import re

from django.utils import timezone, translation

from recommendations.forms import SetStatusForm
from recommendations.views import AsOfForm
from tests.workspace.conftest import signed_in

pytest_plugins = ["tests.pages.fixtures"]

FR = {"accept-language": "fr"}


def date_inputs(html: str) -> dict[str, str]:
    """name → value of every date input of a page."""
    result = {}
    for tag in re.findall(r"<input [^>]*>", html):
        if 'type="date"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            result[re.search(r'name="(\w+)"', tag).group(1)] = value.group(1) if value else ""
    return result


def test_the_public_date_inputs_keep_iso_values_in_french(client, site_data):
    html = client.get("/follow-ups/?as_of=2023-10-31&changed_since=2023-09-01", headers=FR)
    assert date_inputs(html.content.decode()) == {
        "as_of": "2023-10-31",
        "changed_since": "2023-09-01",
    }
    html = client.get("/recommendations/D1S1-01/?as_of=2023-10-31", headers=FR).content.decode()
    assert date_inputs(html) == {"as_of": "2023-10-31"}
    html = client.get("/?as_of=2023-10-31&changed_since=2023-09-01", headers=FR).content.decode()
    assert date_inputs(html) == {"as_of": "2023-10-31", "changed_since": "2023-09-01"}
    html = client.get("/themes/?as_of=2023-10-31", headers=FR).content.decode()
    assert date_inputs(html) == {"as_of": "2023-10-31"}


def test_the_dates_shown_follow_the_language(client, site_data):
    english = client.get("/recommendations/D1S1-01/").content.decode()
    french = client.get("/recommendations/D1S1-01/", headers=FR).content.decode()
    assert '<time datetime="2023-12-05">Dec. 5, 2023</time>' in english
    assert '<time datetime="2023-12-05">5 décembre 2023</time>' in french
    for html in (english, french):
        shown = re.findall(r'<time datetime="[\d-]+">([^<]+)</time>', html)
        assert shown and not [day for day in shown if re.fullmatch(r"[\d/.-]+", day)]


def test_the_forms_render_iso_dates_in_french_too(site_data):
    today = timezone.localdate().isoformat()
    with translation.override("fr"):
        assert f'value="{today}"' in str(SetStatusForm()["date"])
        field = str(AsOfForm({"as_of": "2023-10-31"})["as_of"])
        assert 'type="date"' in field and 'value="2023-10-31"' in field


def test_the_workspace_report_form_keeps_iso_dates_in_french(site_data):
    client = signed_in(site_data.pak_focal)
    html = client.get("/workspace/PAK/items/D1S1-01/", headers=FR).content.decode()
    assert date_inputs(html) == {
        "date": timezone.localdate().isoformat(),
        "target_date": "2023-12-05",
    }
