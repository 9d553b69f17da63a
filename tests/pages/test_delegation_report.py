"""/delegations/<code>/report/: one delegation's follow-up report, made to be printed."""

import re

import pytest

from lib import pdf
from recommendations import services
from recommendations.models import Delegation, FollowUp

pytest_plugins = ["tests.pages.fixtures"]

RESTRICTED_NOTE = "Restricted note: delivery schedule."
ILLUSTRATIVE = "Illustrative data."


def report(client, query: str = "", code: str = "PAK") -> str:
    response = client.get(f"/delegations/{code}/report/{query}")
    assert response.status_code == 200
    return response.content.decode()


def article(html: str) -> str:
    """The report itself, without the site's header, notices and footer."""
    return html.split('<div class="report">')[1].split("</main>")[0]


def groups(html: str) -> dict[str, list[str]]:
    """Group heading → item codes, in page order."""
    result = {}
    for part in html.split('<section class="report-group"')[1:]:
        title = re.search(r'<h2 id="[^"]+">([^<]+?) <small>', part).group(1)
        result[title] = re.findall(r'class="report-code" href="/recommendations/([^/]+)/', part)
    return result


def row(html: str, code: str) -> str:
    """The first table row of the item ``code``."""
    return html.split(f">{code}</a>")[1].split("</tr>")[0]


def test_it_lists_every_follow_up_of_the_delegation_under_its_themes(client, site_data):
    html = report(client)
    assert '<h1 id="report-title">Pakistan: follow-up report</h1>' in html
    assert groups(html) == {
        "Ieds": ["D1S1-01", "D1S1-02"],
        "Medical": ["D1S1-03", "D2S1-01"],
        "Training": ["D1S1-02", "D2S1-02"],
    }
    listed = {code for codes in groups(html).values() for code in codes}
    assert listed == {code for code, delegation in site_data.follow_ups if delegation == "PAK"}


def test_an_item_on_several_themes_is_under_each_and_the_report_says_so(client, site_data):
    html = report(client)
    assert "An item on several themes is listed under each of them" in html
    assert 'href="/recommendations/D1S1-02/#follow-up-PAK"' in html
    assert "several themes" not in report(client, "?group=session")


def test_each_row_has_the_items_text_state_latest_update_pledge_and_target_date(client, site_data):
    html = report(client)
    planned = row(html, "D2S1-01")
    assert "Deploy level two hospitals in high-risk missions." in planned
    assert 'class="status status-planned">Planned<' in planned
    assert '<time datetime="2023-08-15">' in planned
    assert "Self-reported" in planned
    assert "PAK pledge" in planned
    assert '<time datetime="2023-12-05">' in planned
    assert "None yet" in row(html, "D1S1-02")


def test_the_states_are_counted_at_the_top(client, site_data):
    html = article(report(client))
    summary = html.split('<section class="report-summary"')[1].split("</section>")[0]
    assert "5 follow-ups" in summary
    counts = re.findall(r'status-(\w+)">[^<]+</span>\s*<strong>(\d+)</strong>', summary)
    assert counts == [("not_reported", "3"), ("planned", "1"), ("completed", "1")]


def test_group_session_groups_by_session_in_reading_order(client, site_data):
    assert groups(report(client, "?group=session")) == {
        "D1S1: Safety": ["D1S1-01", "D1S1-02", "D1S1-03"],
        "D2S1: Medical support": ["D2S1-01", "D2S1-02"],
    }


def test_the_code_is_case_insensitive(client, site_data):
    assert "Pakistan: follow-up report" in report(client, code="pak")


@pytest.mark.parametrize("code", ["XXX", "%00", "P" * 200])
def test_an_unknown_delegation_gives_404(client, site_data, code):
    assert client.get(f"/delegations/{code}/report/").status_code == 404
    assert client.get(f"/delegations/{code}/report.pdf").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?as_of=2023-13-01", "Enter a date as YYYY-MM-DD, for example 2023-12-05."),
        ("?as_of=31/10/2023", "Enter a date as YYYY-MM-DD, for example 2023-12-05."),
        ("?as_of=%00", "Enter a date as YYYY-MM-DD, for example 2023-12-05."),
        ("?as_of=yesterday", "Enter a date as YYYY-MM-DD, for example 2023-12-05."),
        ("?group=speaker", "Choose “theme” or “session” to group the follow-ups."),
    ],
)
def test_a_bad_parameter_gives_400_with_a_clear_message(client, site_data, query, message):
    for path in ("/delegations/PAK/report/", "/delegations/PAK/report.pdf"):
        response = client.get(path + query)
        html = response.content.decode()
        assert response.status_code == 400, path
        assert response["Content-Type"].startswith("text/html")
        assert "The report could not be made" in html
        assert message in html
        assert 'class="report-group"' not in html


def test_as_of_shows_the_states_and_latest_updates_in_force_that_day(client, site_data):
    today = row(report(client), "D1S1-01")
    assert "status-completed" in today
    then = report(client, "?as_of=2023-10-31")
    assert "As of the end of Oct. 31, 2023" in then
    earlier = row(then, "D1S1-01")
    assert 'class="status status-in_progress">In progress<' in earlier
    assert '<time datetime="2023-10-20">' in earlier
    assert "Equipment ordered." in earlier
    assert "No progress update by that date." in row(then, "D1S1-02")
    summary = then.split('<section class="report-summary"')[1].split("</section>")[0]
    assert "status-completed" not in summary
    assert "status-in_progress" in summary


