"""The planner uses an index wherever one should serve the list's main filters.

PostgreSQL only: a few thousand synthetic rows, ANALYZE, then EXPLAIN (FORMAT JSON) of
the page query (``[:20]``) each filter builds, and no ``Seq Scan`` on the big tables
where an index should serve. A sequential scan stays allowed where it is the right
plan: the item list itself must be read whole to be sorted by session order.
"""

import datetime
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict

from recommendations.filters import FollowUpFilter, RecommendationFilter, follow_up_conditions
from recommendations.models import FollowUp, ProgressUpdate, Recommendation

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="EXPLAIN plans are PostgreSQL's",
    ),
]

ITEMS = "recommendations_recommendation"
FOLLOW_UPS = "recommendations_followup"
UPDATES = "recommendations_progressupdate"
THEME_LINKS = "recommendations_recommendation_themes"


@pytest.fixture(scope="module")
def synthetic_data(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction that is rolled back at the end
    (each test's own transaction nests in it as a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "seed_synthetic",
            recommendations=3000,
            delegations=196,
            follow_ups=30000,
            updates=60000,
            sessions=30,
            people=100,
            seed=11,
            verbosity=0,
        )  # ends with ANALYZE
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(synthetic_data, db):
    return None


def scans(plan: dict) -> list[tuple[str, str, str]]:
    """(node type, relation, index) of every scan in the plan tree."""
    found = []
    node_type = plan.get("Node Type", "")
    if "Scan" in node_type:
        found.append((node_type, plan.get("Relation Name", ""), plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        found.extend(scans(child))
    return found


def explain(queryset) -> list[tuple[str, str, str]]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    if isinstance(document, str):
        document = json.loads(document)
    return scans(document[0]["Plan"])


def seq_scanned(found) -> set[str]:
    return {relation for node, relation, _ in found if node == "Seq Scan"}


def indexes_used(found) -> set[str]:
    return {index for _, _, index in found if index}


def items_page(params: str):
    filterset = RecommendationFilter(QueryDict(params), queryset=Recommendation.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs[:20]


def follow_ups_page(params: str):
    filterset = FollowUpFilter(QueryDict(params), queryset=FollowUp.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs[:20]


def test_full_text_search_uses_the_search_index(seeded):
    # A selective search: when a word is in a large share of the items, reading the
    # whole table is the better plan and the planner rightly takes it.
    item = Recommendation.objects.order_by("pk").first()
    item.text += " Zanzibarite detectors."
    item.save()
    found = explain(items_page("q=zanzibarite"))

    assert ITEMS not in seq_scanned(found), found
    assert "rec_search_gin_idx" in indexes_used(found), found


def test_a_theme_is_found_through_the_theme_index(seeded):
    found = explain(items_page("theme=ieds"))

    assert THEME_LINKS not in seq_scanned(found), found
    assert not {FOLLOW_UPS, UPDATES} & seq_scanned(found), found


def test_delegation_and_status_use_the_follow_up_index(seeded):
    found = explain(items_page("delegation=PAK&status=in_progress"))

    assert not {FOLLOW_UPS, UPDATES} & seq_scanned(found), found
    assert "fu_delegation_status_idx" in indexes_used(found), found


def test_a_session_is_found_through_the_session_index(seeded):
    found = explain(items_page("meeting=synthetic&session=D1S1"))

    assert ITEMS not in seq_scanned(found), found


def test_status_as_of_a_date_reads_updates_through_the_latest_update_index(seeded):
    found = explain(items_page("as_of=2024-06-30&status=completed&delegation=PAK"))

    assert UPDATES not in seq_scanned(found), found
    assert FOLLOW_UPS not in seq_scanned(found), found
    assert "pu_follow_up_latest_idx" in indexes_used(found), found


def test_changed_since_reads_updates_through_an_index(seeded):
    found = explain(items_page("changed_since=2025-08-20&delegation=PAK"))

    assert not {FOLLOW_UPS, UPDATES} & seq_scanned(found), found


def test_overdue_follow_ups_are_found_through_the_target_date_index(seeded):
    # Early in the period few targets have passed, so the index is the right plan.
    overdue = follow_up_conditions(
        FollowUp.objects.all(), overdue="yes", today=datetime.date(2024, 1, 10)
    )
    page = explain(overdue[:20])
    # What the capped paginator counts: up to 10,001 matching rows, in no order.
    counted = explain(overdue.order_by().values("pk")[:10001])

    assert FOLLOW_UPS not in seq_scanned(page), page
    assert FOLLOW_UPS not in seq_scanned(counted), counted
    assert "fu_target_status_idx" in indexes_used(counted), counted


def test_the_follow_up_list_filtered_by_delegation_and_status_uses_an_index(seeded):
    found = explain(follow_ups_page("delegation=PAK&status=in_progress"))

    assert not {FOLLOW_UPS, UPDATES} & seq_scanned(found), found


def test_one_items_follow_ups_and_their_history_use_indexes(seeded):
    item = Recommendation.objects.get(code="SYN-000042")
    follow_ups = explain(FollowUp.objects.filter(recommendation=item))
    history = explain(ProgressUpdate.objects.filter(follow_up__recommendation=item).latest_first())

    assert FOLLOW_UPS not in seq_scanned(follow_ups), follow_ups
    assert not {FOLLOW_UPS, UPDATES} & seq_scanned(history), history
