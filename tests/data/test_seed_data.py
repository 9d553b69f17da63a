"""The Islamabad seed data, checked against the Chair's Summary it was curated from.

The summary is kept in the repository (fixtures/source/) so these tests need nothing
outside it. Names, titles and affiliations are listed here by hand, independently of
the fixture, so that a slip in either shows up.
"""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

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
)
from recommendations.services import recommendations_rebuild_derived_fields
from recommendations.status import State

SOURCE = settings.BASE_DIR / "fixtures" / "source" / "islamabad-2023-chairs-summary.txt"

# code: (day, order, title, facilitator)
SESSIONS = {
    "D1S1": (
        1,
        1,
        "Challenges to Safety and Security of Peacekeepers and Need for Capacity Building",
        "Waqar Najeeb",
    ),
    "D1S2": (
        1,
        2,
        "Safety and Security of Peacekeepers; International Law Perspective",
        "Adeel Mumtaz Khokhar",
    ),
    "D1S3": (
        1,
        3,
        "Enhancing Medical Capacity of Peacekeepers to ensure their Safety and Security",
        "Muttahhar Asim Niaz",
    ),
    "D2S1": (
        2,
        1,
        "UN Pledging System/Threat of Improvised Explosive Devices & Countermeasures",
        "Koichi Takekuma",
    ),
    "D2S2": (
        2,
        2,
        "Enhancing Safety and Security of Peacekeepers by Leveraging Technology, Training "
        "and Strategic Communication",
        "Wajiha Arshad",
    ),
}

# name: (honorific, title, affiliation, delegation code), as the summary gives them.
PEOPLE = {
    "Anwar Ali Hyder": ("H.E. Mr.", "Minister of Defence", "Pakistan", "PAK"),
    "Kimi Onoda": ("H.E. Ms.", "Parliamentary Vice-Minister of Defense", "Japan", "JPN"),
    "Atul Khare": (
        "Mr.",
        "Under-Secretary-General for Operational Support",
        "United Nations",
        "UNS",
    ),
    "Muhammad Avais Dastgir": (
        "Major General",
        "Director General Military Operation",
        "Pakistan",
        "PAK",
    ),
    "Faisal Shahkar": (
        "Mr.",
        "Police Advisor in the Department of Peace Operations",
        "UN Secretariat",
        "UNS",
    ),
    "Jalil Abbas Jilani": ("H.E. Mr.", "Minister of Foreign Affairs", "Pakistan", "PAK"),
    "Kenji Yamada": ("H.E. Mr.", "State Minister for Foreign Affairs", "Japan", "JPN"),
    "Syed Haider Shah": (
        "Mr.",
        "Additional Secretary (UN&ED)",
        "Ministry of Foreign Affairs",
        "PAK",
    ),
    "Munir Akram": (
        "Ambassador",
        "Permanent Representative",
        "Pakistan Mission to the United Nations",
        "PAK",
    ),
    "Bismark Anyanah": (
        "Mr.",
        "Minister Counsellor",
        "Permanent Mission of Ghana to the United Nations",
        "GHA",
    ),
    "Takehiro Kano": (
        "Mr.",
        "Director General",
        "International Peace Cooperation Headquarters",
        "JPN",
    ),
    "Muhammad Syrus Sajjad Qazi": ("Mr.", "Foreign Secretary", "Pakistan", "PAK"),
    "Jean-Pierre Lacroix": (
        "Mr.",
        "Under-Secretary-General for Peace Operations",
        "United Nations",
        "UNS",
    ),
    "Syed Asim Munir": ("General", "Chief of Army Staff", "Pakistan", "PAK"),
    "Usman Jadoon": (
        "Mr.",
        "Director General of the United Nations",
        "Ministry of Foreign Affairs",
        "PAK",
    ),
    "Waqar Najeeb": (
        "Brigadier General",
        "Deputy Contingent Commander, UN Mission Congo",
        "Pakistan",
        "PAK",
    ),
    "Jai Shanker Menon": ("Major General", "", "UN Secretariat", "UNS"),
    "Muhammad Talha": ("Mr.", "", "Center for Strategic & Contemporary Research", None),
    "Flaminia Minelli": ("Ms.", "", "UN Secretariat", "UNS"),
    "Adeel Mumtaz Khokhar": (
        "Mr.",
        "Director United Nations",
        "Ministry of Foreign Affairs",
        "PAK",
    ),
    "Daniel Mainguay": ("Mr.", "", "University Paris 1 La Sorbonne", None),
    "Muttahhar Asim Niaz": (
        "Brigadier General",
        "Head of Surgery Department and Laparoscopic Surgeon",
        "Pakistan",
        "PAK",
    ),
    "Kohei Yamada": ("Major", "", "Japan Ground Self-Defense Force", "JPN"),
    "Farah Naz": ("Brigadier", "", "Pakistan Army", "PAK"),
    "Michael Rowell": ("Mr.", "", "UN Secretariat", "UNS"),
    "Koichi Takekuma": (
        "Colonel",
        "Director",
        "Japan Peacekeeping Training and Research Center",
        "JPN",
    ),
    "Hubertus Juergenliemk": ("Mr.", "", "UN Secretariat", "UNS"),
    "Naeem Sabir": ("Mr.", "Counsellor", "Permanent Mission of Pakistan to the UN", "PAK"),
    "Sajid Butt": ("Brigadier", "", "CEIDO", None),
    "Seamus Mc Menamin": ("Mr.", "", "UN Secretariat", "UNS"),
    "Silver Kayemba": ("Major General", "", "Permanent Mission of Uganda to the UN", "UGA"),
    "Wajiha Arshad": (
        "Major",
        "former Military Public Information Officer, UN Mission Cyprus",
        "Pakistan",
        "PAK",
    ),
    "Herbert Loret": ("Mr.", "", "UN Secretariat", "UNS"),
    "Patrick Schuler": ("Mr.", "", "United States Department of State", "USA"),
}

