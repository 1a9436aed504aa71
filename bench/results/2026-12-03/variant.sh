#!/bin/bash
# variant.sh NAME "EXTRA_CONN" [env assignments...]: fresh DB, start, warm up, two measured 1000-job runs
name=$1; extra=$2; shift 2
cd /work/main
db=b_$name_$(date +%s); db=$(echo "b_${name}_$(date +%s)" | tr -c 'a-z0-9_\n' '_')
su postgres -c "createdb -O orchestrator $db" && su postgres -c "psql -q -d $db -c 'create extension pg_stat_statements'"
export ConnectionStrings__Orchestrator="Host=127.0.0.1;Port=5432;Database=$db;Username=orchestrator;Password=orchestrator;SSL Mode=Disable$extra"
export Orchestrator__Services__generic__MaxRuns=100 Orchestrator__Services__generic__RunsPerUser=100 Executor__MaxConcurrentJobs=16
for kv in "$@"; do export "$kv"; done
ORCH_SKIP_INFRA=1 ./orchestrator start > /tmp/b/start-$name.log 2>&1 || { echo start failed; tail /tmp/b/start-$name.log; exit 1; }
dotnet bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll --jobs 400 --concurrency 16 > /tmp/b/warm-$name.txt 2>&1
for i in 1 2; do echo "== $name run $i (load $(cut -d' ' -f1 /proc/loadavg))"; /tmp/b/measure.sh 1000 --concurrency 16; cp last-run.txt /tmp/b/run-$name-$i.txt; done
su postgres -c "psql -q -d $db -At -c \"select calls, left(regexp_replace(query,'\\s+',' ','g'),90) from pg_stat_statements where dbid=(select oid from pg_database where datname='$db') order by calls desc limit 25\"" > /tmp/b/stmts-$name.txt
./orchestrator stop > /dev/null 2>&1
rm -f last-run.txt
