-- Lookout's job list filtered by queue, newest first (issue 19). Without it the
-- list walks jobs_submitted from the newest job and discards other queues'
-- rows, so its cost grew with the history of every other queue (117 ms at a
-- million ended jobs). With it, a page costs its own rows.
CREATE INDEX jobs_queue_submitted ON jobs (queue, submitted_at, submit_seq);
