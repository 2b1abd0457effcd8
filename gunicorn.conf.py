"""gunicorn settings. Override with GATEWAY_BIND, GATEWAY_WORKERS or GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GATEWAY_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# gunicorn's threaded worker, answering over-long request lines as the gateway does.
worker_class = "gateway.server.Worker"
threads = int(os.environ.get("GATEWAY_THREADS", 4))
timeout = int(os.environ.get("GATEWAY_WORKER_TIMEOUT", 60))
accesslog = "-"
errorlog = "-"
# Proxies whose X-Forwarded-* headers are believed (the app's client rule reads the same
# setting): none unless configured. GATEWAY_FORWARDED_ALLOW_IPS is the old name.
forwarded_allow_ips = os.environ.get("GATEWAY_TRUSTED_PROXIES", os.environ.get("GATEWAY_FORWARDED_ALLOW_IPS", ""))
# gunicorn's largest: request lines up to 8,190 characters reach the app, which refuses
# GET lines over 4,094 on /api/ with that interface's 400 (as data.police.uk does); longer
# lines are refused by gateway.server.Worker, with the same plain-text 400.
limit_request_line = 8190
