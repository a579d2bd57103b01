-- Lookout's job table (issue 16): the columns its filters read, and the
-- indexes behind its default view (newest jobs first, paged) and a job's
-- event list. Jobs stored before this migration keep an empty namespace and
-- no annotations in these columns (their specs still hold both).
ALTER TABLE jobs
  ADD COLUMN namespace   text NOT NULL DEFAULT '',
  ADD COLUMN annotations jsonb NOT NULL DEFAULT '{}';
CREATE INDEX jobs_submitted ON jobs (submitted_at, submit_seq);
CREATE INDEX job_events_job ON job_events (job_id);
