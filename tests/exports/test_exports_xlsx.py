"""Every export as a spreadsheet (``export.xlsx`` beside each ``.csv``): the CSV's rows,
in words people read in the page's language, dates as dates, a frozen and filtered
header row, and no cell that is a formula whatever the data holds."""

import csv
import datetime
import html
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import FileResponse
from django.urls import resolve, reverse
from openpyxl import load_workbook

from recommendations import export_views, services
from recommendations.exports import FORMATS, REGISTRY, xlsx
from recommendations.models import (
    Delegation,
    FollowUp,
    Person,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
)

pytest_plugins = ["tests.pages.fixtures"]

CSV_URLS = {
    "recommendations": "/recommendations/export.csv",
    "follow-ups": "/follow-ups/export.csv",
    "matrix": "/follow-ups/matrix.csv",
    "progress-updates": "/progress-updates/export.csv",
}
XLSX_URLS = {kind: url.removesuffix(".csv") + ".xlsx" for kind, url in CSV_URLS.items()}
DAY = datetime.date(2023, 9, 1)
SOFFICE = shutil.which("soffice")


def get_csv(client, kind, params="") -> list[list[str]]:
    response = client.get(CSV_URLS[kind] + ("?" + params if params else ""))
    assert response.status_code == 200, response.content
    data = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def get_xlsx(client, kind, params="", **headers):
    """The response and the bytes of the spreadsheet."""
    response = client.get(XLSX_URLS[kind] + ("?" + params if params else ""), headers=headers)
    assert response.status_code == 200, response.content
    assert isinstance(response, FileResponse)
    return response, b"".join(response.streaming_content)


def sheet_of(data: bytes):
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def rows_of(data: bytes) -> list[list]:
    return [list(row) for row in sheet_of(data).iter_rows(values_only=True)]


