"""/source/: the Chair's Summary every item comes from, readable in the app and as a
download of the file kept in the repository."""

from pathlib import Path

import pytest
from django.conf import settings

from recommendations import views

pytest_plugins = ["tests.pages.fixtures"]

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "islamabad-2023-chairs-summary.txt"


@pytest.fixture
def reads(monkeypatch):
    """How many times the summary is read from disk, from a cold start."""
    views._source_bytes.cache_clear()
    count = {"n": 0}
    read_bytes = Path.read_bytes

    def counted(path):
        count["n"] += 1
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    yield count
    views._source_bytes.cache_clear()


def test_it_shows_the_whole_summary_as_source_language_text(client, db):
    response = client.get("/source/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<pre class="source-text" lang="en">**Preparatory Meeting of the 2023' in html
    assert "Global Peace Operations Initiative (GPOI).</pre>" in html
    assert "Co-Hosted by Pakistan and Japan" in html
    assert '<a href="/source/islamabad-2023-chairs-summary.txt" download>' in html


def test_the_download_is_the_file_itself(client, db):
    response = client.get("/source/islamabad-2023-chairs-summary.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="islamabad-2023-chairs-summary.txt"'
    )
    assert response.content == SOURCE.read_bytes()


def test_it_costs_one_file_read_and_no_query(client, site_data, reads, django_assert_num_queries):
    site_data.follow_up("D1S1-01", "PAK").__class__.objects.update(is_illustrative=True)
    with django_assert_num_queries(0):
        page = client.get("/source/")
        client.get("/source/")
        client.get("/source/islamabad-2023-chairs-summary.txt")
    assert reads["n"] == 1
    # The page shows no follow-up, so no sample-data notice either.
    assert "Illustrative data." not in page.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/source/other.txt",
        "/source/..%2Fsettings.py",
        "/source/islamabad-2023-chairs-summary.TXT",
        "/source/islamabad-2023-chairs-summary.txt/",
    ],
)
def test_no_other_name_reaches_a_file(client, db, path):
    assert client.get(path).status_code == 404


def test_it_only_answers_safe_methods(client, db):
    assert client.post("/source/").status_code == 405
    assert client.post("/source/islamabad-2023-chairs-summary.txt").status_code == 405
    assert client.head("/source/").status_code == 200


def test_every_page_links_to_it_from_the_footer(client, site_data):
    for url in ("/", "/recommendations/", "/follow-ups/", "/recommendations/D1S1-01/"):
        html = client.get(url).content.decode()
        footer = html.split('<footer class="container site-footer">')[1]
        assert '<a href="/source/">Read the Chair\'s Summary</a>' in footer, url


def test_it_speaks_french_around_the_english_text(client, db):
    html = client.get("/source/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert '<pre class="source-text" lang="en">' in html
    assert "Résumé de la présidence" in html
