#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
# A/B: private broker with default scheduler busy-wait against +sbwt none, alternating
cd "$here"; tree=$(cd ../../.. && pwd)
for round in 1 2; do
  ANALYZE=1 WARM=2000 RUNS="1 2" JOBS=1000 RB=rdef$round:5680 RB_ARGS="" ./variant.sh rdef$round $tree 2>&1 | grep -E "==|total=|end-to-end|steady"
  ANALYZE=1 WARM=2000 RUNS="1 2" JOBS=1000 RB=rsbwt$round:5681 RB_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" ./variant.sh rsbwt$round $tree 2>&1 | grep -E "==|total=|end-to-end|steady"
done
