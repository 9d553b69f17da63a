"""The data migration that brings a database holding the Islamabad data from before the
audit to the corrected data of fixtures/islamabad-2023.json, keeping ids, codes and
follow-ups.

islamabad-2023-before-audit.json is the fixture as it was before the audit: the data a
production database loaded. Each test migrates to just before the audit migration, loads
what it needs with the models of that state, then migrates forwards (and back).
"""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recommendations.models import FollowUp, ProgressUpdate, Recommendation, Status

BEFORE = Path(__file__).with_name("islamabad-2023-before-audit.json")
AFTER = settings.BASE_DIR / "fixtures" / "islamabad-2023.json"
REASON = "Audit against the Chair's Summary"

# Every code the audit changed, and the one it created.
CHANGED = {
    "D1S1-01",
    "D1S1-09",
    "D1S1-10",
    "D1S1-11",
    "D1S1-12",
    "D1S2-04",
    "D1S3-02",
    "D1S3-04",
    "D1S3-05",
    "D1S3-09",
    "D1S3-11",
    "D2S1-01",
    "D2S1-09",
    "D2S2-03",
    "D2S2-04",
}
SPLIT = "D1S1-13"

pytestmark = pytest.mark.django_db(transaction=True)


def audit_node(graph) -> tuple[str, str]:
    """The audit migration, found by name so that a renumbering does not break the tests."""
    (node,) = [
        key
        for key in graph.nodes
        if key[0] == "recommendations" and key[1].endswith("_islamabad_audit")
    ]
    return node


class Migrator:
    """Moves the database between the state just before the audit migration and the
    audit; each move returns the models of the state reached."""

    def __init__(self):
        graph = MigrationExecutor(connection).loader.graph
        self.audit = audit_node(graph)
        self.before = sorted(parent.key for parent in graph.node_map[self.audit].parents)
        self.latest = graph.leaf_nodes()

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def to_before_the_audit(self):
        return self.migrate(self.before)

    def to_the_audit(self):
        return self.migrate([self.audit])

    def to_the_latest(self):
        self.migrate(self.latest)


@pytest.fixture
def migrator(transactional_db):
    migrator = Migrator()
    migrator.apps = migrator.to_before_the_audit()
    yield migrator
    migrator.to_the_latest()


