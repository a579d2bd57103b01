-- Retention and history-independent queries (issue 19).
--
-- jobs_ended: the pruner finds a queue's jobs that ended before a cutoff
-- (updated_at is the time of the last change, which for an ended job is its
-- end), and lists the queues that have ended jobs with a skip scan. Ended jobs
-- never change again, so this index costs one insert per job.
--
-- jobs_unfinished: the metrics refresher's counts and the index load read only
-- unfinished jobs, however much history the table holds.
CREATE INDEX jobs_ended ON jobs (queue, updated_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled', 'preempted', 'rejected');
CREATE INDEX jobs_unfinished ON jobs (queue, state)
  WHERE state IN ('queued', 'leased', 'pending', 'running');
-- The event pruner's time index: events now go with their job.
DROP INDEX IF EXISTS job_events_created;
