import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from recommendations import access, imports, services
from recommendations.admin import imports as admin_import
from recommendations.models import FollowUp, ProgressUpdate, Status
from recommendations.services import imports as service_imports

URL = "/admin/recommendations/progressupdate/import/"
HEADER = "code,delegation,status,date,note,evidence_url\r\n"


def upload(client, text: str | bytes, name="updates.csv", visibility="public"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        URL, {"file": SimpleUploadedFile(name, data, "text/csv"), "visibility": visibility}
    )


def confirm(client):
    digest = client.session[admin_import.SESSION_KEY]["digest"]
    return client.post(URL, {"confirm": "1", "digest": digest})


@pytest.fixture
def items(make_recommendation, pak, jpn):
    a = make_recommendation(code="D1S1-01")
    b = make_recommendation(code="D1S1-02")
    for item in (a, b):
        services.follow_up_create(recommendation=item, delegation=pak)
        services.follow_up_create(recommendation=item, delegation=jpn)
    return a, b


@pytest.fixture
def staff(client, secretariat_user):
    client.force_login(secretariat_user)
    return secretariat_user


def test_the_route_is_named_and_the_form_is_shown(client, staff):
    assert reverse("admin:recommendations_progressupdate_import") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    changelist = client.get(reverse("admin:recommendations_progressupdate_changelist"))
    assert URL.encode() in changelist.content


