"""manage.py add_focal_point USERNAME DELEGATION_CODE: creates or updates a staff
account in the focal points group, linked to one delegation."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from recommendations.models import FocalPoint
from recommendations.roles import FOCAL_POINTS

PASSWORD = "Blue-harbour-7-lanterns"  # noqa: S105


def _run(*args, **kwargs):
    out = io.StringIO()
    call_command("add_focal_point", *args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture(autouse=True)
def not_a_terminal(monkeypatch):
    """No prompt unless a test asks for one (pytest -s would otherwise hand over a tty)."""
    monkeypatch.setattr("sys.stdin", io.StringIO())


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("FOCAL_PASSWORD", PASSWORD)
    return "FOCAL_PASSWORD"


@pytest.fixture
def interactive(monkeypatch):
    """Make the command believe it runs at a terminal and answer its prompts."""
    answers = []
    terminal = type("Terminal", (io.StringIO,), {"isatty": lambda self: True})
    monkeypatch.setattr("sys.stdin", terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def test_it_creates_a_focal_point_with_a_password_from_the_environment(pak, password_env):
    out = _run("amina", "pak", "--email", "amina@example.org", "--password-from-env", password_env)

    user = User.objects.get(username="amina")
    assert "Created focal point amina for PAK (Pakistan)." in out
    assert user.is_staff and not user.is_superuser
    assert user.email == "amina@example.org"
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [FOCAL_POINTS]
    assert FocalPoint.objects.get(user=user).delegation == pak


def test_it_moves_an_existing_focal_point_and_changes_their_email(pak, jpn, password_env):
    _run("amina", "PAK", "--password-from-env", password_env)

    out = _run("amina", "JPN", "--email", "new@example.org")

    user = User.objects.get(username="amina")
    assert "moved from PAK to JPN (Japan)" in out
    assert FocalPoint.objects.get(user=user).delegation == jpn
    assert user.email == "new@example.org"
    assert user.check_password(PASSWORD)  # kept: no new password was given
    assert FocalPoint.objects.count() == 1


def test_it_refuses_an_unknown_delegation_code(db, password_env):
    with pytest.raises(CommandError, match="No delegation has the code 'XYZ'"):
        _run("amina", "xyz", "--password-from-env", password_env)

    assert not User.objects.filter(username="amina").exists()


def test_it_refuses_a_password_the_validators_reject(pak, monkeypatch):
    monkeypatch.setenv("WEAK", "12345")

    with pytest.raises(CommandError, match="Password refused"):
        _run("amina", "PAK", "--password-from-env", "WEAK")

    assert not User.objects.filter(username="amina").exists()


def test_it_refuses_an_unset_password_variable(pak, monkeypatch):
    monkeypatch.delenv("MISSING", raising=False)

    with pytest.raises(CommandError, match="MISSING is not set"):
        _run("amina", "PAK", "--password-from-env", "MISSING")


def test_it_needs_a_password_for_a_new_account_when_not_interactive(pak):
    with pytest.raises(CommandError, match="needs a password"):
        _run("amina", "PAK")


def test_it_asks_for_the_password_twice_at_a_terminal(pak, interactive):
    interactive.extend([PASSWORD, PASSWORD])

    _run("amina", "PAK")

    assert User.objects.get(username="amina").check_password(PASSWORD)


def test_it_refuses_two_different_passwords_at_a_terminal(pak, interactive):
    interactive.extend([PASSWORD, PASSWORD + "x"])

    with pytest.raises(CommandError, match="differ"):
        _run("amina", "PAK")

    assert not User.objects.filter(username="amina").exists()


def test_it_saves_nothing_on_a_dry_run(pak, password_env):
    out = _run("amina", "PAK", "--password-from-env", password_env, "--dry-run")

    assert "Dry run, nothing saved" in out
    assert not User.objects.filter(username="amina").exists()
    assert not FocalPoint.objects.exists()


def test_it_refuses_to_turn_secretariat_staff_into_a_focal_point(
    secretariat_user, pak, password_env
):
    with pytest.raises(CommandError, match="separate account"):
        _run("sec", "PAK", "--password-from-env", password_env)

    assert not FocalPoint.objects.exists()


def test_it_refuses_a_malformed_email(pak, password_env):
    with pytest.raises(CommandError, match="not a valid email"):
        _run("amina", "PAK", "--email", "not-an-email", "--password-from-env", password_env)
