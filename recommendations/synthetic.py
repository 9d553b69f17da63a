"""Synthetic load-test data: a meeting of its own (slug ``synthetic``) with many items,
follow-ups and progress updates, generated deterministically from a seed.

The generator builds plain rows (explicit ids, reserved up front) and hands them to a
sink: PostgreSQL's ``COPY … FROM STDIN`` through psycopg 3, or ``bulk_create`` elsewhere
(correct, but only meant for small sizes). Each follow-up's cached ``status``,
``last_update_date`` and ``version`` are computed from its generated history while the
rows are built, so they agree with what ``services.follow_up_refresh_status`` would write.

Simple-history tables are not written: synthetic rows have no history.
"""

from __future__ import annotations

import datetime
import json
from array import array
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from random import Random

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max
from django_countries import countries

from .models import (
    Delegation,
    FocalPoint,
    FollowUp,
    Meeting,
    Participation,
    Person,
    ProgressUpdate,
    Recommendation,
    ReminderLog,
    Session,
    Status,
    Theme,
    sort_key_for,
)

MEETING_SLUG = "synthetic"
PERSON_SLUG_PREFIX = "synthetic-"
CODE_PREFIX = "SYN-"
_PARAMS_MARKER = "seed_synthetic parameters: "

# The 193 member states of the United Nations (ISO 3166-1 alpha-2). django-countries
# knows about 250 territories; only these are members.
# fmt: off
UN_MEMBER_STATES = [
    "AF", "AL", "DZ", "AD", "AO", "AG", "AR", "AM", "AU", "AT", "AZ", "BS", "BH", "BD", "BB", "BY",
    "BE", "BZ", "BJ", "BT", "BO", "BA", "BW", "BR", "BN", "BG", "BF", "BI", "CV", "KH", "CM", "CA",
    "CF", "TD", "CL", "CN", "CO", "KM", "CG", "CR", "CI", "HR", "CU", "CY", "CZ", "KP", "CD", "DK",
    "DJ", "DM", "DO", "EC", "EG", "SV", "GQ", "ER", "EE", "SZ", "ET", "FJ", "FI", "FR", "GA", "GM",
    "GE", "DE", "GH", "GR", "GD", "GT", "GN", "GW", "GY", "HT", "HN", "HU", "IS", "IN", "ID", "IR",
    "IQ", "IE", "IL", "IT", "JM", "JP", "JO", "KZ", "KE", "KI", "KW", "KG", "LA", "LV", "LB", "LS",
    "LR", "LY", "LI", "LT", "LU", "MG", "MW", "MY", "MV", "ML", "MT", "MH", "MR", "MU", "MX", "FM",
    "MD", "MC", "MN", "ME", "MA", "MZ", "MM", "NA", "NR", "NP", "NL", "NZ", "NI", "NE", "NG", "MK",
    "NO", "OM", "PK", "PW", "PA", "PG", "PY", "PE", "PH", "PL", "PT", "QA", "KR", "RO", "RU", "RW",
    "KN", "LC", "VC", "WS", "SM", "ST", "SA", "SN", "RS", "SC", "SL", "SG", "SK", "SI", "SB", "SO",
    "ZA", "SS", "ES", "LK", "SD", "SR", "SE", "CH", "SY", "TJ", "TH", "TL", "TG", "TO", "TT", "TN",
    "TR", "TM", "TV", "UG", "UA", "AE", "GB", "TZ", "US", "UY", "UZ", "VU", "VE", "VN", "YE", "ZM",
    "ZW",
]
# fmt: on

# Organisations that take part alongside member states: (code, name).
ORGANISATIONS = [
    ("UNS", "United Nations Secretariat"),
    ("AU", "African Union"),
    ("EU", "European Union"),
]

# The co-hosts of the Islamabad meeting and the host of Accra come first, so that even a
# small --delegations count includes the delegations the examples and benchmarks use.
_FIRST = ["PK", "JP", "GH"]

THEMES = [
    ("ieds", "Improvised explosive devices"),
    ("medical", "Medical capacity"),
    ("gender", "Gender"),
    ("training", "Training and capacity building"),
    ("technology", "Technology"),
    ("legal", "Legal framework and accountability"),
    ("strategic-communications", "Strategic communications"),
    ("situational-awareness", "Situational awareness"),
    ("safety", "Safety and security"),
    ("force-protection", "Force protection"),
    ("pledging", "Pledging"),
    ("environment", "Environment"),
]

