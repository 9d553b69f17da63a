import csv
import datetime
import io
import sys

import pytest

from recommendations import services
from recommendations.exports import (
    FOLLOW_UP_HEADER,
    PUBLIC,
    export_filename,
    follow_ups_query,
    formatting,
    neutralise,
    orm_rows,
    stream,
)
from recommendations.models import FollowUp

DAY = datetime.date(2023, 9, 1)


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r1", "\n1", "-"],
)
def test_it_prefixes_cells_that_start_a_formula(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [" =1+1", "  +1", " -1", " @SUM(A1)", " \t=1", "\u00a0=1", "'=1", "'' =1", "' -x"],
)
def test_it_prefixes_a_formula_behind_blanks_or_apostrophes(value):
    # A spreadsheet that trims spaces would read " =1+1" as a formula; and a note
    # that starts with ' before one gets its own ', so the importer's undoing is exact.
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["  leading and trailing spaces  ", "'already quoted", " a = b", "'", "", " "]
)
def test_it_leaves_text_that_is_no_formula_alone(value):
    assert neutralise(value) == value


def test_the_whitespace_spelt_out_for_the_sql_is_pythons():
    everything = map(chr, range(sys.maxunicode + 1))
    assert "".join(c for c in everything if c.isspace()) == formatting.WHITESPACE


def test_it_leaves_a_dash_in_the_middle_of_a_sentence_alone():
    assert neutralise("Training - phase 2") == "Training - phase 2"


def test_the_file_has_a_bom_crlf_and_round_trips_through_csv(follow_up):
    pledge = 'Côte d’Ivoire: say "hi"\nthen'
    FollowUp.objects.filter(pk=follow_up.pk).update(pledge=pledge, target_date=None)
    services.progress_update_create(follow_up=follow_up, date=DAY, status="planned", note="=1")
    data = b"".join(stream(lambda: follow_ups_query(FollowUp.objects.all(), audience=PUBLIC)))
    assert data.startswith(("\ufeff" + ",".join(FOLLOW_UP_HEADER) + "\r\n").encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == FOLLOW_UP_HEADER
    row = dict(zip(FOLLOW_UP_HEADER, rows[1], strict=True))
    assert (row["pledge"], row["target_date"], row["last_update_note"]) == (pledge, "", "'=1")


def test_the_filename_says_what_and_when():
    name = export_filename("recommendations", ["ieds"], datetime.date(2026, 11, 27))
    assert name == "recommendations-ieds-2026-11-27.csv"


def test_the_follow_up_rows_take_one_query_whatever_the_size(
    make_recommendation, pak, jpn, django_assert_num_queries
):
    for _ in range(12):
        item = make_recommendation(theme_slugs=["ieds", "medical"])
        for d in (pak, jpn):
            services.follow_up_create(recommendation=item, delegation=d)
    query = follow_ups_query(FollowUp.objects.all(), audience=PUBLIC)
    with django_assert_num_queries(1):
        # 1. the follow-ups with themes, status, latest update via subqueries
        rows = list(orm_rows(query))
    assert len(rows) == 24
    assert rows[0][FOLLOW_UP_HEADER.index("themes")] == "ieds; medical"
