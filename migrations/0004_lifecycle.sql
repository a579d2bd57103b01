-- Lifecycle details. cancel_requested: a cancel arrived while the job held a
-- lease; the job stays in its state (its run still occupies its node) until
-- the executor confirms the run stopped. attempted: the run got as far as
-- starting its pod; such runs count against maxRetries, and a requeued job
-- avoids their nodes.
ALTER TABLE jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
ALTER TABLE runs ADD COLUMN attempted boolean NOT NULL DEFAULT false;
CREATE INDEX runs_attempted ON runs (job_id) WHERE attempted;

-- Gangs: Armada's gang annotations in plain columns, so that scheduling never
-- decodes the pod spec; and the node uniformity label value a gang member's
-- run was placed under (its ARMADA_GANG_NODE_UNIFORMITY_LABEL_VALUE).
ALTER TABLE jobs
  ADD COLUMN gang_id               text NOT NULL DEFAULT '',
  ADD COLUMN gang_cardinality      integer NOT NULL DEFAULT 0,
  ADD COLUMN gang_uniformity_label text NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN gang_uniformity_value text NOT NULL DEFAULT '';
