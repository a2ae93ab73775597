-- The component version whose input schema accepted the job at submission;
-- a worker validates the input again only when another version claims it.
ALTER TABLE jobs ADD COLUMN accepted_digest TEXT;
