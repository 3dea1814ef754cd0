-- The daily run in slices, so several worker processes can share one run (benchmark B7).
--
-- A run is cut into `slices` parts by a hash of the debtor id: every account of a debtor falls
-- in the same slice, so one debtor's accounts are still decided one after the other, in account
-- id order, by one worker — as in a run of one slice — and the contact policy's per-debtor
-- counting never races between workers. Each slice keeps its own checkpoint (the last account id
-- written); a worker holds a slice while it works on it (a session advisory lock on PostgreSQL,
-- released by the server when the process dies) and fences every batch's write on the slice's
-- checkpoint.

ALTER TABLE journey_runs ADD COLUMN slices integer NOT NULL DEFAULT 1 CHECK (slices BETWEEN 1 AND 64);

CREATE TABLE journey_run_slices (
  tenant_id     text NOT NULL,
  run_id        text NOT NULL,
  slice         integer NOT NULL CHECK (slice >= 0),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done')),
  cursor        text,
  -- Which process last worked on it (host:pid), for operators.
  worker        text,
  accounts_seen integer NOT NULL DEFAULT 0,
  started_at    timestamptz,
  heartbeat_at  timestamptz,
  finished_at   timestamptz,
  PRIMARY KEY (tenant_id, run_id, slice),
  FOREIGN KEY (tenant_id, run_id) REFERENCES journey_runs (tenant_id, id) ON DELETE CASCADE
);

-- Existing runs become runs of one slice, keeping their checkpoint.
INSERT INTO journey_run_slices (tenant_id, run_id, slice, status, cursor, accounts_seen, started_at, heartbeat_at, finished_at)
SELECT tenant_id, id, 0,
       CASE WHEN status = 'completed' THEN 'done' WHEN cursor IS NULL THEN 'pending' ELSE 'running' END,
       cursor, accounts_seen, started_at, heartbeat_at, finished_at
FROM journey_runs;

ALTER TABLE journey_runs DROP COLUMN cursor;
