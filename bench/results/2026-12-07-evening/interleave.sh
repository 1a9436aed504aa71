#!/bin/bash
# interleave.sh TREE ROUNDS JOBS: ours and Hangfire in turn (order swapped every round), each on a fresh database,
# warmed up with 2,000 jobs and analyzed; prints the end-to-end and steady rates of every run.
here=$(cd "$(dirname "$0")" && pwd); tree=$1; rounds=${2:-3}; jobs=${3:-2000}
H=$tree/bench/Orchestrator.Bench.Hangfire/bin/Release/net10.0/Orchestrator.Bench.Hangfire.dll
ours() { ANALYZE=1 WARM=2000 RUNS="$1" JOBS=$jobs $here/variant.sh il $tree > $here/il-ours-$1.log 2>&1
         echo "ours $1: $(grep -E 'api=' $here/il-ours-$1.log)"; grep -E "end-to-end|steady" $here/run-il-$1.txt; }
hang() { echo "== hangfire round $1 (load $(cut -d' ' -f1 /proc/loadavg))" > $here/il-hangfire-$1.txt
         dotnet $H --warmup 2000 --jobs $jobs --concurrency 16 --work process >> $here/il-hangfire-$1.txt 2>&1
         echo "hangfire $1:"; grep -E "end-to-end|steady" $here/il-hangfire-$1.txt; }
for r in $(seq 1 $rounds); do
  if [ $((r % 2)) = 1 ]; then ours $r; hang $r; else hang $r; ours $r; fi
done
