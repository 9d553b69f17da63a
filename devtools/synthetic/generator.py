"""The rows of the synthetic meeting, generated from the seed: reference data, people
and sessions, items, then follow-ups with their history of progress updates.

Each follow-up's ``status``, ``last_update_date`` and ``version`` are computed from its
generated history while the rows are built. The database's triggers (migration 0005)
recompute the status and date of every follow-up whose updates are written and find
nothing to change: the two agree.
"""

from __future__ import annotations

import datetime
import json
from array import array
from dataclasses import asdict
from random import Random

from recommendations.models import (
    Delegation,
    FollowUp,
    Meeting,
    Participation,
    Person,
    ProgressUpdate,
    Recommendation,
    Session,
    Status,
    Theme,
    sort_key_for,
)
from recommendations.services import roster_fill

from . import vocabulary
from .sinks import reserve_ids
from .spec import CODE_PREFIX, MEETING_SLUG, PARAMS_MARKER, PERSON_SLUG_PREFIX, delegation_catalogue

_KINDS = [Recommendation.Kind.RECOMMENDATION] * 8 + [
    Recommendation.Kind.COMMITMENT,
    Recommendation.Kind.OBSERVATION,
]
# The status a follow-up ends in, by weight (out of 20).
_FINAL_STATUSES = (
    [Status.IN_PROGRESS] * 9
    + [Status.COMPLETED] * 6
    + [Status.PLANNED] * 3
    + [Status.NOT_APPLICABLE, Status.NOT_STARTED]
)
_STATUS_CODES = [s.value for s in Status]
_STATUS_INDEX = {value: i for i, value in enumerate(_STATUS_CODES)}

MEETING_START = datetime.date(2023, 8, 30)
UPDATES_START = datetime.date(2023, 9, 1)
UPDATE_DAYS = 730  # progress updates span two years
TARGETS_START = datetime.date(2024, 1, 1)
TARGET_DAYS = 4 * 365
# Postgres' smallint; items beyond it in one session share the last position.
_MAX_ORDER = 32767


def _spread(rng: Random, total: int, buckets: int, cap: int | None = None) -> list[int]:
    """Share ``total`` among ``buckets`` at random (each bucket at most ``cap``)."""
    counts = [0] * buckets
    if not buckets:
        return counts
    for i in rng.choices(range(buckets), k=total):
        counts[i] += 1
    if cap is not None:
        excess = 0
        for i, c in enumerate(counts):
            if c > cap:
                excess += c - cap
                counts[i] = cap
        i = 0
        while excess:
            if counts[i] < cap:
                counts[i] += 1
                excess -= 1
            i = (i + 1) % buckets
    return counts