def by_header(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def identity(kind: str, row: list, *, spreadsheet: bool) -> tuple:
    """What identifies a row in both formats: its code; for a follow-up, the
    delegation's code too (the spreadsheet keeps it beside the name); for an update,
    the delegation (a name in the spreadsheet) and the date."""
    if kind == "follow-ups":
        return row[0], row[1]
    if kind == "progress-updates":
        if spreadsheet:
            return row[0], row[1], row[2].date().isoformat()
        names = dict(Delegation.objects.values_list("code", "name"))
        return row[0], names[row[1]], row[2]
    return (row[0],)


@pytest.mark.parametrize("params", ["", "theme=ieds"])
@pytest.mark.parametrize("kind", list(CSV_URLS))
def test_each_spreadsheet_has_the_rows_of_its_csv(client, site_data, kind, params):
    csv_rows = get_csv(client, kind, params)
    _, data = get_xlsx(client, kind, params)
    rows = rows_of(data)
    assert len(rows) == len(csv_rows) > 1
    assert [len(row) for row in rows] == [len(row) for row in csv_rows]
    ours = [identity(kind, row, spreadsheet=True) for row in rows[1:]]
    theirs = [identity(kind, row, spreadsheet=False) for row in csv_rows[1:]]
    assert ours == theirs
    if params == "theme=ieds" and kind != "progress-updates":
        assert {row[0] for row in rows[1:]} == {"D1S1-01", "D1S1-02"}


def test_the_routes_sit_beside_the_csv_and_reach_the_same_views():
    assert reverse("recommendations:export_xlsx") == "/recommendations/export.xlsx"
    assert reverse("recommendations:follow_ups_export_xlsx") == "/follow-ups/export.xlsx"
    assert reverse("recommendations:follow_ups_matrix_xlsx") == "/follow-ups/matrix.xlsx"
    assert (
        reverse("recommendations:progress_updates_export_xlsx") == "/progress-updates/export.xlsx"
    )
    match = resolve("/recommendations/export.xlsx")
    assert match.func is export_views.recommendations_export
    assert match.kwargs == {"extension": "xlsx"}
    assert list(FORMATS) == ["csv", "xlsx"]
    assert list(REGISTRY) == list(XLSX_URLS)


def test_the_file_is_named_as_the_csv_with_xlsx(client, site_data):
    today = datetime.date.today().isoformat()
    response, data = get_xlsx(client, "recommendations", "theme=ieds")
    assert response["Content-Disposition"] == (
        f'attachment; filename="recommendations-ieds-{today}.xlsx"'
    )
    assert response["Content-Type"] == xlsx.CONTENT_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert data.startswith(b"PK")  # a zip archive
    response, _ = get_xlsx(client, "follow-ups", "delegation=PAK&status=completed")
    assert f'filename="follow-ups-pak-completed-{today}.xlsx"' in response["Content-Disposition"]


def test_the_recommendations_read_in_words(client, site_data, settings):
    settings.SITE_URL = "https://tracker.example.org"
    _, data = get_xlsx(client, "recommendations")
    rows = rows_of(data)
    assert rows[0] == [
        "Code",
        "Meeting",
        "Day",
        "Session",
        "Speaker",
        "Affiliation",
        "Kind",
        "Themes",
        "Recommendation",
        "Source excerpt",
        "Not started",
        "Planned",
        "In progress",
        "Completed",
        "Not applicable",
        "No report yet",
        "Link",
    ]
    by_code = {row["Code"]: row for row in by_header(rows)}
    first = by_code["D1S1-01"]
    assert first["Meeting"] == "Test preparatory meeting"
    assert (first["Day"], first["Session"]) == (1, "D1S1 – Safety")
    assert (first["Speaker"], first["Affiliation"], first["Kind"]) == (
        "Ada Speaker",
        "UN",
        "Recommendation",
    )
    assert (first["Completed"], first["In progress"], first["Not started"]) == (1, 1, 0)
    assert first["Link"] == "https://tracker.example.org/recommendations/D1S1-01/"
    # Theme names in the themes' order (ieds, medical, training), not slugs.
    assert by_code["D1S1-02"]["Themes"] == "Ieds; Training"
    assert by_code["D2S1-01"]["Session"] == "D2S1 – Medical support"
    assert (by_code["D2S1-01"]["Kind"], by_code["D2S1-02"]["Kind"]) == (
        "Commitment",
        "Observation",
    )
    assert by_code["D2S1-02"]["Speaker"] is None  # empty, as in the CSV


def test_the_follow_ups_read_in_words_with_dates_as_dates(client, site_data):
    FollowUp.objects.filter(pk=site_data.follow_up("D1S1-03", "JPN").pk).update(
        target_date=datetime.date(2023, 9, 1)
    )
    _, data = get_xlsx(client, "follow-ups", "theme=medical")
    sheet = sheet_of(data)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Code",
        "Delegation code",
        "Delegation",
        "Themes",
        "Status",
        "Pledge",
        "Target date",
        "Latest update",
        "Note of the latest update",
        "Overdue",
        "Verified",
    ]
    row = by_header(rows)[0]
    assert (row["Code"], row["Delegation code"], row["Delegation"]) == ("D1S1-03", "JPN", "Japan")
    assert (row["Status"], row["Pledge"], row["Overdue"], row["Verified"]) == (
        "Completed",
        "JPN pledge",
        "No",
        "Yes",
    )
    assert row["Target date"] == datetime.datetime(2023, 9, 1)
    assert row["Latest update"] == datetime.datetime(2023, 9, 10)
    target = sheet.cell(row=2, column=7)
    assert target.is_date and target.number_format == "yyyy-mm-dd"
    # No update yet: no date, and "verified" is empty rather than "No".
    waiting = by_header(rows)[1]
    assert (waiting["Latest update"], waiting["Verified"]) == (None, None)


