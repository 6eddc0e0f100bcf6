#!/bin/sh
# The production server: the image's CMD, the compose `api` service and `make serve`.
# Migrations are not run here (the compose `migrate` service and `make serve` do that).
set -eu
cd "$(dirname "$0")/.."

# Gunicorn workers are separate processes: Prometheus metrics are aggregated through
# files in this directory, emptied at every start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${TMPDIR:-/tmp}/service-metrics-$$}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

exec gunicorn --config docker/gunicorn.conf.py "${APP_MODULE:-app.main:app}"
