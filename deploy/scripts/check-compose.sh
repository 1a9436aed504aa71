#!/usr/bin/env bash
# Validates docker-compose.yml (and the files it mounts) without a Docker engine: with the compose plugin
# (`docker compose config`) when it is there, else with Debian's docker-compose 1.29, which predates the top-level
# `name:` key and so reads a copy without it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
for mounted in deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml deploy/grafana/provisioning/datasources/datasources.yml \
  deploy/grafana/provisioning/dashboards/dashboards.yml deploy/grafana/dashboards/orchestrator.json; do
  [ -f "$mounted" ] || { echo "missing $mounted, which docker-compose.yml mounts" >&2; exit 1; }
done
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
elif command -v docker-compose >/dev/null 2>&1; then
  copy="$(mktemp "$root/.compose-check-XXXXXX.yml")"
  trap 'rm -f "$copy"' EXIT
  grep -v '^name:' docker-compose.yml >"$copy"
  docker-compose -f "$copy" config -q
else
  echo "neither 'docker compose' nor docker-compose is installed (apt-get install docker-compose)" >&2
  exit 1
fi
if command -v promtool >/dev/null 2>&1; then
  promtool check config deploy/prometheus/prometheus.yml >/dev/null
fi
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' deploy/grafana/dashboards/orchestrator.json
echo "docker-compose.yml is valid"