def test_the_matrix_is_headed_by_delegation_names_with_statuses_in_words(client, site_data):
    _, data = get_xlsx(client, "matrix", "theme=ieds")
    assert rows_of(data) == [
        ["Code", "Japan", "Pakistan"],
        ["D1S1-01", "In progress", "Completed"],
        ["D1S1-02", "No report yet", "No report yet"],
    ]
    _, data = get_xlsx(client, "matrix", "status=completed")
    assert rows_of(data)[1:] == [["D1S1-01", None, "Completed"], ["D1S1-03", "Completed", None]]


def test_the_history_reads_in_words(client, site_data):
    _, data = get_xlsx(client, "progress-updates", "delegation=PAK&theme=ieds")
    rows = rows_of(data)
    assert rows[0] == [
        "Code",
        "Delegation",
        "Date",
        "Status",
        "Previous status",
        "Note",
        "Evidence",
        "Verified",
        "Author",
    ]
    assert [row[:5] for row in rows[1:]] == [
        ["D1S1-01", "Pakistan", datetime.datetime(2023, 9, 15), "Planned", "No report yet"],
        ["D1S1-01", "Pakistan", datetime.datetime(2023, 10, 20), "In progress", "Planned"],
        ["D1S1-01", "Pakistan", datetime.datetime(2023, 11, 25), "Completed", "In progress"],
    ]


def test_changed_since_adds_the_statuses_before_and_after(client, site_data):
    _, data = get_xlsx(client, "follow-ups", "changed_since=2023-10-01&delegation=PAK")
    rows = rows_of(data)
    assert rows[0][-2:] == ["Status before", "Status after"]
    assert [row[-2:] for row in rows[1:]] == [["Planned", "Completed"]]


def test_the_headers_and_words_are_french_for_a_french_reader(client, site_data):
    french = {"accept-language": "fr"}
    _, data = get_xlsx(client, "follow-ups", "theme=ieds&delegation=PAK", **french)
    sheet = sheet_of(data)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Suivis"
    assert rows[0] == [
        "Code",
        "Code de la délégation",
        "Délégation",
        "Thèmes",
        "État",
        "Contribution annoncée",
        "Échéance",
        "Dernière mise à jour",
        "Note de la dernière mise à jour",
        "En retard",
        "Vérifié",
    ]
    assert [(row[0], row[4], row[10]) for row in rows[1:]] == [
        ("D1S1-01", "Achevé", "Non"),
        ("D1S1-02", "Pas encore de rapport", None),
    ]
    _, data = get_xlsx(client, "recommendations", "theme=ieds", **french)
    rows = rows_of(data)
    assert rows[0][:4] == ["Code", "Réunion", "Jour", "Séance"]
    assert rows[0][10:] == [
        "Non commencé",
        "Prévu",
        "En cours",
        "Achevé",
        "Sans objet",
        "Pas encore de rapport",
        "Lien",
    ]
    assert rows[1][6] == "Recommandation"
    _, data = get_xlsx(client, "progress-updates", "delegation=PAK", **french)
    assert rows_of(data)[0][3:5] == ["État", "État précédent"]
    _, data = get_xlsx(client, "matrix", **french)
    assert sheet_of(data).title == "Matrice"
    # The CSV keeps its keys whatever the language.
    response = client.get(CSV_URLS["follow-ups"] + "?delegation=PAK", headers=french)
    assert b"".join(response.streaming_content).split(b"\r\n")[0].endswith(b"overdue,verified")


def test_on_fr_the_spreadsheet_of_the_page_is_french_whoever_opens_it(client, site_data):
    """A link to the French page, opened by an English browser: the page offers the
    spreadsheet under /fr/, with French headers and the rows the page counts."""
    english = {"accept-language": "en"}
    page = client.get("/fr/recommendations/?theme=ieds", headers=english)
    links = re.findall(EXPORT_LINK, page.content.decode())
    xlsx_url = html.unescape(links[1][0])
    assert xlsx_url == "/fr/recommendations/export.xlsx?theme=ieds"
    data = b"".join(client.get(xlsx_url, headers=english).streaming_content)
    rows = rows_of(data)
    assert rows[0][:4] == ["Code", "Réunion", "Jour", "Séance"]
    codes = [row[0] for row in rows[1:]]
    assert codes == [item.code for item in page.context["page_obj"].object_list]
    assert len(codes) == page.context["pagination"].paginator.count


