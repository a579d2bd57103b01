-- Operator settings of executors (Armada's api.Executor/UpsertExecutorSettings):
-- kept apart from `executors`, which executors themselves overwrite with every
-- report, and allowed before an executor has ever reported.
CREATE TABLE executor_settings (
  name          text PRIMARY KEY,
  cordoned      boolean NOT NULL,
  cordon_reason text NOT NULL DEFAULT '',
  updated_at    timestamptz NOT NULL DEFAULT now()
);