def rows(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def load(apps, objects: list[dict]) -> None:
    """Write fixture rows with the models of a past state (``loaddata`` knows only the
    current models), then move the id sequences past them as ``loaddata`` does. A
    column that a later migration added (the fixture holds today's data) is left out."""
    models = []
    for obj in objects:
        Model = apps.get_model(obj["model"])
        values, links = {}, {}
        known = {field.name for field in Model._meta.get_fields()}
        for name, value in obj["fields"].items():
            if name not in known:
                continue
            field = Model._meta.get_field(name)
            if field.many_to_many:
                links[name] = value
            elif field.is_relation:
                values[field.attname] = value
            else:
                values[name] = field.to_python(value)
        instance = Model.objects.create(pk=obj["pk"], **values)
        for name, pks in links.items():
            getattr(instance, name).set(pks)
        if Model not in models:
            models.append(Model)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def add_follow_up(apps, code: str, delegation: str, status: str) -> int:
    """A follow-up of the item with one progress update; its id."""
    Recommendation = apps.get_model("recommendations", "Recommendation")
    Delegation = apps.get_model("recommendations", "Delegation")
    FollowUp = apps.get_model("recommendations", "FollowUp")
    ProgressUpdate = apps.get_model("recommendations", "ProgressUpdate")
    follow_up = FollowUp.objects.create(
        recommendation=Recommendation.objects.get(code=code),
        delegation=Delegation.objects.get(code=delegation),
        pledge=f"{delegation} pledge on {code}",
    )
    ProgressUpdate.objects.create(
        follow_up=follow_up, date=datetime.date(2024, 3, 1), status=status, note="Under way."
    )
    return follow_up.pk


def items_of(path: Path) -> dict[str, dict]:
    """code: the item's curated fields (themes as slugs), as the fixture has them."""
    objects = rows(path)
    slugs = {o["pk"]: o["fields"]["slug"] for o in objects if o["model"] == "recommendations.theme"}
    return {
        o["fields"]["code"]: {
            "pk": o["pk"],
            "session": o["fields"]["session"],
            "speaker": o["fields"]["speaker"],
            "kind": o["fields"]["kind"],
            "text": o["fields"]["text"],
            "source_excerpt": o["fields"]["source_excerpt"],
            "order": o["fields"]["order"],
            "themes": {slugs[pk] for pk in o["fields"]["themes"]},
        }
        for o in objects
        if o["model"] == "recommendations.recommendation"
    }


# Only the columns of the schema's state at the audit: later migrations add others (the
# names in every language, for one), which today's models would read.
AT_THE_AUDIT = ("code", "text", "source_excerpt", "order", "search_document", "sort_key")


def items_at_the_audit():
    """The items with what their derived columns are built from, read with only the
    columns the schema had at the audit."""
    return Recommendation.objects.select_related("meeting", "session", "speaker").only(
        *AT_THE_AUDIT,
        "kind",
        "speaker__name",
        "session__day",
        "session__order",
        "meeting__start_date",
    )


def items_in_database() -> dict[str, dict]:
    themes = {}
    through = Recommendation.themes.through.objects.values_list(
        "recommendation__code", "theme__slug"
    )
    for code, slug in through:
        themes.setdefault(code, set()).add(slug)
    return {
        item.code: {
            "pk": item.pk,
            "session": item.session_id,
            "speaker": item.speaker_id,
            "kind": item.kind,
            "text": item.text,
            "source_excerpt": item.source_excerpt,
            "order": item.order,
            "themes": themes.get(item.code, set()),
        }
        for item in Recommendation.objects.only(*AT_THE_AUDIT, "kind", "session", "speaker")
    }


def meeting_of(path: Path) -> dict:
    (meeting,) = [o for o in rows(path) if o["model"] == "recommendations.meeting"]
    fields = meeting["fields"]
    return {name: fields[name] for name in ("target_name", "description", "source_url")}


def meeting_in_database() -> dict:
    # The columns themselves: today's model would read target_name in the active language,
    # from a column of a later state of the schema.
    names = ("target_name", "description", "source_url")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT target_name, description, source_url FROM recommendations_meeting "
            "WHERE slug = %s",
            ["islamabad-2023"],
        )
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_it_brings_the_data_from_before_the_audit_to_the_corrected_fixture(migrator):
    load(migrator.apps, rows(BEFORE))
    migrator.to_the_audit()
    found, wanted = items_in_database(), items_of(AFTER)
    # The split-off item has an id of its own; everything else is field for field the same.
    split_id = found[SPLIT].pop("pk")
    wanted[SPLIT].pop("pk")
    assert found == wanted
    assert split_id not in {fields["pk"] for fields in items_of(BEFORE).values()}
    assert meeting_in_database() == meeting_of(AFTER)


def test_it_changes_exactly_the_items_the_audit_corrected(migrator):
    before = items_of(BEFORE)
    load(migrator.apps, rows(BEFORE))
    migrator.to_the_audit()
    after = items_in_database()
    assert {code for code, fields in after.items() if before.get(code) != fields} == (
        CHANGED | {SPLIT}
    )


def test_every_item_keeps_its_id_and_its_follow_ups(migrator):
    load(migrator.apps, rows(BEFORE))
    kept = {
        add_follow_up(migrator.apps, "D1S1-10", "PAK", "in_progress"): "D1S1-10",
        add_follow_up(migrator.apps, "D1S3-11", "UNS", "completed"): "D1S3-11",
    }
    ids = {code: fields["pk"] for code, fields in items_of(BEFORE).items()}
    migrator.to_the_audit()
    assert {
        code: pk for code, pk in Recommendation.objects.values_list("code", "pk") if code != SPLIT
    } == ids
    follow_ups = FollowUp.objects.select_related("recommendation")
    assert {f.pk: f.recommendation.code for f in follow_ups} == kept
    for follow_up in follow_ups:
        # Only the columns of this state of the schema (later migrations add others).
        (update,) = ProgressUpdate.objects.filter(follow_up=follow_up).values_list(
            "note", "date", "status"
        )
        assert update == ("Under way.", datetime.date(2024, 3, 1), follow_up.status)
    assert FollowUp.objects.get(recommendation__code="D1S1-10").status == Status.IN_PROGRESS
    assert FollowUp.objects.get(recommendation__code="D1S3-11").status == Status.COMPLETED
    # The follow-ups stay with the items they were recorded on, now corrected.
    assert Recommendation.objects.get(code="D1S3-11").kind == "observation"
    assert not FollowUp.objects.filter(recommendation__code=SPLIT).exists()


def test_the_split_off_item_gets_the_next_free_code_of_its_session(migrator):
    load(migrator.apps, rows(BEFORE))
    migrator.to_the_audit()
    split = items_at_the_audit().get(code=SPLIT)
    source = items_at_the_audit().get(code="D1S1-10")
    assert (split.session_id, split.speaker_id, split.kind) == (
        source.session_id,
        source.speaker_id,
        "observation",
    )
    assert split.order == 13
    assert split.pk > max(i["pk"] for i in items_of(BEFORE).values())


