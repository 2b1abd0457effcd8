"""gunicorn settings. Override with GATEWAY_BIND, GATEWAY_WORKERS or GUNICORN_CMD_ARGS."""

import multiprocessing
import os

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GATEWAY_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GATEWAY_THREADS", 4))
timeout = int(os.environ.get("GATEWAY_WORKER_TIMEOUT", 60))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GATEWAY_FORWARDED_ALLOW_IPS", "127.0.0.1")
