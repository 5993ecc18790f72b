"""Gunicorn settings for Accord: `gunicorn -c gunicorn.conf.py wsgi:app`.

Workers follow the CPU count (WEB_CONCURRENCY overrides it); each is a separate process,
so everything a worker caches is either keyed by content or re-checked against the
database (see docs/operating.md). Requests are logged to stdout in the common format with
the time taken; slow clients get a graceful timeout before a worker is recycled.

The app is loaded once, in the master, before the workers are forked (`preload_app`): a
worker recycled after its `max_requests` starts in milliseconds instead of spending a
second of CPU importing Accord again while its share of requests waits. So a changed
checkout takes a full restart of gunicorn; `kill -HUP` only starts new workers of the old
code.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a request stuck this long is killed
graceful_timeout = 30  # on restart, requests in flight get this long to finish
keepalive = 5
max_requests = (
    5000  # recycle workers now and then; the jitter keeps them from all restarting at once
)
max_requests_jitter = 500
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
