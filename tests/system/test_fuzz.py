"""Bad input everywhere: malformed query strings on every public page and export, and
malformed forms posted to the admin and the import. Never a 500, never a write.

PUBLIC_URLS and ADMIN_FORMS are the single lists of what is fuzzed (and what the
production tests check for CSP and READ_REQUIRES_LOGIN): add a page or an export
here when it is built. An entry whose URL does not resolve yet is reported as
skipped, not silently dropped.
"""

from __future__ import annotations

import datetime
import string
import urllib.parse

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations import services
from recommendations.models import FollowUp, ProgressUpdate, Status

# (name, path). {code} is a recommendation code and {delegation} a delegation code
# that exist in the test data (see the ``public_data`` fixture).
PUBLIC_URLS = [
    ("dashboard", "/"),
    ("list", "/recommendations/"),
    ("detail", "/recommendations/{code}/"),
    ("themes", "/themes/"),
    ("matrix", "/matrix/"),
    ("delegation report", "/delegations/{delegation}/report/"),
    ("delegation", "/delegations/{delegation}/"),
    ("source", "/source/"),
    ("source download", "/source/islamabad-2023-chairs-summary.txt"),
    ("recommendations export", "/recommendations/export.csv"),
    ("follow-ups export", "/follow-ups/export.csv"),
    ("follow-ups matrix", "/follow-ups/matrix.csv"),
    ("progress updates export", "/progress-updates/export.csv"),
    ("recommendations spreadsheet", "/recommendations/export.xlsx"),
    ("follow-ups spreadsheet", "/follow-ups/export.xlsx"),
    ("follow-ups matrix spreadsheet", "/follow-ups/matrix.xlsx"),
    ("progress updates spreadsheet", "/progress-updates/export.xlsx"),
]
# Exports and the other downloads: files a browser saves rather than shows.
EXPORT_NAMES = {name for name, path in PUBLIC_URLS if path.endswith((".csv", ".xlsx", ".txt"))}

# (name, URL name or path, which test object the URL takes).
ADMIN_FORMS = [
    ("follow-up add", "admin:recommendations_followup_add", None),
    ("follow-up change", "admin:recommendations_followup_change", "follow_up"),
    ("progress update add", "admin:recommendations_progressupdate_add", None),
    ("progress update change", "admin:recommendations_progressupdate_change", "update"),
    ("progress update import", "/admin/recommendations/progressupdate/import/", None),
]

SAMPLE_CODE = "D1S1-01"
SAMPLE_DELEGATION = "PAK"

# Parameter names the list filters and exports are likely to read, so that the
# fuzzer reaches their parsing code and not only the "unknown parameter" path.
KNOWN_PARAMETERS = [
    "q",
    "page",
    "meeting",
    "session",
    "theme",
    "speaker",
    "kind",
    "status",
    "delegation",
    "as_of",
    "date",
    "date_from",
    "date_to",
    "overdue",
    "verified",
    "visibility",
    "sort",
    "order",
    "o",
    "format",
    "language",
    "per_page",
]

# Values that break naive parsing: NUL bytes (PostgreSQL refuses them in text),
# huge and negative numbers, bad dates, SQL and HTML fragments, broken UTF-8.
NASTY_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "2023-02-30",
    "0000-00-00",
    "9999-99-99",
    "' OR 1=1 --",
    "%",
    "%%",
    "%zz",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\ud7ff\ue000",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 3000,
]

parameter_names = st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.text(max_size=20))
parameter_values = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)
# A query string built from pairs, percent-encoded as a browser would.
encoded_query = st.lists(st.tuples(parameter_names, parameter_values), max_size=6).map(
    lambda pairs: urllib.parse.urlencode(pairs, doseq=True)
)
# A raw query string as a careless client might send it: stray %, &, =, ; and +.
raw_query = st.text(
    alphabet=string.ascii_letters + string.digits + "%&=;+#[]._-~!$'()*,/?:@", max_size=120
)
query_strings = st.one_of(encoded_query, raw_query)

