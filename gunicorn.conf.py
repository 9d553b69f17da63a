"""Gunicorn settings for `make serve` and the systemd unit in README.md.

Every value can be changed from the environment without editing this file:
GUNICORN_BIND, WEB_CONCURRENCY (workers), GUNICORN_THREADS, GUNICORN_TIMEOUT.

Why gthread: a CSV export is streamed row by row and can take a while on a slow
connection. With the default sync worker it would hold a whole worker process
for that time, and with a few workers a handful of downloads would stall every
page. A gthread worker serves each request on one of its threads, and its main
thread keeps the heartbeat going, so one long download ties up one thread only
and never gets the worker killed by `timeout`.

Database connections: every thread keeps its own persistent connection
(DB_CONN_MAX_AGE), so the app opens up to workers x threads connections. Keep
that under PostgreSQL's max_connections (100 by default) minus what cron jobs
and psql need.
"""

import multiprocessing
import os
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# (2 x cores) + 1 processes is gunicorn's rule of thumb for a CPU-bound Django
# app; capped so that workers x threads stays well under max_connections.
workers = _env_int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)

# A worker whose main loop is silent this long is restarted (gthread: a hung
# process, not a long request). Requests themselves are bounded by PostgreSQL's
# statement_timeout (DB_STATEMENT_TIMEOUT_MS).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
# Behind a reverse proxy that keeps connections to us open.
keepalive = 5
# Recycle workers now and then so that slow memory growth cannot accumulate.
max_requests = 2000
max_requests_jitter = 200
# Not preloaded: each worker imports the app, so `systemctl reload` (HUP) starts
# workers on the newly deployed code while the old ones finish their requests.
preload_app = False
# The heartbeat file on tmpfs, so a slow disk cannot make gunicorn kill workers.
_SHM = "/dev/shm"  # noqa: S108  (gunicorn's own recommendation, not a temp file)
if Path(_SHM).is_dir():
    worker_tmp_dir = _SHM

# The app logs one line per request itself (lib.middleware), so
# gunicorn's access log would only repeat it. Errors go to stderr (the journal).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# X-Forwarded-Proto is trusted only from the proxy on this machine
# (FORWARDED_ALLOW_IPS to change); Django reads it with SECURE_PROXY_SSL_HEADER=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No runtime control socket: systemd (HUP to reload, TERM to stop) manages the
# process, and several instances on one machine would fight over its default path.
control_socket_disable = True

proc_name = "ministerial-tracker"
