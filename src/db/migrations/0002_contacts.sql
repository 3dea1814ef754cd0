-- Scheduled contacts: what the daily run (journeys) decided, and what the dispatcher (messaging)
-- claims, sends and records. One row per decided action; the row is also the outbound contact
-- history the contact policy counts (sent, delivered, read… within its frequency windows).
--
-- Life of a row:
--   scheduled  -> claimed (dispatcher took it, claim_expires_at guards a crashed worker)
--              -> sent -> delivered -> read        (provider receipts)
--              -> failed (permanent provider error, or retries exhausted: dead letter)
--   scheduled  -> cancelled  (payment, promise, plan, opt-out, dispute, hold: status_reason says which)
--   scheduled  -> suppressed (the policy re-check at send time refused it; policy_reasons says why)
-- Agent tasks (kind 'agent_task') are scheduled here too, for the agents' queues; the dispatcher
-- ignores them.
CREATE TABLE scheduled_contacts (
  tenant_id        text NOT NULL,
  id               text NOT NULL,
  account_id       text NOT NULL,
  debtor_id        text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('message','offer','lesson','agent_task')),
  -- call, sms, whatsapp, email, letter, visit; null for a review task.
  channel          text,
  purpose          text NOT NULL,
  template_ref     text,
  language         text NOT NULL,
  -- The address it goes to, resolved when scheduled (re-checked for opt-out at send time).
  contact_point_id text,
  destination      text,
  -- When to send, and the end of the policy window it was placed in (never send after it).
  send_at          timestamptz NOT NULL,
  window_end       timestamptz,
  status           text NOT NULL DEFAULT 'scheduled'
                   CHECK (status IN ('scheduled','claimed','sent','delivered','read','failed','cancelled','suppressed')),
  status_reason    text,
  -- Same decision, same key (journey, version, step, attempt, account, business date): a re-run
  -- or a restart after a crash produces it again and the unique index absorbs it.
  idempotency_key  text NOT NULL,
  run_id           text,
  run_date         date,
  journey_id       text,
  journey_version  integer,
  step_id          text,
  arm              text,
  -- Step content: offer ids, lesson reference, link, task queue and priority.
  content          jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Why this action and why this time, and what the contact policy said (tacto explain).
  explanation      jsonb NOT NULL DEFAULT '{}'::jsonb,
  attempts         integer NOT NULL DEFAULT 0,
  claimed_by       text,
  claim_expires_at timestamptz,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
-- The dispatcher's claim: due rows in send order.
CREATE INDEX scheduled_contacts_due_idx ON scheduled_contacts (send_at) WHERE status = 'scheduled';
-- History per debtor (policy frequency windows) and cancellation of what is pending.
CREATE INDEX scheduled_contacts_debtor_idx ON scheduled_contacts (tenant_id, debtor_id, send_at);
CREATE INDEX scheduled_contacts_account_idx ON scheduled_contacts (tenant_id, account_id, created_at);
