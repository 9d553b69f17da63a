import csv
import datetime
import html
import io
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import resolve, reverse

from recommendations import export_views, services
from recommendations.exports import (
    CHANGE_HEADER,
    FOLLOW_UP_HEADER,
    PROGRESS_UPDATE_HEADER,
    RECOMMENDATION_HEADER,
    REGISTRY,
)
from recommendations.models import (
    FollowUp,
    ProgressUpdate,
    Recommendation,
    Status,
)
from recommendations.status import State

EXPORT_URLS = {
    "recommendations": "/recommendations/export.csv",
    "follow-ups": "/follow-ups/export.csv",
    "matrix": "/follow-ups/matrix.csv",
    "progress-updates": "/progress-updates/export.csv",
}
DAY = datetime.date(2023, 9, 1)


def download(client, kind, params=""):
    response = client.get(EXPORT_URLS[kind] + ("?" + params if params else ""))
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content)


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def list_count(client, kind, params) -> int:
    """The result count the list page shows for the same query string."""
    page = "/follow-ups/" if kind in ("follow-ups", "progress-updates") else "/recommendations/"
    response = client.get(page + ("?" + params if params else ""))
    assert response.status_code == 200
    return response.context["pagination"].paginator.count


@pytest.fixture
def items(make_recommendation, speaker, pak, jpn):
    a = make_recommendation(code="D1S1-01", text="Counter IED threats", theme_slugs=["ieds"])
    b = make_recommendation(
        code="D1S1-02", text="Medical evacuation", theme_slugs=["medical"], speaker=speaker
    )
    c = make_recommendation(
        code="D1S1-03", text="Train medics", theme_slugs=["medical", "training"]
    )
    d = make_recommendation(code="D1S1-04", text="Nobody follows this yet", theme_slugs=[])
    for item in (a, b, c):
        services.follow_up_create(recommendation=item, delegation=pak)
        services.follow_up_create(recommendation=item, delegation=jpn)
    pak_a = FollowUp.objects.get(recommendation=a, delegation=pak)
    jpn_b = FollowUp.objects.get(recommendation=b, delegation=jpn)
    services.progress_update_create(follow_up=pak_a, date=DAY, status=Status.COMPLETED)
    services.progress_update_create(follow_up=jpn_b, date=DAY, status=Status.COMPLETED)
    services.progress_update_create(
        follow_up=FollowUp.objects.get(recommendation=c, delegation=pak),
        date=DAY,
        status=Status.PLANNED,
    )
    return a, b, c, d


def test_the_routes_are_named_and_export_is_not_taken_for_a_code():
    assert reverse("recommendations:export") == "/recommendations/export.csv"
    assert resolve("/recommendations/export.csv").func is export_views.recommendations_export
    assert reverse("recommendations:follow_ups_export") == "/follow-ups/export.csv"
    assert reverse("recommendations:follow_ups_matrix") == "/follow-ups/matrix.csv"
    assert reverse("recommendations:progress_updates_export") == "/progress-updates/export.csv"


def test_every_registered_kind_has_a_route_and_starts_with_its_columns(client, items):
    assert list(REGISTRY) == list(EXPORT_URLS)
    for kind in REGISTRY.values():
        _, data = download(client, kind.name)
        assert parse(data)[0][: len(kind.columns)] == list(kind.columns)


def test_the_recommendation_export_has_the_contract_columns(client, items, settings):
    settings.SITE_URL = "https://tracker.example.org"
    _, data = download(client, "recommendations", "theme=medical")
    rows = parse(data)
    assert rows[0][:17] == RECOMMENDATION_HEADER
    assert rows[0][:10] == [
        "code",
        "meeting",
        "day",
        "session",
        "speaker",
        "affiliation",
        "kind",
        "themes",
        "recommendation",
        "source_excerpt",
    ]
    assert rows[0][10:] == [
        "not_started",
        "planned",
        "in_progress",
        "completed",
        "not_applicable",
        "not_reported",
        "url",
    ]
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    b = by_code["D1S1-02"]
    assert b["meeting"] == "test-2023"
    assert (b["day"], b["session"], b["speaker"], b["affiliation"]) == (
        "1",
        "D1S1",
        "Ada Speaker",
        "UN",
    )
    assert b["recommendation"] == "Medical evacuation"
    assert (b["not_reported"], b["completed"]) == ("1", "1")
    assert b["url"] == "https://tracker.example.org/recommendations/D1S1-02/"
    assert by_code["D1S1-03"]["themes"] == "medical; training"
    assert (by_code["D1S1-03"]["planned"], by_code["D1S1-03"]["not_reported"]) == ("1", "1")


