#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
# Private brokers started as before and with +sbwt none (RabbitMQ 3.10 passes it by default, so both are the same)
cd "$here"; tree=$(cd ../../.. && pwd)
for round in 1 2; do
  ANALYZE=1 WARM=2000 RUNS="1 2" JOBS=1000 RB=rdef$round:5680 RB_ARGS="" ./variant.sh rdef$round $tree 2>&1 | grep -E "==|total=|end-to-end|steady"
  ANALYZE=1 WARM=2000 RUNS="1 2" JOBS=1000 RB=rsbwt$round:5681 RB_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" ./variant.sh rsbwt$round $tree 2>&1 | grep -E "==|total=|end-to-end|steady"
done
