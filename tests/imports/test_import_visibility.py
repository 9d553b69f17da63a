"""An import never makes a restricted note public: without a visibility value in the
file, a row whose note or evidence is already recorded keeps that update's visibility,
whatever was recorded since."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recommendations import imports, services
from recommendations.admin import imports as admin_import
from recommendations.models import FollowUp, ProgressUpdate, Status

URL = "/admin/recommendations/progressupdate/import/"
RESTRICTED, PUBLIC = ProgressUpdate.Visibility.RESTRICTED, ProgressUpdate.Visibility.PUBLIC


@pytest.fixture
def staff_client(secretariat_user):
    client = Client()
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def restricted(follow_up, secretariat_user):
    return services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 9, 1),
        status=Status.PLANNED,
        note="Troop numbers, not for publication",
        evidence_url="https://example.org/internal/memo.pdf",
        visibility=RESTRICTED,
        author=secretariat_user,
    )


def _import(client, text: str, visibility=PUBLIC):
    upload = SimpleUploadedFile("updates.csv", text.encode("utf-8"), "text/csv")
    preview = client.post(URL, {"file": upload, "visibility": visibility})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    digest = client.session[admin_import.SESSION_KEY]["digest"]
    return client.post(URL, {"confirm": "1", "digest": digest})


def test_a_re_imported_export_does_not_republish_an_older_restricted_note(
    staff_client, restricted, follow_up, make_focal_point, pak
):
    exported = b"".join(
        staff_client.get("/follow-ups/export.csv?delegation=PAK").streaming_content
    ).decode("utf-8-sig")
    # Meanwhile the focal point records a newer, public update.
    services.progress_update_create(
        follow_up=FollowUp.objects.get(pk=follow_up.pk),
        date=datetime.date(2023, 10, 1),
        status=Status.IN_PROGRESS,
        note="Public progress",
        author=make_focal_point(pak),
    )
    rows = list(csv.reader(io.StringIO(exported, newline="")))
    header = rows[0]
    assert rows[1][header.index("last_update_note")] == restricted.note
    rows[1][header.index("status")] = "completed"  # the only cell staff edited
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)

    assert _import(staff_client, out.getvalue()).status_code == 302

    copied = ProgressUpdate.objects.filter(note=restricted.note)
    assert copied.count() == 2
    assert set(copied.values_list("visibility", flat=True)) == {RESTRICTED}


def test_a_row_repeating_restricted_evidence_stays_restricted(restricted, secretariat_user):
    text = (
        "code,delegation,status,date,evidence_url\r\n"
        f"D1S1-01,PAK,completed,2023-11-01,{restricted.evidence_url}\r\n"
    )
    (row,) = imports.build_plan(text, user=secretariat_user).rows
    assert row.visibility == RESTRICTED


def test_a_visibility_value_in_the_file_decides(restricted, secretariat_user):
    text = (
        "code,delegation,status,date,note,visibility\r\n"
        f'D1S1-01,PAK,completed,2023-11-01,"{restricted.note}",public\r\n'
        f'D1S1-01,PAK,completed,2023-11-02,"{restricted.note}",\r\n'
    )
    first, second = imports.build_plan(text, user=secretariat_user).rows
    assert (first.visibility, second.visibility) == (PUBLIC, RESTRICTED)


def test_a_new_note_takes_the_visibility_chosen_for_the_file(restricted, secretariat_user):
    text = "code,delegation,status,date,note\r\nD1S1-01,PAK,completed,2023-11-01,Brand new\r\n"
    (row,) = imports.build_plan(text, user=secretariat_user, default_visibility=PUBLIC).rows
    assert row.visibility == PUBLIC
    (row,) = imports.build_plan(text, user=secretariat_user, default_visibility=RESTRICTED).rows
    assert row.visibility == RESTRICTED


def test_a_nul_byte_in_a_cell_is_refused_with_its_line(staff_client, follow_up):
    text = "code,delegation,status,date,note\r\nD1S1-01,PAK,planned,2023-09-01,ok\r\n"
    text += "D1S1-01,PAK,completed,2023-09-02,a\x00b\r\n"
    upload = SimpleUploadedFile("updates.csv", text.encode("utf-8"), "text/csv")
    response = staff_client.post(URL, {"file": upload, "visibility": PUBLIC})
    assert response.status_code == 400
    assert "line 3" in response.content.decode()
    assert admin_import.SESSION_KEY not in staff_client.session
    assert not ProgressUpdate.objects.exists()
