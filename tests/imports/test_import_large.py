"""A large file: the preview counts every row but shows one page of them, and the
import runs in the background (the task worker), in batches, with a status page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from recommendations import imports
from recommendations.admin import imports as admin_import
from recommendations.models import FollowUp, ImportJob, ProgressUpdate
from recommendations.services import imports as service_imports

URL = "/admin/recommendations/progressupdate/import/"


@pytest.fixture
def staff_client(secretariat_user):
    client = Client()
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def many(make_recommendation, pak, jpn):
    """A file of 1,000 rows over 20 items and two delegations (no follow-up yet)."""
    lines = ["code,delegation,status,date,note"]
    for n in range(20):
        item = make_recommendation(code=f"D1S1-{n + 1:02d}", theme_slugs=())
        for day in range(1, 26):
            for delegation in ("PAK", "JPN"):
                lines.append(f"{item.code},{delegation},planned,2023-09-{day:02d},Day {day}")
    return "\r\n".join(lines) + "\r\n"


def _upload(client, text):
    upload = SimpleUploadedFile("big.csv", text.encode("utf-8"), "text/csv")
    return client.post(URL, {"file": upload, "visibility": "public"})


def _confirm(client):
    digest = client.session[admin_import.SESSION_KEY]["digest"]
    return client.post(URL, {"confirm": "1", "digest": digest})


def test_the_preview_counts_every_row_and_shows_one_page(staff_client, many):
    response = _upload(staff_client, many)

    assert response.status_code == 200
    page = response.content.decode()
    assert "1000 rows: 1000 new progress updates (40 new follow-ups)" in page
    assert page.count('<tr class="import-') == imports.ROWS_KEPT
    assert "Rows 1 to 100 of 1000." in page
    assert len(response.content) < 200_000  # one page, not the whole file
    job = ImportJob.objects.get()
    second = staff_client.get(f"{URL}{job.pk}/", {"page": "2"})
    assert second.status_code == 200
    assert "Rows 101 to 200 of 1000." in second.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_file_with_many_errors_lists_the_first_ones_and_counts_the_rest(staff_client, many):
    text = many.replace(",planned,", ",finished,")
    page = _upload(staff_client, text).content.decode()
    assert "1000 rows have errors" in page
    assert page.count('<tr class="import-error">') == imports.ERRORS_KEPT
    assert "…and 900 more rows with errors, not listed." in page
    assert 'name="confirm"' not in page


# The worker closes its database connection after each task, as in production: these
# tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_a_large_confirm_runs_in_the_background_in_batches(
    staff_client, many, settings, monkeypatch
):
    settings.IMPORT_SYNC_ROWS = 100
    monkeypatch.setattr(service_imports, "BATCH_ROWS", 400)
    batches = []
    original = service_imports.progress_updates_import_rows

    def counted(**kwargs):
        batches.append(len(kwargs["rows"]))
        return original(**kwargs)

    monkeypatch.setattr(service_imports, "progress_updates_import_rows", counted)
    _upload(staff_client, many)
    response = _confirm(staff_client)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.state == ImportJob.State.QUEUED
    assert not ProgressUpdate.objects.exists()  # nothing yet: the worker does it
    waiting = staff_client.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in waiting
    assert '<meta http-equiv="refresh"' in waiting

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    job.refresh_from_db()
    assert (job.state, job.error) == (ImportJob.State.DONE, "")
    assert batches == [400, 400, 200]
    assert (job.rows_done, job.rows_total, job.updates, job.follow_ups) == (1000, 1000, 1000, 40)
    assert job.text == ""
    assert ProgressUpdate.objects.count() == 1000
    assert FollowUp.objects.count() == 40
    report = staff_client.get(job.get_absolute_url()).content.decode()
    assert "Done" in report and "1000" in report
    assert '<meta http-equiv="refresh"' not in report


@pytest.mark.django_db(transaction=True)
def test_a_background_import_whose_file_no_longer_plans_writes_nothing(
    staff_client, many, settings
):
    settings.IMPORT_SYNC_ROWS = 100
    _upload(staff_client, many)
    _confirm(staff_client)
    # Before the worker gets to it, an item of the file is renamed away.
    from recommendations.models import Recommendation

    Recommendation.objects.filter(code="D1S1-01").update(code="GONE-01")

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    assert "50 rows now have errors" in job.error
    assert not ProgressUpdate.objects.exists()
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "50 rows now have errors" in page


def test_someone_elses_import_is_not_shown_to_a_focal_point(
    staff_client, many, make_focal_point, pak
):
    _upload(staff_client, many)
    job = ImportJob.objects.get()
    focal = Client()
    focal.force_login(make_focal_point(pak))
    assert focal.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_the_file_is_read_line_by_line_whatever_its_line_endings(ending):
    text = ending.join(["code,delegation", "D1S1-01,PAK", '"D1S1-02","J' + ending + 'PN"', ""])
    header, records = imports.read_records(text)
    assert header == ["code", "delegation"]
    assert [record for _line, record in records] == [
        ["D1S1-01", "PAK"],
        ["D1S1-02", "J" + ending + "PN"],
    ]
    assert [line for line, _record in records] == [2, 3]


def test_a_large_confirm_answers_at_once_leaving_the_planning_to_the_worker(
    staff_client, many, settings, monkeypatch
):
    settings.IMPORT_SYNC_ROWS = 100
    _upload(staff_client, many)

    def no_planning(*args, **kwargs):
        raise AssertionError("the confirm request planned the file again")

    monkeypatch.setattr(imports, "build_plan", no_planning)
    response = _confirm(staff_client)

    assert response.status_code == 302
    assert ImportJob.objects.get().state == ImportJob.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_very_large_file_is_checked_by_the_worker_then_previewed(
    staff_client, many, settings, monkeypatch
):
    monkeypatch.setattr(imports, "PREVIEW_SYNC_LINES", 100)
    response = _upload(staff_client, many)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    waiting = staff_client.get(job.get_absolute_url()).content.decode()
    assert "The file is being checked" in waiting
    assert '<meta http-equiv="refresh"' in waiting

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    preview = staff_client.get(job.get_absolute_url()).content.decode()
    assert "1000 rows: 1000 new progress updates (40 new follow-ups)" in preview
    assert preview.count('<tr class="import-') == imports.ROWS_KEPT
    assert 'name="confirm"' in preview
    settings.IMPORT_SYNC_ROWS = 5000
    assert _confirm(staff_client).status_code == 302
    assert ProgressUpdate.objects.count() == 1000


@pytest.mark.django_db(transaction=True)
def test_a_very_large_file_with_errors_is_refused_by_the_worker_with_them(
    staff_client, many, monkeypatch
):
    monkeypatch.setattr(imports, "PREVIEW_SYNC_LINES", 100)
    _upload(staff_client, many.replace(",planned,", ",finished,"))
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    job = ImportJob.objects.get()
    assert (job.state, job.text) == (ImportJob.State.REFUSED, "")
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "1000 rows have errors" in page
    assert page.count('<tr class="import-error">') == imports.ERRORS_KEPT
    assert "Line 2: “finished” is not a status." in page
    assert "…and 900 more rows with errors, not listed." in page
    assert 'name="confirm"' not in page
