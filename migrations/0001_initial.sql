-- Queues, jobs, runs, executors and the event log.
-- Every state change bumps `serial` (one sequence for jobs and runs), so the
-- scheduler can pull what changed since its last cycle.

CREATE TABLE queues (
  name            text PRIMARY KEY,
  -- The whole api.Queue message, so that no field is lost on a round trip.
  definition      bytea NOT NULL,
  priority_factor double precision NOT NULL,
  cordoned        boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE change_serial;

CREATE TABLE jobs (
  job_id        text PRIMARY KEY,
  queue         text NOT NULL,
  job_set       text NOT NULL,
  client_id     text,
  owner         text NOT NULL,
  priority      bigint NOT NULL,
  state         text NOT NULL,
  -- Scheduling inputs in plain columns: requests in milli-units, node selector.
  requests      jsonb NOT NULL,
  node_selector jsonb NOT NULL DEFAULT '{}',
  -- The whole api.Job message as submitted and defaulted.
  spec          bytea NOT NULL,
  submitted_at  timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  cancel_reason text,
  cancel_user   text,
  error         text,
  submit_seq    bigserial NOT NULL,
  serial        bigint NOT NULL DEFAULT nextval('change_serial')
);
CREATE UNIQUE INDEX jobs_client_id ON jobs (queue, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX jobs_serial ON jobs (serial);
CREATE INDEX jobs_job_set ON jobs (queue, job_set);
CREATE INDEX jobs_queued ON jobs (queue, priority, submit_seq) WHERE state = 'queued';

CREATE TABLE runs (
  run_id      uuid PRIMARY KEY,
  job_id      text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  executor    text NOT NULL,
  node        text NOT NULL,
  pool        text NOT NULL,
  state       text NOT NULL,
  leased_at   timestamptz NOT NULL,
  pending_at  timestamptz,
  running_at  timestamptz,
  finished_at timestamptz,
  exit_code   integer,
  error       text,
  serial      bigint NOT NULL DEFAULT nextval('change_serial')
);
CREATE INDEX runs_job ON runs (job_id);
CREATE INDEX runs_active ON runs (executor) WHERE state IN ('leased', 'pending', 'running');

CREATE TABLE executors (
  name      text PRIMARY KEY,
  pool      text NOT NULL,
  last_seen timestamptz NOT NULL,
  -- The executor's last report of its nodes (serialized executorapi.LeaseRequest).
  report    bytea NOT NULL
);

-- The event log. `seq` is handed out by event_seq in commit order (the row lock
-- is held until commit), so the relay can publish in order with no gaps.
CREATE TABLE event_seq (
  id   integer PRIMARY KEY CHECK (id = 1),
  last bigint NOT NULL
);
INSERT INTO event_seq VALUES (1, 0);

CREATE TABLE job_events (
  seq        bigint PRIMARY KEY,
  queue      text NOT NULL,
  job_set    text NOT NULL,
  job_id     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A serialized api.EventMessage.
  message    bytea NOT NULL
);
CREATE INDEX job_events_created ON job_events (created_at);