FUZZ_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
ADMIN_FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def _resolves(path: str) -> bool:
    """Whether a view serves this path. The admin's catch-all view does not count, nor
    its change view taking the last segment for an object id (".../import/")."""
    try:
        match = resolve(path.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION))
    except Resolver404:
        return False
    return match.func.__name__ != "catch_all_view" and "object_id" not in match.kwargs


def public_url_params(*, exports: bool | None = None):
    """PUBLIC_URLS as pytest params. A listed URL that stops resolving fails its test
    (``test_every_listed_url_resolves``), it is never skipped."""
    params = []
    for name, path in PUBLIC_URLS:
        if exports is not None and (name in EXPORT_NAMES) != exports:
            continue
        params.append(pytest.param(path, id=name))
    return params


def _admin_url(url_name_or_path: str, pk=None) -> str:
    """The URL of an admin form; fails the test when that form no longer resolves."""
    if url_name_or_path.startswith("/"):
        assert _resolves(url_name_or_path), f"{url_name_or_path} does not resolve"
        return url_name_or_path
    try:
        return reverse(url_name_or_path, args=[pk] if pk is not None else [])
    except NoReverseMatch:
        pytest.fail(f"{url_name_or_path} does not resolve")


def _admin_form_params():
    return [pytest.param(target, needs, id=name) for name, target, needs in ADMIN_FORMS]


def test_every_listed_url_resolves():
    """The lists above are a contract: a URL that stops resolving is a failure here,
    not a silently skipped fuzz test."""
    missing = [path for _name, path in PUBLIC_URLS if not _resolves(path)]
    missing += [
        target
        for _name, target, needs in ADMIN_FORMS
        if not (_resolves(target) if target.startswith("/") else _reverses(target, needs))
    ]
    assert missing == []


def _reverses(url_name: str, needs_object: bool) -> bool:
    try:
        reverse(url_name, args=[1] if needs_object else [])
    except NoReverseMatch:
        return False
    return True


