import os,subprocess,sys,json
def cpu(pid):
    try:
        s=open(f'/proc/{pid}/stat').read(); f=s[s.rindex(')')+2:].split(); return (int(f[11])+int(f[12]))/100
    except Exception: return 0
def pids(pat): return [p for p in subprocess.run(['pgrep','-f',pat],capture_output=True,text=True).stdout.split()]
db=os.environ.get('BENCH_DB','')
node=os.environ.get('BENCH_RMQ_NODE','')
groups={'api':'dotnet Orchestrator.Api.dll','sched':'dotnet Orchestrator.Scheduler.dll','exec':'dotnet Orchestrator.Executor.dll',
        'pg':f'postgres: 15/main: orchestrator {db} ' if db else 'postgres',
        'rmq':f'beam.smp.*{node}' if node else 'beam.smp'}
out={k: sum(cpu(p) for p in pids(v)) for k,v in groups.items()}
print(json.dumps(out))
