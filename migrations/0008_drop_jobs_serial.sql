-- Nothing reads jobs.serial: its index cost an entry on every update of a
-- job (submit, lease, every report) and its sequence a call each time
-- (pg_stat_statements, docs/benchmarks.md). The column stays, at 0 for new
-- jobs; runs keep theirs (the latest run of a job is found by it).
DROP INDEX IF EXISTS jobs_serial;
ALTER TABLE jobs ALTER COLUMN serial SET DEFAULT 0;
