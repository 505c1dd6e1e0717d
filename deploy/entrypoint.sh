#!/bin/sh
# What a Lyssna container does before it serves (docs/deploy.md, "A container"): the data folders,
# the schema, then the command given (gunicorn by default). It does not run `flask surveys sync`:
# each worker publishes the folder's never-published surveys itself on its first look, and leaves
# a survey someone published since alone, so a restarted container never takes a survey back.
set -eu
cd "$(dirname "$0")/.."
umask 077
mkdir -p "${LYSSNA_SURVEYS_DIR:?}" "${LYSSNA_EXPORTS_DIR:?}" "${LYSSNA_MEDIA_DIR:?}"
if [ "${LYSSNA_EXAMPLE_SURVEYS:-0}" = 1 ] && [ -z "$(ls -A "$LYSSNA_SURVEYS_DIR")" ]; then
    cp surveys/*.yaml "$LYSSNA_SURVEYS_DIR"/
fi
# With several containers on one database, set LYSSNA_MIGRATE=0 on all but one.
if [ "${LYSSNA_MIGRATE:-1}" = 1 ]; then
    .venv/bin/flask --app wsgi db upgrade
fi
exec "$@"
