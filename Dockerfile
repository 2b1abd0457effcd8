# The Met Open Data Gateway, served by gunicorn on port 8000.
#
#   docker build -t met-open-data-gateway .
#   docker run --rm -p 8000:8000 -v gateway-data:/data met-open-data-gateway
#
# On first start the demo internal tables are built into /data (a few seconds), then
# gunicorn starts. Settings are GATEWAY_* variables (gateway/config.py and
# gunicorn.conf.py), e.g. -e GATEWAY_WORKERS=4 -e GATEWAY_DATABASE_URL=postgresql://...
#
# Behind a reverse proxy or load balancer, name the addresses or networks it connects
# from, so that the rate limit and SPARQL's per-client slots see each client (from
# X-Forwarded-For) rather than the proxy; by default no proxy header is believed:
#
#   docker run ... -e GATEWAY_TRUSTED_PROXIES=172.16.0.0/12 met-open-data-gateway
#
# Readiness is /readyz: 200 once the current release is published and verified intact
# against its manifest, 503 with the reason otherwise. It never needs the internal
# database, so a public server can run without its credentials.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first, in their own layer, so that code changes do not reinstall them:
# the metadata and the package's __init__ (where the version lives) are enough to
# resolve them. The placeholder package is removed again straight after.
COPY pyproject.toml setup.cfg README.md /src/
COPY gateway/__init__.py /src/gateway/__init__.py
RUN pip install /src \
    && pip uninstall -y met-open-data-gateway \
    && rm -rf /src/build /src/*.egg-info

# The package itself, not editable. The whole build context (less .dockerignore) goes
# in, so setup.cfg alone decides what is installed: packages and their package_data,
# such as the demo source files under gateway/demo/data. /src is removed again.
COPY . /src
RUN pip install --no-deps /src \
    && rm -rf /src \
    && pip check \
    && gateway --version

# A non-root user, with a numeric id so that runAsNonRoot-style checks can verify it.
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid gateway --create-home --home-dir /home/gateway \
        --shell /usr/sbin/nologin gateway \
    && mkdir -p /data \
    && chown gateway:gateway /data

# Only the entry points live here, owned by root and read-only to the app; the
# gateway package is imported from site-packages.
WORKDIR /app
COPY wsgi.py gunicorn.conf.py ./

# Inside a container the gateway must listen on all interfaces.
ENV GATEWAY_DATA_DIR=/data \
    GATEWAY_BIND=0.0.0.0:8000

# Ownership is set above: a volume declared after would discard later changes.
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000

# Liveness only (/readyz also needs a published, intact release). No curl in slim images.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('GATEWAY_BIND', '0.0.0.0:8000').rsplit(':', 1)[-1]; sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]

CMD ["sh", "-c", "gateway demo-data --if-missing --quiet && gateway publish --if-missing --quiet && exec gunicorn -c gunicorn.conf.py wsgi:app"]
