"""The exports opened as a delegate opens them: in LibreOffice Calc, with formulas
evaluated and "remove spaces" on, the harshest import settings. No cell of ours may
become a live formula, and every note must read as it was written."""

import datetime
import shutil
import subprocess
import zipfile

import pytest
from django.test import Client

from recommendations import services
from recommendations.status import Status

SOFFICE = shutil.which("soffice")
# CSV import options, by position: comma, double quote, UTF-8, from line 1, standard
# columns, English (US), quoted fields not forced to text, detect special numbers, -, -,
# remove spaces ON, -, evaluate formulas ON.
HARSH_CSV_IMPORT = "CSV:44,34,76,1,,1033,false,true,false,false,true,false,true"
DANGEROUS_NOTES = ["=1+1", " =1+1", "  +2+2", "\t-3+3", "@SUM(1)", "'=quoted", "plain words"]


def calc_sheet(csv_bytes: bytes, tmp_path) -> str:
    """The first sheet's XML of the CSV converted to XLSX by LibreOffice."""
    source = tmp_path / "export.csv"
    source.write_bytes(csv_bytes)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            f"--infilter={HARSH_CSV_IMPORT}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "export.xlsx") as book:
        return (
            book.read("xl/worksheets/sheet1.xml").decode()
            + book.read("xl/sharedStrings.xml").decode()
        )


@pytest.mark.skipif(
    SOFFICE is None, reason="needs LibreOffice (apt-get install libreoffice-calc-nogui)"
)
def test_no_exported_note_becomes_a_formula_in_libreoffice(
    recommendation, make_recommendation, pak, secretariat_user, tmp_path
):
    for n, note in enumerate(DANGEROUS_NOTES):
        item = recommendation if n == 0 else make_recommendation(code=f"D1S1-{n + 10:02d}")
        follow_up = services.follow_up_create(recommendation=item, delegation=pak)
        services.progress_update_create(
            follow_up=follow_up,
            author=secretariat_user,
            date=datetime.date(2023, 9, 1),
            status=Status.PLANNED,
            note=note,
        )
    response = Client().get("/progress-updates/export.csv")
    assert response.status_code == 200

    sheet = calc_sheet(b"".join(response.streaming_content), tmp_path)

    assert "<f" not in sheet  # no formula anywhere
    for note in ("=1+1", "+2+2", "@SUM(1)", "plain words"):
        assert note in sheet  # shown as text, behind the apostrophe that neutralises it
