#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
# The 7 December figures: three 1,000-job runs and one 2,000-job run with CPU per process, then 300 jobs at 10 jobs/s.
cd "$here"; tree=$(cd ../../.. && pwd)
out=$here
KEEP=1 ANALYZE=1 WARM=2000 RUNS="1 2 3" JOBS=1000 ./variant.sh final $tree > $out/throughput-1000.txt 2>&1
for i in 1 2 3; do cp run-final-$i.txt $out/run-1000-$i.txt; done
cp stmts-final.txt $out/statements-1000.txt
db=$(su postgres -c "psql -At -c \"select datname from pg_database where datname like 'b\_final\_%' order by datname desc limit 1\"")
export BENCH_DB=$db BENCH=$tree/bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll
cd $tree
{ echo "== 2000 jobs (load $(cut -d' ' -f1 /proc/loadavg))"; $here/measure.sh 2000 --concurrency 16; } > $out/throughput-2000.txt 2>&1
cp last-run.txt $out/run-2000.txt
{ echo "== 300 jobs at 10 jobs/s (load $(cut -d' ' -f1 /proc/loadavg))"; $here/measure.sh 300 --rate 10 --concurrency 4; } > $out/latency-10.txt 2>&1
cp last-run.txt $out/run-latency-10.txt; rm -f last-run.txt
ORCH_SKIP_INFRA=1 ./orchestrator stop > /dev/null 2>&1
H=bench/Orchestrator.Bench.Hangfire/bin/Release/net10.0/Orchestrator.Bench.Hangfire.dll
dotnet $H --warmup 2000 --jobs 300 --rate 10 --concurrency 4 --work process > $out/hangfire-rate10.txt 2>&1
dotnet bench/Orchestrator.Bench.Dispatch/bin/Release/net10.0/Orchestrator.Bench.Dispatch.dll --depths 100,10000,100000 --passes 30 > $out/dispatch-depth.txt 2>&1