def restricted_cells(client) -> tuple:
    _, data = get_xlsx(client, "follow-ups", "delegation=PAK&theme=ieds")
    follow_up = by_header(rows_of(data))[0]
    _, data = get_xlsx(client, "progress-updates", "delegation=PAK&theme=ieds")
    update = by_header(rows_of(data))[-1]
    return (
        follow_up["Note of the latest update"],
        update["Note"],
        update["Evidence"],
        follow_up["Status"],
        update["Status"],
    )


def test_a_restricted_note_is_blank_for_the_public_and_other_delegations(client, site_data):
    hidden = (None, None, None, "Completed", "Completed")
    assert restricted_cells(client) == hidden
    client.force_login(site_data.jpn_focal)
    assert restricted_cells(client) == hidden


def test_a_restricted_note_is_shown_to_staff_and_the_own_delegation(client, site_data):
    shown = (
        "Restricted note: delivery schedule.",
        "Restricted note: delivery schedule.",
        "https://example.org/restricted-evidence",
        "Completed",
        "Completed",
    )
    client.force_login(site_data.staff)
    assert restricted_cells(client) == shown
    client.force_login(site_data.pak_focal)
    assert restricted_cells(client) == shown


FORMULA_LIKE = [
    "=1+1",
    " =1+1",
    "@SUM(1)",
    "+2+2",
    "-3+3",
    "\t=4+4",
    '=HYPERLINK("http://x","y")',
    "#N/A",
    "'=quoted",
    "\x0b=5+5",
]


@pytest.fixture
def formula_data(make_recommendation, pak, secretariat_user):
    """Notes, pledges, a speaker, a theme and a delegation whose text looks like a
    formula, on items that ``theme=ieds`` selects."""
    odd = Delegation.objects.create(code="ODD", name="=cmd|' /C calc'!A0")
    speaker = Person.objects.create(name="@Ada", slug="at-ada", affiliation="-UN")
    Theme.objects.filter(slug="training").update(name="=Training")
    for n, note in enumerate(FORMULA_LIKE):
        item = make_recommendation(
            code=f"D1S1-{n + 1:02d}",
            text=note,
            source_excerpt=note,
            theme_slugs=["ieds", "training"],
            speaker=speaker,
        )
        for delegation in (pak, odd):
            follow_up = services.follow_up_create(
                recommendation=item, delegation=delegation, pledge=note
            )
            services.progress_update_create(
                follow_up=follow_up,
                author=secretariat_user,
                date=DAY,
                status=Status.PLANNED,
                note=note,
                evidence_url="",
            )


@pytest.mark.parametrize("kind", list(XLSX_URLS))
def test_no_cell_is_a_formula_whatever_the_data(client, formula_data, kind):
    _, data = get_xlsx(client, kind, "theme=ieds")
    sheet = sheet_of(data)
    types = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert types <= {"s", "n", "d"}  # text, numbers, dates: never "f", never "e"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    texts = {cell.value for row in sheet.iter_rows() for cell in row if cell.data_type == "s"}
    if kind in ("follow-ups", "progress-updates"):
        # Each note reads as it was written (XML cannot hold the vertical tab).
        assert {note.replace("\x0b", "") for note in FORMULA_LIKE} <= texts


def test_text_that_looks_like_a_formula_is_marked_to_stay_text(client, formula_data):
    _, data = get_xlsx(client, "progress-updates", "theme=ieds")
    sheet = sheet_of(data)
    notes = {row[5].value: row[5] for row in sheet.iter_rows(min_row=2)}
    assert notes["=1+1"].quotePrefix and notes[" =1+1"].quotePrefix
    assert notes["@SUM(1)"].quotePrefix and not notes["#N/A"].quotePrefix
    delegations = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert delegations == {"Pakistan", "=cmd|' /C calc'!A0"}


