"""An exported file imports back as it is: the importer undoes exactly the export's
formula neutralisation, so an unedited export adds and changes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations import imports, services
from recommendations.exports import neutralise
from recommendations.models import FollowUp, ProgressUpdate

IMPORT_URL = "/admin/recommendations/progressupdate/import/"
DAY = datetime.date(2023, 9, 1)
NOTES = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    " =x",
    "  +x",
    "\t=1",
    "'legitimate apostrophe",
    "'=not a formula",
    "'' =two apostrophes",
    "' ",
    "Plain note - with a dash",
]


@pytest.mark.parametrize(
    "text", [*NOTES, "", "'", "''", " ", "-", "'-", "\n=1", "\u00a0@x", "a = b", "'a"]
)
def test_the_importer_reads_back_exactly_what_the_export_wrote(text):
    assert imports.unneutralise(neutralise(text)) == text


@pytest.fixture
def recorded(make_recommendation, pak, jpn, secretariat_user):
    """One item per note: PAK's follow-up has two updates, the latest with the note
    (restricted for every third); JPN's has none."""
    for i, note in enumerate(NOTES):
        item = make_recommendation(code=f"D1S1-{i + 1:02d}")
        follow_up = services.follow_up_create(recommendation=item, delegation=pak)
        services.follow_up_create(recommendation=item, delegation=jpn)
        services.progress_update_create(
            follow_up=follow_up, date=DAY, status="planned", note="=first"
        )
        services.progress_update_create(
            follow_up=follow_up,
            date=DAY + datetime.timedelta(days=30),
            status="in_progress",
            note=note,
            evidence_url="https://example.org/?q=a,b" if i % 2 else "",
            visibility="restricted" if i % 3 == 0 else "public",
            author=secretariat_user,
        )


def _state():
    return (
        list(FollowUp.objects.order_by("pk").values_list("pk", "status", "last_update_date")),
        list(
            ProgressUpdate.objects.order_by("pk").values_list(
                "pk", "date", "status", "note", "evidence_url", "visibility"
            )
        ),
    )


@pytest.mark.parametrize(
    "url, rows",
    [
        ("/follow-ups/export.csv", 2 * len(NOTES)),
        ("/progress-updates/export.csv", 2 * len(NOTES)),
    ],
)
def test_an_unedited_export_imports_back_as_nothing_new(
    client, secretariat_user, recorded, url, rows
):
    client.force_login(secretariat_user)
    exported = b"".join(client.get(url).streaming_content)
    before = _state()
    response = client.post(
        IMPORT_URL,
        {
            "file": SimpleUploadedFile("export.csv", exported, "text/csv"),
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.is_valid
    assert plan.summary["rows"] == rows
    assert (plan.summary["new"], plan.summary["errors"]) == (0, 0)
    assert not [row for row in plan.rows if row.changes_status]
    assert _state() == before
