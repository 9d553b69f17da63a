"""Reliability: nothing lost in a dump and restore, concurrent appends both land,
and the app rides out a PostgreSQL restart without being restarted itself."""

from __future__ import annotations

import datetime
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from recommendations import services
from recommendations.models import (
    FollowUp,
    ImportJob,
    ItemTranslation,
    Participation,
    ProgressUpdate,
    Recommendation,
    ReminderLog,
    Status,
)
from recommendations.services import progress_updates

BASE_DIR = Path(__file__).resolve().parents[2]
IS_POSTGRES = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
skip_unless_postgres = pytest.mark.skipif(
    not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
)

# The documented backup command (README.md, "Backup and restore").
DUMPDATA_ARGS = [
    "--format",
    "exact_json",
    "--natural-foreign",
    "--natural-primary",
    "-e",
    "contenttypes",
    "-e",
    "auth.permission",
    "-e",
    "sessions",
]
NOT_BACKED_UP = {"sessions.Session"}  # everyone signs in again after a restore


# --- Dump and restore ----------------------------------------------------------


def _stable_value(obj, field):
    """A field's value that survives a restore: objects that ``migrate`` or the
    restore may number differently (users, groups, content types, permissions)
    are named by their natural key instead of their id."""
    if field.is_relation and (field.many_to_one or field.one_to_one):
        raw = getattr(obj, field.attname)
        if raw is not None and hasattr(field.related_model, "natural_key"):
            try:
                return ("natural", getattr(obj, field.name).natural_key())
            except ObjectDoesNotExist:
                return ("dangling", raw)
        return raw
    return getattr(obj, field.attname)


