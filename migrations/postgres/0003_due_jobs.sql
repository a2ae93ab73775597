-- Hosts claim the oldest due job of a capability with FOR UPDATE SKIP LOCKED;
-- this index keeps that look-up (and counting the queue) off the whole table.
CREATE INDEX jobs_due ON jobs (capability, run_after, id) WHERE state = 'queued';