def test_a_code_taken_since_makes_the_split_off_item_take_the_one_after(migrator):
    objects = rows(BEFORE)
    (d1s1_12,) = [o for o in objects if o["fields"].get("code") == "D1S1-12"]
    added = json.loads(json.dumps(d1s1_12))
    added["pk"] = 1000
    added["fields"] |= {"code": "D1S1-13", "order": 13, "text": "An item added by staff."}
    load(migrator.apps, [*objects, added])
    migrator.to_the_audit()
    assert Recommendation.objects.get(code="D1S1-13").text == "An item added by staff."
    split = Recommendation.objects.get(code="D1S1-14")
    assert (split.kind, split.order) == ("observation", 14)


def test_it_rebuilds_the_search_text_and_reading_order_of_every_item(migrator):
    load(migrator.apps, rows(BEFORE))
    migrator.to_the_audit()
    for item in items_at_the_audit():
        assert item.search_document == item.build_search_document(), item.code
        assert item.sort_key == item.build_sort_key(), item.code
    assert set(Recommendation.objects.search("defence").values_list("code", flat=True)) >= {
        "D1S1-11"
    }
    codes = list(Recommendation.objects.filter(session__code="D1S1").values_list("code", flat=True))
    assert codes == [f"D1S1-{n:02d}" for n in range(1, 14)]


def test_each_correction_is_a_row_in_the_items_history_with_its_reason(migrator):
    load(migrator.apps, rows(BEFORE))
    migrator.to_the_audit()
    history = Recommendation.history.filter(history_change_reason=REASON)
    assert sorted(history.values_list("code", "history_type")) == sorted(
        [(code, "~") for code in CHANGED] + [(SPLIT, "+")]
    )
    latest = Recommendation.objects.get(code="D1S3-11").history.latest()
    assert (latest.kind, latest.history_change_reason) == ("observation", REASON)
    themes = Recommendation.objects.only("pk").get(code="D1S1-01").history.latest().themes
    assert set(themes.values_list("theme__slug", flat=True)) == {"safety", "technology"}


def test_corrected_data_is_left_as_it_is(migrator):
    load(migrator.apps, rows(AFTER))
    migrator.to_the_audit()
    wanted = items_of(AFTER)
    assert items_in_database() == wanted
    assert not Recommendation.history.exists()


def test_a_value_edited_by_hand_since_is_not_overwritten(migrator):
    objects = rows(BEFORE)
    (d1s1_11,) = [o for o in objects if o["fields"].get("code") == "D1S1-11"]
    d1s1_11["fields"]["text"] = "Strengthen base defence."
    load(migrator.apps, objects)
    migrator.to_the_audit()
    item = Recommendation.objects.get(code="D1S1-11")
    assert item.text == "Strengthen base defence."
    # Its other correction, the excerpt, still applies.
    assert item.source_excerpt == items_of(AFTER)["D1S1-11"]["source_excerpt"]


def test_a_database_without_the_meeting_is_left_alone(migrator):
    migrator.to_the_audit()
    assert not Recommendation.objects.exists()
    assert not Recommendation.history.exists()


def test_reversing_restores_the_data_from_before_the_audit_and_keeps_the_follow_ups(migrator):
    load(migrator.apps, rows(BEFORE))
    follow_ups = {
        add_follow_up(migrator.apps, "D1S1-10", "PAK", "in_progress"),
        add_follow_up(migrator.apps, "D1S3-11", "UNS", "completed"),
    }
    migrator.to_the_audit()
    migrator.to_before_the_audit()
    assert items_in_database() == items_of(BEFORE)
    assert meeting_in_database() == meeting_of(BEFORE)
    assert set(FollowUp.objects.values_list("pk", flat=True)) == follow_ups
    for item in items_at_the_audit():
        assert item.search_document == item.build_search_document(), item.code
    assert Recommendation.history.filter(code=SPLIT, history_type="-").exists()


def test_reversing_stops_before_deleting_follow_ups_of_the_split_off_item(migrator):
    load(migrator.apps, rows(BEFORE))
    apps = migrator.to_the_audit()
    add_follow_up(apps, SPLIT, "JPN", "planned")
    with pytest.raises(RuntimeError, match="D1S1-13 has follow-ups"):
        migrator.to_before_the_audit()
    assert FollowUp.objects.filter(recommendation__code=SPLIT).exists()
    # Nothing of the reversal stayed: the migration runs in one transaction.
    assert Recommendation.objects.get(code="D1S1-10").text == "Address mission fatalities urgently."