def snapshot() -> dict[str, list]:
    """Every row of every table (but sessions), as sorted tuples of field values."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label in NOT_BACKED_UP:
            continue
        keyed_by_name = hasattr(model, "natural_key") or model._meta.auto_created
        rows = []
        for obj in model._base_manager.all():
            row = tuple(
                (field.name, _stable_value(obj, field))
                for field in model._meta.concrete_fields
                if not (field.primary_key and keyed_by_name)
            )
            if hasattr(model, "natural_key"):
                row += (("natural_key", obj.natural_key()),)
            rows.append(row)
        tables[model._meta.label] = sorted(rows, key=repr)
    return tables


@pytest.fixture
def every_kind_of_row(
    transactional_db,
    meeting,
    session,
    speaker,
    recommendation,
    make_recommendation,
    pak,
    jpn,
    secretariat_user,
    make_focal_point,
):
    """A small database with a row in every table the app owns, history included."""
    Participation.objects.create(meeting=meeting, person=speaker, role="keynote", day=1)
    second = make_recommendation(code="D1S1-02", text="Train « medics » — 2 × a year.")
    second.themes.add(*recommendation.themes.all())  # m2m history
    second.text = "Train medics twice a year."
    second.save()
    focal = make_focal_point(jpn)
    follow_up = services.follow_up_create(recommendation=recommendation, delegation=pak)
    other = services.follow_up_create(recommendation=second, delegation=jpn, user=focal)
    services.follow_up_update(follow_up=follow_up, version=follow_up.version, pledge="Two medics")
    first = services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 9, 1),
        status=Status.PLANNED,
        note="Vertical\x0btab and ünïcödé",
        author=secretariat_user,
    )
    same_day = services.progress_update_create(
        follow_up=follow_up, date=datetime.date(2023, 9, 1), status=Status.IN_PROGRESS
    )
    # Recorded within the same millisecond: only the microseconds order them.
    moment = timezone.now().replace(microsecond=123456)
    ProgressUpdate.objects.filter(pk=first.pk).update(created_at=moment)
    ProgressUpdate.objects.filter(pk=same_day.pk).update(
        created_at=moment + datetime.timedelta(microseconds=333)
    )
    own = services.progress_update_create(
        follow_up=other,
        date=datetime.date(2023, 10, 2),
        status=Status.COMPLETED,
        visibility=ProgressUpdate.Visibility.RESTRICTED,
        author=focal,
    )
    services.progress_update_verify(update=own, user=secretariat_user)
    gone = services.progress_update_create(
        follow_up=other, date=datetime.date(2023, 10, 3), status=Status.PLANNED
    )
    services.progress_update_delete(update=gone)  # history keeps the deletion
    ReminderLog.objects.create(
        user=focal, follow_up=other, kind=ReminderLog.Kind.DIGEST, date=datetime.date(2023, 11, 1)
    )
    ReminderLog.objects.create(
        user=secretariat_user, kind=ReminderLog.Kind.WEEKLY, date=datetime.date(2023, 11, 6)
    )
    LogEntry.objects.log_actions(
        user_id=secretariat_user.pk,
        queryset=[second],
        action_flag=ADDITION,
        change_message="Added.",
    )
    ImportJob.objects.create(
        user=secretariat_user,
        name="updates.csv",
        digest="0" * 64,
        text="code,delegation,status,date\r\nD1S1-01,PAK,planned,2023-09-01\r\n",
        visibility="public",
        summary={"rows": 1, "new": 1},
    )
    # An item's text in another language, and a theme's name in one (its own column).
    services.item_translation_save(
        translation=ItemTranslation(recommendation=second, language="ar", text="تدريب المسعفين"),
        user=secretariat_user,
    )
    recommendation.themes.update(name_fr="Engins explosifs improvisés")
    # A failed sign-in: django-axes records it.
    Client().post("/admin/login/", {"username": "sec", "password": "wrong"})
    # A user whose id is not the next in line, so that ids are not merely counted.
    User.objects.create_user("gap", "gap@example.org", "pw-gap-12345").delete()
    User.objects.create_user("reader", "reader@example.org", "pw-reader-12345")


def test_it_round_trips_the_whole_database_through_dumpdata_and_loaddata(
    every_kind_of_row, tmp_path
):
    before = snapshot()
    own_models = [
        m._meta.label
        for m in apps.get_app_config("recommendations").get_models(include_auto_created=True)
    ]
    empty = [label for label in own_models if not before[label]]
    assert empty == [], "the test data should fill every table of the app"
    assert before["auth.User"] and before["axes.AccessAttempt"] and before["admin.LogEntry"]
    assert len(before["recommendations.HistoricalProgressUpdate"]) >= 5

    backup = tmp_path / "backup.exact_json"
    call_command("dumpdata", *DUMPDATA_ARGS, "--indent", "1", "-o", str(backup), verbosity=0)
    assert ".123456Z" in backup.read_text()  # microseconds kept

    # A fresh database: emptied, then set up by migrate's post_migrate step
    # (content types, permissions and the two role groups), as on a new server.
    call_command("flush", "--noinput", verbosity=0)
    assert not Recommendation.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    after = snapshot()
    differing = [label for label in before if before[label] != after[label]]
    assert differing == []
    assert set(after) == set(before)
    # And the restored data behaves: the status is still the latest update's.
    follow_up = FollowUp.objects.get(delegation__code="PAK")
    assert follow_up.status == Status.IN_PROGRESS
    assert ContentType.objects.get_for_model(FollowUp).model_class() is FollowUp


# --- Concurrent appends ----------------------------------------------------------


def _append_in_thread(pk, status, date, barrier, results, errors):
    try:
        follow_up = FollowUp.objects.get(pk=pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        barrier.wait(timeout=10)
        started = time.monotonic()
        update = services.progress_update_create(follow_up=follow_up, date=date, status=status)
        results.append(
            {"backend": backend, "started": started, "ended": time.monotonic(), "update": update}
        )
    except BaseException as exc:  # reported by the test thread
        errors.append(exc)
    finally:
        connection.close()


def append_concurrently(follow_up, *appends):
    """Run each (status, date) append in its own thread and database connection,
    released at the same instant. The status refresh is slowed down so that the
    transactions overlap for certain."""
    original = progress_updates.history_changed

    def slow_refresh(follow_up):
        time.sleep(0.3)
        return original(follow_up)

    barrier = threading.Barrier(len(appends))
    results, errors = [], []
    with mock.patch.object(progress_updates, "history_changed", slow_refresh):
        threads = [
            threading.Thread(
                target=_append_in_thread,
                args=(follow_up.pk, status, date, barrier, results, errors),
            )
            for status, date in appends
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert len(results) == len(appends)
    assert len({r["backend"] for r in results}) == len(appends), "one connection each"
    # Both were in flight at once, and the second waited for the first's row lock.
    assert max(r["started"] for r in results) < min(r["ended"] for r in results)
    assert max(r["ended"] for r in results) - min(r["started"] for r in results) >= 0.55
    return sorted(results, key=lambda r: r["ended"])


@pytest.mark.postgres
@skip_unless_postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_appending_to_one_follow_up_at_once_both_land(follow_up):
    version = follow_up.version
    append_concurrently(
        follow_up,
        (Status.IN_PROGRESS, datetime.date(2023, 10, 1)),
        (Status.PLANNED, datetime.date(2023, 9, 1)),
    )
    follow_up.refresh_from_db()
    assert follow_up.updates.count() == 2
    # Whichever committed last, the status is that of the later-dated update.
    assert follow_up.status == Status.IN_PROGRESS
    assert follow_up.last_update_date == datetime.date(2023, 10, 1)
    assert follow_up.version == version + 2


@pytest.mark.postgres
@skip_unless_postgres
@pytest.mark.django_db(transaction=True)
def test_two_same_day_appends_leave_the_status_of_the_one_recorded_last(follow_up):
    day = datetime.date(2023, 9, 15)
    first, last = append_concurrently(follow_up, (Status.PLANNED, day), (Status.COMPLETED, day))
    follow_up.refresh_from_db()
    assert follow_up.updates.count() == 2
    assert follow_up.status == last["update"].status != first["update"].status
    assert follow_up.updates.latest_first().first().pk == last["update"].pk


# --- PostgreSQL restart under gunicorn ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, path, timeout=10.0):
    """(status, body, seconds). A fresh connection each time, like a new visitor."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        conn.close()


