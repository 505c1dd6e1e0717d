"""Gunicorn settings for Lyssna: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/deploy.md).

Every value can be changed by an environment variable, so one file serves a small single server
and several instances behind a load balancer.
"""

import os

# Where to listen: nginx in front talks to this address (a unix socket works too: unix:/run/lyssna.sock).
bind = os.environ.get("LYSSNA_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time each, so a slow request never stalls another. nginx buffers
# slow mobile clients, so a worker is busy only while the app works. Two per core is a good start.
worker_class = "sync"
workers = int(os.environ.get("LYSSNA_WORKERS", 2 * (os.cpu_count() or 1)))

# Each worker imports the app and opens its own database connections (nothing shared across fork),
# and `systemctl reload` (HUP) loads new code.
preload_app = False

# A survey page takes milliseconds; anything near these limits is stuck and is restarted.
timeout = int(os.environ.get("LYSSNA_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5

# Restart workers now and then so that slow leaks (in any library) never add up. A restart costs
# the new worker about a second of CPU (imports, surveys, templates), and requests wait for it
# meanwhile: at 5,000 a busy survey restarted each worker every ten seconds, which cost a tenth
# of the server's time and put a 0.3 s wait on one request in a hundred. A worker's memory stays
# flat (86 MB at start, 97 MB after 5,000 requests, 98 MB after 45,000), so 50,000 is still safe.
max_requests = 50000
max_requests_jitter = 5000

# The app logs one line per request itself (route template, status, time, request id, no
# address); gunicorn's access log would add the client address and the full URL, so it is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LYSSNA_GUNICORN_LOG_LEVEL", "info")

# Forwarded headers are trusted only by the app (ProxyFix, LYSSNA_PROXY_COUNT): one place decides.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# Requests are small: a long URL or many headers is not a resident.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

proc_name = "lyssna"

# systemd (or the operator) signals the master; gunicorn's control socket would sit in the service
# user's home, which systemd keeps read-only, and two instances on one machine would share it.
control_socket_disable = True