def test_the_follow_up_export_has_the_contract_columns(client, items):
    _, data = download(client, "follow-ups", "delegation=PAK&status=completed")
    rows = parse(data)
    assert rows[0] == FOLLOW_UP_HEADER
    assert rows[0][:10] == [
        "code",
        "delegation",
        "delegation_name",
        "themes",
        "status",
        "pledge",
        "target_date",
        "last_update_date",
        "last_update_note",
        "overdue",
    ]
    assert rows[1:] == [
        [
            "D1S1-01",
            "PAK",
            "Pakistan",
            "ieds",
            "completed",
            "",
            "2023-12-05",
            "2023-09-01",
            "",
            "no",
            "no",
        ]
    ]


@pytest.mark.parametrize(
    "params",
    [
        "",
        "theme=medical",
        "theme=ieds&theme=training",
        "q=medical",
        "delegation=PAK&status=completed",
        "delegation=JPN&status=not_reported",
        "status=completed",
        "as_of=2023-08-31&status=not_reported",
        "sort=code",
    ],
)
@pytest.mark.parametrize("kind", ["recommendations", "follow-ups", "matrix"])
def test_each_export_has_as_many_rows_as_the_list_counts(client, items, kind, params):
    _, data = download(client, kind, params)
    rows = parse(data)
    expected = list_count(client, kind, params)
    assert expected > 0
    assert len(rows) - 1 == expected


@pytest.mark.parametrize(
    "page, params",
    [
        ("/recommendations/", "theme=medical&per_page=10&page=1"),
        ("/follow-ups/", "delegation=PAK&status=completed&page=1"),
        ("/delegations/JPN/", "status=not_reported"),
    ],
)
def test_the_lists_export_link_gives_the_rows_it_counts(client, items, page, params):
    response = client.get(page + "?" + params)
    link = re.search(r'class="result-export"><a href="([^"]+)"', response.content.decode())
    url = html.unescape(link.group(1))
    assert "page=" not in url
    data = b"".join(client.get(url).streaming_content)
    assert len(parse(data)) - 1 == response.context["pagination"].paginator.count


def test_the_recommendation_export_lists_items_without_follow_ups_too(client, items):
    _, data = download(client, "recommendations")
    assert [row[0] for row in parse(data)[1:]] == ["D1S1-01", "D1S1-02", "D1S1-03", "D1S1-04"]


def test_the_matrix_has_one_column_per_delegation_and_each_status(client, items):
    _, data = download(client, "matrix")
    assert parse(data) == [
        ["code", "JPN", "PAK"],
        ["D1S1-01", "not_reported", "completed"],
        ["D1S1-02", "completed", "not_reported"],
        ["D1S1-03", "not_reported", "planned"],
        ["D1S1-04", "", ""],
    ]
    _, data = download(client, "matrix", "status=completed")
    assert parse(data) == [
        ["code", "JPN", "PAK"],
        ["D1S1-01", "", "completed"],
        ["D1S1-02", "completed", ""],
    ]


@pytest.mark.parametrize(
    "note",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1"],
)
def test_a_note_that_starts_a_formula_comes_out_prefixed(client, follow_up, note):
    services.progress_update_create(follow_up=follow_up, date=DAY, status="planned", note=note)
    for kind, column in [("follow-ups", "last_update_note"), ("progress-updates", "note")]:
        _, data = download(client, kind)
        rows = parse(data)
        assert rows[1][rows[0].index(column)] == "'" + note