def test_the_preview_shows_every_error_with_its_line_and_writes_nothing(client, staff, items):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    text = (
        HEADER
        + "D9-99,PAK,planned,2023-09-01,,\r\n"  # line 2
        + "D1S1-01,XXX,planned,2023-09-01,,\r\n"  # line 3
        + "D1S1-01,PAK,done,2023-09-01,,\r\n"  # line 4
        + f"D1S1-01,PAK,planned,{tomorrow},,\r\n"  # line 5
        + 'D1S1-02,PAK,planned,2023-09-01,"two\r\nlines",\r\n'  # lines 6-7: valid
        + "D1S1-02,JPN,planned,31/02/2023,,ftp://x\r\n"  # line 8
    )
    response = upload(client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2: Unknown recommendation code “D9-99”." in page
    assert "Line 3: Unknown delegation “XXX”." in page
    assert "Line 4: “done” is not a status." in page
    assert f"Line 5: The date {tomorrow} is in the future." in page
    assert "Line 8: “31/02/2023” is not a date." in page
    assert "Line 8: The evidence URL is not a valid" in page
    assert "Line 6:" not in page
    assert "5 rows have errors" in page
    assert 'name="confirm"' not in page
    assert ProgressUpdate.objects.count() == 0
    assert admin_import.SESSION_KEY not in client.session


def test_a_valid_file_applies_every_row_in_one_transaction(client, staff, items):
    text = (
        HEADER
        + "D1S1-01,PAK,planned,2023-09-01,Plan agreed,https://example.org/plan\r\n"
        + "D1S1-01,PAK,in_progress,15/10/2023,Started,\r\n"
        + "D1S1-02,JPN,Completed,2023-10-01,Done,\r\n"
    )
    response = upload(client, text)
    page = response.content.decode()
    assert "3 rows: 3 new progress updates (0 new follow-ups)" in page
    assert "not_reported → planned" in page
    assert ProgressUpdate.objects.count() == 0  # the preview wrote nothing
    response = confirm(client)
    assert response.status_code == 302
    assert ProgressUpdate.objects.count() == 3
    pak_a = FollowUp.objects.get(recommendation__code="D1S1-01", delegation__code="PAK")
    assert (pak_a.status, pak_a.last_update_date) == ("in_progress", datetime.date(2023, 10, 15))
    assert FollowUp.objects.get(recommendation__code="D1S1-02", delegation__code="JPN").status == (
        "completed"
    )
    assert set(ProgressUpdate.objects.values_list("author", flat=True)) == {staff.pk}
    # The history records who imported.
    assert ProgressUpdate.history.filter(history_user=staff).count() == 3
    assert admin_import.SESSION_KEY not in client.session


def test_importing_the_same_file_twice_adds_nothing(client, staff, items):
    text = (
        HEADER
        + "D1S1-01,PAK,planned,2023-09-01,Plan,\r\n"
        + "D1S1-01,PAK,planned,2023-09-01,Plan,\r\n"  # the same row twice in one file
        + "D1S1-02,JPN,completed,,Done today,\r\n"  # no date: today
    )
    upload(client, text)
    confirm(client)
    assert ProgressUpdate.objects.count() == 2
    page = upload(client, text).content.decode()
    assert "3 rows: 0 new progress updates" in page
    confirm(client)
    assert ProgressUpdate.objects.count() == 2


def test_a_double_submitted_confirm_adds_nothing(client, staff, items):
    upload(client, HEADER + "D1S1-01,PAK,planned,2023-09-01,Plan,\r\n")
    digest = client.session[admin_import.SESSION_KEY]["digest"]
    assert client.post(URL, {"confirm": "1", "digest": digest}).status_code == 302
    response = client.post(URL, {"confirm": "1", "digest": digest})
    assert response.status_code == 400  # the preview was used up
    assert ProgressUpdate.objects.count() == 1


def test_a_focal_points_file_with_a_row_for_another_delegation_is_refused_whole(
    client, items, pak, make_focal_point
):
    focal = make_focal_point(pak)
    client.force_login(focal)
    text = (
        HEADER
        + "D1S1-01,PAK,planned,2023-09-01,,\r\n"
        + "D1S1-01,JPN,planned,2023-09-01,,\r\n"  # line 3
        + "D1S1-02,PAK,planned,2023-09-01,,\r\n"
    )
    page = upload(client, text).content.decode()
    assert "Line 3: This row is for JPN; you may import only PAK" in page
    assert 'name="confirm"' not in page
    # Even a forged confirm finds nothing to import.
    response = client.post(URL, {"confirm": "1", "digest": "forged"})
    assert response.status_code == 400
    assert ProgressUpdate.objects.count() == 0
    plan = imports.build_plan(text, user=focal)
    with pytest.raises(ValidationError):
        services.progress_updates_import(plan=plan, user=focal)
    assert ProgressUpdate.objects.count() == 0


def test_a_focal_point_imports_their_own_delegations_updates(client, items, pak, make_focal_point):
    focal = make_focal_point(pak)
    client.force_login(focal)
    upload(client, HEADER + "D1S1-01,PAK,planned,2023-09-01,Self-reported,\r\n")
    confirm(client)
    update = ProgressUpdate.objects.get()
    assert (update.author, update.verified_at) == (focal, None)


def test_a_failure_while_writing_leaves_nothing_written(staff, items, monkeypatch):
    text = HEADER + "".join(
        f"D1S1-0{i},{d},planned,2023-09-01,,\r\n" for i in (1, 2) for d in ("PAK", "JPN")
    )
    plan = imports.build_plan(text, user=staff)
    assert plan.is_valid
    real = services.progress_update_create
    calls = []

    def failing_on_the_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(service_imports, "progress_update_create", failing_on_the_third)
    with pytest.raises(ValidationError):
        services.progress_updates_import(plan=plan, user=staff)
    assert ProgressUpdate.objects.count() == 0
    assert set(FollowUp.objects.values_list("status", flat=True)) == {"not_reported"}


def test_an_exported_file_edited_in_a_spreadsheet_imports_back(client, staff, items):
    pak_a = FollowUp.objects.get(recommendation__code="D1S1-01", delegation__code="PAK")
    services.progress_update_create(
        follow_up=pak_a, date=datetime.date(2023, 9, 1), status="planned", note="=1+1 budget"
    )
    pak_b = FollowUp.objects.get(recommendation__code="D1S1-02", delegation__code="PAK")
    services.progress_update_create(
        follow_up=pak_b, date=datetime.date(2023, 9, 2), status="planned", note="Kick-off"
    )
    exported = b"".join(client.get("/follow-ups/export.csv?delegation=PAK").streaming_content)
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert rows[1][8] == "'=1+1 budget"
    # In the spreadsheet: D1S1-02 moves on; the other rows stay as exported. European
    # Excel saves with ';', a BOM and DD/MM/YYYY dates.
    header = rows[0]
    edited = rows[1:]
    edited[1][header.index("status")] = "completed"
    edited[1][header.index("last_update_date")] = "20/10/2023"
    edited[1][header.index("last_update_note")] = "Finished"
    edited[0][header.index("last_update_date")] = "01/09/2023"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header + ["comments"])
    writer.writerows(row + ["ignored"] for row in edited)
    page = upload(client, b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")).content.decode()
    assert "2 rows: 1 new progress updates" in page
    assert "1 already recorded" in page
    confirm(client)
    assert ProgressUpdate.objects.count() == 3
    pak_b.refresh_from_db()
    assert (pak_b.status, pak_b.last_update_date) == ("completed", datetime.date(2023, 10, 20))
    assert ProgressUpdate.objects.filter(note="=1+1 budget").count() == 1


def test_a_row_for_a_delegation_without_a_follow_up_creates_it(client, staff, items, pak):
    from recommendations.models import Delegation

    Delegation.objects.create(code="GHA", name="Ghana")
    page = upload(client, HEADER + "D1S1-01,gha,planned,2023-09-01,,\r\n").content.decode()
    assert "Creates the follow-up" in page
    confirm(client)
    follow_up = FollowUp.objects.get(recommendation__code="D1S1-01", delegation__code="GHA")
    assert follow_up.status == Status.PLANNED
    assert follow_up.target_date == datetime.date(2023, 12, 5)


def test_an_update_older_than_the_latest_is_recorded_without_changing_the_status(
    client, staff, items
):
    pak_a = FollowUp.objects.get(recommendation__code="D1S1-01", delegation__code="PAK")
    services.progress_update_create(
        follow_up=pak_a, date=datetime.date(2023, 10, 1), status="completed"
    )
    page = upload(client, HEADER + "D1S1-01,PAK,planned,2023-09-01,,\r\n").content.decode()
    assert "the status stays" in page
    confirm(client)
    pak_a.refresh_from_db()
    assert pak_a.status == "completed"
    assert pak_a.updates.count() == 2


def test_a_restricted_note_copied_back_stays_restricted(client, staff, items):
    pak_a = FollowUp.objects.get(recommendation__code="D1S1-01", delegation__code="PAK")
    services.progress_update_create(
        follow_up=pak_a,
        date=datetime.date(2023, 9, 1),
        status="planned",
        note="Secret",
        visibility="restricted",
    )
    upload(client, HEADER + "D1S1-01,PAK,in_progress,2023-10-01,Secret,\r\n")
    confirm(client)
    assert pak_a.updates.latest_first().first().visibility == "restricted"
    upload(
        client,
        "code,delegation,status,date,note,visibility\r\nD1S1-02,PAK,planned,2023-10-01,Open,\r\n",
        visibility="restricted",
    )
    confirm(client)
    assert ProgressUpdate.objects.get(note="Open").visibility == "restricted"


def test_a_file_that_is_not_utf8_gets_a_clear_message(client, staff, items):
    text = HEADER + "D1S1-01,PAK,planned,2023-09-01,Côte d'Ivoire,\r\n"
    response = upload(client, text.encode("latin-1"))
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client, staff, items, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1024 * 1024)
    response = upload(client, HEADER + "x" * (1024 * 1024))
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


