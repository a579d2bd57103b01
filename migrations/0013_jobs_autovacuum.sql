-- Autovacuum for jobs after 1% of its rows changed or were inserted, not
-- PostgreSQL's default 20% (issue 19). Only VACUUM marks pages all-visible,
-- and Lookout's group counts are index-only scans that visit the table for
-- every row on a page without that mark. With the default, the recently
-- changed (live) part of a table holding ten million ended jobs waited for two
-- million changes before a vacuum: group counts over live queues cost 1.35-2.3x
-- what they cost on an empty database (docs/benchmarks.md, "History"). Each
-- vacuum still reads every index of jobs, so the factor stays a fraction of
-- the table, not a fixed count.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01,
                      autovacuum_vacuum_insert_scale_factor = 0.01);
