-- The latest scheduling cycle's reports, written by the scheduling leader
-- after each cycle so that every replica can answer
-- schedulerobjects.SchedulerReporting (server/scheduling_reports.h). One row
-- (id = 1). reports: {"scheduling": [text per verbosity 0..2],
-- "queues": {queue: [text per verbosity]}, "jobs": {job id: text}} for a
-- bounded number of jobs. cycle_time_micros: the cycle's snapshot time, so a
-- replica can tell whether its own reports are newer.
CREATE TABLE scheduling_reports (
  id smallint PRIMARY KEY CHECK (id = 1),
  cycle bigint NOT NULL,
  cycle_time_micros bigint NOT NULL,
  reports jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