def test_a_file_without_the_required_columns_is_refused(client, staff, items):
    response = upload(client, "code;delegation;note\r\nD1S1-01;PAK;x\r\n")
    assert response.status_code == 400
    assert "The file has no status, date column" in response.content.decode()


def test_without_the_add_permission_the_import_is_forbidden(client, items):
    user = User.objects.create_user("clerk", password="pw-clerk-12345", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert upload(client, HEADER).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the admin sign-in


def test_a_stale_confirm_is_refused_with_a_message(client, staff, items):
    upload(client, HEADER + "D1S1-01,PAK,planned,2023-09-01,,\r\n")
    response = client.post(URL, {"confirm": "1", "digest": "0" * 64})
    assert response.status_code == 400
    assert "This preview is no longer available" in response.content.decode()
    assert ProgressUpdate.objects.count() == 0


def test_planning_makes_the_same_number_of_queries_for_10_and_100_rows(
    staff, make_recommendation, pak, django_assert_num_queries
):
    access.is_secretariat(staff)  # the role is looked up once and cached on the user
    counts = []
    for n in (10, 100):
        lines = []
        for i in range(n):
            item = make_recommendation(code=f"P{n}-{i:03d}", theme_slugs=[])
            if i % 2:
                services.follow_up_create(recommendation=item, delegation=pak)
            lines.append(f"{item.code},PAK,planned,2023-09-01,,\r\n")
        with django_assert_num_queries(4) as captured:
            # 1. recommendations by code 2. delegations by code 3. follow-ups of the pairs
            # 4. their progress updates
            plan = imports.build_plan(HEADER + "".join(lines), user=staff)
        counts.append(len(captured))
        assert plan.count(imports.NEW_FOLLOW_UP) == plan.count(imports.NEW) == n // 2
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "value, expected",
    [("2023-09-01", datetime.date(2023, 9, 1)), ("01/09/2023", datetime.date(2023, 9, 1))],
)
def test_dates_are_read_as_iso_or_day_first(value, expected):
    assert imports.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("in_progress", "in_progress"),
        ("In progress", "in_progress"),
        (" NOT APPLICABLE ", "not_applicable"),
        ("not-started", "not_started"),
        ("done", None),
    ],
)
def test_statuses_are_read_as_values_or_labels(value, expected):
    assert imports.parse_status(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("'=1", "=1"), ("'-2", "-2"), ("'\t=1", "\t=1"), ("'quoted'", "'quoted'"), ("'", "'")],
)
def test_the_exports_neutralisation_is_undone(value, expected):
    assert imports.unneutralise(value) == expected