_VERBS = str.split(
    "Strengthen Expand Ensure Establish Develop Improve Enhance Provide Prioritise "
    "Standardise Deploy Integrate Promote Review Accelerate Support Institutionalise "
    "Adopt Fund Coordinate"
)
_REPORTING = str.split(
    "stressed underscored emphasised highlighted noted recommended proposed urged "
    "advocated observed"
)
_WORDS = str.split(
    "peacekeepers peacekeeping mission missions safety security casualty casualties "
    "evacuation medical field hospital hospitals telemedicine teleconsultation training "
    "trainers instructors course curriculum standard standards minimum improvised explosive "
    "devices threat threats countermeasures detection search patrol patrolling armoured "
    "vehicles equipment contingent contingents troop police formed units civilian civilians "
    "protection protect community engagement trust local population culture political "
    "dynamics situational awareness intelligence information analysis early warning "
    "incident reporting system data database accountability crimes against legal framework "
    "convention personnel resolution council mandate mandates attainable capacity "
    "capabilities building gender responsive women accommodation healthcare harassment "
    "prevention violence rotation rotations knowledge transfer lessons learned best "
    "practices pledge pledges pledging commitments deployment readiness partnership "
    "triangular programme member states secretariat headquarters coordination "
    "communication networks real time disinformation misinformation campaigns strategic "
    "communications messaging environment environmental footprint energy renewable waste "
    "water management camp design base defence perimeter force protection drones "
    "unmanned aerial surveillance technology digital tools mobile application platform "
    "first aid trauma care golden hour casualty evacuation aeromedical logistics supply "
    "chain maintenance spare parts mine action explosive ordnance disposal engineers "
    "mentoring evaluation performance assessment review compliance caveats undeclared "
    "leadership command control doctrine guidelines policy procedures regional "
    "organisations host state cooperation consent impartiality sustainable funding "
    "resources budget reimbursement memoranda understanding verification monitoring "
    "reporting mechanisms dedicated officers risk mitigation hazards workplace accidents "
    "road traffic occupational health mental wellbeing stress psychosocial support "
    "families welfare language skills interoperability exercises simulation scenario"
)
_FIRST_NAMES = str.split(
    "Amina Ahmed Akira Aisha Bilal Carlos Chen Daniel Elena Farah Fatima Grace Hiroshi "
    "Ibrahim Ingrid Jean Kenji Kwame Laila Lucia Maria Mohammed Naomi Olga Omar Pedro "
    "Priya Rafael Sara Sipho Tomas Usman Valentina Wei Yasmin Yusuf Zainab Nadia Kofi Ana"
)
_LAST_NAMES = str.split(
    "Abbasi Adeyemi Alvarez Andersen Bakr Banda Chaudhry Costa Diallo Dubois Eriksson "
    "Fernandes Garcia Haddad Hassan Ito Jansen Kamau Khan Kowalski Lopez Mensah Moreau "
    "Nakamura Novak Okafor Osei Petrov Qureshi Rahman Rossi Sato Silva Tanaka Traore "
    "Umarov Varga Wang Yamamoto Zulu"
)
_HONORIFICS = ["Mr.", "Ms.", "Dr.", "Colonel", "Brigadier", "Major General", "H.E. Mr.", "H.E. Ms."]
_TITLES = [
    "Military Adviser",
    "Police Adviser",
    "Director, Peace Operations",
    "Counsellor, Permanent Mission",
    "Chief Medical Officer",
    "Head of Training",
    "Senior Policy Officer",
    "Force Engineer",
]
_LEADS = [
    "Ministry of Defence",
    "Ministry of Foreign Affairs",
    "Permanent Mission to the United Nations",
    "Ministry of the Interior",
    "Armed Forces Medical Services",
    "Peacekeeping Training Centre",
    "National Police",
    "",
]

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


@dataclass(frozen=True)
class SyntheticSpec:
    recommendations: int
    delegations: int
    follow_ups: int
    updates: int
    seed: int = 1
    sessions: int = 10
    people: int = 300

    def problems(self) -> list[str]:
        """What makes these parameters impossible (empty when they are fine)."""
        problems = []
        n_delegations = len(UN_MEMBER_STATES) + len(ORGANISATIONS)
        if min(self.recommendations, self.follow_ups, self.updates) < 0:
            problems.append("counts cannot be negative")
        if not 1 <= self.delegations <= n_delegations:
            problems.append(f"--delegations must be between 1 and {n_delegations}")
        if not 1 <= self.sessions <= 50:
            problems.append("--sessions must be between 1 and 50")
        if not 1 <= self.people <= 9999:
            problems.append("--people must be between 1 and 9999")
        if self.recommendations < 1:
            problems.append("--recommendations must be at least 1")
        if self.follow_ups > self.recommendations * self.delegations:
            problems.append(
                "--follow-ups cannot exceed recommendations × delegations "
                "(one follow-up per item and delegation)"
            )
        if self.updates and not self.follow_ups:
            problems.append("--updates needs follow-ups to attach to")
        if self.follow_ups and self.updates > 50 * self.follow_ups:
            problems.append("--updates cannot exceed 50 per follow-up")
        return problems


