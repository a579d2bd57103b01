-- What the fair-share scheduler needs beyond requests and node selector, in
-- plain columns so it never has to decode the pod spec; and each queue's
-- decayed usage per pool, so a restart or a new leader keeps the history.

ALTER TABLE jobs
  ADD COLUMN priority_class text NOT NULL DEFAULT '',
  -- [{"key", "operator", "value", "effect"}], Kubernetes' shape.
  ADD COLUMN tolerations    jsonb NOT NULL DEFAULT '[]',
  -- Required node affinity terms: [{"matchExpressions": [{"key", "operator", "values"}]}].
  ADD COLUMN node_affinity  jsonb NOT NULL DEFAULT '[]';

CREATE TABLE queue_usage (
  pool          text NOT NULL,
  queue         text NOT NULL,
  decayed_share double precision NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (pool, queue)
);
