#!/usr/bin/env bash
# Starts the Api of <tree> (built in Release) alone on a fresh database with pg_stat_statements and a fresh RabbitMQ
# virtual host, loads it with api-load (built beforehand: dotnet build -c Release bench/results/2026-12-07-api/api-load)
# and removes everything afterwards. As root, with PostgreSQL and RabbitMQ (management plugin) on this machine.
#   KEYED=1     every request carries an admin key made with the keys command (default: anonymous from loopback)
#   EXTRA_ENV   more environment for the Api, e.g. "DOTNET_TieredCompilation=0"
# usage: measure-api.sh <tree> <label> [jobs] [concurrency]
set -euo pipefail
WT=$(cd "$1" && pwd); LABEL=$2; N=${3:-1000}; C=${4:-16}
HERE=$(cd "$(dirname "$0")" && pwd)
DB=perfapi_${LABEL}_$(date +%s)
VH=perfapi-$LABEL-$(date +%s)
PORT=${PORT:-5471}
su postgres -c "createdb -O orchestrator $DB" && su postgres -c "psql -q -d $DB -c 'create extension pg_stat_statements'"
curl -sf -u guest:guest -X PUT -H 'content-type: application/json' -d '{}' http://127.0.0.1:15672/api/vhosts/$VH
curl -sf -u guest:guest -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' http://127.0.0.1:15672/api/permissions/$VH/guest
JOBS=/tmp/measure-api-jobs-$LABEL; rm -rf $JOBS; mkdir -p $JOBS
CS="Host=127.0.0.1;Port=5432;Database=$DB;Username=orchestrator;Password=orchestrator"
cd $WT/services/Api/bin/Release/net10.0
ConnectionStrings__Orchestrator="$CS" RabbitMq__VirtualHost=$VH Orchestrator__Storage__JobsRoot=$JOBS Urls=http://127.0.0.1:$PORT \
  DOTNET_ENVIRONMENT=Production env ${EXTRA_ENV:-} dotnet Orchestrator.Api.dll > /tmp/measure-api-$LABEL.log 2>&1 &
APIPID=$!
trap 'kill $APIPID 2>/dev/null; wait $APIPID 2>/dev/null; su postgres -c "dropdb --force $DB"; curl -s -u guest:guest -X DELETE http://127.0.0.1:15672/api/vhosts/$VH; rm -rf $JOBS' EXIT
for i in $(seq 60); do curl -sf http://127.0.0.1:$PORT/health >/dev/null && break; sleep 1; done
if [ -n "${KEYED:-}" ]; then
  KEY=$(ConnectionStrings__Orchestrator="$CS" RabbitMq__VirtualHost=$VH DOTNET_ENVIRONMENT=Production dotnet Orchestrator.Api.dll keys create --role admin --name bench 2>/dev/null)
  echo "keyed: ${KEY:0:17}..."
fi
echo "load: $(cat /proc/loadavg)"
dotnet "$HERE/api-load/bin/Release/net10.0/ApiLoad.dll" http://127.0.0.1:$PORT $VH "$CS" $APIPID $N $C ${KEY:-}
