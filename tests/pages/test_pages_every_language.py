"""In each UN language but English, the pages a delegate, a focal point and Secretariat
staff use show none of the English interface: a list of the English strings each page
shows in English is looked for in its interface text (tests.pages.interface_text: the
content in English, marked ``lang="en"``, left out)."""

import re

import pytest
from django.test import Client

from tests.pages.interface_text import interface_text

pytest_plugins = ["tests.pages.fixtures"]

LANGUAGES = ["ar", "zh-hans", "fr", "ru", "es"]

# Words the same in French or Spanish (Session, Date, Note, Public, Participations …) are
# left out.

# On every page of the site (the header, the switcher, the footer).
EVERY_PAGE = [
    "Skip to main content",
    "Ministerial recommendations tracker",
    "Dashboard",
    "Recommendations",
    "Follow-ups",
    "Matrix",
    "Themes",
    "Change language",
    "Read the Chair's Summary",
]
FILTERS = [
    "Filters",
    "Search",
    "Words in the code, text, source or speaker name.",
    "Where it was said",
    "All meetings",
    "Any session",
    "Any speaker",
    "Any kind",
    "Follow-up status",
    "No report yet",
    "Not started",
    "Planned",
    "In progress",
    "Completed",
    "Not applicable",
    "Overdue",
    "Latest update verified",
    "Point in time",
    "Changed since",
    "Apply filters",
    "Clear all",
]
# The public pages, by the English each shows in English.
PUBLIC = {
    "/": EVERY_PAGE
    + [
        "The road to Accra",
        "Meetings",
        "Sessions",
        "Facilitator",
        "Choose what to show",
        "Status as of",
        "Changes since",
        "Follow-ups by status",
        "Progress by theme",
        "Completed (%)",
        "Progress by delegation",
        "See every item against every delegation (matrix)",
        "Changes since the last meeting",
        "See them in the follow-ups list",
    ],
    "/recommendations/": EVERY_PAGE
    + FILTERS
    + [
        "See these items against every delegation (matrix)",
        "Sort by",
        "Session order",
        "Relevance to the search",
        "Results per page",
        "Export these results (CSV)",
        "as a spreadsheet (XLSX)",
        "Recommendation",
        "Commitment",
        "Observation",
        "Session panel ·",
    ],
    "/recommendations/D1S1-01/": EVERY_PAGE
    + [
        "Breadcrumb",
        "In the words of the source",
        "Read it in the Chair's Summary",
        "Cite this",
        "About this item",
        "Meeting",
        "Voiced by",
        "Kind",
        "Follow-up by delegation",
        "Show statuses as of a date",
        "Pledge",
        "Target date",
        "Progress updates",
        "Self-reported",
        "Restricted",
        "Checked by Secretariat staff",
        "Verified",
    ],
    "/delegations/PAK/": EVERY_PAGE
    + FILTERS
    + [
        "Breadcrumb",
        "How Pakistan follows up the recommendations, grouped by status.",
        "Latest update",
        "None yet",
        "Printable report",
    ],
    "/matrix/": EVERY_PAGE
    + FILTERS
    + [
        "Matrix: every item against every delegation",
        "Status of each item for each delegation",
        "Item",
    ],
}
WORKSPACE = EVERY_PAGE + [
    "Workspace: Pakistan",
    "Workspace",
    "Sign out",
    "History of updates",
    "Change your password",
    "Skip to the items",
    "Items by what they need",
    "Number of items by what they need",
    "Due within 30 days",
    "Done or not applicable",
    "Last update",
    "Report",
    "Public page",
    "Update",
    "Exports",
    "Follow-ups, with the latest note",
    "Every progress update",
]
ADMIN = [
    "Recommendations tracker admin",
    "Skip to main content",
    "Welcome,",
    "View site",
    "Change password",
    "Log out",
    "Ministerial recommendations",
    "Delegations",
    "Focal points",
    "Meetings",
    "People",
    "Progress updates",
    "Recommendations",
    "Reminder logs",
    "Sessions",
    "Themes",
]
ADMIN_PAGES = {
    "index": ADMIN + ["Record and follow up", "Recent actions", "My actions"],
    "changelist": ADMIN
    + [
        "Select follow-up to change",
        "Add follow-up",
        "By delegation code",
        "By recommendation code",
        "By status",
        "By theme",
        "By session",
        "By overdue",
        "Not overdue",
        "Search follow-ups",
        "Recommendation code, delegation code or name.",
        "Delete selected follow-ups",
        "Set the status of the selected follow-ups…",
        "Export the selected follow-ups as CSV",
        "Item",
        "Delegation",
        "Status",
        "Target date",
        "Last update date",
    ],
    "change": ADMIN
    + [
        "Change follow-up",
        "History",
        "View on site",
        "Recommendation:",
        "Delegation:",
        "Recommendation text:",
        "Status:",
        "Last update date:",
        "Target date:",
        "Pledge:",
        "The pledge announced, if any.",
        "Lead:",
        "Lead office or focal point.",
        "Record",
        "Created at:",
        "Updated at:",
        "Visibility",
        "Author",
        "Verification",
        "Delete?",
        "Restricted",
        "Save",
        "Save and add another",
        "Save and continue editing",
    ],
}


def english_left(html: str, strings: list[str]) -> list[str]:
    """The strings of ``strings`` the page shows, as whole words in any of its texts."""
    texts = interface_text(html)
    return [
        string
        for string in dict.fromkeys(strings)
        if any(re.search(rf"(?<!\w){re.escape(string)}(?!\w)", text) for text in texts)
    ]


def test_the_english_pages_show_every_string_looked_for(client, site_data):
    """The lists hold what the English pages show, so that each check below can fail."""
    for path, strings in PUBLIC.items():
        assert english_left(client.get(path).content.decode(), strings) == strings, path
    focal_point = Client()
    focal_point.force_login(site_data.pak_focal)
    html = focal_point.get("/workspace/").content.decode()
    assert english_left(html, WORKSPACE) == WORKSPACE
    for name, path in admin_paths(site_data).items():
        html = staff(site_data).get(path).content.decode()
        assert english_left(html, ADMIN_PAGES[name]) == ADMIN_PAGES[name], name


def staff(site_data) -> Client:
    client = Client()
    client.force_login(site_data.staff)
    return client


def admin_paths(site_data) -> dict[str, str]:
    follow_up = site_data.follow_up("D1S1-01", "PAK")
    return {
        "index": "/admin/",
        "changelist": "/admin/recommendations/followup/",
        "change": f"/admin/recommendations/followup/{follow_up.pk}/change/",
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", list(PUBLIC))
def test_the_public_page_shows_no_english_interface(client, site_data, language, path):
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200
    assert english_left(response.content.decode(), PUBLIC[path]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_workspace_shows_no_english_interface(site_data, language):
    focal_point = Client(headers={"accept-language": language})
    focal_point.force_login(site_data.pak_focal)
    response = focal_point.get("/workspace/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert english_left(response.content.decode(), WORKSPACE) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", list(ADMIN_PAGES))
def test_the_admin_shows_no_english_interface(site_data, language, page):
    client = staff(site_data)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(admin_paths(site_data)[page])
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert english_left(response.content.decode(), ADMIN_PAGES[page]) == []
