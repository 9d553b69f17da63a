"""The COPY path (PostgreSQL) writes the same bytes as the ORM path, and streams
inside its own transaction. Skipped on SQLite, which has no COPY."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.http import QueryDict
from psycopg.pq import TransactionStatus

from recommendations import services
from recommendations.exports import (
    KINDS,
    PUBLIC,
    STAFF,
    Audience,
    copy_statement,
    export_from_params,
)
from recommendations.models import FollowUp, Person, ProgressUpdate, Status, Theme

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL"),
]

TRICKY_TEXTS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r\nstarts with a line break",
    "Training - phase 2, with a comma",
    'He said "yes"',
    "two\nlines",
    "carriage\rreturn",
    "Côte d’Ivoire — ñ, ü, 漢字, 🕊",
    "back\\slash \\. and \\N",
    "  leading and trailing spaces  ",
    "'already quoted",
    "",
    "-",
    "semi;colon",
]


@pytest.fixture
def tricky(make_recommendation, pak, jpn, secretariat_user, meeting, session):
    """Items, follow-ups and updates whose values exercise every quoting rule."""
    Theme.objects.create(slug="ied-threats", name="IED threats", order=9)
    Theme.objects.create(slug="iedsx", name="IEDs X", order=10)
    speaker = Person.objects.create(name='O"Neil, =Ada', slug="oneil", affiliation="-UN\nHQ")
    day = datetime.date(2023, 9, 1)
    for i, text in enumerate(TRICKY_TEXTS):
        item = make_recommendation(
            code=f"D1S1-{i + 1:02d}",
            text=text or "empty excerpt",
            source_excerpt=text,
            theme_slugs=["ieds", "medical"][: i % 3],
            speaker=speaker if i % 2 else None,
        )
        if i % 4 == 3:
            item.themes.add(*Theme.objects.filter(slug__in=["ied-threats", "iedsx"]))
        for d in (pak, jpn) if i % 5 else (pak,):
            follow_up = services.follow_up_create(
                recommendation=item, delegation=d, pledge=TRICKY_TEXTS[-1 - i]
            )
            if i % 3 == 0:
                FollowUp.objects.filter(pk=follow_up.pk).update(target_date=None)
            if d == jpn and i % 2:
                continue
            services.progress_update_create(
                follow_up=follow_up,
                date=day,
                status=Status.PLANNED,
                note=text,
                evidence_url="https://example.org/?q=a,b" if i % 2 else "",
            )
            services.progress_update_create(
                follow_up=follow_up,
                date=day + datetime.timedelta(days=30 + i),
                status=Status.values[i % 5],
                note=TRICKY_TEXTS[(i + 3) % len(TRICKY_TEXTS)],
                visibility=ProgressUpdate.Visibility.RESTRICTED if i % 4 == 1 else "public",
                author=secretariat_user if i % 3 == 1 else None,
            )


def both(kind, params, audience):
    export = export_from_params(kind, QueryDict(params), audience=audience)
    orm = b"".join(export.stream(engine="orm"))
    copy = b"".join(export.stream(engine="copy"))
    return orm, copy


PARAMS = [
    "",
    "theme=ieds&theme=medical",
    "delegation=PAK&status=planned",
    "as_of=2023-09-15",
    "as_of=2023-10-05&status=planned",
    "changed_since=2023-10-03",
    "changed_since=2023-09-15&as_of=2023-10-10",
    "verified=yes",
    "overdue=yes",
    "q=" + "quoted",
    "sort=code",
    "sort=latest&delegation=JPN",
]


@pytest.mark.parametrize("kind", KINDS)
def test_copy_writes_the_same_bytes_as_the_orm_path(tricky, kind):
    for params in PARAMS:
        for audience in (PUBLIC, STAFF):
            orm, copy = both(kind, params, audience)
            assert orm.startswith(b"\xef\xbb\xbfcode,")
            assert copy == orm, (params, audience)


def test_copy_writes_the_same_bytes_for_a_focal_point(tricky, pak):
    audience = Audience(delegation_id=pak.pk)
    for kind in KINDS:
        orm, copy = both(kind, "", audience)
        assert copy == orm


def test_the_tricky_values_come_back_intact(tricky):
    orm, _ = both("recommendations", "sort=code", STAFF)
    rows = list(csv.reader(io.StringIO(orm.decode("utf-8-sig"), newline="")))
    excerpts = [row[9] for row in rows[1:]]
    expected = [
        "'" + t if t[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else t for t in TRICKY_TEXTS
    ]
    assert excerpts == expected
    # Code-point order of the slugs (a locale collation would put ied-threats last).
    assert rows[8][7] == "ied-threats; ieds; iedsx"
    assert rows[2][4:6] == ['O"Neil, =Ada', "'-UN\nHQ"]


BLANKS_BEFORE_FORMULAS = [
    " =1+1",
    "   +1",
    " -",
    " @x",
    " \t=1",
    "\u00a0=1",
    "\u3000+1",
    "\u200b=1",
    "'=1",
    "''+1",
    "' =1",
    " '=1",
    "'",
    " ",
    " a = b",
]


def test_blanks_and_apostrophes_before_a_formula_are_written_the_same_way(make_recommendation, pak):
    for i, text in enumerate(BLANKS_BEFORE_FORMULAS):
        item = make_recommendation(code=f"D2S1-{i + 1:02d}", source_excerpt=text)
        follow_up = services.follow_up_create(recommendation=item, delegation=pak, pledge=text)
        services.progress_update_create(
            follow_up=follow_up, date=datetime.date(2023, 9, 1), status="planned", note=text
        )
    for kind in KINDS:
        orm, copy = both(kind, "", STAFF)
        assert copy == orm, kind
    orm, _ = both("progress-updates", "", STAFF)
    notes = [row[5] for row in csv.reader(io.StringIO(orm.decode("utf-8-sig"), newline=""))]
    assert notes[1:] == [
        "'" + t if t.lstrip("'").lstrip()[:1] in ("=", "+", "-", "@") else t
        for t in BLANKS_BEFORE_FORMULAS
    ]


def test_parameters_are_bound_safely_in_the_copy_statement(tricky, make_recommendation):
    make_recommendation(code="D9-01", text="Talks led by O'Brien on 100% of \\ sites")
    for q in ["O'Brien", 'O\'Brien \\ "x" %s %% ; DROP TABLE x; --', "100%"]:
        params = QueryDict(mutable=True)
        params["q"] = q
        export = export_from_params("recommendations", params, audience=PUBLIC)
        statement = copy_statement(export.build())
        assert "'O''Brien" in statement or q == "100%"
        orm = b"".join(export.stream(engine="orm"))
        copy = b"".join(export.stream(engine="copy"))
        assert copy == orm
    assert b"D9-01" in orm


@pytest.fixture
def many(make_recommendation, pak, jpn):
    item = make_recommendation(code="D1S1-01")
    follow_ups = FollowUp.objects.bulk_create(
        FollowUp(recommendation=item, delegation=d, pledge="x" * 200) for d in (pak, jpn)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            follow_up=follow_ups[i % 2],
            date=datetime.date(2023, 9, 1),
            status="planned",
            note="n" * 100,
        )
        for i in range(3000)
    )


@pytest.mark.django_db(transaction=True)
def test_closing_the_stream_cancels_the_copy_and_ends_its_transaction(many):
    export = export_from_params("progress-updates", QueryDict(""), audience=PUBLIC)
    blocks = export.stream(engine="copy")
    header = next(blocks)
    assert header.startswith(b"\xef\xbb\xbfcode,")
    # Between the header and the rows, the export's transaction and timeout are in force.
    assert connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15min"
    assert len(next(blocks)) >= 64 * 1024
    blocks.close()  # what the server does when the client goes away
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"  # the web role's own limit, untouched
        cursor.execute("SELECT count(*) FROM recommendations_progressupdate")
        assert cursor.fetchone()[0] == 3000


@pytest.mark.django_db(transaction=True)
def test_closing_the_response_releases_the_connection(many, client):
    response = client.get("/progress-updates/export.csv")
    content = iter(response.streaming_content)
    next(content)
    next(content)
    response.close()
    assert not connection.in_atomic_block
    pgconn = connection.connection
    assert pgconn is None or pgconn.info.transaction_status == TransactionStatus.IDLE


@pytest.mark.django_db(transaction=True)
def test_the_orm_path_reads_through_a_cursor_inside_the_transaction(many, monkeypatch):
    # Outside a transaction Django declares the cursor WITH HOLD, and PostgreSQL then
    # materialises the whole result before the first row.
    opened = []
    chunked_cursor = connection.chunked_cursor

    def spy():
        opened.append(connection.get_autocommit())
        return chunked_cursor()

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    export = export_from_params("progress-updates", QueryDict(""), audience=PUBLIC)
    data = b"".join(export.stream(engine="orm"))
    assert data.count(b"\r\n") == 3001
    assert opened == [False]