def test_the_header_row_is_bold_frozen_and_filtered(client, site_data):
    _, data = get_xlsx(client, "follow-ups")
    sheet = sheet_of(data)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    assert sheet.max_row == 1 + FollowUp.objects.count()
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet.cell(row=2, column=1).font.b


def test_each_column_is_as_wide_as_it_needs_within_bounds(client, make_recommendation, settings):
    settings.SITE_URL = "https://tracker.example.org"
    make_recommendation(code="D1S1-01", text="Long " * 100, source_excerpt="Short.")
    _, data = get_xlsx(client, "recommendations")
    sheet = sheet_of(data)
    widths = {
        header.value: sheet.column_dimensions[header.column_letter].width for header in sheet[1]
    }
    assert widths["Recommendation"] == xlsx.MAX_WIDTH  # capped
    assert widths["Day"] == xlsx.MIN_WIDTH
    assert widths["Code"] == len("D1S1-01") + 2
    assert widths["Source excerpt"] == len("Source excerpt") + 2  # the header's
    assert widths["Link"] == len("https://tracker.example.org/recommendations/D1S1-01/") + 2


def openpyxl_files() -> set[str]:
    return {path.name for path in Path(tempfile.gettempdir()).glob("openpyxl.*")}


def test_too_many_rows_for_a_sheet_is_a_short_plain_400(client, site_data, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    before = openpyxl_files()
    response = client.get(XLSX_URLS["follow-ups"])
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"too many for one spreadsheet" in response.content
    assert openpyxl_files() <= before  # the half-written sheet is not left behind
    get_xlsx(client, "follow-ups", "theme=ieds&delegation=PAK")  # two rows fit


@pytest.mark.parametrize("kind", list(XLSX_URLS))
def test_bad_parameters_a_post_and_a_required_login_are_refused_as_for_the_csv(
    client, site_data, kind, settings
):
    response = client.get(XLSX_URLS[kind] + "?status=done")
    assert response.status_code == 400
    assert response.content.startswith(b"Invalid parameters.")
    assert client.post(XLSX_URLS[kind]).status_code == 405
    settings.READ_REQUIRES_LOGIN = True
    refused = client.get(XLSX_URLS[kind])
    # The view answers 403; the site-wide middleware, in front, may send a person
    # to the sign-in page instead. Either way no spreadsheet goes out.
    assert refused.status_code in (302, 403)
    assert not isinstance(refused, FileResponse)
    client.force_login(site_data.jpn_focal)
    get_xlsx(client, kind)


def test_the_view_itself_refuses_an_anonymous_spreadsheet_when_reading_needs_login(
    rf, site_data, settings
):
    settings.READ_REQUIRES_LOGIN = True
    request = rf.get(XLSX_URLS["follow-ups"])
    request.user = AnonymousUser()
    response = export_views.follow_ups_export(request, extension="xlsx")
    assert response.status_code == 403
    assert response.content == b"Sign in to download this export.\n"


EXPORT_LINK = r'<a href="([^"]+)" download>([^<]+)</a>'


@pytest.mark.parametrize(
    "page, params",
    [
        ("/recommendations/", "theme=medical&per_page=10&page=1"),
        ("/follow-ups/", "delegation=PAK&status=completed&page=1"),
        ("/delegations/JPN/", "status=not_reported"),
    ],
)
def test_the_lists_offer_the_spreadsheet_of_the_rows_they_count(client, site_data, page, params):
    response = client.get(page + "?" + params)
    links = re.findall(EXPORT_LINK, response.content.decode())
    assert [label for _, label in links] == [
        "Export these results (CSV)",
        "as a spreadsheet (XLSX)",
    ]
    csv_url, xlsx_url = (html.unescape(url) for url, _ in links)
    assert xlsx_url == csv_url.replace(".csv?", ".xlsx?")
    assert "page=" not in xlsx_url
    data = b"".join(client.get(xlsx_url).streaming_content)
    assert len(rows_of(data)) - 1 == response.context["pagination"].paginator.count
    french = client.get(page + "?" + params, headers={"accept-language": "fr"})
    text = french.content.decode()
    assert [label for _, label in re.findall(EXPORT_LINK, text)] == [
        "Exporter ces résultats (CSV)",
        "au format tableur (XLSX)",
    ]
    assert "</a> ou <a" in text


def _bulk_data(n: int, meeting, session, themes, delegations):
    """n items on IEDs, each followed by every delegation, half with an update."""
    start = Recommendation.objects.count()
    items = Recommendation.objects.bulk_create(
        Recommendation(
            meeting=meeting,
            session=session,
            code=f"BULK-{start + i:05d}",
            text=f"Item {i}",
            source_excerpt="=source",
            order=start + i,
        )
        for i in range(n)
    )
    Recommendation.themes.through.objects.bulk_create(
        Recommendation.themes.through(recommendation=item, theme=themes["ieds"]) for item in items
    )
    follow_ups = FollowUp.objects.bulk_create(
        FollowUp(recommendation=item, delegation=d, pledge="=pledge")
        for item in items
        for d in delegations
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(follow_up=f, date=DAY, status="planned", note="+note")
        for f in follow_ups[::2]
    )


# 1. the theme look-up of the filter
# 2. the same for the item filter (matrix only: it binds both filters)
# 3. SAVEPOINT (the export's own transaction, nested in the test's)
# 4. SET statement_timeout (PostgreSQL only)
# 5. the delegation codes and names of the header (matrix only)
# 6. the names the columns need, one query per table: recommendations: meetings,
#    sessions, themes; follow-ups: themes; progress updates: delegations; matrix: none
#    (its header has the names, statuses need no query)
# 7. the one SELECT of every row
# 8. RELEASE SAVEPOINT
XLSX_QUERIES = {"recommendations": 7, "follow-ups": 5, "matrix": 6, "progress-updates": 5}


@pytest.mark.parametrize("kind", list(XLSX_URLS))
def test_the_number_of_queries_does_not_grow_with_the_rows(
    client, kind, meeting, session, themes, pak, jpn, django_assert_num_queries
):
    expected = XLSX_QUERIES[kind] + (connection.vendor == "postgresql")
    for n in (10, 990):  # 10 items, then 1,000
        _bulk_data(n, meeting, session, themes, [pak, jpn])
        with django_assert_num_queries(expected):
            _, data = get_xlsx(client, kind, "theme=ieds")
        assert len(rows_of(data)) > n


def libreoffice_csv(data: bytes, tmp_path) -> list[list[str]]:
    """The spreadsheet opened by LibreOffice Calc and saved as UTF-8 CSV."""
    source = tmp_path / "export.xlsx"
    source.write_bytes(data)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "export.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.slow
@pytest.mark.skipif(
    SOFFICE is None, reason="needs LibreOffice (apt-get install libreoffice-calc-nogui)"
)
def test_libreoffice_opens_it_with_every_row_and_no_formula(client, formula_data, tmp_path):
    csv_rows = get_csv(client, "progress-updates", "theme=ieds")
    _, data = get_xlsx(client, "progress-updates", "theme=ieds")

    rows = libreoffice_csv(data, tmp_path)

    assert len(rows) == len(csv_rows) == 1 + 2 * len(FORMULA_LIKE)
    assert rows[0][:4] == ["Code", "Delegation", "Date", "Status"]
    notes = {row[5] for row in rows[1:]}
    assert {"=1+1", " =1+1", "@SUM(1)", "#N/A"} <= notes  # text, not 2 or an error
    assert {row[2] for row in rows[1:]} == {"2023-09-01"}  # a date, shown as ISO