@pytest.mark.parametrize("note", [" =1+1", "  @SUM(A1)", " \t-1", "'=1", "'legitimate"])
def test_a_note_with_blanks_or_apostrophes_before_a_formula_comes_out_prefixed(
    client, follow_up, note
):
    services.progress_update_create(follow_up=follow_up, date=DAY, status="planned", note=note)
    expected = note if note == "'legitimate" else "'" + note
    for kind, column in [("follow-ups", "last_update_note"), ("progress-updates", "note")]:
        _, data = download(client, kind)
        rows = parse(data)
        assert rows[1][rows[0].index(column)] == expected


def test_a_dash_in_the_middle_of_a_cell_is_left_alone(client, follow_up):
    note = "Training - phase 2, done"
    services.progress_update_create(follow_up=follow_up, date=DAY, status="planned", note=note)
    _, data = download(client, "follow-ups")
    assert parse(data)[1][FOLLOW_UP_HEADER.index("last_update_note")] == note


def test_the_file_has_a_bom_crlf_and_round_trips_through_csv(client, follow_up):
    note = 'Côte d’Ivoire said "yes",\nthen left'
    services.progress_update_create(follow_up=follow_up, date=DAY, status="planned", note=note)
    for kind in EXPORT_URLS:
        _, data = download(client, kind)
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n")
        # Every record ends with CRLF (the embedded newline stays inside its quotes).
        assert data.count(b"\r\n") == len(parse(data))
    _, data = download(client, "follow-ups")
    assert parse(data)[1][FOLLOW_UP_HEADER.index("last_update_note")] == note


def test_the_filename_says_what_and_when(client, items):
    today = datetime.date.today().isoformat()
    response, _ = download(client, "recommendations", "theme=ieds")
    assert response["Content-Disposition"] == (
        f'attachment; filename="recommendations-ieds-{today}.csv"'
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    response, _ = download(client, "follow-ups", "delegation=PAK&status=completed")
    assert f'filename="follow-ups-pak-completed-{today}.csv"' in response["Content-Disposition"]
    response, _ = download(client, "matrix", "as_of=2023-10-01")
    assert f'filename="matrix-as-of-2023-10-01-{today}.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    "params", ["status=done", "delegation=XXX", "as_of=2023-13-45", "theme=nope", "overdue=1"]
)
@pytest.mark.parametrize("kind", list(EXPORT_URLS))
def test_invalid_parameters_get_a_short_plain_400(client, items, kind, params):
    response = client.get(EXPORT_URLS[kind] + "?" + params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.startswith(b"Invalid parameters.")
    assert params.split("=")[0].encode() in response.content


def test_an_export_refuses_post(client, items):
    for url in EXPORT_URLS.values():
        assert client.post(url).status_code == 405


def _bulk_data(n: int, meeting, session, themes, delegations):
    """n items, each followed by every delegation, half of them with an update."""
    start = Recommendation.objects.count()
    items = Recommendation.objects.bulk_create(
        Recommendation(
            meeting=meeting,
            session=session,
            code=f"BULK-{start + i:05d}",
            text=f"Item {i}",
            source_excerpt="-source",
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
# 5. the delegation codes of the header (matrix only)
# 6. the one SELECT or COPY of every row
# 7. RELEASE SAVEPOINT
EXPORT_QUERIES = {"recommendations": 4, "follow-ups": 4, "matrix": 6, "progress-updates": 4}


@pytest.mark.parametrize("kind", list(EXPORT_URLS))
def test_the_number_of_queries_does_not_grow_with_the_rows(
    client, kind, meeting, session, themes, pak, jpn, django_assert_num_queries
):
    expected = EXPORT_QUERIES[kind] + (connection.vendor == "postgresql")
    for n in (10, 990):  # 10 items, then 1,000
        _bulk_data(n, meeting, session, themes, [pak, jpn])
        with django_assert_num_queries(expected):
            _, data = download(client, kind, "theme=ieds")
        assert len(parse(data)) > n


def test_the_response_streams_in_blocks_of_about_64_kb(client, meeting, session, themes, pak):
    _bulk_data(3000, meeting, session, themes, [pak])
    response = client.get(EXPORT_URLS["follow-ups"])
    blocks = list(response.streaming_content)
    assert len(blocks) >= 4  # the header at once, then ~64 KB blocks
    assert all(len(block) < 70 * 1024 for block in blocks)
    assert len(parse(b"".join(blocks))) == 3001


def test_with_read_requires_login_an_anonymous_export_is_refused(client, items, settings):
    settings.READ_REQUIRES_LOGIN = True
    for url in EXPORT_URLS.values():
        response = client.get(url)
        assert response.status_code == 403
        assert response["Content-Type"] == "text/plain; charset=utf-8"
    client.force_login(User.objects.create_user("reader", password="pw-reader-12345"))
    for kind in EXPORT_URLS:
        download(client, kind)


@pytest.fixture
def history(follow_up, secretariat_user):
    """PAK's follow-up of D1S1-01: planned on 1 Sep, in progress on 1 Oct (verified by
    staff), completed on 1 Nov (self-reported)."""
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status="planned", note="Plan"
    )
    services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 10, 1),
        status="in_progress",
        note="Started",
        author=secretariat_user,
    )
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 11, 1), status="completed", note="Done"
    )
    return follow_up