def test_the_links_carry_the_reports_own_parameters_only(client, site_data):
    html = report(client, "?as_of=2023-10-31&group=session&utm=x")
    assert 'href="/delegations/PAK/report.pdf?as_of=2023-10-31&amp;group=session"' in html
    assert 'href="/delegations/PAK/report.pdf"' in report(client)


@pytest.mark.parametrize("who", ["anonymous", "other_focal_point"])
def test_a_restricted_note_is_blank_for_those_who_may_not_read_it(client, site_data, who):
    if who == "other_focal_point":
        client.force_login(site_data.jpn_focal)
    html = report(client)
    assert RESTRICTED_NOTE not in html
    latest = row(html, "D1S1-01")
    assert "status-completed" in latest  # the state stays public
    assert "Restricted" in latest
    assert "shown only to Secretariat staff and this delegation's focal points" in latest
    assert "Equipment ordered." in report(client, "?as_of=2023-10-31")  # a public note


@pytest.mark.parametrize("who", ["staff", "own_focal_point"])
def test_a_restricted_note_is_shown_to_staff_and_its_own_delegation(client, site_data, who):
    client.force_login(site_data.staff if who == "staff" else site_data.pak_focal)
    latest = row(report(client), "D1S1-01")
    assert RESTRICTED_NOTE in latest
    assert "Restricted" in latest


def test_the_illustrative_notice_is_in_the_report_when_a_follow_up_shown_is(client, site_data):
    assert ILLUSTRATIVE not in report(client)
    FollowUp.objects.filter(pk=site_data.follow_up("D2S1-02", "PAK").pk).update(
        is_illustrative=True
    )
    html = report(client)
    assert ILLUSTRATIVE in article(html)
    assert html.count(ILLUSTRATIVE) == 1  # the site's own notice would repeat it


def test_another_delegations_illustrative_follow_ups_leave_the_report_alone(client, site_data):
    FollowUp.objects.filter(delegation=site_data.jpn).update(is_illustrative=True)
    html = report(client)
    assert ILLUSTRATIVE not in article(html)
    assert ILLUSTRATIVE in html  # the site's notice, which print leaves off


def test_a_delegation_without_follow_ups_says_so(client, site_data):
    Delegation.objects.create(code="GHA", name="Ghana")
    html = report(client, code="GHA")
    assert "0 follow-ups" in html
    assert "Ghana follows up no item yet." in html


def test_the_page_links_its_print_stylesheet_and_says_how_to_print(client, site_data):
    html = report(client)
    assert 'href="/static/recommendations/report-print.css"' in html
    assert "use your browser’s Print command" in html
    assert "<style" not in html
    assert "style=" not in html


def test_the_delegation_page_links_to_its_report(client, site_data):
    html = client.get("/delegations/PAK/").content.decode()
    assert 'href="/delegations/PAK/report/">Printable report</a>' in html


def test_the_report_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    # 1 the delegation, 2 its follow-ups with their items, sessions and meetings (and
    # the state, as of the day when given), 3 the items' themes, 4 the latest update of
    # each follow-up (with whether this visitor may read its note), 5 sample_data_loaded
    # (context processor).
    with django_assert_num_queries(5) as small:
        assert client.get("/delegations/PAK/report/").status_code == 200
    many_items(40)
    with django_assert_num_queries(5) as large:
        html = client.get("/delegations/PAK/report/?as_of=2023-09-15").content.decode()
    assert html.count('class="report-code"') == 6 + 40
    assert len(small) == len(large) == 5


def test_for_staff_the_report_makes_a_fixed_number_of_queries(
    client, site_data, many_items, django_assert_num_queries
):
    client.force_login(site_data.staff)
    # 1 the delegation, 2 the follow-ups with their items, sessions and meetings, 3 the
    # items' themes, 4 the session and 5 the user (read when the notes' access is
    # decided), 6 whether the user is Secretariat staff (who reads every note), 7 the
    # latest updates, 8 sample_data_loaded.
    with django_assert_num_queries(8):
        assert client.get("/delegations/PAK/report/?group=session").status_code == 200
    many_items(40)
    with django_assert_num_queries(8):
        assert client.get("/delegations/PAK/report/?group=session").status_code == 200


def test_a_follow_up_added_later_is_listed(client, site_data, make_recommendation):
    item = make_recommendation(code="D2S1-03", text="A later item.", theme_slugs=())
    services.follow_up_create(recommendation=item, delegation=site_data.pak)
    assert groups(report(client))["No theme"] == ["D2S1-03"]


@pytest.fixture
def without_weasyprint(monkeypatch):
    """As on a machine without Pango: loading WeasyPrint fails with cffi's OSError."""

    def missing(name):
        raise OSError("cannot load library 'libpango-1.0-0': No such file")

    pdf._weasyprint.cache_clear()
    monkeypatch.setattr(pdf, "import_module", missing)
    yield
    monkeypatch.undo()
    pdf._weasyprint.cache_clear()


def test_without_weasyprints_libraries_the_pdf_is_a_clear_503_and_the_page_works(
    client, site_data, without_weasyprint
):
    response = client.get("/delegations/PAK/report.pdf?as_of=2023-10-31")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "The PDF cannot be made right now" in html
    assert 'href="/delegations/PAK/report/?as_of=2023-10-31"' in html
    assert "libpango" not in html  # no system detail shown
    assert client.get("/delegations/PAK/report/").status_code == 200
