#!/usr/bin/env bash
# Brings up RabbitMQ and PostgreSQL on loopback without systemd, installing the Debian packages first when they
# are absent. Safe to run again: a server that already answers is left alone.
# Environment: ORCH_DB_USER / ORCH_DB_PASSWORD / ORCH_DB_NAME (default orchestrator/orchestrator/orchestrator).
set -euo pipefail
DB_USER="${ORCH_DB_USER:-orchestrator}"
DB_PASSWORD="${ORCH_DB_PASSWORD:-orchestrator}"
DB_NAME="${ORCH_DB_NAME:-orchestrator}"
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} ..."
  # Another installer (a second set-up script, unattended upgrades) may hold the dpkg lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ ..."
  rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
  rabbitmq-server -detached
  # ping answers before the broker application runs; await_startup waits for the application itself.
  for _ in $(seq 1 60); do rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break; sleep 1; done
  rabbitmqctl -q await_startup --timeout 90
fi

# shellcheck disable=SC2012  # version folders are plain numbers
version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
if [ -z "$version" ]; then
  # No cluster yet: create one for the newest server installed rather than assume a release.
  # shellcheck disable=SC2012
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)"
  [ -n "$version" ] || { echo "no PostgreSQL server installed under /usr/lib/postgresql" >&2; exit 1; }
  pg_createcluster "$version" main >/dev/null
fi
pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q . || pg_createcluster "$version" main >/dev/null
pg_ctlcluster "$version" main status >/dev/null 2>&1 || { echo "starting PostgreSQL $version ..."; pg_ctlcluster "$version" main start; }
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -q -h 127.0.0.1 -p 5432

# CREATEDB lets the tests create and drop throw-away databases of their own.
runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
    CREATE ROLE "${DB_USER}" LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
  ELSE
    ALTER ROLE "${DB_USER}" LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
  END IF;
END\$\$;
SQL
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='${DB_NAME}'" | grep -q 1 \
  || runuser -u postgres -- createdb -O "${DB_USER}" "${DB_NAME}"

rabbitmq-diagnostics -q check_port_connectivity >/dev/null
echo "RabbitMQ: amqp://guest:***@127.0.0.1:5672 (management http://127.0.0.1:15672)"
echo "PostgreSQL: postgres://${DB_USER}:***@127.0.0.1:5432/${DB_NAME}"