# In the order the summary gives them; the two Japanese ministers spoke by video.
KEYNOTES = [
    "Anwar Ali Hyder",
    "Kimi Onoda",
    "Atul Khare",
    "Muhammad Avais Dastgir",
    "Faisal Shahkar",
    "Jalil Abbas Jilani",
    "Kenji Yamada",
    "Syed Haider Shah",
    "Munir Akram",
    "Bismark Anyanah",
    "Takehiro Kano",
    "Muhammad Syrus Sajjad Qazi",
    "Jean-Pierre Lacroix",
    "Syed Asim Munir",
]
BY_VIDEO = {"Kimi Onoda", "Kenji Yamada"}
DAY_FACILITATORS = {1: "Usman Jadoon", 2: "Syed Haider Shah"}

# Panel speakers in the order they speak.
PANELS = {
    "D1S1": ["Jai Shanker Menon", "Muhammad Talha", "Flaminia Minelli"],
    "D1S2": ["Faisal Shahkar", "Syed Haider Shah", "Daniel Mainguay"],
    "D1S3": ["Atul Khare", "Kohei Yamada", "Farah Naz", "Michael Rowell"],
    "D2S1": [
        "Hubertus Juergenliemk",
        "Naeem Sabir",
        "Sajid Butt",
        "Seamus Mc Menamin",
        "Silver Kayemba",
    ],
    "D2S2": ["Jean-Pierre Lacroix", "Herbert Loret", "Patrick Schuler"],
}

THEME_SLUGS = {
    "ieds",
    "medical",
    "gender",
    "training",
    "technology",
    "legal",
    "strategic-communications",
    "situational-awareness",
    "safety",
    "force-protection",
    "pledging",
    "environment",
}

ARTEFACTS = [
    "](#)",
    "[Mr.",
    "Major. General.",
    "\n\n",
    "  ",
    "drawdown of\n",
    "Ministerial\n\nmeeting",
]


# The codes the items had before the audit against the summary. They are permanent
# links (cited, bookmarked, in exports): a correction may add codes, never change these.
CODES_BEFORE_THE_AUDIT = [
    "D1S1-01",
    "D1S1-02",
    "D1S1-03",
    "D1S1-04",
    "D1S1-05",
    "D1S1-06",
    "D1S1-07",
    "D1S1-08",
    "D1S1-09",
    "D1S1-10",
    "D1S1-11",
    "D1S1-12",
    "D1S2-01",
    "D1S2-02",
    "D1S2-03",
    "D1S2-04",
    "D1S2-05",
    "D1S2-06",
    "D1S2-07",
    "D1S2-08",
    "D1S3-01",
    "D1S3-02",
    "D1S3-03",
    "D1S3-04",
    "D1S3-05",
    "D1S3-06",
    "D1S3-07",
    "D1S3-08",
    "D1S3-09",
    "D1S3-10",
    "D1S3-11",
    "D2S1-01",
    "D2S1-02",
    "D2S1-03",
    "D2S1-04",
    "D2S1-05",
    "D2S1-06",
    "D2S1-07",
    "D2S1-08",
    "D2S1-09",
    "D2S1-10",
    "D2S1-11",
    "D2S2-01",
    "D2S2-02",
    "D2S2-03",
    "D2S2-04",
    "D2S2-05",
    "D2S2-06",
    "D2S2-07",
]


