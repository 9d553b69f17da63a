"""The sign-in throttle cannot be reset by someone else's success, and the password
change form is throttled like the sign-in form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"
PASSWORD_CHANGE = "/admin/password_change/"
ATTACKER = "203.0.113.7"


@pytest.fixture
def victim(secretariat_user):
    return secretariat_user  # "sec", password "pw-sec-12345"


@pytest.fixture
def accomplice(db):
    """An account the attacker owns and may sign in with as often as they like."""
    return User.objects.create_user("mallory", "m@example.org", "pw-mallory-123", is_staff=True)


def sign_in(username, password, address=ATTACKER):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_locks_an_account_whatever_other_accounts_sign_in_in_between(victim, accomplice):
    answers = []
    for _ in range(18):
        answers.append(sign_in("sec", "guess").status_code)
        sign_in("mallory", "pw-mallory-123")  # would wipe the failures if reset by address
    # Three wrong guesses show the form again; from the fourth on, the throttle answers.
    assert answers[:3] == [200, 200, 200]
    assert set(answers[3:]) == {429}
    # The real password is refused while locked, from the attacker's address…
    assert sign_in("sec", "pw-sec-12345").status_code == 429
    # …and from any other: the account itself is locked.
    assert sign_in("sec", "pw-sec-12345", address="198.51.100.2").status_code == 429


def test_it_locks_an_account_guessed_at_from_many_addresses(victim):
    for n in range(4):
        sign_in("sec", "guess", address=f"198.51.100.{n}")
    assert sign_in("sec", "pw-sec-12345", address="192.0.2.99").status_code == 429


def test_it_locks_an_address_that_guesses_at_many_accounts(victim, accomplice):
    for n in range(4):
        sign_in(f"someone-{n}", "guess")
    assert sign_in("mallory", "pw-mallory-123").status_code == 429
    assert sign_in("mallory", "pw-mallory-123", address="198.51.100.2").status_code == 302


def test_it_forgives_your_own_typos_when_you_then_sign_in(victim):
    for _ in range(3):
        sign_in("sec", "typo")
    assert sign_in("sec", "pw-sec-12345").status_code == 302
    for _ in range(3):
        assert sign_in("sec", "typo").status_code == 200
    assert sign_in("sec", "pw-sec-12345").status_code == 302


def test_it_keeps_the_failures_against_another_account_when_you_sign_in(victim, accomplice):
    for _ in range(3):
        sign_in("sec", "guess")
    assert sign_in("mallory", "pw-mallory-123").status_code == 302
    # One more guess reaches the limit: the success did not wipe the three before.
    assert sign_in("sec", "guess", address="198.51.100.2").status_code == 429


def change_password(client, old):
    return client.post(
        PASSWORD_CHANGE,
        {
            "old_password": old,
            "new_password1": "N3w-pass-phrase!",
            "new_password2": "N3w-pass-phrase!",
        },
        REMOTE_ADDR=ATTACKER,
    )


def test_it_throttles_wrong_old_passwords_on_the_password_change_form(victim):
    client = Client()
    client.force_login(victim)
    answers = [change_password(client, f"guess-{n}").status_code for n in range(8)]
    assert answers[:3] == [200, 200, 200]  # the form again, with an error
    assert set(answers[3:]) == {429}
    # Locked: even the right old password does not change it now.
    assert change_password(client, "pw-sec-12345").status_code == 429
    victim.refresh_from_db()
    assert victim.check_password("pw-sec-12345")


def test_it_counts_password_change_failures_against_the_sign_in(victim):
    client = Client()
    client.force_login(victim)
    for n in range(4):
        change_password(client, f"guess-{n}")
    assert sign_in("sec", "pw-sec-12345", address="198.51.100.2").status_code == 429


def test_the_right_old_password_changes_it(victim):
    client = Client()
    client.force_login(victim)
    response = change_password(client, "pw-sec-12345")
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.check_password("N3w-pass-phrase!")
