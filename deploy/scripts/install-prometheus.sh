#!/usr/bin/env bash
# Installs the Debian package prometheus when its server binary is absent, for the tests that scrape the services
# with a real Prometheus. Only installs: the tests start their own Prometheus with a configuration of their own,
# so the package's system service is neither needed nor started here. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "installing prometheus needs root: run deploy/scripts/install-prometheus.sh as root" >&2
  exit 1
fi
echo "installing prometheus ..."
apt-get update -qq
# policy-rc.d 101 keeps the package's post-install step from starting a Prometheus on :9090 nobody asked for.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null
prometheus --version 2>&1 | head -n 1
