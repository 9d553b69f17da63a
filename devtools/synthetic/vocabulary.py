"""The words the synthetic data is made of: the delegations (UN member states and a
few organisations), the twelve themes, a peacekeeping vocabulary, names and titles, and
the functions that string them into sentences. No query."""

from __future__ import annotations

from random import Random

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
HOSTS_FIRST = ["PK", "JP", "GH"]

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
FIRST_NAMES = str.split(
    "Amina Ahmed Akira Aisha Bilal Carlos Chen Daniel Elena Farah Fatima Grace Hiroshi "
    "Ibrahim Ingrid Jean Kenji Kwame Laila Lucia Maria Mohammed Naomi Olga Omar Pedro "
    "Priya Rafael Sara Sipho Tomas Usman Valentina Wei Yasmin Yusuf Zainab Nadia Kofi Ana"
)
LAST_NAMES = str.split(
    "Abbasi Adeyemi Alvarez Andersen Bakr Banda Chaudhry Costa Diallo Dubois Eriksson "
    "Fernandes Garcia Haddad Hassan Ito Jansen Kamau Khan Kowalski Lopez Mensah Moreau "
    "Nakamura Novak Okafor Osei Petrov Qureshi Rahman Rossi Sato Silva Tanaka Traore "
    "Umarov Varga Wang Yamamoto Zulu"
)
HONORIFICS = ["Mr.", "Ms.", "Dr.", "Colonel", "Brigadier", "Major General", "H.E. Mr.", "H.E. Ms."]
TITLES = [
    "Military Adviser",
    "Police Adviser",
    "Director, Peace Operations",
    "Counsellor, Permanent Mission",
    "Chief Medical Officer",
    "Head of Training",
    "Senior Policy Officer",
    "Force Engineer",
]
LEADS = [
    "Ministry of Defence",
    "Ministry of Foreign Affairs",
    "Permanent Mission to the United Nations",
    "Ministry of the Interior",
    "Armed Forces Medical Services",
    "Peacekeeping Training Centre",
    "National Police",
    "",
]


def words(rng: Random, low: int, high: int) -> str:
    """Words from the vocabulary, between ``low`` and ``high`` characters long."""
    target = rng.randint(low, high)
    text = " ".join(rng.choices(_WORDS, k=max(2, target // 9)))
    while len(text) < low:
        text += " " + rng.choice(_WORDS)
    if len(text) > high:
        text = text[:high].rsplit(" ", 1)[0]
    return text


def sentence(rng: Random, low: int, high: int) -> str:
    """An imperative sentence ("Strengthen …."), between ``low`` and ``high`` characters."""
    verb = rng.choice(_VERBS)
    return f"{verb} {words(rng, low - len(verb) - 2, high - len(verb) - 2)}."


def excerpt(rng: Random, speaker: str, low: int, high: int) -> str:
    """A source excerpt reporting what ``speaker`` said, between ``low`` and ``high``
    characters."""
    target = rng.randint(low, high)
    text = f"{speaker} {rng.choice(_REPORTING)} that {words(rng, 60, 200)}."
    while len(text) < target:
        text += f" {rng.choice(_VERBS)} {words(rng, 30, 200)}."
    if len(text) > high:
        text = text[: high - 1].rsplit(" ", 1)[0] + "."
    return text
