"""/delegations/<code>/report.pdf: the follow-up report as a PDF made on the server."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from lib import pdf
from recommendations.models import FollowUp

pytest_plugins = ["tests.pages.fixtures"]

pytestmark = pytest.mark.skipif(
    not pdf.is_available(), reason="WeasyPrint's system libraries are not installed"
)


def pdf_text(content: bytes) -> str:
    """The PDF's text, every run of white space (a line break too) as one space."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_it_is_a_pdf_download_holding_every_item_code(client, site_data):
    response = client.get("/delegations/PAK/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="PAK-report-{today}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Pakistan: follow-up report" in text
    for code in ("D1S1-01", "D1S1-02", "D1S1-03", "D2S1-01", "D2S1-02"):
        assert code in text
    assert "Download PDF" not in text  # the screen's controls are left out
    assert "Dashboard" not in text  # and so is the site's navigation


def test_as_of_and_group_apply_to_the_pdf_and_name_the_file(client, site_data):
    response = client.get("/delegations/pak/report.pdf?as_of=2023-10-31&group=session")
    assert response.status_code == 200
    assert 'filename="PAK-report-2023-10-31.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "D1S1: Safety" in text
    assert "In progress" in text
    assert "Completed" not in text


def test_a_restricted_note_is_in_the_pdf_only_for_those_who_may_read_it(client, site_data):
    note = "Restricted note: delivery schedule."
    assert note not in pdf_text(client.get("/delegations/PAK/report.pdf").content)
    client.force_login(site_data.staff)
    assert note in pdf_text(client.get("/delegations/PAK/report.pdf").content)


def test_the_pdf_carries_the_illustrative_notice_when_applicable(client, site_data):
    assert "Illustrative data." not in pdf_text(client.get("/delegations/PAK/report.pdf").content)
    FollowUp.objects.filter(delegation=site_data.pak).update(is_illustrative=True)
    assert "Illustrative data." in pdf_text(client.get("/delegations/PAK/report.pdf").content)


def test_arabic_and_chinese_text_is_rendered(client, site_data):
    FollowUp.objects.filter(pk=site_data.follow_up("D1S1-02", "PAK").pk).update(
        pledge="تدريب فرق التخلص من الذخائر 培训排爆小组"
    )
    response = client.get("/delegations/PAK/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "D1S1-02" in pdf_text(response.content)


def test_the_pdf_makes_as_many_queries_as_the_page(
    client, site_data, many_items, django_assert_num_queries
):
    many_items(10)
    # 1 the delegation, 2 its follow-ups with their items, sessions and meetings, 3 the
    # items' themes, 4 the latest updates (with whether this visitor may read the
    # note). The PDF's document never asks the context processor whether the data is
    # sample data (it says so from the follow-ups it has read), so no fifth query.
    with django_assert_num_queries(4):
        response = client.get("/delegations/PAK/report.pdf?as_of=2023-09-15")
    assert response.status_code == 200
    assert "X-009" in pdf_text(response.content)


def test_the_pdf_is_laid_out_by_the_print_stylesheet(client, site_data):
    # The page number of report-print.css's @page rule: there only when the stylesheet
    # was read.
    assert "Pakistan: follow-up report 1 / 1" in pdf_text(
        client.get("/delegations/PAK/report.pdf").content
    )


def test_in_production_the_pdf_reads_the_collected_hashed_stylesheet(
    client, site_data, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "lib.storage.CompressedManifestStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    page = client.get("/delegations/PAK/report/").content.decode()
    hashed = re.search(r'href="/static/(recommendations/report-print\.\w+\.css)"', page)
    assert hashed, "the page links the hashed stylesheet"
    assert pdf.static_file(hashed.group(1)).is_relative_to(tmp_path)
    text = pdf_text(client.get("/delegations/PAK/report.pdf").content)
    assert "Pakistan: follow-up report 1 / 1" in text