def row_counts() -> dict[str, int]:
    """How many rows every table holds (one COUNT query per model)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def public_data(make_recommendation, speaker, pak, jpn):
    """A recommendation with follow-ups and a progress update of each visibility."""
    item = make_recommendation(code=SAMPLE_CODE, speaker=speaker)
    make_recommendation(code="D1S1-02", theme_slugs=("ieds", "training"))
    follow_up = services.follow_up_create(recommendation=item, delegation=pak)
    services.follow_up_create(recommendation=item, delegation=jpn)
    services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.PLANNED
    )
    services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 10, 1),
        status=Status.IN_PROGRESS,
        visibility=ProgressUpdate.Visibility.RESTRICTED,
        note="Restricted note",
    )
    return item


@pytest.mark.parametrize("path", public_url_params())
def test_no_query_string_gives_a_500_or_writes_anything(path, public_data, client):
    url = path.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION)
    before = row_counts()

    @FUZZ_SETTINGS
    @given(query=query_strings)
    def fuzz(query):
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, (url, query, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)  # a streamed export fails while streaming

    fuzz()
    assert row_counts() == before


@pytest.mark.parametrize("path", public_url_params())
def test_a_signed_in_user_gets_no_500_from_a_malformed_query_string(
    path, public_data, secretariat_user
):
    # Signed-in users see restricted notes: a different code path in the exports.
    client = Client()
    client.force_login(secretariat_user)
    url = path.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION)
    before = row_counts()

    @settings(FUZZ_SETTINGS, max_examples=40)
    @given(query=encoded_query)
    def fuzz(query):
        response = client.get(url, QUERY_STRING=query)
        assert response.status_code < 500, (url, query, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)

    fuzz()
    assert row_counts() == before


# Field values for the admin forms: each example carries at least one value that
# can never be valid (a reference to no object, an unknown status, an impossible
# date), so whatever else it holds the form must be refused and nothing written.
form_text = st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=200))
invalid_reference = st.sampled_from(["", "0", "-1", "abc", "1.5", "99999999999", "\x00", "1 OR 1"])
invalid_status = st.sampled_from(["", "finished", "COMPLETED", "\x00", "in progress", "x" * 30])
invalid_date = st.sampled_from(["2023-02-30", "31/31/2023", "yesterday", "\x00", "2023-13-01"])


@st.composite
def follow_up_forms(draw):
    data = {
        "recommendation": draw(invalid_reference),
        "delegation": draw(st.one_of(invalid_reference, st.just("1"))),
        # Always invalid: whichever fields the admin makes read-only, the form is refused.
        "target_date": draw(invalid_date),
        "pledge": draw(form_text),
        "lead": draw(form_text),
        "version": draw(st.one_of(invalid_reference, st.just("1"))),
    }
    data.update(draw(st.dictionaries(st.text(max_size=15), form_text, max_size=3)))
    return data


@st.composite
def progress_update_forms(draw):
    data = {
        "follow_up": draw(st.one_of(invalid_reference, st.just("1"))),
        "date": draw(st.one_of(invalid_date, st.just(""))),
        "status": draw(invalid_status),
        "note": draw(form_text),
        "evidence_url": draw(form_text),
        "visibility": draw(st.sampled_from(["public", "restricted", "secret", "", "\x00"])),
    }
    data.update(draw(st.dictionaries(st.text(max_size=15), form_text, max_size=3)))
    return data


@st.composite
def import_forms(draw):
    """A CSV upload with no header row the importer knows, or not CSV at all."""
    content = draw(
        st.one_of(
            st.binary(max_size=400),
            st.text(max_size=400).map(str.encode),
            st.lists(
                st.lists(form_text.filter(lambda s: "\n" not in s), max_size=5), max_size=5
            ).map(lambda rows: "\n".join(",".join(row) for row in rows).encode()),
        )
    )
    field = draw(st.sampled_from(["file", "csv_file", "upload"]))
    data = {field: _upload(content)}
    data.update(draw(st.dictionaries(st.sampled_from(["dry_run", "confirm", "token"]), form_text)))
    return data


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("updates.csv", content, content_type="text/csv")


FORMS_BY_TARGET = {
    "admin:recommendations_followup_add": follow_up_forms(),
    "admin:recommendations_followup_change": follow_up_forms(),
    "admin:recommendations_progressupdate_add": progress_update_forms(),
    "admin:recommendations_progressupdate_change": progress_update_forms(),
    "/admin/recommendations/progressupdate/import/": import_forms(),
}


@pytest.mark.parametrize(("target", "needs"), _admin_form_params())
def test_no_malformed_admin_form_gives_a_500_or_writes_anything(
    target, needs, public_data, secretariat_user
):
    follow_up = FollowUp.objects.filter(delegation__code=SAMPLE_DELEGATION).get()
    update = ProgressUpdate.objects.filter(follow_up=follow_up).first()
    obj = {"follow_up": follow_up, "update": update, None: None}[needs]
    url = _admin_url(target, obj.pk if obj else None)
    client = Client()
    client.force_login(secretariat_user)
    follow_up_before = FollowUp.objects.values().get(pk=follow_up.pk)
    before = row_counts()

    @ADMIN_FUZZ_SETTINGS
    @given(data=FORMS_BY_TARGET[target])
    def fuzz(data):
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        response = client.post(url, data)
        assert response.status_code < 500, (url, data, response.status_code)
        # A refused form is shown again; a redirect would mean it was saved.
        assert response.status_code != 302, (url, data, response.get("Location"))

    fuzz()
    assert row_counts() == before
    assert FollowUp.objects.values().get(pk=follow_up.pk) == follow_up_before