def test_blank_lines_are_skipped(staff, items):
    plan = imports.build_plan(
        HEADER + "\r\n,,,,,\r\nD1S1-01,PAK,planned,2023-09-01,,\r\n\r\n", user=staff
    )
    assert [(row.line, row.action) for row in plan.rows] == [(4, imports.NEW)]


def test_a_no_report_yet_row_imports_as_nothing_unless_it_claims_a_report(client, staff, items):
    pak_first = FollowUp.objects.get(recommendation=items[0], delegation__code="PAK")
    services.progress_update_create(
        follow_up=pak_first, date=datetime.date(2023, 9, 1), status=Status.PLANNED
    )
    text = (
        HEADER
        + "D1S1-02,PAK,not_reported,,,\r\n"  # line 2: as exported, says nothing
        + "D1S1-02,JPN,No report yet,,,\r\n"  # line 3: the label, says nothing
        + "D1S1-01,JPN,not_reported,2023-09-01,,\r\n"  # line 4: a dated report of it
        + "D1S1-01,PAK,not_reported,,,\r\n"  # line 5: PAK has reported since
    )
    page = upload(client, text).content.decode()
    assert "Line 2:" not in page and "Line 3:" not in page
    assert "Line 4: “No report yet” is not a status to report" in page
    assert "Line 5: “No report yet” is not a status to report" in page
    assert "2 rows have errors" in page
