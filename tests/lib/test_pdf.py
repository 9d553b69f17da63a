"""lib/pdf.py: HTML to PDF reading the site's static files and nothing else."""

import socket

import pytest

from lib import pdf

needs_weasyprint = pytest.mark.skipif(
    not pdf.is_available(), reason="WeasyPrint's system libraries are not installed"
)


def test_a_static_url_names_its_file():
    assert (
        pdf.static_name("https://pdf.invalid/static/recommendations/report-print.css")
        == "recommendations/report-print.css"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/static/recommendations/report-print.css",
        "http://pdf.invalid/static/recommendations/report-print.css",
        "https://pdf.invalid/admin/",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_any_other_url_names_no_static_file(url):
    assert pdf.static_name(url) is None


@pytest.mark.parametrize(
    "name", ["../../ministerial/settings.py", "/etc/passwd", "", "recommendations/../x.css"]
)
def test_a_name_outside_the_static_files_has_no_file(name):
    assert pdf.static_file(name) is None


def test_a_static_file_is_found_on_disk():
    path = pdf.static_file("recommendations/report-print.css")
    assert path is not None and path.read_text().startswith("/*")


@needs_weasyprint
@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.css",
        "https://pdf.invalid/static/../ministerial/settings.py",
        "https://pdf.invalid/static/recommendations/missing.css",
        "file:///etc/passwd",
    ],
)
def test_the_fetcher_refuses_everything_but_the_static_files(url):
    with pytest.raises(ValueError, match="Only the site's static files are read"):
        pdf.static_files_fetcher().fetch(url)


@needs_weasyprint
def test_the_fetcher_serves_a_static_file_with_its_type():
    response = pdf.static_files_fetcher().fetch(
        "https://pdf.invalid/static/recommendations/report-print.css"
    )
    assert response.content_type == "text/css"
    assert b"@media print" in response.read()


@needs_weasyprint
def test_a_document_naming_other_hosts_opens_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    html = (
        '<link rel="stylesheet" href="https://example.org/x.css">'
        '<link rel="stylesheet" href="/static/recommendations/report-print.css">'
        '<img src="http://127.0.0.1:1/x.png"><img src="file:///etc/hostname"><p>Hello</p>'
    )
    assert pdf.html_to_pdf(html).startswith(b"%PDF")


def test_missing_system_libraries_raise_pdf_unavailable(monkeypatch):
    def missing(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "import_module", missing)
    pdf._weasyprint.cache_clear()
    try:
        assert pdf.is_available() is False
        with pytest.raises(pdf.PdfUnavailable, match="libpango"):
            pdf.html_to_pdf("<p>Hello</p>")
    finally:
        pdf._weasyprint.cache_clear()