class Generator:
    """Writes the synthetic meeting through ``sink``, in the order the foreign keys need,
    counting the rows of each kind in ``counts``. Deterministic for a given spec."""

    def __init__(self, spec, cursor, sink, counts, log):
        self.spec = spec
        self.cursor = cursor
        self.sink = sink
        self.counts = counts
        self.log = log
        self.rng = Random(spec.seed)

    def run(self):
        spec = self.spec
        delegation_ids, created, rostered = self._delegations()
        theme_ids = self._themes()
        meeting = self._meeting(created, rostered)
        people = self._people(delegation_ids)
        sessions, panels = self._sessions(meeting, people)
        self.log(f"Generating {spec.recommendations} items…")
        self._items(meeting, sessions, panels, people, theme_ids)
        self.log(f"Generating {spec.follow_ups} follow-ups and {spec.updates} updates…")
        self._follow_ups_and_updates(delegation_ids)
        self.log("Giving the roster delegations a follow-up of every item…")
        filled = roster_fill(recommendations=Recommendation.objects.filter(meeting=meeting))
        if rostered:
            # The roster delegations the seed created follow the real items too, as
            # every roster delegation does (seed_synthetic --delete removes these).
            filled += roster_fill(
                recommendations=Recommendation.objects.exclude(meeting=meeting),
                delegations=Delegation.objects.filter(code__in=rostered),
            )
        self.counts["roster follow-ups (no report yet)"] = filled
        self.log("Generated.")

    # reference data

    def _delegations(self):
        """The delegations used, in catalogue order: their ids, the codes of those
        created, and of those created on the roster. The first ``spec.roster`` of the
        catalogue are created on the roster, the rest off it (synthetic reporters
        only); a delegation that exists already is reused as it is, on the roster or
        not, so real data is never changed."""
        wanted = delegation_catalogue()[: self.spec.delegations]
        existing = dict(
            Delegation.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", "id")
        )
        missing = [
            Delegation(
                code=code, name=name, kind=kind, country=country, on_roster=i < self.spec.roster
            )
            for i, (code, name, kind, country) in enumerate(wanted)
            if code not in existing
        ]
        Delegation.objects.bulk_create(missing)
        ids = dict(
            Delegation.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", "id")
        )
        self.counts["new delegations"] = len(missing)
        rostered = [d.code for d in missing if d.on_roster]
        self.counts["new roster delegations"] = len(rostered)
        return [ids[w[0]] for w in wanted], [d.code for d in missing], rostered

    def _themes(self):
        existing = set(Theme.objects.values_list("slug", flat=True))
        missing = [
            Theme(slug=slug, name=name, order=i)
            for i, (slug, name) in enumerate(vocabulary.THEMES)
            if slug not in existing
        ]
        Theme.objects.bulk_create(missing)
        self.counts["new themes"] = len(missing)
        ids = dict(
            Theme.objects.filter(slug__in=[s for s, _ in vocabulary.THEMES]).values_list(
                "slug", "id"
            )
        )
        return [ids[s] for s, _ in vocabulary.THEMES]

    def _meeting(self, created_codes, roster_codes):
        params = asdict(self.spec) | {
            "created_delegations": created_codes,
            "roster_delegations": roster_codes,
        }
        meeting = Meeting.objects.create(
            title="Synthetic load-test meeting",
            slug=MEETING_SLUG,
            city="Synthetic City",
            country="PK",
            start_date=MEETING_START,
            end_date=MEETING_START + datetime.timedelta(days=1),
            target_name="Synthetic Ministerial",
            target_date=datetime.date(2025, 12, 31),
            description=(
                "Generated load-test data (seed_synthetic); never real reporting.\n"
                f"{PARAMS_MARKER}{json.dumps(params, sort_keys=True)}"
            ),
            is_synthetic=True,
        )
        self.counts["meeting"] = 1
        return meeting

    def _people(self, delegation_ids):
        rng, n = self.rng, self.spec.people
        first = reserve_ids(self.cursor, Person, n)
        rows = []
        for i in range(n):
            name = f"{rng.choice(vocabulary.FIRST_NAMES)} {rng.choice(vocabulary.LAST_NAMES)}"
            rows.append(
                (
                    first + i,
                    name,
                    f"{PERSON_SLUG_PREFIX}person-{i + 1:04d}",
                    rng.choice(vocabulary.HONORIFICS),
                    rng.choice(vocabulary.TITLES),
                    "",
                    rng.choice(delegation_ids),
                )
            )
        columns = ["id", "name", "slug", "honorific", "title", "affiliation", "delegation_id"]
        self.counts["people"] = self.sink.write(Person, columns, rows)
        return [(r[0], r[1]) for r in rows]

    def _sessions(self, meeting, people):
        rng, n = self.rng, self.spec.sessions
        first = reserve_ids(self.cursor, Session, n)
        sessions, rows = [], []
        for i in range(n):
            day, order = 1 + i // 5, 1 + i % 5
            facilitator = rng.choice(people)
            theme = vocabulary.THEMES[i % len(vocabulary.THEMES)][1]
            rows.append(
                (
                    first + i,
                    meeting.pk,
                    day,
                    order,
                    f"D{day}S{order}",
                    f"{theme}: synthetic panel {i + 1}",
                    vocabulary.words(rng, 150, 400) + ".",
                    facilitator[0],
                )
            )
            sessions.append(first + i)
        columns = ["id", "meeting_id", "day", "order", "code", "title", "summary", "facilitator_id"]
        self.counts["sessions"] = self.sink.write(Session, columns, rows)
        # Each person sits on one session's panel; the session's facilitator moderates it.
        panels: dict[int, list[int]] = {s: [] for s in sessions}
        for i, (person_id, _name) in enumerate(people):
            panels[sessions[i % n]].append(person_id)
        first_p = reserve_ids(self.cursor, Participation, len(people) + n)
        prow = []
        for i, row in enumerate(rows):
            prow.append((first_p + i, meeting.pk, row[7], "facilitator", row[0], row[2], 0, ""))
        k = n
        for session_id, members in panels.items():
            day = rows[sessions.index(session_id)][2]
            for order, person_id in enumerate(members, start=1):
                prow.append(
                    (first_p + k, meeting.pk, person_id, "panellist", session_id, day, order, "")
                )
                k += 1
        columns = ["id", "meeting_id", "person_id", "role", "session_id", "day", "order", "note"]
        self.counts["participations"] = self.sink.write(Participation, columns, prow)
        return sessions, panels

    # items

    def _items(self, meeting, sessions, panels, people, theme_ids):
        rng, n = self.rng, self.spec.recommendations
        names = dict(people)
        first = reserve_ids(self.cursor, Recommendation, n)
        self.item_first_id = first
        theme_rows = array("q")  # recommendation_id, theme_id pairs, flattened
        orders = dict.fromkeys(sessions, 0)
        # (day, order) of each session, as _sessions lays them out.
        positions = {sid: (1 + i // 5, 1 + i % 5) for i, sid in enumerate(sessions)}

        def rows():
            for i in range(n):
                item_id = first + i
                session_id = sessions[rng.randrange(len(sessions))]
                orders[session_id] += 1
                panel = panels[session_id]
                speaker_id = rng.choice(panel) if panel and rng.random() >= 0.15 else None
                code = f"{CODE_PREFIX}{i + 1:06d}"
                text = vocabulary.sentence(rng, 150, 300)
                speaker = names[speaker_id] if speaker_id else "The panel"
                excerpt = vocabulary.excerpt(rng, speaker, 300, 800)
                search_document = "\n".join(
                    [code, text, excerpt, names[speaker_id] if speaker_id else ""]
                )
                for theme_id in rng.sample(theme_ids, rng.randint(1, 3)):
                    theme_rows.append(item_id)
                    theme_rows.append(theme_id)
                order = min(orders[session_id], _MAX_ORDER)
                day, session_order = positions[session_id]
                yield (
                    item_id,
                    meeting.pk,
                    session_id,
                    code,
                    speaker_id,
                    rng.choice(_KINDS).value,
                    text,
                    excerpt,
                    order,
                    search_document,
                    sort_key_for(meeting.start_date, day, session_order, order, code),
                )

        columns = [
            "id",
            "meeting_id",
            "session_id",
            "code",
            "speaker_id",
            "kind",
            "text",
            "source_excerpt",
            "order",
            "search_document",
            "sort_key",
        ]
        self.counts["recommendations"] = self.sink.write(Recommendation, columns, rows())
        through = Recommendation.themes.through
        n_links = len(theme_rows) // 2
        first_link = reserve_ids(self.cursor, through, n_links)
        links = ((first_link + k, theme_rows[2 * k], theme_rows[2 * k + 1]) for k in range(n_links))
        self.counts["theme links"] = self.sink.write(
            through, ["id", "recommendation_id", "theme_id"], links
        )

    # follow-ups and their history

    def _follow_ups_and_updates(self, delegation_ids):
        spec, rng = self.spec, self.rng
        per_item = _spread(rng, spec.follow_ups, spec.recommendations, cap=len(delegation_ids))
        per_follow_up = _spread(rng, spec.updates, spec.follow_ups)
        first_fu = reserve_ids(self.cursor, FollowUp, spec.follow_ups)
        first_pu = reserve_ids(self.cursor, ProgressUpdate, spec.updates)

        update_days = [
            (UPDATES_START + datetime.timedelta(days=d)).isoformat() for d in range(UPDATE_DAYS)
        ]
        target_days = [
            (TARGETS_START + datetime.timedelta(days=d)).isoformat() for d in range(TARGET_DAYS)
        ]
        pledges = [vocabulary.sentence(rng, 40, 140) for _ in range(300)]
        # The generated history, kept compact until the follow-ups are written.
        u_follow_up = array("q")
        u_day = array("h")
        u_status = array("b")
        u_seq = array("h")
        n_delegations = len(delegation_ids)
        planned, in_progress = _STATUS_INDEX[Status.PLANNED], _STATUS_INDEX[Status.IN_PROGRESS]
        final_codes = [_STATUS_INDEX[s] for s in _FINAL_STATUSES]
        not_started = _STATUS_INDEX[Status.NOT_STARTED]
        item_first = self.item_first_id

        def follow_up_rows():
            fu_id = first_fu
            index = 0
            for item, n_fu in enumerate(per_item):
                if not n_fu:
                    continue
                for d in sorted(rng.sample(range(n_delegations), n_fu)):
                    k = per_follow_up[index]
                    index += 1
                    if k:
                        days = sorted(rng.randrange(UPDATE_DAYS) for _ in range(k))
                        final = final_codes[rng.randrange(len(final_codes))]
                        for j, day in enumerate(days):
                            u_follow_up.append(fu_id)
                            u_day.append(day)
                            u_status.append(
                                final if j == k - 1 else (planned if j == 0 else in_progress)
                            )
                            u_seq.append(j)
                        status, last_day = _STATUS_CODES[final], days[-1]
                        created_day = days[0]
                        last_update = update_days[last_day]
                        updated_at = _timestamp(last_update, k - 1)
                    else:
                        status, last_update = _STATUS_CODES[not_started], None
                        created_day = rng.randrange(UPDATE_DAYS)
                        updated_at = None
                    created_at = f"{update_days[created_day]} 08:00:00+00:00"
                    has_pledge = rng.random() < 0.2
                    yield (
                        fu_id,
                        item_first + item,
                        delegation_ids[d],
                        status,
                        target_days[rng.randrange(TARGET_DAYS)],
                        pledges[rng.randrange(len(pledges))] if has_pledge else "",
                        vocabulary.LEADS[rng.randrange(len(vocabulary.LEADS))],
                        last_update,
                        False,
                        1 + k,
                        created_at,
                        updated_at or created_at,
                    )
                    fu_id += 1

        columns = [
            "id",
            "recommendation_id",
            "delegation_id",
            "status",
            "target_date",
            "pledge",
            "lead",
            "last_update_date",
            "is_illustrative",
            "version",
            "created_at",
            "updated_at",
        ]
        self.counts["follow-ups"] = self.sink.write(FollowUp, columns, follow_up_rows())
        self.log("Writing the progress updates…")

        notes = [vocabulary.sentence(rng, 40, 160) for _ in range(500)]
        n_notes = len(notes)

        def update_rows():
            for k in range(len(u_follow_up)):
                r = rng.random()
                status = _STATUS_CODES[u_status[k]]
                date = update_days[u_day[k]]
                yield (
                    first_pu + k,
                    u_follow_up[k],
                    date,
                    status,
                    notes[int(r * 7919) % n_notes] if r < 0.6 else "",
                    f"https://example.org/evidence/{u_follow_up[k]}"
                    if status == "completed"
                    else "",
                    "restricted" if r >= 0.9 else "public",
                    _timestamp(date, u_seq[k]),
                )

        columns = [
            "id",
            "follow_up_id",
            "date",
            "status",
            "note",
            "evidence_url",
            "visibility",
            "created_at",
        ]
        self.counts["progress updates"] = self.sink.write(ProgressUpdate, columns, update_rows())


def _timestamp(date: str, seq: int) -> str:
    # The n-th update of a follow-up is recorded n seconds after 09:00, so that updates
    # on the same day order by when they were recorded, as real ones do.
    seconds = 9 * 3600 + seq
    return f"{date} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+00:00"
