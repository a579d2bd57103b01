-- Lookout's job lists, newest first, filtered by queue, job set or state
-- (issue 19). Without these each list walked jobs_submitted from the newest
-- job and discarded the rows of other queues, job sets or states, so its cost
-- grew with the history (117 ms at a million ended jobs, 100 ms at ten
-- million for a state). With them, a page costs its own rows.
--
-- job_set and state ride along in jobs_queue_submitted so that a queue's
-- groups (its job sets or states, with counts and first submission) are an
-- index-only scan of that queue's entries rather than a visit to every row.
--
-- Including them costs no extra writes: no update of a job is HOT (state is in
-- the predicates of jobs_queued and jobs_unfinished, updated_at is a key of
-- jobs_ended), so every update inserts into every index of jobs anyway. Each
-- of the three indexes costs one insert per submitted job and per update.
CREATE INDEX IF NOT EXISTS jobs_queue_submitted ON jobs (queue, submitted_at, submit_seq)
  INCLUDE (job_set, state);
CREATE INDEX IF NOT EXISTS jobs_job_set_submitted ON jobs (job_set, submitted_at, submit_seq);
CREATE INDEX IF NOT EXISTS jobs_state_submitted ON jobs (state, submitted_at, submit_seq);