def delegation_catalogue() -> list[tuple[str, str, str, str]]:
    """Every delegation the generator can use, in the order it uses them:
    ``(code, name, kind, alpha-2 country)``. No query."""
    ordered = _FIRST + sorted(c for c in UN_MEMBER_STATES if c not in _FIRST)
    rows = [
        (countries.alpha3(c), str(countries.name(c)), Delegation.Kind.MEMBER_STATE, c)
        for c in ordered
    ]
    rows += [(code, name, Delegation.Kind.ORGANISATION, "") for code, name in ORGANISATIONS]
    return rows


def seeded_parameters() -> dict | None:
    """The parameters the synthetic meeting was generated with, or None when there is
    no synthetic meeting. One query."""
    description = (
        Meeting.objects.filter(slug=MEETING_SLUG).values_list("description", flat=True).first()
    )
    if description is None:
        return None
    for line in description.splitlines():
        if line.startswith(_PARAMS_MARKER):
            return json.loads(line[len(_PARAMS_MARKER) :])
    return {}


# --- sinks ---------------------------------------------------------------------------


class _CopySink:
    """Streams rows into PostgreSQL with ``COPY … FROM STDIN``."""

    def __init__(self, cursor):
        self.cursor = cursor

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        n = 0
        with self.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n


class _BulkCreateSink:
    """Builds model instances and saves them with ``bulk_create`` (any database).
    Note that ``bulk_create`` stamps auto_now/auto_now_add fields with the current time."""

    batch_size = 1000

    def write(self, model, columns: list[str], rows: Iterable[tuple]) -> int:
        batch, n = [], 0
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= self.batch_size:
                model.objects.bulk_create(batch, batch_size=self.batch_size)
                n += len(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch, batch_size=self.batch_size)
            n += len(batch)
        return n


def _reserve_ids(cursor, model, n: int) -> int:
    """Reserve ``n`` consecutive primary keys for ``model`` and return the first.

    PostgreSQL: the table is locked against concurrent writers for the rest of the
    transaction, then the identity sequence is moved past the block. SQLite: the single
    writer holds the database, and its sequence follows the largest id inserted.
    """
    table = model._meta.db_table
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {qn(table)}))",  # noqa: S608
            [sequence],
        )
        first = cursor.fetchone()[0]
        if n:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
        return first
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


# --- text ----------------------------------------------------------------------------


