"""Search snippets on /recommendations/: with ``q``, each result shows the matching
words in context, marked and escaped, from its text or, said so, from its source
excerpt; as the database searched (full text on PostgreSQL, a substring elsewhere)."""

import re

import pytest
from django.db import connection

from recommendations.snippets import snippet_for

pytest_plugins = ["tests.pages.fixtures"]

LIST = "/recommendations/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def codes(html: str) -> list[str]:
    return re.findall(r'<li class="item" id="item-([^"]+)">', html)


def row(html: str, code: str) -> str:
    return html.split(f'id="item-{code}"')[1].split('<li class="item"')[0]


def test_a_match_in_the_source_excerpt_is_shown_in_context_and_said_so(client, site_data):
    html = page(client, f"{LIST}?q=improvised")
    assert codes(html) == ["D1S1-01"]
    snippet = row(html, "D1S1-01")
    assert '<small class="snippet-source">Matched in the source excerpt</small>' in snippet
    assert "detect <mark>improvised</mark> devices." in snippet


def test_a_match_in_the_text_is_marked_without_the_excerpt_note(client, site_data):
    html = page(client, f"{LIST}?q=evacuation")
    snippet = row(html, "D1S1-03")
    assert "Improve casualty <mark>evacuation</mark> within the golden hour." in snippet
    assert "Matched in the source excerpt" not in snippet


def test_a_match_on_the_speakers_name_only_shows_no_snippet(client, site_data):
    html = page(client, f"{LIST}?q=Panellist")
    assert codes(html) == ["D2S1-01"]
    assert 'class="snippet"' not in html


def test_without_a_search_there_is_no_snippet(client, site_data):
    assert 'class="snippet"' not in page(client, LIST)


def test_the_snippet_escapes_the_text_and_keeps_about_twenty_words(
    client, site_data, make_recommendation
):
    words = [f"word{i}" for i in range(60)]
    words[30] = "<b>evacuation</b>&co"
    make_recommendation(code="D1S1-09", text=" ".join(words), theme_slugs=["medical"])
    snippet = row(page(client, f"{LIST}?q=evacuation"), "D1S1-09")
    fragment = re.search(r'<p class="snippet"><span lang="en">(.*?)</span></p>', snippet).group(1)
    assert fragment.startswith("… word24 ")
    assert fragment.endswith(" word43 …")
    assert "&lt;b&gt;<mark>evacuation</mark>&lt;/b&gt;&amp;co" in fragment
    assert "<b>" not in fragment
    assert len(fragment.split()) == 20 + 2  # twenty words and two ellipses


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search")
def test_on_postgresql_the_snippet_marks_what_full_text_search_matched(client, site_data):
    html = page(client, f"{LIST}?q=hospital")
    assert "Deploy level two <mark>hospitals</mark> in high-risk missions." in row(html, "D2S1-01")
    html = page(client, f"{LIST}?q=casualty+OR+hazards")
    assert "Many <mark>casualties</mark> are linked to workplace <mark>hazards</mark>." in row(
        html, "D2S1-02"
    )


class Item:
    def __init__(self, text, source_excerpt=""):
        self.text, self.source_excerpt = text, source_excerpt


def test_full_text_snippets_follow_the_stems_and_leave_out_stop_words_and_negations():
    item = Item("The casualties of the hospitals and the deployment of medics.")
    html = str(snippet_for(item, "the casualty -hospital deploying", full_text=True).html)
    assert html == (
        "The <mark>casualties</mark> of the hospitals and the <mark>deployment</mark> of medics."
    )


def test_substring_snippets_match_the_whole_search_in_any_case():
    item = Item("Golden hour care.", "Care within the GOLDEN HOUR.")
    snippet = snippet_for(item, "golden hour", full_text=False)
    assert str(snippet.html) == "<mark>Golden hour</mark> care."
    assert snippet.in_excerpt is False
    snippet = snippet_for(item, "within the", full_text=False)
    assert (str(snippet.html), snippet.in_excerpt) == (
        "Care <mark>within the</mark> GOLDEN HOUR.",
        True,
    )
    assert snippet_for(item, "hospital", full_text=False) is None


def test_the_snippets_cost_no_query(client, site_data, many_items, django_assert_num_queries):
    many_items(30)
    for query in ("?per_page=100", "?q=item&per_page=100"):
        with django_assert_num_queries(14):
            # As without a search (tests/pages/test_pages_list.py): 1 sample_data_loaded,
            # 2 capped COUNT, 3 the page, 4 its themes, 5 its status counts, 6–9 the facet
            # counts, 10–14 the theme, meeting, session, speaker and delegation choices.
            html = page(client, LIST + query)
    assert html.count('<p class="snippet">') == 30
