-- A pipeline's steps are jobs of their own, linked to the pipeline's job
-- (`parent_id`) and named by their step (`pipeline_step`, `summarize` or
-- `sections[3]` for one element of a fan-out).
ALTER TABLE jobs ADD COLUMN parent_id TEXT;
ALTER TABLE jobs ADD COLUMN pipeline_step TEXT;
CREATE INDEX jobs_parent ON jobs (parent_id) WHERE parent_id IS NOT NULL;
