# ceasefire-alerts: the bot as a small container. Build: docker build -t ceasefire-alerts .
# Run:   docker run -d --name ceasefire-alerts --env-file .env -v ceasefire-data:/data ceasefire-alerts
# See docs/deploy.md for the whole procedure.
FROM python:3.11-slim

# No .pyc files in the image, logs straight to `docker logs`, no pip cache or version nag.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A dedicated unprivileged user; fixed ids so a bind-mounted /data can be chowned to match.
RUN groupadd --system --gid 10001 ceasefire \
    && useradd --system --uid 10001 --gid ceasefire --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin ceasefire

WORKDIR /app
# Only what `pip install .` needs (see .dockerignore); the wheel carries feeds/data.
COPY pyproject.toml README.md ./
COPY feeds ./feeds
COPY bot ./bot
RUN pip install --no-compile . \
    && mkdir -p /data \
    && chown ceasefire:ceasefire /data

# The database lives on the volume so it survives image upgrades; a new image migrates it.
ENV DATABASE_PATH=/data/ceasefire-alerts.db
VOLUME ["/data"]
USER 10001:10001

# `status` opens the database read-mostly (no run lock) and exits 0 while it is usable,
# non-zero when it is not (unwritable volume, schema newer than the code, corrupt file).
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 \
    CMD ["ceasefire-alerts", "status"]

# `run` handles SIGTERM (docker stop): stops polling, lets in-flight sends finish, closes the DB.
STOPSIGNAL SIGTERM
CMD ["ceasefire-alerts", "run"]
