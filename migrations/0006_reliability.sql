-- Reliability.
--
-- leader_term: the fencing token. A replica that takes the leader lock
-- increments it; every decision transaction reads it FOR SHARE and commits only
-- if it is still the term it was given, so a replica that lost the lock can no
-- longer write a decision, and a new leader's increment waits for the old
-- leader's in-flight decision to finish.
CREATE TABLE leader_term (
  id   integer PRIMARY KEY CHECK (id = 1),
  term bigint NOT NULL
);
INSERT INTO leader_term VALUES (1, 0);

-- stop_pending: the run ended on the server's side (preempted) but its
-- executor may still be running it. Its job is requeued only once the
-- executor confirms the run stopped (or is declared dead), so that at most
-- one copy of a job runs at a time.
ALTER TABLE runs ADD COLUMN stop_pending boolean NOT NULL DEFAULT false;
CREATE INDEX runs_stop_pending ON runs (executor) WHERE stop_pending;
