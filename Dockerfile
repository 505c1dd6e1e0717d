# Lyssna in a container: the same steps as docs/deploy.md, sections 1-3. UNTESTED: the CI machines
# cannot pull base images, so this file is kept in step with the guide by reading, not by a build.
# Its entrypoint (deploy/entrypoint.sh) is run by the tests outside a container.
#
#   docker build -t lyssna .
#   docker run -p 8000:8000 -e SECRET_KEY=... -v lyssna-data:/var/lib/lyssna lyssna
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LYSSNA_ENV=production \
    LYSSNA_BIND=0.0.0.0:8000 \
    DATABASE_URL=sqlite:////var/lib/lyssna/lyssna.db \
    LYSSNA_SURVEYS_DIR=/var/lib/lyssna/surveys \
    LYSSNA_EXPORTS_DIR=/var/lib/lyssna/exports \
    LYSSNA_MEDIA_DIR=/var/lib/lyssna/media

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && adduser --system --group --home /srv/lyssna --no-create-home lyssna \
    && install -d -o lyssna -g lyssna -m 700 /var/lib/lyssna

WORKDIR /srv/lyssna
# The pinned requirements first, so a code change does not reinstall them.
COPY requirements.txt Makefile ./
RUN make .venv/.installed PYTHON=python3
COPY . .
RUN make setup PYTHON=python3 && rm -rf instance exports

USER lyssna
VOLUME /var/lib/lyssna
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["/srv/lyssna/deploy/entrypoint.sh"]
CMD [".venv/bin/gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