def cleaned_source() -> str:
    """The summary without its PDF artefacts: link markup dropped, the rank the PDF
    broke into "Major. General." restored, page breaks joined, whitespace collapsed."""
    text = SOURCE.read_text(encoding="utf-8")
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = text.replace("Major. General.", "Major General")
    return " ".join(text.split())


def load_demo():
    call_command("load_demo", "--no-admin", stdout=StringIO())


@pytest.fixture
def demo(db):
    load_demo()


def counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("recommendations").get_models()
    }


def item(code: str) -> Recommendation:
    return Recommendation.objects.select_related("speaker", "session").get(code=code)


def test_the_repository_copy_of_the_summary_is_the_whole_document():
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count("Session 1 – ") == 2
    assert "Chair's Summary" in text
    assert text.rstrip().endswith("Global Peace Operations Initiative (GPOI).")


def test_it_loads_the_meeting_with_its_hosts_dates_and_target(demo):
    meeting = Meeting.objects.get(slug="islamabad-2023")
    assert meeting.title == (
        "Preparatory Meeting of the 2023 UN Peacekeeping Ministerial: "
        "Safety and Security of Peacekeepers"
    )
    assert meeting.kind == Meeting.Kind.PREPARATORY
    assert (meeting.city, meeting.country.code) == ("Islamabad", "PK")
    assert {c.code for c in meeting.host_countries} == {"PK", "JP"}
    assert (meeting.start_date, meeting.end_date) == (
        datetime.date(2023, 8, 30),
        datetime.date(2023, 8, 31),
    )
    assert meeting.theme == "Safety and Security of Peacekeepers"
    # The Ministerial by its official name; it ran 5–6 December, and its end date waits
    # for the Ministerial to be a meeting of its own.
    assert (meeting.target_name, meeting.target_city, meeting.target_date) == (
        "2023 United Nations Peacekeeping Ministerial",
        "Accra",
        datetime.date(2023, 12, 5),
    )
    assert meeting.is_synthetic is False
    assert meeting.description
    # Neither the summary nor its notes give an official address for the document.
    assert meeting.source_url == ""


def test_the_c34_is_named_in_full_wherever_the_data_mentions_it(demo):
    meeting = Meeting.objects.get(slug="islamabad-2023")
    assert "Member States of the Special Committee on Peacekeeping Operations (C-34)" in (
        meeting.description
    )
    texts = [
        meeting.title,
        meeting.description,
        meeting.theme,
        *Session.objects.values_list("summary", flat=True),
        *Recommendation.objects.values_list("text", flat=True),
    ]
    for text in texts:
        assert text.count("C-34") == text.count(
            "Special Committee on Peacekeeping Operations (C-34)"
        ), text


def test_the_reference_data_has_its_names_in_every_un_language(demo):
    from django.utils import translation

    from recommendations.translation import (
        DelegationTranslation,
        MeetingTranslation,
        SessionTranslation,
        ThemeTranslation,
    )

    registered = {
        Theme: ThemeTranslation,
        Meeting: MeetingTranslation,
        Session: SessionTranslation,
        Delegation: DelegationTranslation,
    }
    languages = [code.replace("-", "_") for code, _ in settings.LANGUAGES if code != "en"]
    for model, options in registered.items():
        rows = list(model.objects.all())
        assert rows, model
        for row in rows:
            for field in options.fields:
                if not getattr(row, f"{field}_en"):
                    continue  # nothing to translate (an empty description)
                for language in languages:
                    value = getattr(row, f"{field}_{language}")
                    assert value, (model.__name__, row.pk, field, language)
    with translation.override("ar"):
        assert Theme.objects.get(slug="ieds").name == "الأجهزة المتفجرة المرتجلة"
        assert Delegation.objects.get(code="USA").name == "الولايات المتحدة الأمريكية"
    with translation.override("zh-hans"):
        assert Meeting.objects.get().target_city == "阿克拉"


