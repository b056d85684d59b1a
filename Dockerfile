# syntax=docker/dockerfile:1
# Life World OS as one stateless container: every byte of data lives in the PostgreSQL at
# LIFEWORLD_DATABASE_URL (and, in hybrid cache mode, cached copies in Redis). Run as many as
# you like against the same database; see docs/deployment-strategy.md.
#
#   docker build -t lifeworld:0.2.0 .
#   docker run -e LIFEWORLD_DATABASE_URL=... -e LIFEWORLD_SECRET_KEY=... \
#              -e LIFEWORLD_PUBLIC_URL=https://life.example.org -p 8000:8000 lifeworld:0.2.0

# Both stages start from the same base, named by its version (a scanner cannot check an ARG's):
# for a byte-for-byte rebuild, pin it by digest too (python:3.11-slim-bookworm@sha256:…).

# Build: the locked dependencies (binary wheels, hash-checked), then the package itself.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/lifeworld
WORKDIR /src
COPY requirements/app.txt ./requirements/app.txt
RUN /opt/lifeworld/bin/pip install --require-hashes --only-binary :all: -r requirements/app.txt
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/lifeworld/bin/pip install --no-deps --no-build-isolation .

# Runtime: the venv only, no compilers, no sources, a user without a login or a home to write.
FROM python:3.11-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 lifeworld \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin lifeworld \
 && mkdir -p /var/lib/lifeworld/backups && chown -R 10001:10001 /var/lib/lifeworld
COPY --from=build /opt/lifeworld /opt/lifeworld
ENV PATH=/opt/lifeworld/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIFEWORLD_ENV=production \
    LIFEWORLD_HOST=0.0.0.0 \
    LIFEWORLD_PORT=8000 \
    LIFEWORLD_DATA_DIR=/tmp/lifeworld \
    LIFEWORLD_BACKUP_DIR=/var/lib/lifeworld/backups \
    LIFEWORLD_BACKUP_INTERVAL_HOURS=0 \
    LIFEWORLD_TLS=off \
    LIFEWORLD_MDNS=off

# TLS ends at the proxy or load balancer in front (compose, Kubernetes): the app speaks plain
# HTTP, and its health check too. No mDNS: a container's network is not the home's.
# No scheduled backups inside a container by default: they would land in its own disposable
# filesystem. Use the managed database's backups, or mount a volume on /var/lib/lifeworld/backups
# and set LIFEWORLD_BACKUP_INTERVAL_HOURS=24 (the compose file does).
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000

# 200 while the database answers (also when only the cache is degraded), else 503.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/api/v1/health' % os.environ['LIFEWORLD_PORT'], timeout=2)"]

# Refuse to start without an external database: the bundled one would keep data inside the
# container and lose it with the container. Then `lifeworld serve`: migrations under the
# PostgreSQL advisory lock (a no-op at head, once when replicas start together), then uvicorn.
ENTRYPOINT ["/bin/sh", "-c", "if [ -z \"$LIFEWORLD_DATABASE_URL\" ]; then echo 'error: set LIFEWORLD_DATABASE_URL to your PostgreSQL (a postgresql:// URL with its user, password, host and database): this image keeps no data of its own' >&2; exit 2; fi; exec \"$@\"", "lifeworld-entrypoint"]
CMD ["lifeworld", "serve"]