def _pg(*args):
    subprocess.run(args, check=True, capture_output=True, timeout=60)


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL cluster of its own on a free port, so that stopping it disturbs
    nobody else using the machine's server. Dropped afterwards, whatever happens."""
    if not shutil.which("pg_createcluster") or os.geteuid() != 0:
        pytest.skip("needs Debian's pg_createcluster, run as root (as in CI)")
    version = max(os.listdir("/usr/lib/postgresql"), key=int)
    name = f"restart_test_{os.getpid()}"
    port = _free_port()
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    _pg("pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust")
    try:
        _pg(*ctl, "start")
        yield {
            "url": f"postgres://postgres@127.0.0.1:{port}/postgres",
            "stop": lambda: _pg(*ctl, "stop", "-m", "fast"),
            "start": lambda: _pg(*ctl, "start"),
        }
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True)


@pytest.fixture
def gunicorn_on(throwaway_postgres, tmp_path):
    """Gunicorn in production mode (2 workers x 2 threads) on the throwaway cluster."""
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": throwaway_postgres["url"],
        "DB_CONNECT_TIMEOUT": "2",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [*manage, *command, "-v0"], cwd=BASE_DIR, env=env, check=True, capture_output=True
        )
    log = (tmp_path / "gunicorn.log").open("w+")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "ministerial.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, "gunicorn did not start"
            assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
            time.sleep(0.2)
        yield {"port": port, "process": process, "log": log, **throwaway_postgres}
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: no request is left to finish
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.mark.postgres
@skip_unless_postgres
def test_requests_get_503_while_postgresql_restarts_and_200_after(gunicorn_on):
    port = gunicorn_on["port"]
    # Every thread of every worker holds a connection to the server about to go away.
    for _ in range(8):
        assert _get(port, "/recommendations/")[0] == 200

    seen = []
    stop_polling = threading.Event()

    def poll():
        while not stop_polling.is_set():
            try:
                seen.append(_get(port, "/recommendations/")[:2])
            except OSError as exc:  # a hang (timeout) or a dropped connection
                seen.append((type(exc).__name__, ""))
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        time.sleep(0.3)
        gunicorn_on["stop"]()
        for path in ["/recommendations/", "/", "/recommendations/", "/"]:
            status, body, seconds = _get(port, path)
            assert status == 503, body
            assert seconds < 4, "a request during the outage must not hang"
            assert "temporarily unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body
        status, body, _ = _get(port, "/healthz")
        assert (status, body) == (503, "database unavailable")
        gunicorn_on["start"]()
        for path in ["/recommendations/", "/", "/healthz"] * 3:
            status, body, _ = _get(port, path)
            assert status == 200, (path, body)
        time.sleep(0.3)
    finally:
        stop_polling.set()
        poller.join(timeout=15)

    assert gunicorn_on["process"].poll() is None, "gunicorn kept running"
    statuses = [status for status, _ in seen]
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses
    assert statuses[-1] == 200
    gunicorn_on["log"].seek(0)
    log = gunicorn_on["log"].read()
    assert "event=database_unavailable" in log
    assert "Traceback" not in log