def test_it_loads_the_six_delegations(demo):
    rows = {d.code: (d.name, d.kind, d.country.code or "") for d in Delegation.objects.all()}
    assert rows == {
        "PAK": ("Pakistan", "member_state", "PK"),
        "JPN": ("Japan", "member_state", "JP"),
        "GHA": ("Ghana", "member_state", "GH"),
        "UGA": ("Uganda", "member_state", "UG"),
        "USA": ("United States", "member_state", "US"),
        "UNS": ("United Nations Secretariat", "organisation", ""),
    }


def test_it_loads_exactly_the_twelve_themes_in_order(demo):
    themes = list(Theme.objects.all())
    assert {t.slug for t in themes} == THEME_SLUGS
    assert [t.order for t in themes] == list(range(1, 13))
    assert all(t.name and t.description for t in themes)
    # Every theme is used by at least one item.
    assert not Theme.objects.filter(recommendations__isnull=True).exists()


def test_every_session_has_the_summarys_code_title_day_and_facilitator(demo):
    sessions = Session.objects.select_related("facilitator")
    found = {s.code: (s.day, s.order, s.title, s.facilitator.name) for s in sessions}
    assert found == SESSIONS
    source = cleaned_source()
    for session in sessions:
        assert f"Session {session.order} – {session.title}" in source
        assert session.summary and session.summary in source
        assert Participation.objects.filter(
            role=Participation.Role.FACILITATOR, session=session, person=session.facilitator
        ).exists()


def test_everyone_the_summary_names_is_one_person_with_their_affiliation(demo):
    people = {
        p.name: (
            p.honorific,
            p.title,
            p.affiliation,
            p.delegation.code if p.delegation else None,
        )
        for p in Person.objects.select_related("delegation")
    }
    assert people == PEOPLE
    assert Person.objects.filter(slug="syed-haider-shah").count() == 1


def test_the_fourteen_keynote_speakers_are_in_the_summarys_order(demo):
    keynotes = Participation.objects.filter(role=Participation.Role.KEYNOTE).order_by("order")
    assert [(k.order, k.person.name) for k in keynotes] == list(enumerate(KEYNOTES, 1))
    assert {k.person.name for k in keynotes if k.note == "by video message"} == BY_VIDEO
    assert {k.note for k in keynotes} == {"", "by video message"}


def test_the_day_facilitators_are_set_for_both_days(demo):
    rows = Participation.objects.filter(role=Participation.Role.DAY_FACILITATOR)
    assert {p.day: p.person.name for p in rows} == DAY_FACILITATORS


def test_every_panel_speaker_is_a_panellist_of_their_session_in_order(demo):
    for code, names in PANELS.items():
        panellists = Participation.objects.filter(
            role=Participation.Role.PANELLIST, session__code=code
        ).order_by("order")
        assert [p.person.name for p in panellists] == names, code
        assert {p.day for p in panellists} == {SESSIONS[code][0]}


def test_syed_haider_shah_has_his_three_roles_on_one_person(demo):
    roles = Participation.objects.filter(person__slug="syed-haider-shah")
    assert sorted((p.role, p.day, p.session.code if p.session else None) for p in roles) == [
        ("day_facilitator", 2, None),
        ("keynote", None, None),
        ("panellist", 1, "D1S2"),
    ]


def test_every_source_excerpt_appears_verbatim_in_the_cleaned_summary(demo):
    source = cleaned_source()
    missing = [
        item.code for item in Recommendation.objects.all() if item.source_excerpt not in source
    ]
    assert missing == []


def test_no_text_field_of_any_model_carries_a_pdf_artefact(demo):
    problems = []
    for model in apps.get_app_config("recommendations").get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values("pk", *fields):
            for name in fields:
                value = row[name] or ""
                found = [a for a in ARTEFACTS if a in value]
                if name != "search_document" and value != value.strip():
                    found.append("surrounding whitespace")
                if found:
                    problems.append((model._meta.label, row["pk"], name, found))
    assert problems == []


