"""A restricted progress update's note and evidence are shown only to Secretariat
staff and that delegation's focal points; its status stays public."""

import pytest

pytest_plugins = ["tests.pages.fixtures"]

NOTE = "Restricted note: delivery schedule."
EVIDENCE = "https://example.org/restricted-evidence"
PUBLIC_NOTE = "Equipment ordered."


def pak_section(client) -> str:
    response = client.get("/recommendations/D1S1-01/")
    assert response.status_code == 200
    return response.content.decode().split('id="follow-up-PAK"')[1].split("</article>")[0]


def latest_entry(section: str) -> str:
    return section.split('<ol class="timeline">')[1].split("</li>")[0]


@pytest.mark.parametrize("who", ["anonymous", "other_focal_point"])
def test_a_restricted_note_is_hidden_from_the_public_and_other_delegations(client, site_data, who):
    if who == "other_focal_point":
        client.force_login(site_data.jpn_focal)
    section = pak_section(client)
    assert NOTE not in section
    assert EVIDENCE not in section
    entry = latest_entry(section)
    assert 'class="status status-completed"' in entry  # the status stays public
    assert "shown only to Secretariat staff and this delegation's focal points" in entry
    assert PUBLIC_NOTE in section  # public notes still show


@pytest.mark.parametrize("who", ["staff", "own_focal_point"])
def test_a_restricted_note_is_shown_to_staff_and_its_own_delegation(client, site_data, who):
    client.force_login(site_data.staff if who == "staff" else site_data.pak_focal)
    entry = latest_entry(pak_section(client))
    assert NOTE in entry
    assert f'href="{EVIDENCE}"' in entry
    assert "Restricted" in entry


def test_no_list_page_shows_the_restricted_note(client, site_data):
    for url in (
        "/recommendations/?delegation=PAK",
        "/follow-ups/",
        "/delegations/PAK/",
        "/",
        "/themes/",
    ):
        html = client.get(url).content.decode()
        assert NOTE not in html, url
        assert EVIDENCE not in html, url
