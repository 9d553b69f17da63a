"""``/accounts/``: sign-in for people who are not staff, under the admin's lockout
rules; sign-out; password change; password reset by email."""

import re

import pytest
from django.core import mail
from django.test import Client

PASSWORD = "pw-focal-12345"  # tests/conftest.py make_focal_point


@pytest.fixture
def focal(pak_focal):
    """A focal point as invited from now on: no staff status, no admin."""
    pak_focal.is_staff = False
    pak_focal.save()
    return pak_focal


def sign_in(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_the_sign_in_page_is_in_the_sites_design(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skip to main content" in html  # templates/base.html
    assert "<h1>Sign in</h1>" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "/accounts/password/reset/" in html
    assert "Content-Security-Policy" in response.headers


def test_a_focal_point_without_staff_status_lands_on_the_workspace(client, focal):
    response = sign_in(client, focal.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert client.get("/workspace/").context["delegation"].code == "PAK"


def test_staff_land_on_the_workspace_too(client, secretariat_user):
    response = sign_in(client, "sec", "pw-sec-12345")
    assert response["Location"] == "/workspace/"


def test_a_safe_next_is_followed_and_another_host_is_not(client, focal):
    response = client.post(
        "/accounts/login/?next=/workspace/PAK/history/",
        {"username": focal.username, "password": PASSWORD, "next": "/workspace/PAK/history/"},
    )
    assert response["Location"] == "/workspace/PAK/history/"
    other = Client().post(
        "/accounts/login/",
        {"username": focal.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert other["Location"] == "/workspace/"


def test_a_wrong_password_shows_the_form_again_with_a_summary(client, focal):
    response = sign_in(client, focal.username, "wrong")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "There is a problem" in html
    assert "_auth_user_id" not in client.session


def test_the_fourth_wrong_password_from_one_client_gets_a_429(client, focal, jpn_focal):
    # The same django-axes rules as the admin sign-in (AXES_FAILURE_LIMIT = 4).
    for attempt in range(1, 4):
        assert sign_in(client, focal.username, "wrong", REMOTE_ADDR="203.0.113.7").status_code == (
            200
        ), attempt
    response = sign_in(client, focal.username, "wrong", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Locked out even with the right password, here and at the admin's sign-in…
    assert sign_in(client, focal.username, PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    admin = client.post(
        "/admin/login/",
        {"username": focal.username, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert admin.status_code == 429
    # …and from any other address (failures count per account too), while another
    # account signs in from there.
    assert sign_in(Client(), focal.username, PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == (
        429
    )
    assert (
        sign_in(Client(), jpn_focal.username, PASSWORD, REMOTE_ADDR="198.51.100.2").status_code
        == 302
    )


def test_failures_at_the_admin_count_towards_the_same_lockout(client, focal):
    for _ in range(3):
        client.post(
            "/admin/login/", {"username": focal.username, "password": "x"}, REMOTE_ADDR="192.0.2.5"
        )
    assert sign_in(client, focal.username, "x", REMOTE_ADDR="192.0.2.5").status_code == 429


def test_a_deactivated_account_cannot_sign_in(client, focal):
    focal.is_active = False
    focal.save()
    response = sign_in(client, focal.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signing_out_is_a_post(client, focal):
    client.force_login(focal)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert client.get("/workspace/")["Location"] == "/accounts/login/?next=/workspace/"


def test_the_header_offers_sign_in_or_the_workspace_and_sign_out(client, focal):
    html = client.get("/recommendations/").content.decode()
    assert 'href="/accounts/login/"' in html and "Sign out" not in html
    client.force_login(focal)
    html = client.get("/recommendations/").content.decode()
    assert 'href="/workspace/"' in html
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)
    assert 'href="/accounts/login/"' not in html


def test_the_password_change_needs_the_old_password(client, focal):
    assert client.get("/accounts/password/change/")["Location"].startswith("/accounts/login/")
    client.force_login(focal)
    assert client.get("/accounts/password/change/").status_code == 200
    refused = client.post(
        "/accounts/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "A-new-pass-2023",
            "new_password2": "A-new-pass-2023",
        },
    )
    assert refused.status_code == 200
    assert 'href="#id_old_password"' in refused.content.decode()  # the summary links to it
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-pass-2023",
            "new_password2": "A-new-pass-2023",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    focal.refresh_from_db()
    assert focal.check_password("A-new-pass-2023")
    assert client.get("/workspace/").status_code == 200  # still signed in


def test_a_password_reset_link_sets_a_password_once(client, focal):
    response = client.post("/accounts/password/reset/", {"email": focal.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [focal.email]
    assert "Ministerial recommendations tracker" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    new_password = {"new_password1": "Reset-pass-2023", "new_password2": "Reset-pass-2023"}
    done = client.post(form.redirect_chain[-1][0], new_password)
    assert done["Location"] == "/accounts/password/reset/done/"
    focal.refresh_from_db()
    assert focal.check_password("Reset-pass-2023")
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "does not work any more" in again.content.decode()


def test_a_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_no_reset_for_a_deactivated_account(client, focal):
    focal.is_active = False
    focal.save()
    client.post("/accounts/password/reset/", {"email": focal.email})
    assert mail.outbox == []


def test_with_read_requires_login_pages_send_visitors_to_the_new_sign_in(client, settings, db):
    settings.READ_REQUIRES_LOGIN = True
    response = client.get("/recommendations/")
    assert response["Location"] == "/accounts/login/?next=/recommendations/"
    for path in ("/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/sent/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/logout/", "/accounts/password/reset/"],
)
def test_every_account_form_needs_a_csrf_token(path, db, focal):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": focal.username, "password": PASSWORD})
    assert response.status_code == 403


def test_wrong_old_passwords_on_the_workspace_password_form_are_throttled(client, focal):
    # Every password form counts as a sign-in attempt (AXES_FAILURE_LIMIT = 4).
    client.force_login(focal)
    answers = [
        client.post(
            "/accounts/password/change/",
            {
                "old_password": f"guess-{n}",
                "new_password1": "A-new-pass-2023",
                "new_password2": "A-new-pass-2023",
            },
        ).status_code
        for n in range(6)
    ]
    assert answers[:3] == [200, 200, 200]
    assert set(answers[3:]) == {429}
    focal.refresh_from_db()
    assert focal.check_password(PASSWORD)
