"""The roster in the admin: a member state added by its ISO code or its country, and
delegations put on the roster or taken off it, by Secretariat staff only."""

import pytest
from django.urls import reverse

from recommendations.models import Delegation, FollowUp

ADD = reverse("admin:recommendations_delegation_add")
LIST = reverse("admin:recommendations_delegation_changelist")


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def add(client, **fields):
    # The name has a field per language (name_en, name_fr …); the English one is curated.
    data = {"code": "", "name_en": "", "kind": "member_state", "country": "", "on_roster": "on"}
    data.update(fields)
    return client.post(ADD, data)


def test_a_member_state_added_by_its_iso_code_gets_its_country_and_name(
    staff_client, recommendation
):
    response = add(staff_client, code="fra")
    assert response.status_code == 302
    france = Delegation.objects.get(code="FRA")
    assert (france.name, str(france.country), france.on_roster) == ("France", "FR", True)
    # Its name in the other languages, from CLDR (the UN's short name where it differs).
    assert (france.name_es, france.name_ru, france.name_zh_hans) == ("Francia", "Франция", "法国")
    # On the roster: a follow-up of every item, with no report yet.
    assert FollowUp.objects.filter(delegation=france, status="not_reported").count() == 1


def test_a_member_state_added_by_its_country_gets_its_code(staff_client):
    assert add(staff_client, country="BR").status_code == 302
    assert Delegation.objects.get(code="BRA").name == "Brazil"


def test_a_name_given_is_kept(staff_client):
    add(staff_client, code="GBR", name_en="Britain", name_fr="Royaume-Uni")
    britain = Delegation.objects.get(code="GBR")
    assert (britain.name, britain.name_fr) == ("Britain", "Royaume-Uni")
    # Not given: the UN's short name.
    assert britain.name_es == "Reino Unido de Gran Bretaña e Irlanda del Norte"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "XXX"}, "code", "is not an ISO 3166 alpha-3 code"),
        ({"code": "FRA", "country": "DE"}, "country", "The country and the ISO code differ"),
        ({}, "code", "Give the ISO code or the country"),
        ({"kind": "organisation", "code": "AU"}, "name_en", "Give the name"),
    ],
)
def test_a_wrong_or_missing_code_is_refused_with_a_message(staff_client, fields, field, message):
    response = add(staff_client, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Delegation.objects.exists()


def test_the_actions_put_delegations_on_the_roster_and_take_them_off(
    staff_client, recommendation, pak
):
    france = Delegation.objects.create(code="FRA", name="France", on_roster=False)
    response = staff_client.post(
        LIST, {"action": "add_to_roster", "_selected_action": [france.pk, pak.pk]}, follow=True
    )
    assert "1 delegation changed" in response.content.decode()
    assert FollowUp.objects.filter(delegation=france).count() == 1

    staff_client.post(LIST, {"action": "remove_from_roster", "_selected_action": [france.pk]})
    france.refresh_from_db()
    assert not france.on_roster
    assert not FollowUp.objects.filter(delegation=france).exists()


def test_a_focal_point_can_neither_add_a_delegation_nor_change_the_roster(
    client, pak_focal, pak, recommendation
):
    client.force_login(pak_focal)
    assert add(client, code="FRA").status_code == 403
    pak.on_roster = False
    pak.save()
    client.post(LIST, {"action": "add_to_roster", "_selected_action": [pak.pk]})
    pak.refresh_from_db()
    assert not pak.on_roster
    assert not Delegation.objects.filter(code="FRA").exists()
