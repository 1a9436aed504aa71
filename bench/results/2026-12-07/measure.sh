#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
# measure.sh JOBS [bench args]: against the running system; prints CPU ms per job per process and the bench summary
jobs=$1; shift
a=$(python3 "$(dirname "$0")"/cpu2.py)
dotnet $BENCH --jobs $jobs "$@" > last-run.txt 2>&1
b=$(python3 "$(dirname "$0")"/cpu2.py)
python3 -c "
import json; a=json.loads('$a'); b=json.loads('$b'); d={k:(b[k]-a[k])*1000/$jobs for k in a}
print(' '.join(f'{k}={v:.1f}' for k,v in d.items()), f'total={sum(d.values()):.1f} ms/job')"
grep -E "end-to-end|steady|submit -> running|hop Sub" last-run.txt