def test_the_items_are_well_formed_and_numbered_in_reading_order(demo):
    items = list(Recommendation.objects.select_related("session", "speaker"))
    assert 35 <= len(items) <= 50
    codes = [i.code for i in items]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"D[12]S[1-3]-\d{2}", code) for code in codes)
    assert {i.kind for i in items} == {"recommendation", "commitment", "observation"}
    for code in SESSIONS:
        in_session = [i for i in items if i.session.code == code]
        assert in_session, code
        assert [i.code for i in in_session] == [
            f"{code}-{n:02d}" for n in range(1, len(in_session) + 1)
        ]
        assert [i.order for i in in_session] == list(range(1, len(in_session) + 1))
        # The panel's own conclusions come first, then the speakers.
        speakers = [i.speaker_id is not None for i in in_session]
        assert speakers[0] is False, code
        assert speakers == sorted(speakers), code
        for item in in_session:
            assert item.meeting.slug == "islamabad-2023"
            assert item.text.endswith(".") and item.source_excerpt.endswith(".")
            if item.speaker:
                assert item.speaker.name in PANELS[code], item.code


def test_every_item_has_at_least_one_theme(demo):
    without = Recommendation.objects.filter(themes__isnull=True)
    assert list(without.values_list("code", flat=True)) == []


def test_the_under_secretary_generals_four_medical_points_are_separate_items(demo):
    khare = Recommendation.objects.filter(speaker__slug="atul-khare").order_by("order")
    texts = [item.text for item in khare]
    assert len(texts) == 4
    assert "field hospitals" in texts[0]
    assert "first 10 minutes" in texts[1]
    assert "telemedicine" in texts[2]
    assert "medical equipment" in texts[3]
    assert all(item.session.code == "D1S3" for item in khare)


def test_observations_and_commitments_are_marked_as_such(demo):
    kinds = dict(Recommendation.objects.values_list("source_excerpt", "kind"))

    def kind_of(words):
        (kind,) = {k for excerpt, k in kinds.items() if words in excerpt}
        return kind

    assert kind_of("linked to workplace hazards") == "observation"
    assert kind_of("outlined Pakistan's commitments") == "commitment"
    assert kind_of("comprehensive online database") == "commitment"
    assert kind_of("launch of the Deployment Review Mobile App") == "commitment"
    assert kind_of("Global Peace Operations Initiative") == "commitment"
    assert kind_of("Incident Reporting System within mission contexts") == "observation"


def test_every_code_from_before_the_audit_still_has_its_page(demo, client):
    assert len(CODES_BEFORE_THE_AUDIT) == 49
    for code in CODES_BEFORE_THE_AUDIT:
        response = client.get(f"/recommendations/{code}/")
        assert response.status_code == 200, code
        assert f'<span class="item-label-code">{code}</span>' in response.content.decode(), code


def test_the_audit_only_added_the_split_off_item_to_the_codes(demo):
    codes = set(Recommendation.objects.values_list("code", flat=True))
    assert codes - set(CODES_BEFORE_THE_AUDIT) == {"D1S1-13"}
    assert set(CODES_BEFORE_THE_AUDIT) <= codes


def test_the_incident_reporting_system_is_an_observation_no_one_is_credited_with(demo):
    # D1S3-11: "He also noted the development and current utilization of the Incident
    # Reporting System": a fact noted, not an undertaking, and no developer named.
    found = item("D1S3-11")
    assert (found.kind, found.text) == (
        "observation",
        "The Incident Reporting System has been developed and is now in use in missions.",
    )


def test_the_mission_fatalities_recommendation_no_longer_carries_the_trend(demo):
    # D1S1-10: the call for action stays; the trend and the forecast became D1S1-13.
    found = item("D1S1-10")
    assert (found.kind, found.text) == ("recommendation", "Address mission fatalities urgently.")


def test_the_trend_in_mission_fatalities_is_an_observation_with_the_next_free_code(demo):
    split = item("D1S1-13")
    before = item("D1S1-10")
    assert (split.kind, split.speaker, split.session) == (
        "observation",
        before.speaker,
        before.session,
    )
    assert split.text == (
        "Mission fatalities have decreased in total since 2020 but may increase with the "
        "drawdown of MINUSMA."
    )
    assert split.source_excerpt == before.source_excerpt
    assert {t.slug for t in split.themes.all()} == {"safety"}
    # The next free code of its session and the last place in it: no code moved.
    assert split.order == 1 + max(
        Recommendation.objects.filter(session=split.session)
        .exclude(pk=split.pk)
        .values_list("order", flat=True)
    )