def _words(rng: Random, low: int, high: int) -> str:
    """Words from the vocabulary, between ``low`` and ``high`` characters long."""
    target = rng.randint(low, high)
    text = " ".join(rng.choices(_WORDS, k=max(2, target // 9)))
    while len(text) < low:
        text += " " + rng.choice(_WORDS)
    if len(text) > high:
        text = text[:high].rsplit(" ", 1)[0]
    return text


def _sentence(rng: Random, low: int, high: int) -> str:
    verb = rng.choice(_VERBS)
    return f"{verb} {_words(rng, low - len(verb) - 2, high - len(verb) - 2)}."


def _excerpt(rng: Random, speaker: str, low: int, high: int) -> str:
    target = rng.randint(low, high)
    text = f"{speaker} {rng.choice(_REPORTING)} that {_words(rng, 60, 200)}."
    while len(text) < target:
        text += f" {rng.choice(_VERBS)} {_words(rng, 30, 200)}."
    if len(text) > high:
        text = text[: high - 1].rsplit(" ", 1)[0] + "."
    return text


# --- generation ----------------------------------------------------------------------


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


def synthetic_seed(
    *, spec: SyntheticSpec, dry_run: bool = False, log: Callable[[str], None] = lambda s: None
) -> dict[str, int]:
    """Create the synthetic meeting and everything under it, in one transaction.

    Raises ``ValueError`` if the parameters are impossible or the synthetic meeting exists
    already. With ``dry_run`` everything is generated and written, then rolled back.
    Returns how many rows of each kind were written. Runs ANALYZE afterwards on PostgreSQL.
    """
    problems = spec.problems()
    if problems:
        raise ValueError("; ".join(problems))
    if Meeting.objects.filter(slug=MEETING_SLUG).exists():
        raise ValueError(
            "The synthetic meeting exists already; remove it first with seed_synthetic --delete."
        )
    counts: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One long COPY may outlast the web role's statement timeout.
                cursor.execute("SET LOCAL statement_timeout = 0")
                sink = _CopySink(cursor)
            else:
                sink = _BulkCreateSink()
            _Generator(spec, cursor, sink, counts, log).run()
        if dry_run:
            transaction.set_rollback(True)
        else:
            log("Committing (the database checks the foreign keys)…")
    if not dry_run and connection.vendor == "postgresql":
        log("Analyzing…")
        analyze()
    return counts


def analyze() -> None:
    """Refresh the planner's statistics (PostgreSQL; nothing elsewhere). Outside a
    transaction it also vacuums, so index-only scans work on freshly loaded tables."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(m._meta.db_table)
        for m in (
            Recommendation,
            Recommendation.themes.through,
            FollowUp,
            ProgressUpdate,
            Person,
            Session,
            Delegation,
        )
    )
    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} {tables}")


class _Generator:
    def __init__(self, spec, cursor, sink, counts, log):
        self.spec = spec
        self.cursor = cursor
        self.sink = sink
        self.counts = counts
        self.log = log
        self.rng = Random(spec.seed)

    def run(self):
        spec = self.spec
        delegation_ids, created = self._delegations()
        theme_ids = self._themes()
        meeting = self._meeting(created)
        people = self._people(delegation_ids)
        sessions, panels = self._sessions(meeting, people)
        self.log(f"Generating {spec.recommendations} items…")
        self._items(meeting, sessions, panels, people, theme_ids)
        self.log(f"Generating {spec.follow_ups} follow-ups and {spec.updates} updates…")
        self._follow_ups_and_updates(delegation_ids)
        self.log("Generated.")

    # reference data

    def _delegations(self):
        wanted = delegation_catalogue()[: self.spec.delegations]
        existing = dict(
            Delegation.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", "id")
        )
        missing = [
            Delegation(code=code, name=name, kind=kind, country=country)
            for code, name, kind, country in wanted
            if code not in existing
        ]
        Delegation.objects.bulk_create(missing)
        ids = dict(
            Delegation.objects.filter(code__in=[w[0] for w in wanted]).values_list("code", "id")
        )
        self.counts["new delegations"] = len(missing)
        return [ids[w[0]] for w in wanted], [d.code for d in missing]

    def _themes(self):
        existing = set(Theme.objects.values_list("slug", flat=True))
        missing = [
            Theme(slug=slug, name=name, order=i)
            for i, (slug, name) in enumerate(THEMES)
            if slug not in existing
        ]
        Theme.objects.bulk_create(missing)
        self.counts["new themes"] = len(missing)
        ids = dict(Theme.objects.filter(slug__in=[s for s, _ in THEMES]).values_list("slug", "id"))
        return [ids[s] for s, _ in THEMES]

    def _meeting(self, created_codes):
        params = asdict(self.spec) | {"created_delegations": created_codes}
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
                f"{_PARAMS_MARKER}{json.dumps(params, sort_keys=True)}"
            ),
            is_synthetic=True,
        )
        self.counts["meeting"] = 1
        return meeting

    def _people(self, delegation_ids):
        rng, n = self.rng, self.spec.people
        first = _reserve_ids(self.cursor, Person, n)
        rows = []
        for i in range(n):
            name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
            rows.append(
                (
                    first + i,
                    name,
                    f"{PERSON_SLUG_PREFIX}person-{i + 1:04d}",
                    rng.choice(_HONORIFICS),
                    rng.choice(_TITLES),
                    "",
                    rng.choice(delegation_ids),
                )
            )
        columns = ["id", "name", "slug", "honorific", "title", "affiliation", "delegation_id"]
        self.counts["people"] = self.sink.write(Person, columns, rows)
        return [(r[0], r[1]) for r in rows]

    def _sessions(self, meeting, people):
        rng, n = self.rng, self.spec.sessions
        first = _reserve_ids(self.cursor, Session, n)
        sessions, rows = [], []
        for i in range(n):
            day, order = 1 + i // 5, 1 + i % 5
            facilitator = rng.choice(people)
            theme = THEMES[i % len(THEMES)][1]
            rows.append(
                (
                    first + i,
                    meeting.pk,
                    day,
                    order,
                    f"D{day}S{order}",
                    f"{theme}: synthetic panel {i + 1}",
                    _words(rng, 150, 400) + ".",
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
        first_p = _reserve_ids(self.cursor, Participation, len(people) + n)
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
        first = _reserve_ids(self.cursor, Recommendation, n)
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
                text = _sentence(rng, 150, 300)
                speaker = names[speaker_id] if speaker_id else "The panel"
                excerpt = _excerpt(rng, speaker, 300, 800)
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
        first_link = _reserve_ids(self.cursor, through, n_links)
        links = ((first_link + k, theme_rows[2 * k], theme_rows[2 * k + 1]) for k in range(n_links))
        self.counts["theme links"] = self.sink.write(
            through, ["id", "recommendation_id", "theme_id"], links
        )

    # follow-ups and their history

    def _follow_ups_and_updates(self, delegation_ids):
        spec, rng = self.spec, self.rng
        per_item = _spread(rng, spec.follow_ups, spec.recommendations, cap=len(delegation_ids))
        per_follow_up = _spread(rng, spec.updates, spec.follow_ups)
        first_fu = _reserve_ids(self.cursor, FollowUp, spec.follow_ups)
        first_pu = _reserve_ids(self.cursor, ProgressUpdate, spec.updates)

        update_days = [
            (UPDATES_START + datetime.timedelta(days=d)).isoformat() for d in range(UPDATE_DAYS)
        ]
        target_days = [
            (TARGETS_START + datetime.timedelta(days=d)).isoformat() for d in range(TARGET_DAYS)
        ]
        pledges = [_sentence(rng, 40, 140) for _ in range(300)]
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
                        _LEADS[rng.randrange(len(_LEADS))],
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

        notes = [_sentence(rng, 40, 160) for _ in range(500)]
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


# --- removal -------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def synthetic_delete(*, dry_run: bool = False) -> dict[str, int]:
    """Remove the synthetic meeting and everything under it, in one transaction:
    progress updates, reminders, follow-ups (and any history rows of these), theme links,
    items, participations, sessions, the synthetic people, the meeting, and the
    delegations the seed created unless something real now refers to them.

    Raw ``DELETE … WHERE`` statements in dependency order; real data is not touched.
    Returns the rows deleted per table (what would be, with ``dry_run``).
    """
    meeting_id = Meeting.objects.filter(slug=MEETING_SLUG).values_list("id", flat=True).first()
    if meeting_id is None:
        return {}
    created = (seeded_parameters() or {}).get("created_delegations", [])
    history = {
        name: apps.get_model("recommendations", name)
        for name in (
            "HistoricalProgressUpdate",
            "HistoricalFollowUp",
            "HistoricalRecommendation",
            "HistoricalRecommendation_themes",
        )
    }
    # Table names come from the models, values are parameters.
    items = f"SELECT id FROM {_table(Recommendation)} WHERE meeting_id = %(m)s"  # noqa: S608
    follow_ups = f"SELECT id FROM {_table(FollowUp)} WHERE recommendation_id IN ({items})"  # noqa: S608
    in_follow_ups = f"follow_up_id IN ({follow_ups})"
    in_items = f"recommendation_id IN ({items})"
    steps = [
        ("progress updates", ProgressUpdate, in_follow_ups),
        ("progress update history", history["HistoricalProgressUpdate"], in_follow_ups),
        ("reminders", ReminderLog, in_follow_ups),
        ("follow-up history", history["HistoricalFollowUp"], in_items),
        ("follow-ups", FollowUp, in_items),
        ("theme links", Recommendation.themes.through, in_items),
        ("item theme history", history["HistoricalRecommendation_themes"], in_items),
        ("item history", history["HistoricalRecommendation"], "meeting_id = %(m)s"),
        ("recommendations", Recommendation, "meeting_id = %(m)s"),
        ("participations", Participation, "meeting_id = %(m)s"),
        ("sessions", Session, "meeting_id = %(m)s"),
        ("people", Person, "slug LIKE %(slug)s"),
        ("meeting", Meeting, "id = %(m)s"),
    ]
    params: dict = {"m": meeting_id, "slug": PERSON_SLUG_PREFIX + "%"}
    if created:
        params |= {f"c{i}": code for i, code in enumerate(created)}
        d = _table(Delegation)
        unused = " AND ".join(
            f"NOT EXISTS (SELECT 1 FROM {_table(model)} r WHERE r.delegation_id = {d}.id)"  # noqa: S608
            for model in (FollowUp, Person, FocalPoint)
        )
        placeholders = ", ".join(f"%(c{i})s" for i in range(len(created)))
        steps.append(("delegations", Delegation, f"code IN ({placeholders}) AND {unused}"))
    deleted: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 0")
        for label, model, where in steps:
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {where}", params)  # noqa: S608
            deleted[label] = cursor.rowcount
        if dry_run:
            transaction.set_rollback(True)
    return deleted
