#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
# variant.sh NAME TREE [env assignments...]: fresh DB, start TREE's system, warm up, two measured 1000-job runs
name=$1; tree=$2; shift 2
cd $tree
db=$(echo "b_${name}_$(date +%s)" | tr -c 'a-z0-9_\n' '_')
su postgres -c "createdb -O orchestrator $db" && su postgres -c "psql -q -d $db -c 'create extension pg_stat_statements'"
export BENCH_DB=$db
export ConnectionStrings__Orchestrator="Host=127.0.0.1;Port=5432;Database=$db;Username=orchestrator;Password=orchestrator;SSL Mode=Disable"
export Orchestrator__Services__generic__MaxRuns=100 Orchestrator__Services__generic__RunsPerUser=100 Executor__MaxConcurrentJobs=16
for kv in "$@"; do export "$kv"; done
if [ -n "$RB" ]; then rbname=${RB%%:*}; rbport=${RB##*:}; $here/rbench.sh start $rbname $rbport $RB_ARGS >/dev/null 2>&1; export RabbitMq__Port=$rbport BENCH_RMQ_NODE=$rbname RMQ_MGMT=$((rbport+10000)); fi
ORCH_SKIP_INFRA=1 ./orchestrator start > $here/start-$name.log 2>&1 || { echo start failed; tail $here/start-$name.log; exit 1; }
[ -n "$PRESQL" ] && su postgres -c "psql -q -v ON_ERROR_STOP=1 -d $db -f $PRESQL"
B=$tree/bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll
dotnet $B --jobs ${WARM:-600} --concurrency 16 > $here/warm-$name.txt 2>&1
[ -n "$ANALYZE" ] && su postgres -c "vacuumdb -q --analyze-only -d $db"
su postgres -c "psql -q -d $db -c 'select pg_stat_statements_reset()'" >/dev/null
rmq0=$(curl -s -u guest:guest http://127.0.0.1:${RMQ_MGMT:-15672}/api/overview | python3 -c 'import json,sys; d=json.load(sys.stdin)["message_stats"]; print(d.get("publish",0), d.get("deliver_get",0))')
for i in ${RUNS:-1 2}; do echo "== $name run $i (load $(cut -d' ' -f1 /proc/loadavg))"; BENCH=$B $here/measure.sh ${JOBS:-1000} --concurrency 16; cp last-run.txt $here/run-$name-$i.txt; done
rmq1=$(curl -s -u guest:guest http://127.0.0.1:${RMQ_MGMT:-15672}/api/overview | python3 -c 'import json,sys; d=json.load(sys.stdin)["message_stats"]; print(d.get("publish",0), d.get("deliver_get",0))')
echo "rabbit publish/deliver before: $rmq0 after: $rmq1"
su postgres -c "psql -q -d $db -At -c \"select calls, round(total_exec_time::numeric,0), left(regexp_replace(query,'\\s+',' ','g'),110) from pg_stat_statements where dbid=(select oid from pg_database where datname='$db') order by calls desc limit 40\"" > $here/stmts-$name.txt
su postgres -c "psql -q -d $db -At -c \"select sum(calls) from pg_stat_statements where dbid=(select oid from pg_database where datname='$db')\"" >> $here/stmts-$name.txt
[ -n "$KEEP" ] || ./orchestrator stop > /dev/null 2>&1
[ -n "$RB" ] && [ -z "$KEEP" ] && $here/rbench.sh stop $rbname $rbport >/dev/null 2>&1
rm -f last-run.txt
