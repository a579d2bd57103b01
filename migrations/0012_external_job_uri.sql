-- GetJobStatusUsingExternalJobUri (issue 17): the jobs of a job set carrying
-- an armadaproject.io/externalJobUri annotation, looked up by its value instead
-- of searching every spec of the job set. Partial: most jobs have none.
CREATE INDEX IF NOT EXISTS jobs_external_job_uri
  ON jobs (queue, job_set, (annotations->>'armadaproject.io/externalJobUri'))
  WHERE annotations ? 'armadaproject.io/externalJobUri';
