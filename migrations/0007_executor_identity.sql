-- Which principal may act as each executor id: bound when the id first
-- leases (unless the server config fixes it), so that a caller holding
-- execute_jobs cannot take over another executor's runs by sending its id.
-- DeleteExecutor removes the binding with the executor.
CREATE TABLE executor_principals (
  executor  text PRIMARY KEY,
  principal text NOT NULL,
  bound_at  timestamptz NOT NULL DEFAULT now()
);
