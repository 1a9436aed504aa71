#!/bin/bash
# The 100,000-job backlog over HTTP: fill with dispatch paused (local capacity 0), restart with capacity, drain.
# Run from the repository root on a machine where ./orchestrator start works; writes backlog-fill.txt and
# backlog-drain.txt next to this script. JOBS and USERS override the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=${JOBS:-100000} users=${USERS:-10}
db=backlog_$(date +%s)
su postgres -c "createdb -O orchestrator $db"
export ConnectionStrings__Orchestrator="Host=127.0.0.1;Port=5432;Database=$db;Username=orchestrator;Password=orchestrator;SSL Mode=Disable"
export Orchestrator__Services__generic__MaxRuns=100 Orchestrator__Services__generic__RunsPerUser=100 Executor__MaxConcurrentJobs=16
B=bench/Orchestrator.Bench/bin/Release/net10.0/Orchestrator.Bench.dll
Orchestrator__Destinations__local__Capacity=0 ./orchestrator start > /dev/null
dotnet $B backlog fill --jobs "$jobs" --users "$users" --concurrency 16 --timeout 3600 --pg "$ConnectionStrings__Orchestrator" | tee "$here/backlog-fill.txt"
./orchestrator stop > /dev/null
range=$(sed -n 's/.*backlog drain \(--from-job [0-9]* --to-job [0-9]*\).*/\1/p' "$here/backlog-fill.txt")
./orchestrator start > /dev/null
dotnet $B backlog drain $range --timeout 3600 --pg "$ConnectionStrings__Orchestrator" | tee "$here/backlog-drain.txt"
./orchestrator stop > /dev/null
