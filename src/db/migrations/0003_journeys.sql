-- Strategies, journey state per account and the daily runs (issue 4, docs/journeys.md).
-- The decided actions themselves go into scheduled_contacts (0002), keyed by the step machine's
-- idempotency key.

-- Strategy documents per tenant, one row per version (validated by parseStrategy before insert).
-- The highest version of each strategy id is the one in force unless it is retired.
CREATE TABLE strategies (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  id          text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  document    jsonb NOT NULL,
  retired_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id, version)
);

-- Where each account stands: its assignment (strategy, segment, arm: what experiment reports
-- group by), its journey state (the step machine's JourneyState, flattened) and the run that
-- last advanced it. One row per account that was ever assigned or advanced.
CREATE TABLE account_journeys (
  tenant_id        text NOT NULL,
  account_id       text NOT NULL,
  debtor_id        text NOT NULL,
  strategy_id      text,
  strategy_version integer,
  segment_id       text,
  arm              text,
  journey_id       text,
  journey_version  integer,
  step_id          text,
  entered_at       timestamptz,
  entered_step_at  timestamptz,
  attempts         integer NOT NULL DEFAULT 0,
  last_action      jsonb,
  status           text NOT NULL CHECK (status IN ('active','paused','exited','completed','unassigned')),
  status_reason    text,
  -- The delinquency episode the journey was entered for (the oldest unpaid due date, or the next
  -- due date before it falls due): a finished journey is not re-entered for the same episode.
  episode          text,
  -- Idempotency key of the last contact scheduled for this account (its receipts are events).
  last_contact_key text,
  -- Events recorded between runs (payment, opt-out, promise…), consumed by the next advance.
  pending_events   jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- The last decision's explanation lines (tacto explain).
  explanation      jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_run_id      text,
  last_run_date    date,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, account_id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_journeys_journey_idx ON account_journeys (tenant_id, journey_id, step_id) WHERE status IN ('active','paused');

-- One run per tenant and business date. `cursor` is the last account id whose batch committed
-- (batches commit their writes and the cursor together), so a restart resumes after it.
CREATE TABLE journey_runs (
  tenant_id      text NOT NULL REFERENCES tenants(id),
  id             text NOT NULL,
  business_date  date NOT NULL,
  -- The instant decisions are made as of (fixed for the run, so a resumed run decides as the
  -- interrupted one would have).
  decided_at     timestamptz NOT NULL,
  status         text NOT NULL CHECK (status IN ('running','completed','failed')),
  cursor         text,
  passes         integer NOT NULL DEFAULT 1,
  accounts_seen      integer NOT NULL DEFAULT 0,
  accounts_advanced  integer NOT NULL DEFAULT 0,
  accounts_assigned  integer NOT NULL DEFAULT 0,
  contacts_scheduled integer NOT NULL DEFAULT 0,
  counts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  error          text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  heartbeat_at   timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, business_date)
);

-- Pending contacts of an account or debtor, for cancellation on events.
CREATE INDEX scheduled_contacts_pending_idx ON scheduled_contacts (tenant_id, account_id) WHERE status IN ('scheduled','claimed');
