DROP INDEX scheduler.ix_job_sagas_current_state;
DROP INDEX api.ix_jobs_state;
DROP INDEX executor.ix_runs_instance_id_state;
ALTER TABLE scheduler.job_sagas SET (fillfactor = 80);
ALTER TABLE api.jobs SET (fillfactor = 80);
ALTER TABLE executor.runs SET (fillfactor = 80);
