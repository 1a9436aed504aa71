#!/bin/bash
# ab.sh ROUNDS name=tree ...
rounds=$1; shift
for r in $(seq 1 $rounds); do
  for nt in "$@"; do n=${nt%%=*}; t=${nt#*=}
    ANALYZE=1 WARM=2000 RUNS="1 2" JOBS=1000 /tmp/b/variant.sh ${n}r$r $t
  done
done
echo ALLDONE