@pytest.mark.parametrize(
    "as_of, status, last_date, note",
    [
        ("2023-08-31", "not_reported", "", ""),
        ("2023-09-15", "planned", "2023-09-01", "Plan"),
        ("2023-10-01", "in_progress", "2023-10-01", "Started"),
        ("2023-12-31", "completed", "2023-11-01", "Done"),
    ],
)
def test_statuses_as_of_a_day_equal_the_history(client, history, as_of, status, last_date, note):
    _, data = download(client, "follow-ups", f"as_of={as_of}")
    row = dict(zip(FOLLOW_UP_HEADER, parse(data)[1], strict=True))
    assert (row["status"], row["last_update_date"], row["last_update_note"]) == (
        status,
        last_date,
        note,
    )
    _, data = download(client, "matrix", f"as_of={as_of}")
    assert parse(data)[1] == ["D1S1-01", status]
    _, data = download(client, "recommendations", f"as_of={as_of}")
    rec = dict(zip(RECOMMENDATION_HEADER, parse(data)[1], strict=True))
    assert rec[status] == "1"
    assert sum(int(rec[s]) for s in State.values) == 1
    _, data = download(client, "progress-updates", f"as_of={as_of}")
    dates = [r[2] for r in parse(data)[1:]]
    assert dates == [d for d in ["2023-09-01", "2023-10-01", "2023-11-01"] if d <= as_of]


def test_the_overdue_column_judges_at_the_as_of_day(client, history):
    _, data = download(client, "follow-ups", "as_of=2023-12-06")
    assert parse(data)[1][FOLLOW_UP_HEADER.index("overdue")] == "no"  # completed by then
    _, data = download(client, "follow-ups", "as_of=2023-10-15")
    assert parse(data)[1][FOLLOW_UP_HEADER.index("overdue")] == "no"  # not yet due
    FollowUp.objects.filter(pk=history.pk).update(target_date=datetime.date(2023, 10, 10))
    assert parse(download(client, "follow-ups", "as_of=2023-10-15")[1])[1][9] == "yes"


def test_changed_since_lists_the_changes_with_status_from_and_to(client, history, jpn):
    services.follow_up_create(recommendation=history.recommendation, delegation=jpn)
    _, data = download(client, "follow-ups", "changed_since=2023-09-15")
    rows = parse(data)
    assert rows[0] == FOLLOW_UP_HEADER + CHANGE_HEADER
    assert CHANGE_HEADER == ["status_from", "status_to"]
    assert [(r[1], r[-2], r[-1]) for r in rows[1:]] == [("PAK", "planned", "completed")]
    _, data = download(client, "follow-ups", "changed_since=2023-09-15&as_of=2023-10-15")
    assert [(r[-2], r[-1]) for r in parse(data)[1:]] == [("planned", "in_progress")]
    _, data = download(client, "follow-ups")
    assert parse(data)[0] == FOLLOW_UP_HEADER


