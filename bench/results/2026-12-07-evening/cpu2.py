import os,subprocess,sys,json
def cpu(pid):
    try:
        s=open(f'/proc/{pid}/stat').read(); f=s[s.rindex(')')+2:].split(); return (int(f[11]), int(f[12]))
    except Exception: return (0,0)
def pids(pat): return [p for p in subprocess.run(['pgrep','-f',pat],capture_output=True,text=True).stdout.split()]
db=os.environ.get('BENCH_DB','')
node=os.environ.get('BENCH_RMQ_NODE','')
groups={'api':'dotnet Orchestrator.Api.dll','sched':'dotnet Orchestrator.Scheduler.dll','exec':'dotnet Orchestrator.Executor.dll',
        'pg':f'postgres: 15/main: orchestrator {db} ' if db else 'postgres',
        'pgaux':'postgres: 15/main: (walwriter|checkpointer|background writer|autovacuum|logical|stats)',
        'rmq':f'beam.smp.*{node}' if node else 'beam.smp'}
out={}
for k,v in groups.items():
    u=s=0
    for p in pids(v):
        a,b=cpu(p); u+=a; s+=b
    out[k+'.u']=u/100; out[k+'.s']=s/100
st=open('/proc/stat').readline().split()[1:]
out['all.busy']=(sum(int(x) for x in st)-int(st[3])-int(st[4]))/100
print(json.dumps(out))
