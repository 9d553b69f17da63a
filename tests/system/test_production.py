"""Production mode: settings refusal, check --deploy, CSP, login throttling,
READ_REQUIRES_LOGIN, /healthz, the request log and the error pages."""

from __future__ import annotations

import logging
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from ministerial import urls as project_urls
from tests.system.test_fuzz import (  # public_data is a fixture shared with the fuzz tests
    SAMPLE_CODE,
    SAMPLE_DELEGATION,
    public_data,  # noqa: F401
    public_url_params,
)

BASE_DIR = Path(__file__).resolve().parents[2]
README = BASE_DIR / "README.md"
LEAKED = "s3cr3t-detail-that-must-not-leak"


# --- A URLconf with views that fail, for the error pages --------------------------


def _boom(request):
    raise RuntimeError(LEAKED)


def _database_down(request):
    raise OperationalError(f'connection to server at "db" failed: password={LEAKED}')


def _connection_closed(request):
    raise InterfaceError("connection already closed")


def _forbidden(request):
    raise PermissionDenied(LEAKED)


def _uses_session(request):
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", _boom),
    path("database-down/", _database_down),
    path("connection-closed/", _connection_closed),
    path("forbidden/", _forbidden),
    path("uses-session/", _uses_session),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def production_like(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def assert_is_a_safe_error_page(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert heading in body
    assert f"Error {status}" in body
    assert "Traceback" not in body
    assert LEAKED not in body
    assert django_settings.SECRET_KEY not in body
    # In the site's style: its stylesheets and its navigation.
    assert "pico.min" in body and "site.css" in body
    assert 'href="/recommendations/"' in body


def run_manage(args, env_overrides):
    """manage.py in a subprocess with only the given environment (and PATH)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def documented_production_environment() -> dict[str, str]:
    """The environment block of README.md "Running in production", as a dict."""
    text = README.read_text()
    marker = text.index("<!-- production-environment")
    block = re.search(r"```sh\n(.*?)```", text[marker:], re.S).group(1)
    env = {}
    for line in block.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


# --- Settings refusal and check --deploy -------------------------------------------


def test_it_refuses_to_start_without_a_secret_key():
    result = run_manage(
        ["check"],
        {"DEBUG": "0", "ALLOWED_HOSTS": "tracker.example.org"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts():
    result = run_manage(
        ["check"],
        {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set in the environment" in result.stderr


def test_it_refuses_a_malformed_boolean():
    result = run_manage(["check"], {"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_passes_with_the_documented_production_environment():
    env = documented_production_environment()
    assert env["DEBUG"] == "0"
    assert env["SECRET_KEY"] == "", "the README must not ship a usable secret key"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_environment_variable_read_is_documented_in_the_readme():
    sources = (BASE_DIR / "ministerial" / "settings.py").read_text() + (
        BASE_DIR / "gunicorn.conf.py"
    ).read_text()
    names = set(
        re.findall(
            r"""(?:env_bool|env_int|env_list|_env_int|environ\.get)\(\s*["']([A-Z_]+)["']""",
            sources,
        )
    )
    assert {"SECRET_KEY", "READ_REQUIRES_LOGIN", "WEB_CONCURRENCY"} <= names
    configuration = README.read_text().split("## Configuration", 1)[1]
    missing = sorted(name for name in names if f"`{name}`" not in configuration)
    assert missing == []


def test_the_password_validators_refuse_weak_passwords():
    for weak in ["password", "12345678901", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Kigali-blue-tractor-2023")


def test_gunicorn_uses_threads_sized_from_the_machine_without_an_access_log(monkeypatch):
    for name in ["WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "PORT"]:
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2
    assert config["workers"] == min(2 * os.cpu_count() + 1, 12)
    assert config["accesslog"] is None
    assert config["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))["workers"] == 3


# --- Security headers and the Content-Security-Policy ------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP header on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_csp(response):
    directives = csp_directives(response)
    script_src = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives["default-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.usefixtures("public_data")
@pytest.mark.parametrize("url", public_url_params(exports=False))
def test_every_public_page_has_a_strict_csp_and_the_security_headers(url, client):
    response = client.get(url.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_has_a_strict_csp(client, secretariat_user):
    assert_strict_csp(client.get("/admin/login/"))
    client.force_login(secretariat_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_strict_csp(response)


def test_an_inline_script_needs_the_nonce_of_its_response(rf):
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    # A bare engine: only the CSP context processor, as the nonce is all this is about.
    from django.template.backends.django import DjangoTemplates

    engine = DjangoTemplates(
        {
            "NAME": "csp-only",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"context_processors": ["django.template.context_processors.csp"]},
        }
    )
    template = engine.from_string('<script nonce="{{ csp_nonce }}"></script>')
    nonces = []
    for _ in range(2):
        request = rf.get("/")
        middleware = ContentSecurityPolicyMiddleware(
            lambda request: HttpResponse(template.render({}, request))
        )
        response = middleware(request)
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in csp_directives(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_plain_http_is_redirected_to_https_but_not_the_health_probe(settings, client, db):
    production_like(settings)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/recommendations/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/recommendations/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/healthz", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


# --- Login throttling ---------------------------------------------------------------


@pytest.fixture
def staff_user(settings, db):
    """A staff user whose password is quick to check (the throttle is under test,
    not the hasher; the default one takes a few hundred ms per attempt)."""
    from django.contrib.auth.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("sec", "sec@example.org", "pw-sec-12345", is_staff=True)


def failed_login(client, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "sec", "password": "not-the-password"},
        **extra,
    )


def test_the_fourth_failed_login_from_one_client_gets_a_429(client, staff_user):
    for attempt in range(1, 4):
        response = failed_login(client, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200, attempt  # the form again, with an error
    response = failed_login(client, REMOTE_ADDR="203.0.113.7")
    assert_is_a_safe_error_page(response, 429, "Too many failed sign-in attempts")
    assert response["Retry-After"] == "900"
    assert_strict_csp(response)
    # Locked out even with the right password…
    right = client.post(
        "/admin/login/", {"username": "sec", "password": "pw-sec-12345"}, REMOTE_ADDR="203.0.113.7"
    )
    assert right.status_code == 429
    # …and from another client too: the account is locked, not only the address
    # (tests/security/test_signin_throttle.py).
    other = Client().post(
        "/admin/login/", {"username": "sec", "password": "pw-sec-12345"}, REMOTE_ADDR="198.51.100.2"
    )
    assert other.status_code == 429


def test_a_forged_forwarded_for_does_not_escape_the_lockout_without_a_proxy(
    client, staff_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(3):
        failed_login(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = failed_login(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.9")
    assert response.status_code == 429


def test_behind_a_proxy_clients_are_told_apart_by_the_address_the_proxy_saw(
    client, staff_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(3):
        # The client forges a left-hand entry; the proxy appends the real address.
        failed_login(client, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert failed_login(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # Another address, guessing at another account (this one is locked everywhere).
    other = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "someone-else", "password": "not-the-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.2",
        **proxy,
    )
    assert other.status_code == 200


# --- READ_REQUIRES_LOGIN ----------------------------------------------------------


@pytest.mark.usefixtures("public_data")
@pytest.mark.parametrize("url", public_url_params(exports=False))
def test_with_read_requires_login_a_page_redirects_to_sign_in(url, client, settings):
    settings.READ_REQUIRES_LOGIN = True
    url = url.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION)
    response = client.get(url + "?page=1")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert url in response["Location"].replace("%2F", "/")


@pytest.mark.usefixtures("public_data")
@pytest.mark.parametrize("url", public_url_params(exports=False))
def test_with_read_requires_login_a_signed_in_user_reads_every_page(
    url, client, settings, secretariat_user
):
    settings.READ_REQUIRES_LOGIN = True
    client.force_login(secretariat_user)
    response = client.get(url.format(code=SAMPLE_CODE, delegation=SAMPLE_DELEGATION))
    assert response.status_code == 200


def test_with_read_requires_login_an_export_answers_403_without_revealing_anything(
    client, settings, db
):
    settings.READ_REQUIRES_LOGIN = True
    # Refused before URL resolution: the same answer whether the export exists or not.
    for url in ["/recommendations/export.csv", "/follow-ups/export.csv", "/no-such.csv"]:
        response = client.get(url)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/plain")
        assert response.content == b"Sign in to download this export.\n"


@pytest.mark.usefixtures("public_data")
@pytest.mark.parametrize("url", public_url_params(exports=True))
def test_with_read_requires_login_a_signed_in_user_downloads_every_export(
    url, client, settings, secretariat_user
):
    settings.READ_REQUIRES_LOGIN = True
    client.force_login(secretariat_user)
    response = client.get(url)
    assert response.status_code == 200


def test_with_read_requires_login_the_admin_static_files_and_probe_stay_reachable(
    client, settings, db
):
    settings.READ_REQUIRES_LOGIN = True
    # Serve static files from the app folders, as without collectstatic in development.
    settings.WHITENOISE_USE_FINDERS = True
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/recommendations/site.css").status_code == 200
    assert client.get("/admin/").status_code == 302  # the admin's own sign-in redirect


def test_without_read_requires_login_anonymous_visitors_read_the_pages(client, settings, db):
    settings.READ_REQUIRES_LOGIN = False
    assert client.get("/recommendations/").status_code == 200


# --- /healthz ---------------------------------------------------------------------


def test_healthz_answers_ok_with_one_query_and_no_session(client, db, django_assert_num_queries):
    # 1. SELECT 1
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("server closed")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


def test_healthz_refuses_a_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_a_head_request_gets_the_headers_without_a_body(client, db):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == "2"


# --- Request log ------------------------------------------------------------------


def test_each_request_logs_one_line_with_method_path_status_and_duration(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ministerial.request")
    client.get("/recommendations/?q=secret-search")
    client.get("/no-such-page/")
    lines = [r.getMessage() for r in caplog.records if r.name == "ministerial.request"]
    assert len(lines) == 2
    assert re.fullmatch(
        r"method=GET path=/recommendations/ status=200 duration_ms=\d+\.\d", lines[0]
    )
    assert lines[1].startswith("method=GET path=/no-such-page/ status=404 ")
    assert "secret-search" not in lines[0]


def test_a_request_line_cannot_be_split_or_forged_by_the_path(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ministerial.request")
    client.get('/a%0Astatus=200 x="y/')
    (line,) = [r.getMessage() for r in caplog.records if r.name == "ministerial.request"]
    assert "\n" not in line
    assert line.startswith('method=GET path="/a\\nstatus=200 x=\\"y/" status=404 ')


# --- Error pages ------------------------------------------------------------------


def test_the_404_page_is_in_the_site_style_without_a_query(
    client, settings, db, django_assert_num_queries
):
    production_like(settings)
    with django_assert_num_queries(0):
        response = client.get("/no-such-page/")
    assert_is_a_safe_error_page(response, 404, "Page not found")
    assert_strict_csp(response)


def test_an_unknown_recommendation_gets_the_404_page(client, settings, db):
    production_like(settings)
    response = client.get("/recommendations/NO-SUCH-CODE/")
    assert_is_a_safe_error_page(response, 404, "Page not found")


@pytest.mark.urls(__name__)
def test_the_500_page_shows_no_stack_trace_and_needs_no_database(
    settings, db, django_assert_num_queries
):
    production_like(settings)
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert_is_a_safe_error_page(response, 500, "Something went wrong on our side")
    assert response["Cache-Control"] == "no-store"
    assert_strict_csp(response)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/database-down/", "/connection-closed/"])
def test_a_view_whose_database_is_away_gets_the_503_page(
    url, settings, db, django_assert_num_queries, caplog
):
    production_like(settings)
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert_is_a_safe_error_page(response, 503, "temporarily unavailable")
    assert response["Retry-After"] == "5"
    assert "OperationalError" not in response.content.decode()
    warnings = [r.getMessage() for r in caplog.records if r.name == "ministerial.database"]
    assert len(warnings) == 1 and "event=database_unavailable" in warnings[0]
    assert not any(r.exc_info for r in caplog.records)


def test_a_middleware_whose_database_is_away_gets_the_503_page_too(
    settings, client, secretariat_user
):
    # Signed in and READ_REQUIRES_LOGIN on: the session is loaded in a middleware,
    # before any view runs, and that is where the database error happens.
    production_like(settings)
    settings.READ_REQUIRES_LOGIN = True
    client.force_login(secretariat_user)
    client.raise_request_exception = False
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("no server")):
        response = client.get("/recommendations/")
    assert_is_a_safe_error_page(response, 503, "temporarily unavailable")


@pytest.mark.urls(__name__)
def test_the_403_page_does_not_repeat_the_reason(settings, client, db):
    production_like(settings)
    response = client.get("/forbidden/")
    assert_is_a_safe_error_page(response, 403, "You are not allowed to do this")


def test_a_form_without_its_csrf_token_gets_the_403_page(settings, db):
    production_like(settings)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert_is_a_safe_error_page(response, 403, "Reload the page and send the form again")


def test_an_unknown_host_gets_the_400_page(settings, client, db):
    production_like(settings)
    response = client.get("/", HTTP_HOST="attacker.example")
    assert_is_a_safe_error_page(response, 400, "The request could not be understood")
    assert "attacker.example" not in response.content.decode()