def test_base_defence_is_not_given_a_cause_the_source_does_not_state(demo):
    # D1S1-11: the source sets the forecast and base defence side by side, no "given".
    assert item("D1S1-11").text == "Enhance base defence."


def test_the_points_discussed_with_training_are_not_merged_into_one_prescription(demo):
    # D2S2-04: thought processes, information processing and training: three points.
    assert item("D2S2-04").text == (
        "Mitigate negative impacts through effective training; the thought processes of "
        "individuals and their information processing capabilities were also discussed."
    )


def test_the_first_10_minutes_qualify_the_field_hospitals_as_well_as_the_evacuation(demo):
    # D1S3-02 and D1S3-03 come from one sentence that ends with the qualifier.
    for code in ("D1S3-02", "D1S3-03"):
        assert item(code).text.endswith("with particular focus on the critical first 10 minutes.")


def test_the_safety_officers_address_all_associated_risks_as_the_source_says(demo):
    # D1S1-01: "all associated risks", not "all risks to peacekeepers".
    text = item("D1S1-01").text
    assert "address all associated risks through the UN's incident reporting system." in text
    assert "risks to peacekeepers" not in text


def test_the_agenda_observations_say_what_the_session_set_out_to_do(demo):
    # D1S2-01 ("The objective was…"), D2S1-01 ("The guiding questions aimed at…"):
    # the agenda, not findings.
    for code in ("D1S2-01", "D2S1-01"):
        found = item(code)
        assert found.kind == "observation", code
        assert found.text.startswith("The session set out to "), code


def test_the_online_database_excerpt_says_what_the_database_is_about(demo):
    # D1S2-04: "this issue" is accountability, two sentences before the announcement.
    excerpt = item("D1S2-04").source_excerpt
    assert excerpt.startswith(
        "Mr. Faisal Shahkar, representing the UN Secretariat, emphasized the importance of "
        "accountability for crimes committed against peacekeepers."
    )
    assert excerpt.endswith("expected to be available later this year.")


@pytest.mark.parametrize(
    ("code", "referent", "sentence"),
    [
        ("D1S1-11", "mission fatalities", "She noted the potential for an increase in such"),
        ("D1S1-12", "mission fatalities", "She noted the potential for an increase in such"),
        ("D1S3-04", "field hospitals", "He also emphasized the utilization of technology"),
        ("D1S3-05", "field hospitals", "He also emphasized the utilization of technology"),
        ("D1S3-09", "remote regions", "Brigadier Naz also emphasized the need for"),
        ("D2S1-09", "IEDs", "He especially indicated the significance of"),
    ],
)
def test_an_excerpt_whose_sentence_refers_back_starts_at_the_referent(
    demo, code, referent, sentence
):
    # "such incidents", "these hospitals", "such areas", "leverage it": the excerpt reads
    # alone only with the sentence that names what they refer to, as D1S1-10 and D1S3-07.
    excerpt = item(code).source_excerpt
    assert referent in excerpt.split(sentence)[0], code
    assert excerpt.index(sentence) > 0, code
    assert excerpt in cleaned_source(), code


@pytest.mark.parametrize(
    ("code", "theme", "like"),
    [
        # The UN's incident reporting system, as D1S3-11.
        ("D1S1-01", "technology", "D1S3-11"),
        # UAVs (counter-drone), as the counter-drone systems of D2S2-02.
        ("D2S2-03", "force-protection", "D2S2-02"),
        # The safety of women peacekeepers, as D1S1-04 and D1S1-05.
        ("D1S1-09", "safety", "D1S1-04"),
    ],
)
def test_an_item_carries_the_theme_its_like_carries(demo, code, theme, like):
    assert theme in item(code).themes.values_list("slug", flat=True)
    assert theme in item(like).themes.values_list("slug", flat=True)


def test_every_follow_up_status_is_that_of_its_latest_update(demo):
    follow_ups = list(FollowUp.objects.prefetch_related("updates"))
    assert 60 <= sum(f.is_illustrative for f in follow_ups) <= 90
    for follow_up in follow_ups:
        updates = sorted(
            follow_up.updates.all(), key=lambda u: (u.date, u.created_at, u.id), reverse=True
        )
        latest = updates[0] if updates else None
        assert follow_up.status == (latest.status if latest else State.NOT_REPORTED)
        assert follow_up.last_update_date == (latest.date if latest else None)
        assert follow_up.version == 1 + len(updates)
        assert len(updates) <= 4
    # Every state shows, but "Not started": no sample delegation reported that.
    assert {f.status for f in follow_ups} == set(State.values) - {Status.NOT_STARTED}


