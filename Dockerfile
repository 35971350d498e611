# syntax=docker/dockerfile:1
# The learnpass container image, built from the wheel (docs/deployment.md, "Container image").
#   docker build -t learnpass .
#   docker run -e LEARNPASS_DATABASE_URL=... -e LEARNPASS_SECRET_KEY=... \
#     -e LEARNPASS_BASE_URL=https://... -e LEARNPASS_CONTENT_URL=https://... -p 8000:8000 learnpass
# Other commands run in the same image: docker run ... learnpass check (or db upgrade, platform ...).

# 1. scorm-again, the SCORM player's run-time, as pinned (with its hash) in package-lock.json.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev

# 2. The wheel, made by the build backend (setup.py): migrations, compiled catalogues and the
#    scorm-again files go inside it.
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY . .
COPY --from=assets /src/node_modules ./node_modules
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /dist .

# 3. The image: Python, the wheel and its dependencies; no compiler, no node, no source tree.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LEARNPASS_DATA_DIR=/var/lib/learnpass
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir --disable-pip-version-check \
        "$(ls /tmp/dist/learnpass-*.whl)[postgres]" \
    && rm -rf /tmp/dist \
    && groupadd --system --gid 10001 learnpass \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/learnpass --create-home \
        --shell /usr/sbin/nologin learnpass
# Uploaded files and course packages (share it between containers when you run several).
VOLUME /var/lib/learnpass
WORKDIR /var/lib/learnpass
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8)"]
ENTRYPOINT ["learnpass"]
CMD ["serve", "--bind", "0.0.0.0:8000", "--workers", "2"]
