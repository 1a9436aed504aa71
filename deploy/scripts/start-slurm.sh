#!/usr/bin/env bash
# Brings up a single-node Slurm (Debian's slurm-wlm, 22.05 on bookworm) on this machine without systemd: munge,
# MariaDB + slurmdbd (so that sacct answers for finished jobs), slurmctld and slurmd, with one partition `debug`
# holding this host. Installs the Debian packages when absent. Safe to run again: when the cluster already answers
# (node idle or busy, accounting reachable) it returns at once. Must run as root.
#
# Environment (all optional):
#   ORCH_SLURM_NODE         node name (default: `hostname -s`; it must resolve, e.g. through /etc/hosts)
#   ORCH_SLURM_MEMORY_MB    memory the node offers to jobs (default 4000)
#   ORCH_SLURM_DB_PASSWORD  password of the MariaDB user `slurm` (default slurmdb)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

NODE="${ORCH_SLURM_NODE:-$(hostname -s)}"
MEMORY_MB="${ORCH_SLURM_MEMORY_MB:-4000}"
DB_PASSWORD="${ORCH_SLURM_DB_PASSWORD:-slurmdb}"
CLUSTER=orchestrator
CONF_DIR=/etc/slurm

[ "$(id -u)" -eq 0 ] || { echo "start-slurm.sh must run as root" >&2; exit 1; }

cluster_answers() {
  sinfo -h -n "$NODE" -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated|completing)' \
    && sacct -n -X -S now -o JobID >/dev/null 2>&1
}

render_dbd_conf() {
  cat <<EOF
# Written by deploy/scripts/start-slurm.sh
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=${DB_PASSWORD}
StorageLoc=slurm_acct_db
EOF
}

# MinJobAge keeps finished jobs in slurmctld's memory (and squeue) briefly; sacct is the record after that.
# The short KillWait makes a cancelled or timed-out job end promptly. Memory is a consumable resource (--mem is
# honoured); a job that asks for none gets DefMemPerCPU, not the whole node.
render_slurm_conf() {
  cat <<EOF
# Written by deploy/scripts/start-slurm.sh
ClusterName=${CLUSTER}
SlurmctldHost=${NODE}
AuthType=auth/munge
CryptoType=crypto/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
MinJobAge=60
KillWait=5
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${MEMORY_MB} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
EOF
}

# configs_current: both files already hold what this script would write.
configs_current() {
  [ -f "$CONF_DIR/slurm.conf" ] && [ -f "$CONF_DIR/slurmdbd.conf" ] \
    && render_slurm_conf | cmp -s - "$CONF_DIR/slurm.conf" \
    && render_dbd_conf | cmp -s - "$CONF_DIR/slurmdbd.conf"
}

if command -v sinfo >/dev/null 2>&1 && configs_current && cluster_answers; then
  echo "Slurm: cluster '$CLUSTER' already up (node $NODE)"
  exit 0
fi

missing=()
for package in slurm-wlm slurm-client munge slurmdbd mariadb-server; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} ..."
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

getent hosts "$NODE" >/dev/null || { echo "node name '$NODE' does not resolve; add it to /etc/hosts" >&2; exit 1; }

# pid_alive <pid file>: the daemon the file names still runs.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for <seconds> <description> <command...>: polls the command until it succeeds.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq 1 "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "timed out after ${seconds}s waiting for $what" >&2
  return 1
}

# write_if_changed <file> <mode> <owner>: installs stdin as the file when its content differs; prints "changed".
write_if_changed() {
  local file="$1" mode="$2" owner="$3" staged
  staged="$(mktemp)"
  cat >"$staged"
  if [ -f "$file" ] && cmp -s "$staged" "$file"; then
    rm -f "$staged"
    return 0
  fi
  install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$staged" "$file"
  rm -f "$staged"
  echo changed
}

mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/log/munge
chown slurm:slurm /var/spool/slurmctld /var/log/slurm
chown munge:munge /run/munge /var/log/munge
chmod 0755 /run/munge

# munge: the package's postinst created /etc/munge/munge.key.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "starting munged ..."
  [ -f /etc/munge/munge.key ] || { runuser -u munge -- mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f; }
  runuser -u munge -- /usr/sbin/munged --force
  wait_for 10 munged sh -c 'munge -n | unmunge'
fi

# MariaDB and the accounting database.
if ! mysqladmin ping >/dev/null 2>&1; then
  echo "starting MariaDB ..."
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  (setsid mysqld_safe >/dev/null 2>&1 </dev/null &)
  wait_for 60 MariaDB mysqladmin ping
fi
mysql -u root <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
ALTER USER 'slurm'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
SQL

dbd_changed="$(render_dbd_conf | write_if_changed "$CONF_DIR/slurmdbd.conf" 600 slurm:slurm)"

conf_changed="$(render_slurm_conf | write_if_changed "$CONF_DIR/slurm.conf" 644 root:root)"

# stop_daemon <pid file> <name>: stops a daemon (for a changed configuration), waiting until it is gone.
stop_daemon() {
  pid_alive "$1" || return 0
  echo "restarting $2 for its new configuration ..."
  kill "$(cat "$1")"
  wait_for 30 "$2 to stop" sh -c "! kill -0 \$(cat '$1')"
}

[ -z "$dbd_changed" ] || stop_daemon /run/slurmdbd.pid slurmdbd
pid_alive /run/slurmdbd.pid || { echo "starting slurmdbd ..."; slurmdbd; }
wait_for 30 slurmdbd sacctmgr -n list cluster
sacctmgr -n -P list cluster format=Cluster | grep -qx "$CLUSTER" || sacctmgr -i add cluster "$CLUSTER" >/dev/null

# Some settings (SelectTypeParameters, the node's resources) only take effect when the daemons start.
if [ -n "$conf_changed" ]; then
  stop_daemon /run/slurmd.pid slurmd
  stop_daemon /run/slurmctld.pid slurmctld
fi
pid_alive /run/slurmctld.pid || { echo "starting slurmctld ..."; slurmctld; }
pid_alive /run/slurmd.pid || { echo "starting slurmd ..."; slurmd; }

wait_for 30 "node $NODE to register" sh -c "sinfo -h -n '$NODE' -o '%T' | grep -Eqv '^(unknown|down|drain)'" || true
# A node left DOWN or DRAINED by an earlier, unclean stop is put back into service.
if sinfo -h -n "$NODE" -o '%T' | grep -Eq '^(down|drain|drained|unknown)'; then
  scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
fi
wait_for 30 "node $NODE to be usable" cluster_answers
echo "Slurm: cluster '$CLUSTER', node $NODE ($(sinfo -h -n "$NODE" -o '%T')), partition debug"
