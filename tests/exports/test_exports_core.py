import csv
import io

import pytest

from recommendations import services
from recommendations.exports import csv_lines, export_filename, follow_up_rows, neutralise
from recommendations.models import FollowUp


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r1", "\n1", "-"],
)
def test_it_prefixes_cells_that_start_a_formula(value):
    assert neutralise(value) == "'" + value


def test_it_leaves_a_dash_in_the_middle_of_a_sentence_alone():
    assert neutralise("Training - phase 2") == "Training - phase 2"


def test_the_file_has_a_bom_crlf_and_round_trips_through_csv():
    text = "".join(csv_lines(["a", "b"], [["Côte d’Ivoire", 'say "hi"\nthen'], ["=1", None]]))
    assert text.startswith("\ufeffa,b\r\n")
    data = text.encode("utf-8")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["a", "b"], ["Côte d’Ivoire", 'say "hi"\nthen'], ["'=1", ""]]


def test_the_filename_says_what_and_when():
    import datetime

    name = export_filename("recommendations", ["ieds"], datetime.date(2026, 11, 27))
    assert name == "recommendations-ieds-2026-11-27.csv"


def test_follow_up_rows_make_one_query_whatever_the_size(
    make_recommendation, pak, jpn, django_assert_num_queries
):
    for _ in range(12):
        item = make_recommendation(theme_slugs=["ieds", "medical"])
        for d in (pak, jpn):
            services.follow_up_create(recommendation=item, delegation=d)
    with django_assert_num_queries(1):
        # 1. the follow-ups with themes, status, latest update via subqueries
        rows = list(follow_up_rows(FollowUp.objects.all(), user=None))
    assert len(rows) == 24
    assert rows[0][3] == "ieds; medical"