def test_every_roster_delegation_follows_every_item_with_no_report_yet_where_none(demo):
    roster = set(Delegation.objects.on_roster().values_list("code", flat=True))
    assert roster == {"PAK", "JPN", "GHA", "UGA", "USA", "UNS"}
    pairs = set(FollowUp.objects.values_list("recommendation__code", "delegation__code"))
    codes = Recommendation.objects.values_list("code", flat=True)
    assert pairs == {(code, delegation) for code in codes for delegation in roster}
    added = FollowUp.objects.filter(is_illustrative=False)
    assert added.count() == 50 * 6 - FollowUp.objects.filter(is_illustrative=True).count()
    assert set(added.values_list("status", "last_update_date", "pledge", "lead")) == {
        (State.NOT_REPORTED, None, "", "")
    }
    assert set(added.values_list("target_date", flat=True)) == {datetime.date(2023, 12, 5)}


def test_the_sample_follow_ups_are_illustrative_and_spread_over_the_delegations(demo):
    sample = FollowUp.objects.filter(is_illustrative=True)
    assert set(sample.values_list("delegation__code", flat=True)) == {
        "PAK",
        "JPN",
        "GHA",
        "UGA",
        "USA",
        "UNS",
    }
    updates = ProgressUpdate.objects.all()
    assert all(u.note.startswith("Illustrative: ") for u in updates)
    assert all(datetime.date(2023, 9, 1) <= u.date <= datetime.date(2024, 6, 30) for u in updates)
    assert not updates.filter(author__isnull=False).exists()
    assert updates.filter(visibility=ProgressUpdate.Visibility.RESTRICTED).exists()
    assert updates.filter(verified_at__isnull=False).exists()
    target_dates = set(sample.values_list("target_date", flat=True))
    assert datetime.date(2023, 12, 5) in target_dates
    assert len(target_dates) > 1


def test_loading_the_demo_twice_changes_nothing(demo):
    before = counts()
    documents = dict(Recommendation.objects.values_list("code", "search_document"))
    load_demo()
    assert counts() == before
    assert dict(Recommendation.objects.values_list("code", "search_document")) == documents


def test_loading_the_demo_builds_the_search_document_of_every_item(demo):
    for item in Recommendation.objects.select_related("speaker"):
        assert item.search_document == item.build_search_document()
        assert item.code in item.search_document


@pytest.mark.parametrize(
    ("surname", "slug"),
    [("Khare", "atul-khare"), ("Minelli", "flaminia-minelli"), ("Kayemba", "silver-kayemba")],
)
def test_searching_a_speakers_surname_finds_their_items(demo, surname, slug):
    found = set(Recommendation.objects.search(surname).values_list("code", flat=True))
    theirs = set(Recommendation.objects.filter(speaker__slug=slug).values_list("code", flat=True))
    assert theirs
    assert found == theirs


def test_the_rebuild_service_restores_blanked_documents_in_one_update(
    demo, django_assert_num_queries
):
    Recommendation.objects.update(search_document="")
    assert not Recommendation.objects.search("Minelli").exists()
    total = Recommendation.objects.count()
    # SAVEPOINT, SELECT the items with their speakers, one UPDATE, RELEASE SAVEPOINT
    with django_assert_num_queries(4):
        changed = recommendations_rebuild_derived_fields()
    assert changed == total
    assert Recommendation.objects.search("Minelli").exists()
    # SAVEPOINT, SELECT, RELEASE SAVEPOINT: nothing left to write
    with django_assert_num_queries(3):
        assert recommendations_rebuild_derived_fields() == 0


def test_the_rebuild_service_touches_only_the_queryset_it_is_given(demo):
    Recommendation.objects.update(search_document="")
    d1s3 = Recommendation.objects.filter(session__code="D1S3")
    changed = recommendations_rebuild_derived_fields(queryset=d1s3)
    assert changed == d1s3.count()
    assert not d1s3.filter(search_document="").exists()
    assert Recommendation.objects.exclude(session__code="D1S3").filter(search_document="").count()
