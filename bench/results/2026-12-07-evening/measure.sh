#!/bin/bash
here=$(cd "$(dirname "$0")" && pwd)
jobs=$1; shift
w0=$(su postgres -c "psql -Atc 'select wal_records, wal_sync, wal_bytes/1000 from pg_stat_wal'")
a=$(python3 $here/cpu2.py)
dotnet $BENCH --jobs $jobs "$@" > last-run.txt 2>&1
b=$(python3 $here/cpu2.py)
w1=$(su postgres -c "psql -Atc 'select wal_records, wal_sync, wal_bytes/1000 from pg_stat_wal'")
python3 -c "
import json; a=json.loads('$a'); b=json.loads('$b'); d={k:(b[k]-a[k])*1000/$jobs for k in a}
procs=sorted(set(k.split('.')[0] for k in d if k!='all.busy'))
print(' '.join(f'{p}={d[p+\".u\"]+d[p+\".s\"]:.1f}({d[p+\".s\"]:.1f}s)' for p in procs), f'total={sum(v for k,v in d.items() if k!=\"all.busy\"):.1f} machine={d[\"all.busy\"]:.1f} ms/job')
w0=[int(float(x)) for x in '$w0'.split('|')]; w1=[int(float(x)) for x in '$w1'.split('|')]
print('wal records/sync/kB per job:', ' '.join(f'{(y-x)/$jobs:.1f}' for x,y in zip(w0,w1)))"
grep -E "end-to-end|steady|submit -> running|hop Sub" last-run.txt