def test_the_history_export_has_previous_status_verified_and_author(
    client, history, secretariat_user
):
    secretariat_user.first_name, secretariat_user.last_name = "Sam", "Staff"
    secretariat_user.save()
    _, data = download(client, "progress-updates")
    rows = parse(data)
    assert rows[0] == PROGRESS_UPDATE_HEADER
    assert PROGRESS_UPDATE_HEADER == [
        "code",
        "delegation",
        "date",
        "status",
        "previous_status",
        "note",
        "evidence_url",
        "verified",
        "author",
    ]
    assert rows[1:] == [
        ["D1S1-01", "PAK", "2023-09-01", "planned", "not_reported", "Plan", "", "no", ""],
        [
            "D1S1-01",
            "PAK",
            "2023-10-01",
            "in_progress",
            "planned",
            "Started",
            "",
            "yes",
            "",  # who wrote it is not shown to the public
        ],
        ["D1S1-01", "PAK", "2023-11-01", "completed", "in_progress", "Done", "", "no", ""],
    ]
    client.force_login(secretariat_user)
    _, data = download(client, "progress-updates")
    assert [row[-1] for row in parse(data)[1:]] == ["", "Sam Staff", ""]
    client.logout()
    # After changed_since, the first update listed still knows the status before it.
    _, data = download(client, "progress-updates", "changed_since=2023-09-15")
    assert [(r[3], r[4]) for r in parse(data)[1:]] == [
        ("in_progress", "planned"),
        ("completed", "in_progress"),
    ]


def test_the_verified_filter_and_column_agree(client, history):
    _, data = download(client, "follow-ups", "verified=yes&as_of=2023-10-15")
    assert [r[FOLLOW_UP_HEADER.index("verified")] for r in parse(data)[1:]] == ["yes"]
    _, data = download(client, "follow-ups", "verified=no")
    assert [r[FOLLOW_UP_HEADER.index("verified")] for r in parse(data)[1:]] == ["no"]


@pytest.fixture
def restricted(follow_up, jpn):
    """A restricted note and evidence on PAK's follow-up; JPN's follow-up has none."""
    services.follow_up_create(recommendation=follow_up.recommendation, delegation=jpn)
    services.progress_update_create(
        follow_up=follow_up,
        date=DAY,
        status="in_progress",
        note="Confidential troop numbers",
        evidence_url="https://example.org/secret",
        visibility=ProgressUpdate.Visibility.RESTRICTED,
    )
    return follow_up


def _restricted_cells(client):
    _, data = download(client, "follow-ups", "delegation=PAK")
    follow_up_row = dict(zip(FOLLOW_UP_HEADER, parse(data)[1], strict=True))
    _, data = download(client, "progress-updates", "delegation=PAK")
    rows = parse(data)
    update_row = dict(zip(rows[0], rows[1], strict=True))
    return (
        follow_up_row["last_update_note"],
        update_row["note"],
        update_row["evidence_url"],
        follow_up_row["status"],
        update_row["status"],
    )


def test_a_restricted_note_is_absent_for_the_public_and_other_delegations(
    client, restricted, jpn, make_focal_point
):
    assert _restricted_cells(client) == ("", "", "", "in_progress", "in_progress")
    client.force_login(make_focal_point(jpn))
    assert _restricted_cells(client) == ("", "", "", "in_progress", "in_progress")


def test_a_restricted_note_is_present_for_staff_and_the_own_delegation(
    client, restricted, pak, secretariat_user, make_focal_point
):
    shown = (
        "Confidential troop numbers",
        "Confidential troop numbers",
        "https://example.org/secret",
        "in_progress",
        "in_progress",
    )
    client.force_login(secretariat_user)
    assert _restricted_cells(client) == shown
    client.force_login(make_focal_point(pak))
    assert _restricted_cells(client) == shown


def test_the_admin_export_action_helper_keeps_its_signature(follow_up, secretariat_user):
    from recommendations.exports import follow_ups_response

    response = follow_ups_response(
        FollowUp.objects.all(), user=secretariat_user, name_parts=["pak"]
    )
    rows = parse(b"".join(response.streaming_content))
    assert rows[0] == FOLLOW_UP_HEADER
    assert rows[1][:2] == ["D1S1-01", "PAK"]
    assert "follow-ups-pak-" in response["Content-Disposition"]


def test_an_invalid_sort_is_refused_by_the_exports_whose_rows_are_items(client, items):
    assert client.get(EXPORT_URLS["matrix"] + "?sort=nope").status_code == 400
    assert client.get(EXPORT_URLS["recommendations"] + "?sort=nope").status_code == 400
